/*
 * test_init_names.c - init's name service (servers/init/names.c) with
 * libipc's client stubs (lichen/name_client.h), over the host transport:
 * init's own handler table in a server thread or polled. Register,
 * lookup, wait before and after the name exists, several waiters, bad
 * names and bad handles, full tables, rights handed out, names dropped
 * when their server exits, NAME_WAIT as a continuation of another server,
 * and -EPIPE when the service is gone.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <lichen/compiler.h>
#include <lichen/errno.h>
#include <lichen/ipc_host.h>
#include <lichen/ipc_server.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/proto/name.h>

#include "init_core.h"
#include "unit.h"

static struct init in;
static struct ipc_server srv;
static char srvbuf[NAME_LEN_MAX + 1];
static handle_t nep;		/* init's endpoint */
static handle_t me;		/* where raw requests' replies come */
static char log_buf[4096];
static unsigned base_handles;

static void
capture(void *ctx, const char *line)
{
	(void)ctx;
	if (strlen(log_buf) + strlen(line) + 2 <= sizeof(log_buf)) {
		strcat(log_buf, line);
		strcat(log_buf, "\n");
	}
}

static long
no_spawn(void *ctx, const struct init_spawn *s, handle_t *proc)
{
	(void)ctx, (void)s, (void)proc;
	return -ENOSYS;
}

static void
no_poweroff(void *ctx, long status)
{
	(void)ctx, (void)status;
}

static void
setup(void)
{
	const struct init_ops ops = { no_spawn, no_poweroff, capture, NULL };

	nep = (handle_t)ep_create(0);
	me = (handle_t)ep_create(0);
	/* No archive: no manifest, just the name service. */
	ck_assert_int_eq(init_begin(&in, NULL, 0, "boot.manifest", nep, &ops),
	    -ENOENT);
	log_buf[0] = '\0';
	ipc_server_init(&srv, nep, init_handlers, init_nhandlers, NULL, 0,
	    srvbuf, sizeof(srvbuf), &in);
	base_handles = ipc_host_live_handles();
}

static void *
serve(void *p)
{
	(void)p;
	return (void *)ipc_server_run(&srv);
}

static pthread_t
start_server(void)
{
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, serve, NULL), 0);
	return t;
}

/* A request straight to init, its reply to come on me. */
static void
raw(uint64_t label, const void *data, size_t len, handle_t h, uint64_t cookie)
{
	struct ipc_msg m;
	struct ipc_ext x;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = label;
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = len;
	if (h != HANDLE_NONE) {
		x.shandles[0] = h;
		x.nshandles = 1;
	}
	x.reply_ep = me;
	x.cookie = cookie;
	ck_assert_int_eq(ipc_send(nep, &m, &x), 0);
}

/* The next reply on me: its status; *h its handle (or closed if h NULL). */
static long
raw_reply(uint64_t *cookie, handle_t *h)
{
	struct ipc_msg m;
	struct ipc_ext x;

	memset(&x, 0, sizeof(x));
	ck_assert_int_eq(ipc_recv_poll(me, &m, &x), 0);
	if (cookie != NULL)
		*cookie = m.badge;
	if (h != NULL)
		*h = x.nrhandles > 0 ? x.rhandles[0] : HANDLE_NONE;
	else if (x.nrhandles > 0)
		handle_close(x.rhandles[0]);
	return (long)m.w[0];
}

/* A send handle works: a message through it arrives at ep. */
static void
assert_reaches(handle_t h, handle_t ep)
{
	struct ipc_msg m, r;
	struct handle_info a, b;

	ck_assert_int_eq(handle_info(h, &a), 0);
	ck_assert_int_eq(handle_info(ep, &b), 0);
	ck_assert_uint_eq(a.koid, b.koid);
	ck_assert_uint_eq(a.rights, NAME_EP_RIGHTS);
	memset(&m, 0, sizeof(m));
	m.label = 77;
	ck_assert_int_eq(ipc_send(h, &m, NULL), 0);
	ck_assert_int_eq(ipc_recv_poll(ep, &r, NULL), 0);
	ck_assert_uint_eq(r.label, 77);
}

START_TEST(register_then_lookup)
{
	pthread_t t;
	handle_t vfs, fat, h;

	setup();
	vfs = (handle_t)ep_create(0);
	fat = (handle_t)ep_create(0);
	t = start_server();
	ck_assert_int_eq(name_register(nep, "vfs", vfs), 0);
	ck_assert_int_eq(name_register(nep, "fat32", fat), 0);
	ck_assert_int_eq(name_lookup(nep, "vfs", &h), 0);
	assert_reaches(h, vfs);
	ck_assert_int_eq(handle_close(h), 0);
	ck_assert_int_eq(name_lookup(nep, "fat32", &h), 0);
	assert_reaches(h, fat);
	ck_assert_int_eq(handle_close(h), 0);
	ck_assert_int_eq(name_lookup(nep, "vf", &h), -ENOENT);
	ck_assert_int_eq(name_lookup(nep, "vfs2", &h), -ENOENT);
	ck_assert_int_eq(name_register(nep, "vfs", fat), -EEXIST);
	/* The caller keeps its endpoint; init holds one handle per name. */
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles + 2 + 2);
	ck_assert_uint_eq(in.names.n, 2);
	(void)t;
}
END_TEST

START_TEST(bad_names_from_the_stubs)
{
	char longname[NAME_LEN_MAX + 2];
	handle_t ep = (handle_t)ep_create(0), h;

	setup();
	memset(longname, 'n', sizeof(longname));
	longname[NAME_LEN_MAX + 1] = '\0';
	/* Refused before anything is sent: no server runs. */
	ck_assert_int_eq(name_register(nep, "", ep), -EINVAL);
	ck_assert_int_eq(name_register(nep, "a b", ep), -EINVAL);
	ck_assert_int_eq(name_register(nep, longname, ep), -ENAMETOOLONG);
	ck_assert_int_eq(name_lookup(nep, "tab\there", &h), -EINVAL);
	ck_assert_int_eq(name_wait(nep, longname, &h), -ENAMETOOLONG);
	ck_assert_int_eq(ipc_recv_poll(nep, &(struct ipc_msg){ 0 }, NULL),
	    -EAGAIN);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
}
END_TEST

START_TEST(bad_requests_on_the_wire)
{
	char big[NAME_LEN_MAX + 2];
	handle_t ep = (handle_t)ep_create(0);
	long no_send = handle_dup(ep, RIGHT_TRANSFER, 0);

	setup();
	memset(big, 'b', sizeof(big));
	raw(NAME_LOOKUP, "a b", 3, HANDLE_NONE, 1);
	raw(NAME_LOOKUP, "", 0, HANDLE_NONE, 2);
	raw(NAME_LOOKUP, big, NAME_LEN_MAX + 1, HANDLE_NONE, 3);
	raw(NAME_LOOKUP, big, sizeof(big), HANDLE_NONE, 4);	/* > the buffer */
	raw(NAME_REGISTER, "x", 1, HANDLE_NONE, 5);		/* no handle */
	raw(NAME_REGISTER, "x", 1, (handle_t)no_send, 6);	/* no RIGHT_SEND */
	raw(IPC_LABEL(PROTO_NAME, 99), "x", 1, HANDLE_NONE, 7);
	ck_assert_int_eq(ipc_server_poll(&srv), 7);
	ck_assert_int_eq(raw_reply(NULL, NULL), -EINVAL);
	ck_assert_int_eq(raw_reply(NULL, NULL), -EINVAL);
	ck_assert_int_eq(raw_reply(NULL, NULL), -EINVAL);
	ck_assert_int_eq(raw_reply(NULL, NULL), -EMSGSIZE);
	ck_assert_int_eq(raw_reply(NULL, NULL), -EINVAL);
	ck_assert_int_eq(raw_reply(NULL, NULL), -EINVAL);
	ck_assert_int_eq(raw_reply(NULL, NULL), -ENOSYS);
	ck_assert_uint_eq(in.names.n, 0);
	/* The refused handle moved to init, which closed it. */
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles - 1);
}
END_TEST

/* A registered handle with more rights than a client should get. */
START_TEST(extra_rights_are_dropped)
{
	handle_t ep = (handle_t)ep_create(0), h;
	long all;
	struct ipc_msg m;

	setup();
	all = handle_dup(ep, RIGHTS_ALL, 0);
	raw(NAME_REGISTER, "full", 4, (handle_t)all, 1);
	raw(NAME_LOOKUP, "full", 4, HANDLE_NONE, 2);
	ck_assert_int_eq(ipc_server_poll(&srv), 2);
	ck_assert_int_eq(raw_reply(NULL, NULL), 0);
	ck_assert_int_eq(raw_reply(NULL, &h), 0);
	assert_reaches(h, ep);
	/* init kept no receive right: closing ours kills the endpoint. */
	ck_assert_int_eq(handle_close(ep), 0);
	memset(&m, 0, sizeof(m));
	ck_assert_int_eq(ipc_send(h, &m, NULL), -EPIPE);
}
END_TEST

static handle_t waited[4];
static long wait_status[4];

static void *
waiter(void *p)
{
	int i = (int)(intptr_t)p;

	wait_status[i] = name_wait(nep, "late", &waited[i]);
	return NULL;
}

START_TEST(wait_until_registered)
{
	pthread_t t[4];
	handle_t late = (handle_t)ep_create(0), h;

	setup();
	start_server();
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, waiter,
		    (void *)(intptr_t)i), 0);
	while (READ_ONCE(in.names.nwaiting) < 4)
		thread_yield();
	ck_assert_int_eq(name_lookup(nep, "late", &h), -ENOENT);
	ck_assert_int_eq(name_register(nep, "late", late), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], NULL), 0);
		ck_assert_int_eq(wait_status[i], 0);
		assert_reaches(waited[i], late);
	}
	ck_assert_uint_eq(in.names.nwaiting, 0);
	/* Once it exists, a wait is a lookup. */
	ck_assert_int_eq(name_wait(nep, "late", &h), 0);
	assert_reaches(h, late);
	ck_assert_uint_eq(srv.stats.suspended, 4);
}
END_TEST

START_TEST(waiters_table_full)
{
	handle_t ep = (handle_t)ep_create(0), h;
	uint64_t cookie;
	unsigned got = 0;

	setup();
	for (unsigned i = 0; i < NAME_WAITERS_MAX + 1; i++)
		raw(NAME_WAIT, "w", 1, HANDLE_NONE, 100 + i);
	ck_assert_int_eq(ipc_server_poll(&srv), NAME_WAITERS_MAX + 1);
	ck_assert_int_eq(raw_reply(&cookie, NULL), -ENOSPC);
	ck_assert_uint_eq(cookie, 100 + NAME_WAITERS_MAX);
	ck_assert_int_eq(ipc_recv_poll(me, &(struct ipc_msg){ 0 }, NULL), -EAGAIN);
	raw(NAME_REGISTER, "w", 1, (handle_t)handle_dup(ep, NAME_EP_RIGHTS, 0), 1);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	for (unsigned i = 0; i < NAME_WAITERS_MAX + 1; i++) {
		long r = raw_reply(&cookie, &h);

		ck_assert_int_eq(r, 0);
		if (cookie == 1)
			continue;	/* the register's own reply */
		ck_assert_uint_ge(cookie, 100);
		assert_reaches(h, ep);
		handle_close(h);
		got++;
	}
	ck_assert_uint_eq(got, NAME_WAITERS_MAX);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles + 1);
}
END_TEST

START_TEST(names_table_full)
{
	handle_t ep = (handle_t)ep_create(IPC_DEPTH_MAX);
	char name[8];

	setup();
	for (unsigned i = 0; i < NAMES_MAX + 1; i++) {
		int n = snprintf(name, sizeof(name), "n%u", i);

		raw(NAME_REGISTER, name, (size_t)n,
		    (handle_t)handle_dup(ep, NAME_EP_RIGHTS, 0), i);
		ck_assert_int_eq(ipc_server_poll(&srv), 1);
		ck_assert_int_eq(raw_reply(NULL, NULL), i < NAMES_MAX ? 0 : -ENOSPC);
	}
	ck_assert_uint_eq(in.names.n, NAMES_MAX);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles + NAMES_MAX);
}
END_TEST

/* A server's names go when it exits; a restarted one may take them. */
START_TEST(names_dropped_when_owner_exits)
{
	handle_t ep = (handle_t)ep_create(0), h;
	uint64_t cookie = INIT_COOKIE_BASE + 3;
	struct ipc_msg m;
	struct ipc_ext x;
	long as_child;

	setup();
	as_child = handle_dup(nep, RIGHT_SEND, cookie);
	strcpy(in.child[3].name, "vfs");
	in.child[3].cookie = cookie;
	in.child[3].running = true;
	/* Register through the child's badged handle, and one as someone else. */
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = NAME_REGISTER;
	x.sbuf = (uint64_t)(uintptr_t)"vfs";
	x.slen = 3;
	x.shandles[0] = (handle_t)handle_dup(ep, NAME_EP_RIGHTS, 0);
	x.nshandles = 1;
	x.reply_ep = me;
	ck_assert_int_eq(ipc_send((handle_t)as_child, &m, &x), 0);
	raw(NAME_REGISTER, "other", 5, (handle_t)handle_dup(ep, NAME_EP_RIGHTS, 0), 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 2);
	ck_assert_int_eq(raw_reply(NULL, NULL), 0);
	ck_assert_int_eq(raw_reply(NULL, NULL), 0);
	ck_assert_uint_eq(in.names.n, 2);
	memset(&m, 0, sizeof(m));
	m.label = LABEL_EXIT;
	m.w[0] = 7;
	m.badge = cookie;
	ck_assert_int_eq(ipc_host_post(nep, &m), 0);
	raw(NAME_LOOKUP, "vfs", 3, HANDLE_NONE, 0);
	raw(NAME_LOOKUP, "other", 5, HANDLE_NONE, 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 3);
	ck_assert_int_eq(raw_reply(NULL, NULL), -ENOENT);
	ck_assert_int_eq(raw_reply(NULL, &h), 0);
	assert_reaches(h, ep);
	/* init's last child went: with no manifest either, it powers off. */
	ck_assert_str_eq(log_buf, "init: vfs exited with status 7\n"
	    "init: boot.manifest done and nothing is running; powering off\n"
	    "init: poweroff failed\n");
	ck_assert(!in.child[3].running);
}
END_TEST

/* NAME_WAIT from another server's loop: a continuation, no blocking. */
static int cont_calls;
static long cont_status;
static handle_t cont_handle;

static void
on_name(struct ipc_server *s, void *ctx, struct ipc_req *rep)
{
	(void)s;
	ck_assert_ptr_eq(ctx, &cont_calls);
	cont_calls++;
	cont_status = name_reply_take(rep, &cont_handle);
}

START_TEST(wait_as_a_continuation)
{
	struct ipc_server other;
	struct ipc_cont conts[2];
	handle_t oep = (handle_t)ep_create(0), target = (handle_t)ep_create(0);

	setup();
	ipc_server_init(&other, oep, NULL, 0, conts, 2, NULL, 0, NULL);
	ck_assert_int_eq(name_wait_async(&other, nep, "dev", on_name,
	    &cont_calls), 0);
	ck_assert_int_eq(name_wait_async(&other, nep, "bad name", on_name,
	    &cont_calls), -EINVAL);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);	/* suspended */
	ck_assert_int_eq(ipc_server_poll(&other), 0);
	raw(NAME_REGISTER, "dev", 3, (handle_t)handle_dup(target, NAME_EP_RIGHTS, 0), 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	ck_assert_int_eq(raw_reply(NULL, NULL), 0);
	ck_assert_int_eq(ipc_server_poll(&other), 1);
	ck_assert_int_eq(cont_calls, 1);
	ck_assert_int_eq(cont_status, 0);
	assert_reaches(cont_handle, target);
	/* The continuation kept the handle: the loop did not close it. */
	ck_assert_int_eq(handle_close(cont_handle), 0);
	ck_assert_uint_eq(other.conts.used, 0);
}
END_TEST

/* A waiter whose name service goes away hears -EPIPE. */
START_TEST(service_gone)
{
	pthread_t t;
	handle_t h;
	long send_only;

	setup();
	send_only = handle_dup(nep, RIGHT_SEND, 0);
	nep = (handle_t)send_only;		/* the waiter's handle */
	ck_assert_int_eq(pthread_create(&t, NULL, waiter, (void *)0), 0);
	while (ipc_host_live_objects() < 3)	/* nep, me, the call's token */
		thread_yield();
	ck_assert_int_eq(handle_close(srv.ep), 0);	/* init's receive right */
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(wait_status[0], -EPIPE);
	ck_assert_int_eq(name_lookup(nep, "x", &h), -EPIPE);
	ck_assert_int_eq(name_register(nep, "x", me), -EPIPE);
	/* The refused register closed its duplicate. */
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("init-names");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, register_then_lookup);
	tcase_add_test(tc, bad_names_from_the_stubs);
	tcase_add_test(tc, bad_requests_on_the_wire);
	tcase_add_test(tc, extra_rights_are_dropped);
	tcase_add_test(tc, wait_until_registered);
	tcase_add_test(tc, waiters_table_full);
	tcase_add_test(tc, names_table_full);
	tcase_add_test(tc, names_dropped_when_owner_exits);
	tcase_add_test(tc, wait_as_a_continuation);
	tcase_add_test(tc, service_gone);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * test_ipc_server.c - the server event loop (lichen/ipc_server.h) over
 * the host transport: dispatch by label, -ENOSYS for unknown labels,
 * replies with words, data and handles, IPC_SUSPEND and a later answer,
 * received handles closed unless kept, truncated requests, kernel
 * messages, continuations for the server's own async requests (their
 * replies, their -EPIPE, stale cookies), PROTO_TEST, and the blocking
 * loop in a thread serving ipc_call clients.
 */
#include <pthread.h>
#include <string.h>

#include <lichen/errno.h>
#include <lichen/ipc_host.h>
#include <lichen/ipc_server.h>
#include <lichen/native.h>
#include <lichen/proto/test.h>

#include "unit.h"

#define L_ADD		IPC_LABEL(40, 1)	/* w0 + w1 */
#define L_DATA		IPC_LABEL(40, 2)	/* reply: "data:" + request data */
#define L_KEEP		IPC_LABEL(40, 3)	/* keeps handles[0] in kept */
#define L_DEFER		IPC_LABEL(40, 4)	/* suspends, token in deferred */
#define L_STOP		IPC_LABEL(40, 5)	/* stops the loop with w0 */
#define L_GIVE		IPC_LABEL(40, 6)	/* reply carries a new endpoint */
#define L_BADOUT	IPC_LABEL(40, 7)	/* reply carries a bad handle */
#define L_UNKNOWN	IPC_LABEL(40, 99)

static handle_t kept, deferred;
static uint64_t deferred_label;
static int exits_seen;
static uint64_t exit_badge;

static long
do_add(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	req->out.w[1] = 0xadd;
	return (long)(req->msg.w[0] + req->msg.w[1]);
}

/* A personality server ending the thread: the reply is LABEL_EXIT. */
static long
do_syscall(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	if (req->msg.w[6] == 93)	/* exit */
		req->out.label = LABEL_EXIT;
	return (long)req->msg.w[0];
}

static long
do_data(struct ipc_server *srv, struct ipc_req *req)
{
	static char out[64];

	(void)srv;
	memcpy(out, "data:", 5);
	memcpy(out + 5, req->data, req->len);
	req->out.data = out;
	req->out.len = 5 + req->len;
	return (long)req->len;
}

static long
do_keep(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	if (req->nhandles == 0)
		return -EINVAL;
	kept = req->handles[0];
	req->handles[0] = HANDLE_NONE;
	return (long)req->nhandles;
}

static long
do_defer(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	deferred = req->msg.token;
	deferred_label = req->msg.label;
	return IPC_SUSPEND;
}

static long
do_stop(struct ipc_server *srv, struct ipc_req *req)
{
	ipc_server_stop(srv, (long)req->msg.w[0]);
	return 0;
}

static long
do_give(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	req->out.handles[0] = (handle_t)ep_create(0);
	req->out.nhandles = 1;
	return 0;
}

static long
do_badout(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	req->out.handles[0] = 3999;
	req->out.nhandles = 1;
	return 0;
}

static long
do_exit(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	exits_seen++;
	exit_badge = req->msg.badge;
	return 0;
}

static const struct ipc_handler handlers[] = {
	{ L_ADD, do_add },
	{ L_DATA, do_data },
	{ L_KEEP, do_keep },
	{ L_DEFER, do_defer },
	{ L_STOP, do_stop },
	{ L_GIVE, do_give },
	{ L_BADOUT, do_badout },
	{ LABEL_EXIT, do_exit },
	{ LABEL_SYSCALL, do_syscall },
};

static struct ipc_server srv;
static struct ipc_cont conts[4];
static char srvbuf[16];
static handle_t sep, me;		/* the server's endpoint, the client's */
static unsigned base_handles, base_objects;

static void
setup(void)
{
	sep = (handle_t)ep_create(0);
	me = (handle_t)ep_create(0);
	ck_assert_uint_ne(sep, 0);
	ck_assert_uint_ne(me, 0);
	ipc_server_init(&srv, sep, handlers, sizeof(handlers) / sizeof(handlers[0]),
	    conts, 4, srvbuf, sizeof(srvbuf), NULL);
	base_handles = ipc_host_live_handles();
	base_objects = ipc_host_live_objects();
}

/* Sends a request that wants its reply on me, tagged with cookie. */
static void
request(uint64_t label, uint64_t w0, uint64_t w1, const char *data,
    const handle_t *h, unsigned nh, uint64_t cookie)
{
	struct ipc_msg m;
	struct ipc_ext x;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = label;
	m.w[0] = w0;
	m.w[1] = w1;
	if (data != NULL) {
		x.sbuf = (uint64_t)(uintptr_t)data;
		x.slen = strlen(data);
	}
	for (unsigned i = 0; i < nh; i++)
		x.shandles[i] = h[i];
	x.nshandles = nh;
	x.reply_ep = me;
	x.cookie = cookie;
	ck_assert_int_eq(ipc_send(sep, &m, &x), 0);
}

/* The next reply on me; none there fails the test. */
static struct ipc_msg
reply(char *buf, size_t cap, struct ipc_ext *xo)
{
	struct ipc_msg m;
	struct ipc_ext x;

	memset(&x, 0, sizeof(x));
	x.rbuf = (uint64_t)(uintptr_t)buf;
	x.rcap = buf != NULL ? cap : 0;
	ck_assert_int_eq(ipc_recv_poll(me, &m, &x), 0);
	if (xo != NULL)
		*xo = x;
	else
		for (unsigned i = 0; i < x.nrhandles; i++)
			handle_close(x.rhandles[i]);
	return m;
}

static void
no_reply(void)
{
	struct ipc_msg m;

	ck_assert_int_eq(ipc_recv_poll(me, &m, NULL), -EAGAIN);
}

START_TEST(dispatches_by_label)
{
	struct ipc_msg r;

	setup();
	request(L_ADD, 2, 3, NULL, NULL, 0, 1);
	request(L_UNKNOWN, 0, 0, NULL, NULL, 0, 2);
	ck_assert_int_eq(ipc_server_poll(&srv), 2);
	r = reply(NULL, 0, NULL);
	ck_assert_uint_eq(r.label, L_ADD);
	ck_assert_uint_eq(r.w[0], 5);
	ck_assert_uint_eq(r.w[1], 0xadd);
	ck_assert_uint_eq(r.badge, 1);
	r = reply(NULL, 0, NULL);
	ck_assert_uint_eq(r.label, L_UNKNOWN);
	ck_assert_int_eq((long)r.w[0], -ENOSYS);
	ck_assert_uint_eq(srv.stats.requests, 1);
	ck_assert_uint_eq(srv.stats.unknown, 1);
	ck_assert_int_eq(ipc_server_poll(&srv), 0);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
	ck_assert_uint_eq(ipc_host_live_objects(), base_objects);
}
END_TEST

START_TEST(reply_data_and_truncated_requests)
{
	struct ipc_msg r;
	struct ipc_ext x;
	char buf[32];

	setup();
	request(L_DATA, 0, 0, "abc", NULL, 0, 0);
	request(L_DATA, 0, 0, "0123456789abcdefXYZ", NULL, 0, 0);	/* 19 > 16 */
	ck_assert_int_eq(ipc_server_poll(&srv), 2);
	memset(buf, 0, sizeof(buf));
	r = reply(buf, sizeof(buf), &x);
	ck_assert_int_eq((long)r.w[0], 3);
	ck_assert_uint_eq(x.rlen, 8);
	ck_assert_str_eq(buf, "data:abc");
	r = reply(buf, sizeof(buf), &x);
	ck_assert_int_eq((long)r.w[0], -EMSGSIZE);
	ck_assert_uint_eq(x.rlen, 0);
	ck_assert_uint_eq(srv.stats.requests, 1);
}
END_TEST

START_TEST(handles_closed_unless_kept)
{
	struct handle_info hi;
	struct ipc_msg r;
	handle_t h[2];

	setup();
	h[0] = (handle_t)ep_create(0);
	h[1] = (handle_t)ep_create(0);
	ck_assert_int_eq(handle_info(h[0], &hi), 0);
	request(L_KEEP, 0, 0, NULL, h, 2, 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	r = reply(NULL, 0, NULL);
	ck_assert_int_eq((long)r.w[0], 2);
	/* One kept, the other closed by the loop; nothing else left. */
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles + 1);
	ck_assert_uint_eq(ipc_host_live_objects(), base_objects + 1);
	ck_assert_int_eq(handle_close(kept), 0);
	/* Handles sent to an unknown label are closed too. */
	h[0] = (handle_t)ep_create(0);
	request(L_UNKNOWN, 0, 0, NULL, h, 1, 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	r = reply(NULL, 0, NULL);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
	ck_assert_uint_eq(ipc_host_live_objects(), base_objects);
}
END_TEST

START_TEST(reply_carries_handles)
{
	struct handle_info hi;
	struct ipc_msg r;
	struct ipc_ext x;

	setup();
	request(L_GIVE, 0, 0, NULL, NULL, 0, 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	r = reply(NULL, 0, &x);
	ck_assert_int_eq((long)r.w[0], 0);
	ck_assert_uint_eq(x.nrhandles, 1);
	ck_assert_int_eq(handle_info(x.rhandles[0], &hi), 0);
	ck_assert_uint_eq(hi.type, OBJ_ENDPOINT);
	ck_assert_int_eq(handle_close(x.rhandles[0]), 0);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
}
END_TEST

/* A reply the kernel refuses: the client hears -EPIPE, not silence. */
START_TEST(refused_reply_still_answers)
{
	struct ipc_msg r;

	setup();
	request(L_BADOUT, 0, 0, NULL, NULL, 0, 5);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	r = reply(NULL, 0, NULL);
	ck_assert_uint_eq(r.label, LABEL_ERROR);
	ck_assert_int_eq((long)r.w[0], -EPIPE);
	ck_assert_uint_eq(r.badge, 5);
	ck_assert_uint_eq(srv.stats.reply_errors, 1);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
}
END_TEST

START_TEST(suspend_then_answer)
{
	struct ipc_out out;
	struct ipc_msg r;

	setup();
	request(L_DEFER, 0, 0, NULL, NULL, 0, 77);
	request(L_ADD, 1, 1, NULL, NULL, 0, 78);
	ck_assert_int_eq(ipc_server_poll(&srv), 2);
	ck_assert_uint_eq(srv.stats.suspended, 1);
	/* Only the second has been answered. */
	r = reply(NULL, 0, NULL);
	ck_assert_uint_eq(r.badge, 78);
	no_reply();
	memset(&out, 0, sizeof(out));
	out.w[3] = 33;
	ck_assert_int_eq(ipc_answer(deferred, deferred_label, -EINTR, &out), 0);
	r = reply(NULL, 0, NULL);
	ck_assert_uint_eq(r.badge, 77);
	ck_assert_uint_eq(r.label, L_DEFER);
	ck_assert_int_eq((long)r.w[0], -EINTR);
	ck_assert_uint_eq(r.w[3], 33);
	ck_assert_int_eq(ipc_answer(deferred, deferred_label, 0, NULL), -EBADF);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
	ck_assert_uint_eq(ipc_host_live_objects(), base_objects);
}
END_TEST

/* A kept token closed unanswered: the client hears -EPIPE. */
START_TEST(suspended_token_dropped)
{
	struct ipc_msg r;

	setup();
	request(L_DEFER, 0, 0, NULL, NULL, 0, 3);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	ck_assert_int_eq(handle_close(deferred), 0);
	r = reply(NULL, 0, NULL);
	ck_assert_uint_eq(r.label, LABEL_ERROR);
	ck_assert_int_eq((long)r.w[0], -EPIPE);
	ck_assert_uint_eq(r.badge, 3);
}
END_TEST

/* A plain send (no token): the handler runs, nothing is answered. */
START_TEST(plain_sends_get_no_reply)
{
	struct ipc_msg m;

	setup();
	memset(&m, 0, sizeof(m));
	m.label = L_GIVE;
	ck_assert_int_eq(ipc_send(sep, &m, NULL), 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	ck_assert_uint_eq(srv.stats.requests, 1);
	no_reply();
	/* The endpoint do_give made for the reply was closed. */
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
	ck_assert_uint_eq(ipc_host_live_objects(), base_objects);
}
END_TEST

START_TEST(reply_label_can_change)
{
	struct ipc_msg r;

	setup();
	request(LABEL_SYSCALL, 5, 0, NULL, NULL, 0, 1);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	r = reply(NULL, 0, NULL);
	ck_assert_uint_eq(r.label, LABEL_SYSCALL);
	ck_assert_uint_eq(r.w[0], 5);
	memset(&r, 0, sizeof(r));
	r.label = LABEL_SYSCALL;
	r.w[0] = 3;
	r.w[6] = 93;
	{
		struct ipc_ext x = { .reply_ep = me, .cookie = 2 };

		ck_assert_int_eq(ipc_send(sep, &r, &x), 0);
	}
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	r = reply(NULL, 0, NULL);
	ck_assert_uint_eq(r.label, LABEL_EXIT);
	ck_assert_uint_eq(r.w[0], 3);
	ck_assert_uint_eq(r.badge, 2);
}
END_TEST

START_TEST(kernel_messages_by_label)
{
	struct ipc_msg m;

	setup();
	memset(&m, 0, sizeof(m));
	m.label = LABEL_EXIT;
	m.badge = 12;
	ck_assert_int_eq(ipc_host_post(sep, &m), 0);
	m.label = LABEL_TIMER;		/* nobody handles it: dropped */
	ck_assert_int_eq(ipc_host_post(sep, &m), 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 2);
	ck_assert_int_eq(exits_seen, 1);
	ck_assert_uint_eq(exit_badge, 12);
	ck_assert_uint_eq(srv.stats.unknown, 1);
	no_reply();
}
END_TEST

/* Continuations: the server's own async requests to another server. */

static int cont_calls;
static long cont_status;
static uint64_t cont_label;
static void *cont_ctx;

static void
on_reply(struct ipc_server *s, void *ctx, struct ipc_req *rep)
{
	(void)s;
	cont_calls++;
	cont_ctx = ctx;
	cont_label = rep->msg.label;
	cont_status = (long)rep->msg.w[0];
}

START_TEST(continuation_runs_on_reply)
{
	struct ipc_server other;
	struct ipc_msg m;
	handle_t oep = (handle_t)ep_create(0);
	int ctx;

	setup();
	ipc_server_init(&other, oep, test_server_handlers,
	    test_server_nhandlers, NULL, 0, NULL, 0, NULL);
	memset(&m, 0, sizeof(m));
	m.label = TEST_SUM;
	m.w[0] = 20;
	m.w[7] = 22;
	ck_assert_int_eq(ipc_server_send(&srv, oep, &m, NULL, on_reply, &ctx), 0);
	ck_assert_uint_eq(srv.conts.used, 1);
	ck_assert_int_eq(ipc_server_poll(&srv), 0);	/* nothing yet */
	ck_assert_int_eq(ipc_server_poll(&other), 1);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	ck_assert_int_eq(cont_calls, 1);
	ck_assert_ptr_eq(cont_ctx, &ctx);
	ck_assert_uint_eq(cont_label, TEST_SUM);
	ck_assert_int_eq(cont_status, 42);
	ck_assert_uint_eq(srv.conts.used, 0);
	ck_assert_uint_eq(srv.stats.replies, 1);
}
END_TEST

START_TEST(continuation_gets_epipe)
{
	struct ipc_msg m, r;
	handle_t oep = (handle_t)ep_create(0);

	setup();
	memset(&m, 0, sizeof(m));
	m.label = TEST_ECHO;
	ck_assert_int_eq(ipc_server_send(&srv, oep, &m, NULL, on_reply, NULL), 0);
	ck_assert_int_eq(ipc_recv(oep, &r, NULL), 0);
	ck_assert_int_eq(handle_close(r.token), 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	ck_assert_int_eq(cont_calls, 1);
	ck_assert_uint_eq(cont_label, LABEL_ERROR);
	ck_assert_int_eq(cont_status, -EPIPE);
	ck_assert_uint_eq(srv.conts.used, 0);
}
END_TEST

START_TEST(stale_and_forged_replies_ignored)
{
	struct ipc_msg m, r;
	handle_t oep = (handle_t)ep_create(0);
	uint64_t cookie;

	setup();
	memset(&m, 0, sizeof(m));
	m.label = TEST_ECHO;
	ck_assert_int_eq(ipc_server_send(&srv, oep, &m, NULL, on_reply, NULL), 0);
	ck_assert_int_eq(ipc_recv(oep, &r, NULL), 0);
	cookie = srv.conts.slot[0].cookie;
	ck_assert_int_eq(ipc_cont_remove(&srv.conts, cookie), 0);
	ck_assert_int_eq(ipc_reply(r.token, &r, NULL), 0);
	/* A "reply" sent straight at the server with a made-up cookie badge. */
	m.badge = 0;
	r.label = TEST_ECHO;
	long forged = handle_dup(sep, RIGHT_SEND, IPC_COOKIE_BIT | 0x12340000);
	ck_assert_int_gt(forged, 0);
	ck_assert_int_eq(ipc_send((handle_t)forged, &r, NULL), 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 2);
	ck_assert_int_eq(cont_calls, 0);
	ck_assert_uint_eq(srv.stats.stale, 2);
	ck_assert_uint_eq(srv.stats.requests, 0);
}
END_TEST

START_TEST(send_needs_a_free_slot)
{
	struct ipc_msg m;
	handle_t oep = (handle_t)ep_create(2);

	setup();
	memset(&m, 0, sizeof(m));
	m.label = TEST_ECHO;
	ck_assert_int_eq(ipc_server_send(&srv, oep, &m, NULL, on_reply, NULL), 0);
	ck_assert_int_eq(ipc_server_send(&srv, oep, &m, NULL, on_reply, NULL), 0);
	/* The queue is full: the continuation is not kept. */
	ck_assert_int_eq(ipc_server_send(&srv, oep, &m, NULL, on_reply, NULL),
	    -EAGAIN);
	ck_assert_uint_eq(srv.conts.used, 2);
	ck_assert_int_eq(handle_close(oep), 0);	/* both answered -EPIPE */
	ck_assert_int_eq(ipc_server_poll(&srv), 2);
	ck_assert_int_eq(cont_calls, 2);
	ck_assert_uint_eq(srv.conts.used, 0);
	oep = (handle_t)ep_create(0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(ipc_server_send(&srv, oep, &m, NULL, on_reply,
		    NULL), 0);
	ck_assert_int_eq(ipc_server_send(&srv, oep, &m, NULL, on_reply, NULL),
	    -ENOSPC);
}
END_TEST

START_TEST(test_protocol_echo)
{
	struct ipc_server ts;
	struct ipc_msg m, r;
	struct ipc_ext x;
	struct handle_info hi, hi2;
	handle_t tep = (handle_t)ep_create(0);
	static char tbuf[64];
	char buf[16];
	long gift = ep_create(0);

	setup();
	ipc_server_init(&ts, tep, test_server_handlers, test_server_nhandlers,
	    NULL, 0, tbuf, sizeof(tbuf), NULL);
	ck_assert_int_eq(handle_info((handle_t)gift, &hi), 0);
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = TEST_ECHO;
	for (unsigned i = 0; i < IPC_WORDS; i++)
		m.w[i] = ~(uint64_t)i;
	m.w[0] = (uint64_t)IPC_SUSPEND;		/* the value the loop cannot carry */
	x.sbuf = (uint64_t)(uintptr_t)"echo";
	x.slen = 4;
	x.shandles[0] = (handle_t)gift;
	x.nshandles = 1;
	x.reply_ep = me;
	ck_assert_int_eq(ipc_send(tep, &m, &x), 0);
	ck_assert_int_eq(ipc_server_poll(&ts), 1);
	memset(&x, 0, sizeof(x));
	x.rbuf = (uint64_t)(uintptr_t)buf;
	x.rcap = sizeof(buf);
	ck_assert_int_eq(ipc_recv_poll(me, &r, &x), 0);
	ck_assert_uint_eq(r.label, TEST_ECHO);
	for (unsigned i = 0; i < IPC_WORDS; i++)
		ck_assert_uint_eq(r.w[i], m.w[i]);
	ck_assert_uint_eq(x.rlen, 4);
	ck_assert_mem_eq(buf, "echo", 4);
	ck_assert_uint_eq(x.nrhandles, 1);
	ck_assert_int_eq(handle_info(x.rhandles[0], &hi2), 0);
	ck_assert_uint_eq(hi2.koid, hi.koid);
}
END_TEST

/* The blocking loop in its own thread, clients calling it. */
static void *
loop_thread(void *p)
{
	return (void *)ipc_server_run(p);
}

START_TEST(run_serves_calls_until_stopped)
{
	pthread_t t;
	struct ipc_msg m;
	struct ipc_ext x;
	char buf[32];
	void *ret;

	setup();
	ck_assert_int_eq(pthread_create(&t, NULL, loop_thread, &srv), 0);
	for (uint64_t i = 0; i < 500; i++) {
		memset(&m, 0, sizeof(m));
		m.label = L_ADD;
		m.w[0] = i;
		m.w[1] = 1;
		ck_assert_int_eq(ipc_call(sep, &m, NULL), 0);
		quick_assert_uint_eq(m.w[0], i + 1);
	}
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = L_DATA;
	x.sbuf = (uint64_t)(uintptr_t)"xyz";
	x.slen = 3;
	x.rbuf = (uint64_t)(uintptr_t)buf;
	x.rcap = sizeof(buf);
	ck_assert_int_eq(ipc_call(sep, &m, &x), 0);
	ck_assert_int_eq((long)m.w[0], 3);
	ck_assert_mem_eq(buf, "data:xyz", 8);
	/* A refused reply inside the loop. */
	memset(&m, 0, sizeof(m));
	m.label = L_BADOUT;
	ck_assert_int_eq(ipc_call(sep, &m, NULL), -EPIPE);
	memset(&m, 0, sizeof(m));
	m.label = L_STOP;
	m.w[0] = 1234;
	ck_assert_int_eq(ipc_call(sep, &m, NULL), 0);	/* answered, then stops */
	ck_assert_int_eq(pthread_join(t, &ret), 0);
	ck_assert_int_eq((long)ret, 1234);
	ck_assert_uint_eq(srv.stats.requests, 503);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
	ck_assert_uint_eq(ipc_host_live_objects(), base_objects);
}
END_TEST

START_TEST(run_fails_without_receive_right)
{
	long send_only;

	setup();
	send_only = handle_dup(sep, RIGHT_SEND, 0);
	srv.ep = (handle_t)send_only;
	ck_assert_int_eq(ipc_server_run(&srv), -EACCES);
	ck_assert_int_eq(ipc_server_poll(&srv), -EACCES);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("ipc-server");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, dispatches_by_label);
	tcase_add_test(tc, reply_data_and_truncated_requests);
	tcase_add_test(tc, handles_closed_unless_kept);
	tcase_add_test(tc, reply_carries_handles);
	tcase_add_test(tc, refused_reply_still_answers);
	tcase_add_test(tc, suspend_then_answer);
	tcase_add_test(tc, suspended_token_dropped);
	tcase_add_test(tc, plain_sends_get_no_reply);
	tcase_add_test(tc, reply_label_can_change);
	tcase_add_test(tc, kernel_messages_by_label);
	tcase_add_test(tc, continuation_runs_on_reply);
	tcase_add_test(tc, continuation_gets_epipe);
	tcase_add_test(tc, stale_and_forged_replies_ignored);
	tcase_add_test(tc, send_needs_a_free_slot);
	tcase_add_test(tc, test_protocol_echo);
	tcase_add_test(tc, run_serves_calls_until_stopped);
	tcase_add_test(tc, run_fails_without_receive_right);
	suite_add_tcase(s, tc);
	return s;
}

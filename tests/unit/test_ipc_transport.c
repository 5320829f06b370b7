/*
 * test_ipc_transport.c - libipc's host transport (lichen/ipc_host.h)
 * against the kernel's IPC semantics: endpoint depth and -EAGAIN,
 * rights and badges, out-of-line data and truncation, handles moving
 * with messages (and not moving when a send fails), reply tokens and
 * their -EPIPE, ipc_call across threads, endpoints that lose their last
 * receiver, and no handle or object left behind.
 */
#include <pthread.h>
#include <string.h>

#include <lichen/errno.h>
#include <lichen/ipc.h>
#include <lichen/ipc_host.h>
#include <lichen/native.h>

#include "unit.h"

#ifndef EMSGSIZE
#define EMSGSIZE 90
#endif

static unsigned base_handles, base_objects;

static void
setup(void)
{
	base_handles = ipc_host_live_handles();
	base_objects = ipc_host_live_objects();
}

static void
assert_nothing_left(void)
{
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
	ck_assert_uint_eq(ipc_host_live_objects(), base_objects);
}

static handle_t
new_ep(unsigned depth)
{
	long h = ep_create(depth);

	ck_assert_int_gt(h, 0);
	return (handle_t)h;
}

static struct ipc_msg
msg(uint64_t label, uint64_t w0)
{
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.label = label;
	m.w[0] = w0;
	return m;
}

START_TEST(ep_create_depths)
{
	struct handle_info hi;
	struct ipc_msg m = msg(7, 0);
	handle_t ep;

	setup();
	ck_assert_int_eq(ep_create(IPC_DEPTH_MAX + 1), -EINVAL);
	ep = new_ep(0);
	ck_assert_int_eq(handle_info(ep, &hi), 0);
	ck_assert_uint_eq(hi.type, OBJ_ENDPOINT);
	ck_assert_uint_eq(hi.rights, RIGHTS_ALL);
	ck_assert_uint_eq(hi.badge, 0);
	for (unsigned i = 0; i < IPC_DEPTH_DEFAULT; i++)
		ck_assert_int_eq(ipc_send(ep, &m, NULL), 0);
	ck_assert_int_eq(ipc_send(ep, &m, NULL), -EAGAIN);
	ck_assert_int_eq(handle_close(ep), 0);
	ep = new_ep(IPC_DEPTH_MAX);
	for (unsigned i = 0; i < IPC_DEPTH_MAX; i++)
		quick_assert(ipc_send(ep, &m, NULL) == 0);
	ck_assert_int_eq(ipc_send(ep, &m, NULL), -EAGAIN);
	ck_assert_int_eq(handle_close(ep), 0);
	assert_nothing_left();
}
END_TEST

START_TEST(full_queue_drains_and_refills)
{
	struct ipc_msg m = msg(1, 0), r;
	handle_t ep = new_ep(3);

	setup();
	for (uint64_t i = 0; i < 3; i++) {
		m.w[0] = i;
		ck_assert_int_eq(ipc_send(ep, &m, NULL), 0);
	}
	ck_assert_int_eq(ipc_send(ep, &m, NULL), -EAGAIN);
	ck_assert_int_eq(ipc_recv_poll(ep, &r, NULL), 0);
	ck_assert_uint_eq(r.w[0], 0);
	m.w[0] = 3;
	ck_assert_int_eq(ipc_send(ep, &m, NULL), 0);
	ck_assert_int_eq(ipc_send(ep, &m, NULL), -EAGAIN);
	for (uint64_t i = 1; i <= 3; i++) {
		ck_assert_int_eq(ipc_recv_poll(ep, &r, NULL), 0);
		ck_assert_uint_eq(r.w[0], i);	/* in order */
	}
	ck_assert_int_eq(ipc_recv_poll(ep, &r, NULL), -EAGAIN);
}
END_TEST

START_TEST(words_label_and_badge)
{
	struct ipc_msg m, r;
	handle_t ep = new_ep(0);
	long b1, b2, b3;

	b1 = handle_dup(ep, RIGHT_SEND, 0x1111);
	b2 = handle_dup(ep, RIGHT_SEND, 0x2222);
	ck_assert_int_gt(b1, 0);
	ck_assert_int_gt(b2, 0);
	b3 = handle_dup((handle_t)b1, RIGHT_SEND, 0);	/* keeps 0x1111 */
	ck_assert_int_gt(b3, 0);
	m = msg(IPC_LABEL(9, 4), 0);
	for (unsigned i = 0; i < IPC_WORDS; i++)
		m.w[i] = 100 + i;
	ck_assert_int_eq(ipc_send((handle_t)b1, &m, NULL), 0);
	ck_assert_int_eq(ipc_send((handle_t)b2, &m, NULL), 0);
	ck_assert_int_eq(ipc_send((handle_t)b3, &m, NULL), 0);
	ck_assert_int_eq(ipc_send(ep, &m, NULL), 0);
	ck_assert_int_eq(ipc_recv(ep, &r, NULL), 0);
	ck_assert_uint_eq(r.label, IPC_LABEL(9, 4));
	for (unsigned i = 0; i < IPC_WORDS; i++)
		ck_assert_uint_eq(r.w[i], 100 + i);
	ck_assert_uint_eq(r.badge, 0x1111);
	ck_assert_uint_eq(r.token, HANDLE_NONE);
	ck_assert_int_eq(ipc_recv(ep, &r, NULL), 0);
	ck_assert_uint_eq(r.badge, 0x2222);
	ck_assert_int_eq(ipc_recv(ep, &r, NULL), 0);
	ck_assert_uint_eq(r.badge, 0x1111);
	ck_assert_int_eq(ipc_recv(ep, &r, NULL), 0);
	ck_assert_uint_eq(r.badge, 0);
}
END_TEST

START_TEST(rights_are_checked)
{
	struct handle_info hi;
	struct ipc_msg m = msg(1, 0), r;
	handle_t ep = new_ep(0);
	long s, rv;

	s = handle_dup(ep, RIGHT_SEND, 5);
	rv = handle_dup(ep, RIGHT_RECV, 0);
	ck_assert_int_gt(s, 0);
	ck_assert_int_gt(rv, 0);
	ck_assert_int_eq(handle_dup((handle_t)s, RIGHT_SEND | RIGHT_RECV, 0),
	    -EACCES);
	ck_assert_int_eq(handle_dup((handle_t)s, RIGHT_TRANSFER, 0), -EACCES);
	ck_assert_int_eq(handle_dup(ep, RIGHTS_ALL + 1, 0), -EINVAL);
	ck_assert_int_eq(handle_info((handle_t)s, &hi), 0);
	ck_assert_uint_eq(hi.rights, RIGHT_SEND);
	ck_assert_uint_eq(hi.badge, 5);
	ck_assert_int_eq(ipc_recv_poll((handle_t)s, &r, NULL), -EACCES);
	ck_assert_int_eq(ipc_send((handle_t)rv, &m, NULL), -EACCES);
	ck_assert_int_eq(ipc_send((handle_t)s, &m, NULL), 0);
	ck_assert_int_eq(ipc_recv_poll((handle_t)rv, &r, NULL), 0);
	ck_assert_uint_eq(r.badge, 5);
	/* Bad handles. */
	ck_assert_int_eq(ipc_send(HANDLE_NONE, &m, NULL), -EBADF);
	ck_assert_int_eq(ipc_send(IPC_HOST_HANDLES + 3, &m, NULL), -EBADF);
	ck_assert_int_eq(handle_close(HANDLE_NONE), -EBADF);
	ck_assert_int_eq(handle_close((handle_t)s), 0);
	ck_assert_int_eq(handle_close((handle_t)s), -EBADF);
	ck_assert_int_eq(ipc_send((handle_t)s, &m, NULL), -EBADF);
	ck_assert_int_eq(handle_info((handle_t)s, &hi), -EBADF);
	ck_assert_int_eq(handle_dup((handle_t)s, RIGHT_SEND, 0), -EBADF);
}
END_TEST

START_TEST(out_of_line_data_and_truncation)
{
	static char big[IPC_BUF_MAX + 1];
	struct ipc_msg m = msg(1, 0), r;
	struct ipc_ext x, rx;
	handle_t ep = new_ep(0);
	char buf[8];

	setup();
	memset(&x, 0, sizeof(x));
	x.sbuf = (uint64_t)(uintptr_t)"hello, world";
	x.slen = 12;
	ck_assert_int_eq(ipc_send(ep, &m, &x), 0);
	ck_assert_int_eq(ipc_send(ep, &m, &x), 0);
	memset(&rx, 0, sizeof(rx));
	memset(buf, '#', sizeof(buf));
	rx.rbuf = (uint64_t)(uintptr_t)buf;
	rx.rcap = 5;
	ck_assert_int_eq(ipc_recv(ep, &r, &rx), 0);
	ck_assert_uint_eq(rx.rlen, 12);		/* > rcap: truncated */
	ck_assert_mem_eq(buf, "hello###", 8);
	rx.rcap = sizeof(buf);
	ck_assert_int_eq(ipc_recv(ep, &r, &rx), 0);
	ck_assert_uint_eq(rx.rlen, 12);
	ck_assert_mem_eq(buf, "hello, w", 8);
	/* Too much, no buffer, a receive buffer that is not there. */
	x.sbuf = (uint64_t)(uintptr_t)big;
	x.slen = IPC_BUF_MAX + 1;
	ck_assert_int_eq(ipc_send(ep, &m, &x), -EMSGSIZE);
	x.slen = IPC_BUF_MAX;
	ck_assert_int_eq(ipc_send(ep, &m, &x), 0);
	x.sbuf = 0;
	x.slen = 1;
	ck_assert_int_eq(ipc_send(ep, &m, &x), -EFAULT);
	/* Nowhere to put it: the message is consumed, -EFAULT. */
	rx.rbuf = 0;
	ck_assert_int_eq(ipc_recv_poll(ep, &r, &rx), -EFAULT);
	ck_assert_int_eq(ipc_recv_poll(ep, &r, &rx), -EAGAIN);
	x.sbuf = (uint64_t)(uintptr_t)big;
	ck_assert_int_eq(ipc_send(ep, &m, &x), 0);
	rx.rcap = 0;
	ck_assert_int_eq(ipc_recv_poll(ep, &r, &rx), 0);
	ck_assert_uint_eq(rx.rlen, 1);
	assert_nothing_left();
}
END_TEST

START_TEST(handles_move_with_the_message)
{
	struct handle_info before, after;
	struct ipc_msg m = msg(1, 0), r;
	struct ipc_ext x, rx;
	handle_t ep = new_ep(0), other = new_ep(0);
	long passed;

	passed = handle_dup(other, RIGHT_SEND | RIGHT_TRANSFER, 77);
	ck_assert_int_gt(passed, 0);
	ck_assert_int_eq(handle_info((handle_t)passed, &before), 0);
	memset(&x, 0, sizeof(x));
	x.shandles[0] = (handle_t)passed;
	x.nshandles = 1;
	ck_assert_int_eq(ipc_send(ep, &m, &x), 0);
	ck_assert_int_eq(handle_info((handle_t)passed, &after), -EBADF);
	memset(&rx, 0, sizeof(rx));
	ck_assert_int_eq(ipc_recv(ep, &r, &rx), 0);
	ck_assert_uint_eq(rx.nrhandles, 1);
	ck_assert_int_eq(handle_info(rx.rhandles[0], &after), 0);
	ck_assert_uint_eq(after.koid, before.koid);
	ck_assert_uint_eq(after.rights, RIGHT_SEND | RIGHT_TRANSFER);
	ck_assert_uint_eq(after.badge, 77);
	/* The received handle works: a message through it arrives. */
	ck_assert_int_eq(ipc_send(rx.rhandles[0], &m, NULL), 0);
	ck_assert_int_eq(ipc_recv_poll(other, &r, NULL), 0);
	ck_assert_uint_eq(r.badge, 77);
}
END_TEST

START_TEST(refused_sends_move_nothing)
{
	struct handle_info hi;
	struct ipc_msg m = msg(1, 0);
	struct ipc_ext x;
	handle_t ep = new_ep(1), other = new_ep(0);
	long h, no_transfer;

	h = handle_dup(other, RIGHT_SEND | RIGHT_TRANSFER, 0);
	no_transfer = handle_dup(other, RIGHT_SEND, 0);
	memset(&x, 0, sizeof(x));
	/* Without RIGHT_TRANSFER on one of them: neither moves. */
	x.shandles[0] = (handle_t)h;
	x.shandles[1] = (handle_t)no_transfer;
	x.nshandles = 2;
	ck_assert_int_eq(ipc_send(ep, &m, &x), -EACCES);
	ck_assert_int_eq(handle_info((handle_t)h, &hi), 0);
	ck_assert_int_eq(handle_info((handle_t)no_transfer, &hi), 0);
	/* The same handle twice, too many, a bad one. */
	x.shandles[1] = (handle_t)h;
	ck_assert_int_eq(ipc_send(ep, &m, &x), -EINVAL);
	x.nshandles = IPC_HANDLES + 1;
	ck_assert_int_eq(ipc_send(ep, &m, &x), -EINVAL);
	x.shandles[1] = 999;
	x.nshandles = 2;
	ck_assert_int_eq(ipc_send(ep, &m, &x), -EBADF);
	ck_assert_int_eq(handle_info((handle_t)h, &hi), 0);
	/* A full queue. */
	x.nshandles = 1;
	ck_assert_int_eq(ipc_send(ep, &m, NULL), 0);
	ck_assert_int_eq(ipc_send(ep, &m, &x), -EAGAIN);
	ck_assert_int_eq(handle_info((handle_t)h, &hi), 0);
	/* A reply endpoint we cannot send to, or that is not there. */
	x.nshandles = 0;
	x.reply_ep = (handle_t)handle_dup(other, RIGHT_RECV, 0);
	ck_assert_int_eq(ipc_send(other, &m, &x), -EACCES);
	x.reply_ep = 999;
	ck_assert_int_eq(ipc_send(other, &m, &x), -EBADF);
	ck_assert_int_eq(ipc_recv_poll(other, &(struct ipc_msg){ 0 }, NULL),
	    -EAGAIN);
}
END_TEST

START_TEST(received_handles_closed_without_ext)
{
	struct ipc_msg m = msg(1, 0), r;
	struct ipc_ext x;
	handle_t ep = new_ep(0);
	long h;

	setup();
	h = ep_create(0);
	memset(&x, 0, sizeof(x));
	x.shandles[0] = (handle_t)h;
	x.nshandles = 1;
	ck_assert_int_eq(ipc_send(ep, &m, &x), 0);
	ck_assert_int_eq(ipc_recv(ep, &r, NULL), 0);
	assert_nothing_left();
}
END_TEST

START_TEST(reply_token_round_trip)
{
	struct ipc_msg m = msg(IPC_LABEL(3, 1), 40), r;
	struct ipc_ext x, rx;
	struct handle_info hi;
	handle_t srv = new_ep(0), me = new_ep(0), gift = new_ep(0);
	char buf[16];

	setup();
	memset(&x, 0, sizeof(x));
	x.reply_ep = me;
	x.cookie = 0xc00c1e;
	ck_assert_int_eq(ipc_send(srv, &m, &x), 0);
	ck_assert_int_eq(ipc_recv(srv, &r, NULL), 0);
	ck_assert_uint_ne(r.token, HANDLE_NONE);
	ck_assert_int_eq(handle_info(r.token, &hi), 0);
	ck_assert_uint_eq(hi.type, OBJ_REPLY);
	ck_assert_uint_eq(hi.rights, RIGHT_TRANSFER);
	/* The answer: words, data and a handle. */
	handle_t token = r.token;
	r.w[0] = 2;
	r.w[7] = 8;
	memset(&x, 0, sizeof(x));
	x.sbuf = (uint64_t)(uintptr_t)"reply";
	x.slen = 5;
	x.shandles[0] = gift;
	x.nshandles = 1;
	ck_assert_int_eq(ipc_reply(token, &r, &x), 0);
	ck_assert_int_eq(handle_info(gift, &hi), -EBADF);
	ck_assert_int_eq(ipc_reply(token, &r, NULL), -EBADF);	/* consumed */
	ck_assert_int_eq(handle_info(token, &hi), -EBADF);
	memset(&rx, 0, sizeof(rx));
	rx.rbuf = (uint64_t)(uintptr_t)buf;
	rx.rcap = sizeof(buf);
	ck_assert_int_eq(ipc_recv_poll(me, &r, &rx), 0);
	ck_assert_uint_eq(r.label, IPC_LABEL(3, 1));
	ck_assert_uint_eq(r.w[0], 2);
	ck_assert_uint_eq(r.w[7], 8);
	ck_assert_uint_eq(r.badge, 0xc00c1e);
	ck_assert_uint_eq(r.token, HANDLE_NONE);
	ck_assert_uint_eq(rx.rlen, 5);
	ck_assert_mem_eq(buf, "reply", 5);
	ck_assert_uint_eq(rx.nrhandles, 1);
	ck_assert_int_eq(handle_close(rx.rhandles[0]), 0);
	/* The gift moved out and back in: one handle fewer than at setup. */
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles - 1);
	ck_assert_int_eq(ipc_reply(srv, &r, NULL), -EINVAL);	/* not a token */
	ck_assert_int_eq(ipc_reply(HANDLE_NONE, &r, NULL), -EBADF);
}
END_TEST

START_TEST(dropped_token_answers_epipe)
{
	struct ipc_msg m = msg(IPC_LABEL(3, 1), 0), r;
	struct ipc_ext x;
	handle_t srv = new_ep(0), me = new_ep(0);

	setup();
	memset(&x, 0, sizeof(x));
	x.reply_ep = me;
	x.cookie = 42;
	ck_assert_int_eq(ipc_send(srv, &m, &x), 0);
	ck_assert_int_eq(ipc_recv(srv, &r, NULL), 0);
	ck_assert_int_eq(ipc_recv_poll(me, &r, NULL), -EAGAIN);
	ck_assert_int_eq(handle_close(r.token), 0);
	ck_assert_int_eq(ipc_recv_poll(me, &r, NULL), 0);
	ck_assert_uint_eq(r.label, LABEL_ERROR);
	ck_assert_int_eq((long)r.w[0], -EPIPE);
	ck_assert_uint_eq(r.badge, 42);
	assert_nothing_left();
}
END_TEST

/* Replies do not count against the reply endpoint's depth. */
START_TEST(replies_beyond_depth)
{
	struct ipc_msg m = msg(1, 0), r;
	struct ipc_ext x;
	handle_t srv = new_ep(8), me = new_ep(1);
	handle_t tokens[4];

	memset(&x, 0, sizeof(x));
	x.reply_ep = me;
	for (int i = 0; i < 4; i++) {
		x.cookie = (uint64_t)i;
		ck_assert_int_eq(ipc_send(srv, &m, &x), 0);
		ck_assert_int_eq(ipc_recv(srv, &r, NULL), 0);
		tokens[i] = r.token;
	}
	ck_assert_int_eq(ipc_send(me, &m, NULL), 0);	/* me is now full */
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(ipc_reply(tokens[i], &r, NULL), 0);
	ck_assert_int_eq(ipc_send(me, &m, NULL), -EAGAIN);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(ipc_recv_poll(me, &r, NULL), 0);
	ck_assert_int_eq(ipc_recv_poll(me, &r, NULL), -EAGAIN);
}
END_TEST

/* A caller that has gone: the reply still succeeds. */
START_TEST(reply_to_a_vanished_caller)
{
	struct ipc_msg m = msg(1, 0), r;
	struct ipc_ext x;
	handle_t srv = new_ep(0);
	long me = ep_create(0);

	setup();
	memset(&x, 0, sizeof(x));
	x.reply_ep = (handle_t)me;
	ck_assert_int_eq(ipc_send(srv, &m, &x), 0);
	ck_assert_int_eq(handle_close((handle_t)me), 0);
	ck_assert_int_eq(ipc_recv(srv, &r, NULL), 0);
	ck_assert_int_eq(ipc_reply(r.token, &r, NULL), 0);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles - 1);
	ck_assert_uint_eq(ipc_host_live_objects(), base_objects - 1);
}
END_TEST

struct server_arg {
	handle_t ep;
	int mode;		/* 0 reply w0+1 and data, 1 close the token */
	int count;
};

static void *
server_thread(void *p)
{
	struct server_arg *a = p;
	struct ipc_msg m;
	struct ipc_ext x;
	char buf[32];
	handle_t token = HANDLE_NONE;

	for (int i = 0; i <= a->count; i++) {
		memset(&x, 0, sizeof(x));
		if (token != HANDLE_NONE) {
			x.sbuf = (uint64_t)(uintptr_t)buf;
			x.slen = 3;
		}
		x.rbuf = (uint64_t)(uintptr_t)buf;
		x.rcap = sizeof(buf);
		if (i == a->count) {
			if (token != HANDLE_NONE)
				ipc_reply(token, &m, &x);
			break;
		}
		if (ipc_reply_recv(token, a->ep, &m, &x) != 0)
			break;
		if (a->mode == 1) {
			handle_close(m.token);
			token = HANDLE_NONE;
			continue;
		}
		token = m.token;
		m.w[0]++;
		memcpy(buf, "ok!", 3);
	}
	return NULL;
}

START_TEST(call_across_threads)
{
	struct server_arg a = { new_ep(0), 0, 100 };
	struct ipc_msg m;
	struct ipc_ext x;
	pthread_t t;
	char buf[8];

	ck_assert_int_eq(pthread_create(&t, NULL, server_thread, &a), 0);
	for (uint64_t i = 0; i < 100; i++) {
		m = msg(IPC_LABEL(5, 5), i * 10);
		memset(&x, 0, sizeof(x));
		memset(buf, 0, sizeof(buf));
		x.rbuf = (uint64_t)(uintptr_t)buf;
		x.rcap = sizeof(buf);
		ck_assert_int_eq(ipc_call(a.ep, &m, &x), 0);
		ck_assert_uint_eq(m.w[0], i * 10 + 1);
		ck_assert_uint_eq(m.label, IPC_LABEL(5, 5));
		ck_assert_uint_eq(m.token, HANDLE_NONE);
		ck_assert_uint_eq(x.rlen, 3);
		ck_assert_str_eq(buf, "ok!");
	}
	ck_assert_int_eq(pthread_join(t, NULL), 0);
}
END_TEST

START_TEST(call_gets_epipe_when_token_dropped)
{
	struct server_arg a = { new_ep(0), 1, 3 };
	struct ipc_msg m;
	pthread_t t;

	setup();
	ck_assert_int_eq(pthread_create(&t, NULL, server_thread, &a), 0);
	for (int i = 0; i < 3; i++) {
		m = msg(1, 5);
		ck_assert_int_eq(ipc_call(a.ep, &m, NULL), -EPIPE);
		ck_assert_uint_eq(m.w[0], 5);	/* untouched on error */
	}
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	assert_nothing_left();
}
END_TEST

static void *
caller_thread(void *p)
{
	struct ipc_msg m = msg(1, 0);

	return (void *)ipc_call(*(handle_t *)p, &m, NULL);
}

/* Closing the last receive handle fails what is queued, and what comes. */
START_TEST(endpoint_loses_last_receiver)
{
	struct ipc_msg m = msg(1, 0), r;
	struct ipc_ext x;
	handle_t ep = new_ep(0), me = new_ep(0);
	pthread_t t;
	void *ret;
	long send_only;

	setup();
	send_only = handle_dup(ep, RIGHT_SEND, 0);
	ck_assert_int_gt(send_only, 0);
	memset(&x, 0, sizeof(x));
	x.reply_ep = me;
	x.cookie = 9;
	ck_assert_int_eq(ipc_send(ep, &m, &x), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, caller_thread, &send_only), 0);
	while (ipc_host_live_objects() < base_objects + 2)
		thread_yield();		/* the caller's token is queued */
	ck_assert_int_eq(handle_close(ep), 0);
	ck_assert_int_eq(pthread_join(t, &ret), 0);
	ck_assert_int_eq((long)ret, -EPIPE);
	ck_assert_int_eq(ipc_recv_poll(me, &r, NULL), 0);
	ck_assert_uint_eq(r.label, LABEL_ERROR);
	ck_assert_uint_eq(r.badge, 9);
	ck_assert_int_eq(ipc_send((handle_t)send_only, &m, NULL), -EPIPE);
	ck_assert_int_eq(handle_close((handle_t)send_only), 0);
	ck_assert_uint_eq(ipc_host_live_objects(), base_objects - 1);
}
END_TEST

/* ipc_reply_recv: the reply first; an error there returns at once. */
START_TEST(reply_recv_replies_then_receives)
{
	struct ipc_msg m = msg(1, 0), r;
	struct ipc_ext x;
	handle_t srv = new_ep(0), me = new_ep(0);
	long send_only = handle_dup(srv, RIGHT_SEND, 0);
	handle_t token;

	memset(&x, 0, sizeof(x));
	x.reply_ep = me;
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(ipc_send(srv, &m, &x), 0);
	ck_assert_int_eq(ipc_send(srv, &m, NULL), 0);
	ck_assert_int_eq(ipc_reply_recv(HANDLE_NONE, srv, &r, NULL), 0);
	token = r.token;
	/* The reply goes out, then the receive fails. */
	ck_assert_int_eq(ipc_reply_recv(token, (handle_t)send_only, &r, NULL),
	    -EACCES);
	ck_assert_int_eq(ipc_recv_poll(me, &r, NULL), 0);
	ck_assert_uint_eq(r.label, 1);
	/* Not a token: nothing is received either. */
	ck_assert_int_eq(ipc_reply_recv(me, srv, &r, NULL), -EINVAL);
	ck_assert_int_eq(ipc_reply_recv(token, srv, &r, NULL), -EBADF);
	ck_assert_int_eq(ipc_reply_recv(HANDLE_NONE, srv, &r, NULL), 0);
	ck_assert_int_eq(ipc_reply_recv(r.token, srv, &r, NULL), 0);
	ck_assert_uint_eq(r.token, HANDLE_NONE);		/* the plain send */
	ck_assert_int_eq(ipc_recv_poll(me, &r, NULL), 0);	/* the reply */
}
END_TEST

/* A reply that cannot be sent still spends the token: -EPIPE. */
START_TEST(refused_reply_spends_the_token)
{
	static char big[IPC_BUF_MAX + 1];
	struct ipc_msg m = msg(1, 0), r;
	struct ipc_ext x;
	struct handle_info hi;
	handle_t srv = new_ep(0), me = new_ep(0), keep = new_ep(0);

	memset(&x, 0, sizeof(x));
	x.reply_ep = me;
	x.cookie = 6;
	ck_assert_int_eq(ipc_send(srv, &m, &x), 0);
	ck_assert_int_eq(ipc_recv(srv, &r, NULL), 0);
	memset(&x, 0, sizeof(x));
	x.sbuf = (uint64_t)(uintptr_t)big;
	x.slen = sizeof(big);
	x.shandles[0] = keep;
	x.nshandles = 1;
	ck_assert_int_eq(ipc_reply(r.token, &r, &x), -EMSGSIZE);
	ck_assert_int_eq(ipc_reply(r.token, &r, NULL), -EBADF);
	ck_assert_int_eq(handle_info(keep, &hi), 0);	/* did not move */
	ck_assert_int_eq(ipc_recv_poll(me, &r, NULL), 0);
	ck_assert_uint_eq(r.label, LABEL_ERROR);
	ck_assert_int_eq((long)r.w[0], -EPIPE);
	ck_assert_uint_eq(r.badge, 6);
}
END_TEST

/* A closed handle's value stays dead when its slot is reused. */
START_TEST(stale_handle_values)
{
	struct ipc_msg m = msg(1, 0);
	handle_t a = new_ep(0), b;

	ck_assert_int_eq(handle_close(a), 0);
	b = new_ep(0);
	ck_assert_uint_ne(a, b);
	ck_assert_uint_eq(a & 0xffff, b & 0xffff);	/* the same slot */
	ck_assert_int_eq(ipc_send(a, &m, NULL), -EBADF);
	ck_assert_int_eq(handle_close(a), -EBADF);
	ck_assert_int_eq(ipc_send(b, &m, NULL), 0);
}
END_TEST

/* A token is one-shot: it cannot be duplicated, so it is answered once. */
START_TEST(token_not_duplicated)
{
	struct ipc_msg m = msg(1, 0), r;
	struct ipc_ext x;
	handle_t srv = new_ep(0), me = new_ep(0);
	struct handle_info hi;

	setup();
	memset(&x, 0, sizeof(x));
	x.reply_ep = me;
	ck_assert_int_eq(ipc_send(srv, &m, &x), 0);
	ck_assert_int_eq(ipc_recv(srv, &r, NULL), 0);
	ck_assert_int_eq(handle_dup(r.token, RIGHT_TRANSFER, 0), -EINVAL);
	ck_assert_int_eq(handle_dup(r.token, 0, 0), -EINVAL);
	ck_assert_int_eq(handle_info(r.token, &hi), 0);
	ck_assert_uint_eq(hi.rights, RIGHT_TRANSFER);
	ck_assert_int_eq(ipc_reply(r.token, &r, NULL), 0);
	ck_assert_int_eq(ipc_recv_poll(me, &r, NULL), 0);
	ck_assert_uint_eq(r.label, 1);
	ck_assert_int_eq(ipc_recv_poll(me, &r, NULL), -EAGAIN);
	assert_nothing_left();
}
END_TEST

START_TEST(kernel_posts)
{
	struct ipc_msg m = msg(LABEL_EXIT, 3), r;
	handle_t ep = new_ep(1);

	m.w[1] = 17;
	m.badge = 0xabc;
	ck_assert_int_eq(ipc_send(ep, &m, NULL), 0);
	ck_assert_int_eq(ipc_host_post(ep, &m), 0);	/* beyond the depth */
	ck_assert_int_eq(ipc_recv_poll(ep, &r, NULL), 0);
	ck_assert_uint_eq(r.badge, 0);
	ck_assert_int_eq(ipc_recv_poll(ep, &r, NULL), 0);
	ck_assert_uint_eq(r.label, LABEL_EXIT);
	ck_assert_uint_eq(r.w[0], 3);
	ck_assert_uint_eq(r.w[1], 17);
	ck_assert_uint_eq(r.badge, 0xabc);
	ck_assert_int_eq(ipc_host_post(HANDLE_NONE, &m), -EBADF);
	ck_assert_int_eq(handle_close(ep), 0);
	ck_assert_int_eq(ipc_host_post(ep, &m), -EBADF);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("ipc-transport");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ep_create_depths);
	tcase_add_test(tc, full_queue_drains_and_refills);
	tcase_add_test(tc, words_label_and_badge);
	tcase_add_test(tc, rights_are_checked);
	tcase_add_test(tc, out_of_line_data_and_truncation);
	tcase_add_test(tc, handles_move_with_the_message);
	tcase_add_test(tc, refused_sends_move_nothing);
	tcase_add_test(tc, received_handles_closed_without_ext);
	tcase_add_test(tc, reply_token_round_trip);
	tcase_add_test(tc, dropped_token_answers_epipe);
	tcase_add_test(tc, replies_beyond_depth);
	tcase_add_test(tc, reply_to_a_vanished_caller);
	tcase_add_test(tc, call_across_threads);
	tcase_add_test(tc, call_gets_epipe_when_token_dropped);
	tcase_add_test(tc, endpoint_loses_last_receiver);
	tcase_add_test(tc, reply_recv_replies_then_receives);
	tcase_add_test(tc, refused_reply_spends_the_token);
	tcase_add_test(tc, stale_handle_values);
	tcase_add_test(tc, token_not_duplicated);
	tcase_add_test(tc, kernel_posts);
	suite_add_tcase(s, tc);
	return s;
}

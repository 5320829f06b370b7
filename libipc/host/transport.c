/*
 * The host transport: lichen's handle and IPC calls (lichen/native.h) in
 * one host process, for unit tests in which a client thread and a server
 * thread run protocol code against each other (lichen/ipc_host.h).
 *
 * It follows kernel/endpoint.c and kernel/syscall.c call for call: the
 * same checks in the same order with the same errors, and the same
 * handle table (libkernel's <lichen/handle.h>, so handle values carry a
 * generation and stale ones fail with -EBADF). Endpoints are bounded
 * queues (a send never blocks, -EAGAIN when full; replies and kernel
 * messages do not count); a send naming a reply endpoint gives the
 * receiver a one-shot reply token (RIGHT_TRANSFER: it moves, never copies) whose answer, or if it
 * dies unanswered a LABEL_ERROR with -EPIPE, is posted there with
 * badge = the cookie; handles move with a message when it is sent; the
 * receiver sees the badge of the handle the sender used; an endpoint
 * whose last receive right is gone fails what is queued on it with
 * -EPIPE and refuses new messages. What differs: one handle table for
 * the whole host process, no direct switch, and pointers are trusted
 * (only NULL buffers give -EFAULT). objects.c has the objects, the
 * table and the messages; this file the calls, each under host_lock.
 */
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lichen/ipc_host.h>

#include "transport.h"

/* --- the calls --- */

long
ep_create(unsigned depth)
{
	struct obj *o;
	long h;

	if (depth > IPC_DEPTH_MAX)
		return -EINVAL;
	pthread_mutex_lock(&host_lock);
	h = -ENOMEM;
	if ((o = obj_new(OBJ_ENDPOINT)) != NULL) {
		o->ep.depth = depth != 0 ? depth : IPC_DEPTH_DEFAULT;
		h = h_add(o, RIGHTS_ALL, 0);
		obj_put(o);
	}
	pthread_mutex_unlock(&host_lock);
	return h;
}

long
handle_close(handle_t h)
{
	long err;

	pthread_mutex_lock(&host_lock);
	err = h_close(h);
	pthread_mutex_unlock(&host_lock);
	return err;
}

long
handle_dup(handle_t h, uint32_t rights, uint64_t badge)
{
	struct hslot *s;
	long err;

	if (rights & ~RIGHTS_ALL)
		return -EINVAL;
	pthread_mutex_lock(&host_lock);
	if ((err = h_get(h, OBJ_NONE, 0, &s)) == 0) {
		if ((rights & s->rights) != rights || s->type == OBJ_REPLY)
			err = s->type == OBJ_REPLY ? -EINVAL : -EACCES;	/* one-shot */
		else
			err = h_add(s->obj, rights, badge != 0 ? badge : s->badge);
	}
	pthread_mutex_unlock(&host_lock);
	return err;
}

long
handle_info(handle_t h, struct handle_info *hi)
{
	struct hslot *s;
	long err;

	pthread_mutex_lock(&host_lock);
	if ((err = h_get(h, OBJ_NONE, 0, &s)) == 0) {
		hi->type = ((struct obj *)s->obj)->type;
		hi->rights = s->rights;
		hi->badge = s->badge;
		hi->koid = ((struct obj *)s->obj)->koid;
	}
	pthread_mutex_unlock(&host_lock);
	return err;
}

static long
get_endpoint(handle_t h, uint32_t rights, struct obj **ep, uint64_t *badge)
{
	struct hslot *s;
	int err = h_get(h, OBJ_ENDPOINT, rights, &s);

	if (err == 0) {
		*ep = s->obj;
		if (badge != NULL)
			*badge = s->badge;
	}
	return err;
}

static struct obj *
token_new(struct obj *reply_ep, uint64_t cookie, struct call_wait *call)
{
	struct obj *t = obj_new(OBJ_REPLY);

	if (t == NULL)
		return NULL;
	t->tok.call = call;
	t->tok.cookie = cookie;
	t->tok.reply_ep = reply_ep;
	if (reply_ep != NULL)
		reply_ep->refs++;
	return t;
}

long
ipc_send(handle_t ep_h, struct ipc_msg *m, struct ipc_ext *x)
{
	struct obj *ep, *rep = NULL;
	struct hmsg *msg;
	uint64_t badge;
	long err;

	pthread_mutex_lock(&host_lock);
	if ((err = get_endpoint(ep_h, RIGHT_SEND, &ep, &badge)) != 0)
		goto out;
	if (x != NULL && x->reply_ep != HANDLE_NONE &&
	    (err = get_endpoint(x->reply_ep, RIGHT_SEND, &rep, NULL)) != 0)
		goto out;
	if ((err = msg_from(m, x, &msg)) != 0)
		goto out;
	msg->badge = badge;
	if (rep != NULL && (msg->token = token_new(rep, x->cookie, NULL)) == NULL) {
		err = -ENOMEM;
	} else if ((err = ep_post(ep, msg, true)) == 0) {
		msg_commit(x);
		goto out;
	}
	if (msg->token != NULL)
		msg->token->tok.answered = true;	/* never sent: no error either */
	msg_release(msg);
out:
	pthread_mutex_unlock(&host_lock);
	return err;
}

long
ipc_call(handle_t ep_h, struct ipc_msg *m, struct ipc_ext *x)
{
	struct call_wait w = { .got = NULL };
	struct hmsg *msg;
	struct obj *ep;
	uint64_t badge;
	long err;

	pthread_mutex_lock(&host_lock);
	if ((err = get_endpoint(ep_h, RIGHT_SEND, &ep, &badge)) != 0)
		goto out;
	if ((err = msg_from(m, x, &msg)) != 0)
		goto out;
	msg->badge = badge;
	if ((msg->token = token_new(NULL, 0, &w)) == NULL) {
		msg_release(msg);
		err = -ENOMEM;
		goto out;
	}
	pthread_cond_init(&w.cv, NULL);
	if ((err = ep_post(ep, msg, true)) != 0) {
		msg->token->tok.answered = true;
		msg->token->tok.call = NULL;
		msg_release(msg);
		pthread_cond_destroy(&w.cv);
		goto out;
	}
	msg_commit(x);		/* the handles went with the message */
	while (w.got == NULL)
		pthread_cond_wait(&w.cv, &host_lock);
	pthread_cond_destroy(&w.cv);
	err = w.got->status;
	if (err == 0)
		err = msg_to(w.got, m, x);
	else
		msg_release(w.got);
out:
	pthread_mutex_unlock(&host_lock);
	return err;
}

/* recv_on: the next message on ep into m and x. */
static long
recv_on(struct obj *o, struct ipc_msg *m, struct ipc_ext *x, bool block)
{
	struct endpoint *ep = &o->ep;
	struct hmsg *msg;
	long err;

	o->refs++;		/* it stays while we wait, whatever is closed */
	while (ep->head == NULL && !ep->dead && block)
		pthread_cond_wait(&ep->cv, &host_lock);
	if (ep->head == NULL) {
		err = ep->dead ? -EPIPE : -EAGAIN;
	} else {
		msg = ep->head;
		ep->head = msg->next;
		if (ep->head == NULL)
			ep->tail = NULL;
		if (msg->counted)
			ep->count--;
		err = msg_to(msg, m, x);
	}
	obj_put(o);
	return err;
}

static long
recv_call(handle_t h, struct ipc_msg *m, struct ipc_ext *x, bool block)
{
	struct obj *ep;
	long err = get_endpoint(h, RIGHT_RECV, &ep, NULL);

	return err != 0 ? err : recv_on(ep, m, x, block);
}

long
ipc_recv(handle_t h, struct ipc_msg *m, struct ipc_ext *x)
{
	long err;

	pthread_mutex_lock(&host_lock);
	err = recv_call(h, m, x, true);
	pthread_mutex_unlock(&host_lock);
	return err;
}

long
ipc_recv_poll(handle_t h, struct ipc_msg *m, struct ipc_ext *x)
{
	long err;

	pthread_mutex_lock(&host_lock);
	err = recv_call(h, m, x, false);
	pthread_mutex_unlock(&host_lock);
	return err;
}

/*
 * do_reply: the token leaves the table first, so a reply that cannot be
 * built still spends it (the caller hears -EPIPE).
 */
static long
do_reply(handle_t token, const struct ipc_msg *m, const struct ipc_ext *x)
{
	struct hmsg *msg;
	struct obj *o;
	long err;

	if ((err = h_take(token, OBJ_REPLY, &o)) != 0)
		return err;
	if ((err = msg_from(m, x, &msg)) != 0) {
		obj_put(o);
		return err;
	}
	msg_commit(x);
	token_answer(&o->tok, msg);
	obj_put(o);
	return 0;
}

long
ipc_reply(handle_t token, struct ipc_msg *m, struct ipc_ext *x)
{
	long err;

	pthread_mutex_lock(&host_lock);
	err = do_reply(token, m, x);
	pthread_mutex_unlock(&host_lock);
	return err;
}

/* The reply first (an error there returns at once), then the receive. */
long
ipc_reply_recv(handle_t token, handle_t ep_h, struct ipc_msg *m,
    struct ipc_ext *x)
{
	long err = 0;

	pthread_mutex_lock(&host_lock);
	if (token != HANDLE_NONE)
		err = do_reply(token, m, x);
	if (err == 0)
		err = recv_call(ep_h, m, x, true);
	pthread_mutex_unlock(&host_lock);
	return err;
}

long
ipc_host_post(handle_t ep_h, const struct ipc_msg *m)
{
	struct hmsg *msg;
	struct obj *ep;
	long err;

	pthread_mutex_lock(&host_lock);
	if ((err = get_endpoint(ep_h, 0, &ep, NULL)) != 0)
		goto out;
	if ((err = msg_from(m, NULL, &msg)) != 0)
		goto out;
	msg->badge = m->badge;
	if ((err = ep_post(ep, msg, false)) != 0)
		msg_release(msg);
out:
	pthread_mutex_unlock(&host_lock);
	return err;
}

unsigned
ipc_host_live_handles(void)
{
	unsigned n;

	pthread_mutex_lock(&host_lock);
	n = h_count();
	pthread_mutex_unlock(&host_lock);
	return n;
}

unsigned
ipc_host_live_objects(void)
{
	unsigned n;

	pthread_mutex_lock(&host_lock);
	n = host_live_objects;
	pthread_mutex_unlock(&host_lock);
	return n;
}

/* --- the rest of what a host test may call --- */

long
log_write(const char *s, size_t n)
{
	return write(STDERR_FILENO, s, n);
}

uint64_t
clock_get(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

long
thread_yield(void)
{
	return sched_yield();
}

long
thread_sleep(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u),
		(long)(ns % 1000000000u) };

	return nanosleep(&ts, NULL) == 0 ? 0 : -EINTR;
}

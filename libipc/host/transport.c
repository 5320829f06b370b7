/*
 * The host transport: lichen's handle and IPC calls (lichen/native.h) in
 * one host process, for unit tests in which a client thread and a server
 * thread run protocol code against each other (lichen/ipc_host.h).
 *
 * It mirrors the kernel's semantics: endpoints are bounded queues (a send
 * never blocks, -EAGAIN when full); a send naming a reply endpoint gives
 * the receiver a one-shot reply token whose answer (or, if the token dies
 * unanswered, a LABEL_ERROR with -EPIPE) is posted there tagged with the
 * cookie; handles move with messages; the receiver sees the badge of the
 * handle the sender used; an endpoint whose last receive handle is gone
 * fails every message queued on it with -EPIPE and refuses new ones.
 *
 * One mutex (lock) guards everything here. Every function decodes and
 * checks all of its arguments before it changes anything.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lichen/errno.h>
#include <lichen/ipc.h>
#include <lichen/ipc_host.h>
#include <lichen/native.h>

#ifndef EMSGSIZE
#define EMSGSIZE 90
#endif

/* The rights of a received reply token. */
#define TOKEN_RIGHTS	(RIGHT_SEND | RIGHT_TRANSFER)
#define EP_RIGHTS	(RIGHT_SEND | RIGHT_RECV | RIGHT_TRANSFER | RIGHT_MANAGE)

struct obj;

/* A handle: in the table, or in flight inside a message. */
struct hrec {
	struct obj *obj;	/* NULL: a free table slot */
	uint32_t rights;
	uint64_t badge;
};

struct hmsg {
	struct hmsg *next;
	bool counted;		/* against the queue's depth (sends do, replies not) */
	uint64_t label;
	uint64_t w[IPC_WORDS];
	uint64_t badge;
	struct obj *token;	/* the receiver's reply token, or NULL */
	void *data;
	size_t len;
	struct hrec h[IPC_HANDLES];
	unsigned nh;
};

/* An ipc_call's caller, waiting on its stack for the answer. */
struct call_wait {
	pthread_cond_t cv;
	bool done;
	long status;
	struct ipc_msg *m;
	struct ipc_ext *x;
};

struct endpoint {
	struct hmsg *head, *tail;
	unsigned count;		/* queued messages that count against depth */
	unsigned depth;
	unsigned receivers;	/* handles with RIGHT_RECV, in tables or in flight */
	bool closed;		/* receivers reached 0: nothing is ever delivered */
	unsigned waiting;	/* threads blocked in ipc_recv */
	pthread_cond_t cv;
};

struct token {
	struct obj *reply_ep;	/* an async send's reply endpoint, or NULL */
	uint64_t cookie;
	struct call_wait *call;	/* an ipc_call's caller, or NULL */
	bool answered;
};

struct obj {
	enum obj_type type;	/* OBJ_ENDPOINT or OBJ_REPLY */
	unsigned refs;		/* handle records and tokens naming it */
	uint64_t koid;
	union {
		struct endpoint ep;
		struct token tok;
	};
};

/* What a send, call or reply was asked to carry, checked. */
struct send_args {
	const void *data;
	size_t len;
	handle_t sh[IPC_HANDLES];
	unsigned nsh;
	struct obj *reply_ep;
	uint64_t cookie;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct hrec table[IPC_HOST_HANDLES];	/* [0] is HANDLE_NONE */
static uint64_t next_koid = 1;
static unsigned live_handles, live_objects;

static void obj_unref(struct obj *o);
static void msg_drop(struct hmsg *msg);

/* Objects. */

static struct obj *
obj_new(enum obj_type type)
{
	struct obj *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->type = type;
	o->koid = next_koid++;
	if (type == OBJ_ENDPOINT)
		pthread_cond_init(&o->ep.cv, NULL);
	live_objects++;
	return o;
}

/* Detaches ep's queue and fails every message on it. */
static void
ep_flush(struct endpoint *ep)
{
	struct hmsg *msg = ep->head;

	ep->head = ep->tail = NULL;
	ep->count = 0;
	while (msg != NULL) {
		struct hmsg *next = msg->next;

		msg_drop(msg);
		msg = next;
	}
}

/* Appends msg; bounded sends fail when the queue is full. */
static long
ep_post(struct obj *o, struct hmsg *msg, bool bounded)
{
	struct endpoint *ep = &o->ep;

	if (ep->closed)
		return -EPIPE;
	if (bounded && ep->count >= ep->depth)
		return -EAGAIN;
	msg->next = NULL;
	if (ep->tail != NULL)
		ep->tail->next = msg;
	else
		ep->head = msg;
	ep->tail = msg;
	msg->counted = bounded;
	if (bounded)
		ep->count++;
	pthread_cond_signal(&ep->cv);
	return 0;
}

static void
ep_lose_receiver(struct obj *o)
{
	if (--o->ep.receivers > 0)
		return;
	o->ep.closed = true;
	pthread_cond_broadcast(&o->ep.cv);
	ep_flush(&o->ep);
}

/* The kernel's error answer for a token that dies unanswered. */
static void
token_fail(struct token *tok, long error)
{
	struct hmsg *msg;

	if (tok->call != NULL) {
		tok->call->status = error;
		tok->call->done = true;
		pthread_cond_signal(&tok->call->cv);
		return;
	}
	msg = calloc(1, sizeof(*msg));
	if (msg == NULL)
		return;
	msg->label = LABEL_ERROR;
	msg->w[0] = (uint64_t)error;
	msg->badge = tok->cookie;
	if (ep_post(tok->reply_ep, msg, false) != 0)
		free(msg);
}

static void
obj_destroy(struct obj *o)
{
	if (o->type == OBJ_ENDPOINT) {
		ep_flush(&o->ep);
		pthread_cond_destroy(&o->ep.cv);
	} else if (o->type == OBJ_REPLY) {
		if (!o->tok.answered)
			token_fail(&o->tok, -EPIPE);
		if (o->tok.reply_ep != NULL)
			obj_unref(o->tok.reply_ep);
	}
	live_objects--;
	free(o);
}

static void
obj_unref(struct obj *o)
{
	if (--o->refs == 0)
		obj_destroy(o);
}

/* A handle record ends (closed, or dropped with its message). */
static void
rec_drop(struct hrec *r)
{
	struct obj *o = r->obj;

	if (o == NULL)
		return;
	r->obj = NULL;
	if (o->type == OBJ_ENDPOINT && (r->rights & RIGHT_RECV))
		ep_lose_receiver(o);
	obj_unref(o);
}

static void
msg_drop(struct hmsg *msg)
{
	if (msg->token != NULL)
		obj_unref(msg->token);
	for (unsigned i = 0; i < msg->nh; i++)
		rec_drop(&msg->h[i]);
	free(msg->data);
	free(msg);
}

/* The handle table. */

static struct hrec *
h_lookup(handle_t h)
{
	if (h == HANDLE_NONE || h >= IPC_HOST_HANDLES || table[h].obj == NULL)
		return NULL;
	return &table[h];
}

static unsigned
h_free_slots(void)
{
	return IPC_HOST_HANDLES - 1 - live_handles;
}

/* Puts r in the lowest free slot: its number, or -EMFILE. */
static long
h_install(struct hrec r)
{
	for (handle_t h = 1; h < IPC_HOST_HANDLES; h++) {
		if (table[h].obj == NULL) {
			table[h] = r;
			live_handles++;
			return h;
		}
	}
	return -EMFILE;
}

/* Takes the record out of the table (it moves or ends). */
static struct hrec
h_remove(handle_t h)
{
	struct hrec r = table[h];

	table[h].obj = NULL;
	live_handles--;
	return r;
}

static struct obj *
h_endpoint(handle_t h, uint32_t need, long *err)
{
	struct hrec *r = h_lookup(h);

	if (r == NULL || r->obj->type != OBJ_ENDPOINT) {
		*err = -EBADF;
		return NULL;
	}
	if ((r->rights & need) != need) {
		*err = -EACCES;
		return NULL;
	}
	return r->obj;
}

/* Sending: decode, then build and move. */

static long
send_decode(const struct ipc_ext *x, bool with_reply_ep, struct send_args *a)
{
	long err = 0;

	memset(a, 0, sizeof(*a));
	if (x == NULL)
		return 0;
	if (x->slen > IPC_BUF_MAX)
		return -EMSGSIZE;
	if (x->slen > 0 && x->sbuf == 0)
		return -EFAULT;
	if (x->nshandles > IPC_HANDLES)
		return -EINVAL;
	for (unsigned i = 0; i < x->nshandles; i++) {
		struct hrec *r = h_lookup(x->shandles[i]);

		if (r == NULL)
			return -EBADF;
		if (!(r->rights & RIGHT_TRANSFER))
			return -EACCES;
		for (unsigned j = 0; j < i; j++)
			if (x->shandles[j] == x->shandles[i])
				return -EINVAL;
		a->sh[i] = x->shandles[i];
	}
	a->nsh = x->nshandles;
	a->data = (const void *)(uintptr_t)x->sbuf;
	a->len = x->slen;
	if (with_reply_ep && x->reply_ep != HANDLE_NONE) {
		a->reply_ep = h_endpoint(x->reply_ep, RIGHT_SEND, &err);
		if (a->reply_ep == NULL)
			return err;
		a->cookie = x->cookie;
	}
	return 0;
}

/* A message from m and a; -ENOMEM, and nothing moved, if out of memory. */
static struct hmsg *
msg_build(const struct ipc_msg *m, uint64_t badge, const struct send_args *a)
{
	struct hmsg *msg = calloc(1, sizeof(*msg));

	if (msg == NULL)
		return NULL;
	if (a->len > 0 && (msg->data = malloc(a->len)) == NULL) {
		free(msg);
		return NULL;
	}
	if (a->len > 0)
		memcpy(msg->data, a->data, a->len);
	msg->len = a->len;
	msg->label = m->label;
	memcpy(msg->w, m->w, sizeof(msg->w));
	msg->badge = badge;
	return msg;
}

/* The point of no return: the sender's handles move into msg. */
static void
msg_take_handles(struct hmsg *msg, const struct send_args *a)
{
	for (unsigned i = 0; i < a->nsh; i++)
		msg->h[i] = h_remove(a->sh[i]);
	msg->nh = a->nsh;
}

static struct obj *
token_new(struct obj *reply_ep, uint64_t cookie, struct call_wait *call)
{
	struct obj *t = obj_new(OBJ_REPLY);

	if (t == NULL)
		return NULL;
	t->refs = 1;
	t->tok.call = call;
	t->tok.cookie = cookie;
	t->tok.reply_ep = reply_ep;
	if (reply_ep != NULL)
		reply_ep->refs++;
	return t;
}

/*
 * Delivers msg into m and x (a receive, or an ipc_call's answer) and
 * frees it. The token and handles are installed; what does not fit the
 * table is dropped (a token dropped answers -EPIPE).
 */
static void
msg_deliver(struct hmsg *msg, struct ipc_msg *m, struct ipc_ext *x)
{
	long h;

	m->label = msg->label;
	memcpy(m->w, msg->w, sizeof(m->w));
	m->badge = msg->badge;
	m->token = HANDLE_NONE;
	if (msg->token != NULL) {
		h = h_install((struct hrec){ msg->token, TOKEN_RIGHTS, 0 });
		if (h > 0)
			m->token = (handle_t)h;
		else
			obj_unref(msg->token);
	}
	if (x != NULL) {
		size_t n = msg->len < x->rcap ? msg->len : x->rcap;

		if (n > 0)
			memcpy((void *)(uintptr_t)x->rbuf, msg->data, n);
		x->rlen = msg->len;
		x->nrhandles = 0;
	}
	for (unsigned i = 0; i < msg->nh; i++) {
		h = x != NULL ? h_install(msg->h[i]) : -EMFILE;
		if (h > 0)
			x->rhandles[x->nrhandles++] = (handle_t)h;
		else
			rec_drop(&msg->h[i]);
	}
	free(msg->data);
	free(msg);
}

static long
check_recv_ext(const struct ipc_ext *x)
{
	if (x != NULL && x->rcap > 0 && x->rbuf == 0)
		return -EFAULT;
	return 0;
}

/* The calls. */

long
ep_create(unsigned depth)
{
	struct obj *o;
	long h = -EMFILE;

	if (depth == 0)
		depth = IPC_DEPTH_DEFAULT;
	if (depth > IPC_DEPTH_MAX)
		return -EINVAL;
	pthread_mutex_lock(&lock);
	if (h_free_slots() == 0)
		goto out;
	h = -ENOMEM;
	if ((o = obj_new(OBJ_ENDPOINT)) == NULL)
		goto out;
	o->ep.depth = depth;
	o->ep.receivers = 1;
	o->refs = 1;
	h = h_install((struct hrec){ o, EP_RIGHTS, 0 });
out:
	pthread_mutex_unlock(&lock);
	return h;
}

long
handle_close(handle_t h)
{
	struct hrec r;
	long err = 0;

	pthread_mutex_lock(&lock);
	if (h_lookup(h) == NULL) {
		err = -EBADF;
	} else {
		r = h_remove(h);
		rec_drop(&r);
	}
	pthread_mutex_unlock(&lock);
	return err;
}

long
handle_dup(handle_t h, uint32_t rights, uint64_t badge)
{
	struct hrec *r, n;
	long err;

	pthread_mutex_lock(&lock);
	r = h_lookup(h);
	if (r == NULL) {
		err = -EBADF;
	} else if (r->obj->type == OBJ_REPLY) {
		err = -EINVAL;		/* one-shot: there is only ever one */
	} else if (rights & ~r->rights) {
		err = -EACCES;
	} else {
		n = (struct hrec){ r->obj, rights, badge != 0 ? badge : r->badge };
		err = h_install(n);
		if (err > 0) {
			n.obj->refs++;
			if (n.obj->type == OBJ_ENDPOINT && (rights & RIGHT_RECV))
				n.obj->ep.receivers++;
		}
	}
	pthread_mutex_unlock(&lock);
	return err;
}

long
handle_info(handle_t h, struct handle_info *hi)
{
	struct hrec *r;
	long err = 0;

	pthread_mutex_lock(&lock);
	r = h_lookup(h);
	if (r == NULL) {
		err = -EBADF;
	} else {
		hi->type = r->obj->type;
		hi->rights = r->rights;
		hi->badge = r->badge;
		hi->koid = r->obj->koid;
	}
	pthread_mutex_unlock(&lock);
	return err;
}

/* Everything a send or call checks; then the message is built. */
static long
send_prepare(handle_t ep_h, const struct ipc_msg *m, const struct ipc_ext *x,
    bool with_reply_ep, struct obj **ep, struct send_args *a,
    struct hmsg **msg)
{
	long err = 0;
	uint64_t badge;

	*ep = h_endpoint(ep_h, RIGHT_SEND, &err);
	if (*ep == NULL)
		return err;
	badge = table[ep_h].badge;
	if ((err = send_decode(x, with_reply_ep, a)) != 0)
		return err;
	if ((*ep)->ep.closed)
		return -EPIPE;
	if ((*ep)->ep.count >= (*ep)->ep.depth)
		return -EAGAIN;
	if ((*msg = msg_build(m, badge, a)) == NULL)
		return -ENOMEM;
	return 0;
}

long
ipc_send(handle_t ep_h, struct ipc_msg *m, struct ipc_ext *x)
{
	struct send_args a;
	struct hmsg *msg;
	struct obj *ep;
	long err;

	pthread_mutex_lock(&lock);
	err = send_prepare(ep_h, m, x, true, &ep, &a, &msg);
	if (err != 0)
		goto out;
	if (a.reply_ep != NULL &&
	    (msg->token = token_new(a.reply_ep, a.cookie, NULL)) == NULL) {
		msg_drop(msg);
		err = -ENOMEM;
		goto out;
	}
	msg_take_handles(msg, &a);
	ep_post(ep, msg, true);
out:
	pthread_mutex_unlock(&lock);
	return err;
}

long
ipc_call(handle_t ep_h, struct ipc_msg *m, struct ipc_ext *x)
{
	struct call_wait w = { .m = m, .x = x };
	struct send_args a;
	struct hmsg *msg;
	struct obj *ep;
	long err;

	pthread_mutex_lock(&lock);
	err = check_recv_ext(x);
	if (err == 0)
		err = send_prepare(ep_h, m, x, false, &ep, &a, &msg);
	if (err != 0)
		goto out;
	if ((msg->token = token_new(NULL, 0, &w)) == NULL) {
		msg_drop(msg);
		err = -ENOMEM;
		goto out;
	}
	pthread_cond_init(&w.cv, NULL);
	msg_take_handles(msg, &a);
	ep_post(ep, msg, true);
	while (!w.done)
		pthread_cond_wait(&w.cv, &lock);
	pthread_cond_destroy(&w.cv);
	err = w.status;
out:
	pthread_mutex_unlock(&lock);
	return err;
}

/* Checks a receive on h: the endpoint, or NULL with *err. */
static struct obj *
recv_prepare(handle_t h, const struct ipc_ext *x, long *err)
{
	struct obj *o = h_endpoint(h, RIGHT_RECV, err);

	if (o != NULL && (*err = check_recv_ext(x)) != 0)
		return NULL;
	return o;
}

static long
recv_locked(struct obj *o, struct ipc_msg *m, struct ipc_ext *x, bool block)
{
	struct endpoint *ep = &o->ep;
	struct hmsg *msg;
	long err = 0;

	o->refs++;		/* it stays while we wait, whatever is closed */
	while (ep->head == NULL && !ep->closed && block) {
		ep->waiting++;
		pthread_cond_wait(&ep->cv, &lock);
		ep->waiting--;
	}
	if (ep->head != NULL) {
		msg = ep->head;
		ep->head = msg->next;
		if (ep->head == NULL)
			ep->tail = NULL;
		if (msg->counted)
			ep->count--;
		msg_deliver(msg, m, x);
	} else {
		err = ep->closed ? -EPIPE : -EAGAIN;
	}
	obj_unref(o);
	return err;
}

long
ipc_recv(handle_t h, struct ipc_msg *m, struct ipc_ext *x)
{
	struct obj *o;
	long err;

	pthread_mutex_lock(&lock);
	if ((o = recv_prepare(h, x, &err)) != NULL)
		err = recv_locked(o, m, x, true);
	pthread_mutex_unlock(&lock);
	return err;
}

long
ipc_recv_poll(handle_t h, struct ipc_msg *m, struct ipc_ext *x)
{
	struct obj *o;
	long err;

	pthread_mutex_lock(&lock);
	if ((o = recv_prepare(h, x, &err)) != NULL)
		err = recv_locked(o, m, x, false);
	pthread_mutex_unlock(&lock);
	return err;
}

/* Answers token with m and x (the caller holds lock). */
static long
reply_locked(handle_t token, const struct ipc_msg *m, const struct ipc_ext *x)
{
	struct hrec *r = h_lookup(token);
	struct send_args a;
	struct hmsg *msg;
	struct token *tok;
	struct hrec tr;
	long err;

	if (r == NULL || r->obj->type != OBJ_REPLY)
		return -EBADF;
	tok = &r->obj->tok;
	if ((err = send_decode(x, false, &a)) != 0)
		return err;
	for (unsigned i = 0; i < a.nsh; i++)
		if (a.sh[i] == token)
			return -EINVAL;	/* it is consumed, not moved */
	if ((msg = msg_build(m, tok->cookie, &a)) == NULL)
		return -ENOMEM;
	msg_take_handles(msg, &a);
	tok->answered = true;
	if (tok->call != NULL) {
		msg->badge = 0;
		msg_deliver(msg, tok->call->m, tok->call->x);
		tok->call->status = 0;
		tok->call->done = true;
		pthread_cond_signal(&tok->call->cv);
	} else if (ep_post(tok->reply_ep, msg, false) != 0) {
		msg_drop(msg);		/* the caller is gone: not our error */
	}
	tr = h_remove(token);
	rec_drop(&tr);
	return 0;
}

long
ipc_reply(handle_t token, struct ipc_msg *m, struct ipc_ext *x)
{
	long err;

	pthread_mutex_lock(&lock);
	err = reply_locked(token, m, x);
	pthread_mutex_unlock(&lock);
	return err;
}

/*
 * Both halves are checked before either happens: a failure means no
 * reply went out and nothing was received.
 */
long
ipc_reply_recv(handle_t token, handle_t ep_h, struct ipc_msg *m,
    struct ipc_ext *x)
{
	struct hrec *tr;
	struct obj *o;
	long err;

	pthread_mutex_lock(&lock);
	o = recv_prepare(ep_h, x, &err);
	if (o != NULL && token != HANDLE_NONE) {
		tr = h_lookup(token);
		if (tr == NULL || tr->obj->type != OBJ_REPLY)
			err = -EBADF;
		else
			err = reply_locked(token, m, x);
	}
	if (o != NULL && err == 0)
		err = recv_locked(o, m, x, true);
	pthread_mutex_unlock(&lock);
	return err;
}

long
ipc_host_post(handle_t ep_h, const struct ipc_msg *m)
{
	struct send_args a = { 0 };
	struct hmsg *msg;
	struct obj *o;
	long err;

	pthread_mutex_lock(&lock);
	o = h_endpoint(ep_h, 0, &err);
	if (o == NULL)
		goto out;
	err = -ENOMEM;
	if ((msg = msg_build(m, m->badge, &a)) == NULL)
		goto out;
	if ((err = ep_post(o, msg, false)) != 0)
		msg_drop(msg);
out:
	pthread_mutex_unlock(&lock);
	return err;
}

unsigned
ipc_host_live_handles(void)
{
	unsigned n;

	pthread_mutex_lock(&lock);
	n = live_handles;
	pthread_mutex_unlock(&lock);
	return n;
}

unsigned
ipc_host_live_objects(void)
{
	unsigned n;

	pthread_mutex_lock(&lock);
	n = live_objects;
	pthread_mutex_unlock(&lock);
	return n;
}

/* The rest of what a host test may call. */

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
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	return nanosleep(&ts, NULL) == 0 ? 0 : -EINTR;
}

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
 * receiver a one-shot reply token (RIGHT_SEND) whose answer, or if it
 * dies unanswered a LABEL_ERROR with -EPIPE, is posted there with
 * badge = the cookie; handles move with a message when it is sent; the
 * receiver sees the badge of the handle the sender used; an endpoint
 * whose last receive right is gone fails what is queued on it with
 * -EPIPE and refuses new messages. What differs: one handle table for
 * the whole host process, no direct switch, and pointers are trusted
 * (only NULL buffers give -EFAULT).
 *
 * One mutex (lock) guards everything here.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lichen/errno.h>
#include <lichen/handle.h>
#include <lichen/ipc.h>
#include <lichen/ipc_host.h>
#include <lichen/native.h>

#ifndef EMSGSIZE
#define EMSGSIZE 90
#endif

struct obj;

/* A handle in flight inside a message. */
struct hrec {
	struct obj *obj;
	uint32_t rights;
	uint64_t badge;
};

struct hmsg {
	struct hmsg *next;
	bool counted;		/* against the queue's depth (sends, not replies) */
	long status;		/* what an ipc_call returns for it: 0 or -EPIPE */
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
	struct hmsg *got;	/* the answer, once it came */
};

struct endpoint {
	struct hmsg *head, *tail;
	unsigned count;		/* queued messages that count against depth */
	unsigned depth;
	unsigned recv_holds;	/* RIGHT_RECV handles, in tables or in flight */
	bool dead;		/* recv_holds fell to 0: nothing is delivered */
	pthread_cond_t cv;	/* receivers wait here */
};

struct token {
	struct obj *reply_ep;	/* an async send's reply endpoint, or NULL */
	uint64_t cookie;
	struct call_wait *call;	/* an ipc_call's caller until answered, or NULL */
	bool answered;
};

struct obj {
	enum obj_type type;	/* OBJ_ENDPOINT or OBJ_REPLY */
	unsigned refs;		/* handles (in tables or in flight), tokens */
	uint64_t koid;
	union {
		struct endpoint ep;
		struct token tok;
	};
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct htable table;
static bool table_ready;
static uint64_t next_koid = 1;
static unsigned live_objects;

static void obj_put(struct obj *o);
static void msg_release(struct hmsg *msg);

/* --- objects --- */

static struct obj *
obj_new(enum obj_type type)
{
	struct obj *o = calloc(1, sizeof(*o));

	if (o == NULL)
		return NULL;
	o->type = type;
	o->refs = 1;
	o->koid = next_koid++;
	if (type == OBJ_ENDPOINT)
		pthread_cond_init(&o->ep.cv, NULL);
	live_objects++;
	return o;
}

/* Takes everything queued off ep and releases it. */
static void
ep_flush(struct endpoint *ep)
{
	struct hmsg *msg = ep->head;

	ep->head = ep->tail = NULL;
	ep->count = 0;
	while (msg != NULL) {
		struct hmsg *next = msg->next;

		msg_release(msg);
		msg = next;
	}
}

/* Appends msg (consumed on success); bounded posts fail when full. */
static long
ep_post(struct obj *o, struct hmsg *msg, bool bounded)
{
	struct endpoint *ep = &o->ep;

	if (ep->dead)
		return -EPIPE;
	if (bounded && ep->count >= ep->depth)
		return -EAGAIN;
	msg->next = NULL;
	msg->counted = bounded;
	if (ep->tail != NULL)
		ep->tail->next = msg;
	else
		ep->head = msg;
	ep->tail = msg;
	if (bounded)
		ep->count++;
	pthread_cond_signal(&ep->cv);
	return 0;
}

/* kobj_rights_hold: receive rights come and go with handles. */
static void
rights_hold(struct obj *o, uint32_t rights, int delta)
{
	if (o->type != OBJ_ENDPOINT || !(rights & RIGHT_RECV))
		return;
	o->ep.recv_holds += (unsigned)delta;
	if (o->ep.recv_holds == 0 && delta < 0) {
		o->ep.dead = true;
		pthread_cond_broadcast(&o->ep.cv);
		ep_flush(&o->ep);
	}
}

/* reply_answer: msg (consumed) is the answer to tok. */
static void
token_answer(struct token *tok, struct hmsg *msg)
{
	tok->answered = true;
	if (tok->call != NULL) {
		tok->call->got = msg;
		pthread_cond_signal(&tok->call->cv);
		tok->call = NULL;
		return;
	}
	if (tok->reply_ep == NULL) {
		msg_release(msg);	/* a call answered already */
		return;
	}
	msg->badge = tok->cookie;
	if (ep_post(tok->reply_ep, msg, false) != 0)
		msg_release(msg);
}

static void
obj_destroy(struct obj *o)
{
	struct hmsg *msg;

	if (o->type == OBJ_ENDPOINT) {
		ep_flush(&o->ep);
		pthread_cond_destroy(&o->ep.cv);
	} else if (o->type == OBJ_REPLY) {
		if (!o->tok.answered && (msg = calloc(1, sizeof(*msg))) != NULL) {
			msg->label = LABEL_ERROR;
			msg->status = -EPIPE;
			msg->w[0] = (uint64_t)-EPIPE;
			token_answer(&o->tok, msg);
		}
		if (o->tok.reply_ep != NULL)
			obj_put(o->tok.reply_ep);
	}
	live_objects--;
	free(o);
}

static void
obj_put(struct obj *o)
{
	if (--o->refs == 0)
		obj_destroy(o);
}

static void
msg_release(struct hmsg *msg)
{
	for (unsigned i = 0; i < msg->nh; i++) {
		rights_hold(msg->h[i].obj, msg->h[i].rights, -1);
		obj_put(msg->h[i].obj);
	}
	if (msg->token != NULL)
		obj_put(msg->token);	/* unanswered: the caller hears -EPIPE */
	free(msg->data);
	free(msg);
}

/* --- the handle table (the kernel's: libkernel's htable) --- */

static void *
table_alloc(void *ctx, size_t bytes)
{
	(void)ctx;
	return malloc(bytes);
}

static void
table_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static void
table_init(void)
{
	if (!table_ready) {
		htable_init(&table, IPC_HOST_HANDLES, table_alloc, table_free, NULL);
		table_ready = true;
	}
}

/* process_handle_get: -EBADF, -EINVAL (type), -EACCES (rights). */
static int
h_get(handle_t h, enum obj_type type, uint32_t rights, struct hslot **s)
{
	table_init();
	return htable_get(&table, h, (uint16_t)type, rights, s);
}

/* process_handle_add: takes a reference and a right hold for the table. */
static long
h_add(struct obj *o, uint32_t rights, uint64_t badge)
{
	long h;

	table_init();
	h = htable_insert(&table, o, (uint16_t)o->type, rights, badge);
	if (h > 0) {
		o->refs++;
		rights_hold(o, rights, +1);
	}
	return h;
}

static int
h_close(handle_t h)
{
	struct hslot s;
	int err;

	table_init();
	if ((err = htable_remove(&table, h, &s)) == 0) {
		rights_hold(s.obj, s.rights, -1);
		obj_put(s.obj);
	}
	return err;
}

/* --- messages from and to "user" registers and ext --- */

/*
 * msg_from_user: the message m and x describe, with references to the
 * handles (still in the table; msg_commit moves them on success).
 */
static long
msg_from(const struct ipc_msg *m, const struct ipc_ext *x, struct hmsg **out)
{
	struct hmsg *msg;
	struct hslot *s;
	long err;

	if (x != NULL && x->slen > IPC_BUF_MAX)
		return -EMSGSIZE;
	if (x != NULL && x->nshandles > IPC_HANDLES)
		return -EINVAL;
	if ((msg = calloc(1, sizeof(*msg))) == NULL)
		return -ENOMEM;
	msg->label = m->label;
	memcpy(msg->w, m->w, sizeof(msg->w));
	if (x == NULL) {
		*out = msg;
		return 0;
	}
	if (x->slen > 0) {
		err = x->sbuf == 0 ? -EFAULT : -ENOMEM;
		if (x->sbuf == 0 || (msg->data = malloc(x->slen)) == NULL)
			goto fail;
		memcpy(msg->data, (const void *)(uintptr_t)x->sbuf, x->slen);
		msg->len = x->slen;
	}
	for (unsigned i = 0; i < x->nshandles; i++) {
		for (unsigned j = 0; j < i; j++)
			if (x->shandles[j] == x->shandles[i]) {
				err = -EINVAL;
				goto fail;
			}
		if ((err = h_get(x->shandles[i], OBJ_NONE, RIGHT_TRANSFER, &s)) != 0)
			goto fail;
		msg->h[i] = (struct hrec){ s->obj, s->rights, s->badge };
		((struct obj *)s->obj)->refs++;
		rights_hold(s->obj, s->rights, +1);
		msg->nh++;
	}
	*out = msg;
	return 0;
fail:
	msg_release(msg);
	return err;
}

/* The send succeeded: the handles it carries leave the sender's table. */
static void
msg_commit(const struct ipc_ext *x)
{
	for (unsigned i = 0; x != NULL && i < x->nshandles; i++)
		h_close(x->shandles[i]);
}

/*
 * msg_to_user: msg (consumed whatever happens) into m and x: words,
 * token, data, handles. A handle the table cannot take is dropped.
 */
static long
msg_to(struct hmsg *msg, struct ipc_msg *m, struct ipc_ext *x)
{
	long err = 0, token = 0;

	if (msg->token != NULL) {
		token = h_add(msg->token, RIGHT_SEND, 0);
		obj_put(msg->token);	/* the table has it now, or it is dropped */
		msg->token = NULL;
		if (token < 0)
			err = token, token = 0;
	}
	if (x != NULL && err == 0) {
		size_t n = msg->len < x->rcap ? msg->len : x->rcap;

		if (n > 0 && x->rbuf == 0) {
			err = -EFAULT;
		} else {
			if (n > 0)
				memcpy((void *)(uintptr_t)x->rbuf, msg->data, n);
			x->rlen = msg->len;
			x->nrhandles = 0;
			for (unsigned i = 0; i < msg->nh; i++) {
				long h = h_add(msg->h[i].obj, msg->h[i].rights,
				    msg->h[i].badge);

				if (h > 0)
					x->rhandles[x->nrhandles++] = (handle_t)h;
			}
		}
	}
	if (err == 0) {
		m->label = msg->label;
		memcpy(m->w, msg->w, sizeof(m->w));
		m->badge = msg->badge;
		m->token = (handle_t)token;
	} else if (token > 0) {
		h_close((handle_t)token);	/* the caller never learns it */
	}
	msg_release(msg);
	return err;
}

/* --- the calls --- */

long
ep_create(unsigned depth)
{
	struct obj *o;
	long h;

	if (depth > IPC_DEPTH_MAX)
		return -EINVAL;
	pthread_mutex_lock(&lock);
	h = -ENOMEM;
	if ((o = obj_new(OBJ_ENDPOINT)) != NULL) {
		o->ep.depth = depth != 0 ? depth : IPC_DEPTH_DEFAULT;
		h = h_add(o, RIGHTS_ALL, 0);
		obj_put(o);
	}
	pthread_mutex_unlock(&lock);
	return h;
}

long
handle_close(handle_t h)
{
	long err;

	pthread_mutex_lock(&lock);
	err = h_close(h);
	pthread_mutex_unlock(&lock);
	return err;
}

long
handle_dup(handle_t h, uint32_t rights, uint64_t badge)
{
	struct hslot *s;
	long err;

	if (rights & ~RIGHTS_ALL)
		return -EINVAL;
	pthread_mutex_lock(&lock);
	if ((err = h_get(h, OBJ_NONE, 0, &s)) == 0) {
		if ((rights & s->rights) != rights)
			err = -EACCES;
		else
			err = h_add(s->obj, rights, badge != 0 ? badge : s->badge);
	}
	pthread_mutex_unlock(&lock);
	return err;
}

long
handle_info(handle_t h, struct handle_info *hi)
{
	struct hslot *s;
	long err;

	pthread_mutex_lock(&lock);
	if ((err = h_get(h, OBJ_NONE, 0, &s)) == 0) {
		hi->type = ((struct obj *)s->obj)->type;
		hi->rights = s->rights;
		hi->badge = s->badge;
		hi->koid = ((struct obj *)s->obj)->koid;
	}
	pthread_mutex_unlock(&lock);
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

	pthread_mutex_lock(&lock);
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
	pthread_mutex_unlock(&lock);
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

	pthread_mutex_lock(&lock);
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
		pthread_cond_wait(&w.cv, &lock);
	pthread_cond_destroy(&w.cv);
	err = w.got->status;
	if (err == 0)
		err = msg_to(w.got, m, x);
	else
		msg_release(w.got);
out:
	pthread_mutex_unlock(&lock);
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
		pthread_cond_wait(&ep->cv, &lock);
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

	pthread_mutex_lock(&lock);
	err = recv_call(h, m, x, true);
	pthread_mutex_unlock(&lock);
	return err;
}

long
ipc_recv_poll(handle_t h, struct ipc_msg *m, struct ipc_ext *x)
{
	long err;

	pthread_mutex_lock(&lock);
	err = recv_call(h, m, x, false);
	pthread_mutex_unlock(&lock);
	return err;
}

/*
 * do_reply: the token leaves the table first, so a reply that cannot be
 * built still spends it (the caller hears -EPIPE).
 */
static long
do_reply(handle_t token, const struct ipc_msg *m, const struct ipc_ext *x)
{
	struct hslot *s, copy;
	struct hmsg *msg;
	struct obj *o;
	long err;

	if ((err = h_get(token, OBJ_REPLY, 0, &s)) != 0)
		return err;
	htable_remove(&table, token, &copy);
	o = copy.obj;
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

	pthread_mutex_lock(&lock);
	err = do_reply(token, m, x);
	pthread_mutex_unlock(&lock);
	return err;
}

/* The reply first (an error there returns at once), then the receive. */
long
ipc_reply_recv(handle_t token, handle_t ep_h, struct ipc_msg *m,
    struct ipc_ext *x)
{
	long err = 0;

	pthread_mutex_lock(&lock);
	if (token != HANDLE_NONE)
		err = do_reply(token, m, x);
	if (err == 0)
		err = recv_call(ep_h, m, x, true);
	pthread_mutex_unlock(&lock);
	return err;
}

long
ipc_host_post(handle_t ep_h, const struct ipc_msg *m)
{
	struct hmsg *msg;
	struct obj *ep;
	long err;

	pthread_mutex_lock(&lock);
	if ((err = get_endpoint(ep_h, 0, &ep, NULL)) != 0)
		goto out;
	if ((err = msg_from(m, NULL, &msg)) != 0)
		goto out;
	msg->badge = m->badge;
	if ((err = ep_post(ep, msg, false)) != 0)
		msg_release(msg);
out:
	pthread_mutex_unlock(&lock);
	return err;
}

unsigned
ipc_host_live_handles(void)
{
	unsigned n;

	pthread_mutex_lock(&lock);
	table_init();
	n = htable_count(&table);
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

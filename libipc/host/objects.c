/*
 * The host transport's objects (transport.h): endpoints with their
 * queues, reply tokens, the handle table (libkernel's htable, as each
 * kernel process has), and messages to and from the caller's registers
 * and ext, following kernel/endpoint.c and kernel/process.c.
 */
#include <stdlib.h>
#include <string.h>

#include <lichen/ipc_host.h>

#include "transport.h"

pthread_mutex_t host_lock = PTHREAD_MUTEX_INITIALIZER;
unsigned host_live_objects;

static struct htable table;
static bool table_ready;
static uint64_t next_koid = 1;

/* --- objects --- */

struct obj *
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
	host_live_objects++;
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
long
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
void
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
	host_live_objects--;
	free(o);
}

void
obj_put(struct obj *o)
{
	if (--o->refs == 0)
		obj_destroy(o);
}

void
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
int
h_get(handle_t h, enum obj_type type, uint32_t rights, struct hslot **s)
{
	table_init();
	return htable_get(&table, h, (uint16_t)type, rights, s);
}

/* process_handle_add: takes a reference and a right hold for the table. */
long
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

int
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

/* process_handle_take: the handle leaves the table, its reference is ours. */
int
h_take(handle_t h, enum obj_type type, struct obj **o)
{
	struct hslot *s, copy;
	int err = h_get(h, type, 0, &s);

	if (err == 0) {
		htable_remove(&table, h, &copy);
		rights_hold(copy.obj, copy.rights, -1);
		*o = copy.obj;
	}
	return err;
}

unsigned
h_count(void)
{
	table_init();
	return htable_count(&table);
}

/* --- messages from and to "user" registers and ext --- */

/*
 * msg_from_user: the message m and x describe, with references to the
 * handles (still in the table; msg_commit moves them on success).
 */
long
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
void
msg_commit(const struct ipc_ext *x)
{
	for (unsigned i = 0; x != NULL && i < x->nshandles; i++)
		h_close(x->shandles[i]);
}

/*
 * msg_to_user: msg (consumed whatever happens) into m and x: words,
 * token, data, handles. A handle the table cannot take is dropped.
 */
long
msg_to(struct hmsg *msg, struct ipc_msg *m, struct ipc_ext *x)
{
	long err = 0, token = 0;

	if (msg->token != NULL) {
		token = h_add(msg->token, RIGHT_TRANSFER, 0);
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

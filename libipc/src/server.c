/*
 * The server event loop (lichen/ipc_server.h): receive on one endpoint,
 * dispatch by label or by reply cookie, answer with the next receive in
 * the same kernel entry. And the table of pending continuations it
 * consults for replies to the server's own async requests.
 *
 * Used by every native server (and, over libipc's host transport, by the
 * unit tests). Single-threaded: one loop owns its struct ipc_server.
 */
#include <lichen/errno.h>
#include <lichen/ipc_server.h>
#include <lichen/native.h>
#include <lichen/string.h>

/* Cookie = IPC_COOKIE_BIT | generation << 16 | slot. */
#define COOKIE_SLOT_BITS	16
#define COOKIE_SLOT_MASK	((UINT64_C(1) << COOKIE_SLOT_BITS) - 1)
#define COOKIE_GEN_MASK		(~IPC_COOKIE_BIT >> COOKIE_SLOT_BITS)

_Static_assert(IPC_CONTS_MAX == 1u << COOKIE_SLOT_BITS,
    "a slot index fits its cookie field");

void
ipc_conts_init(struct ipc_conts *t, struct ipc_cont *slots, uint32_t nslots)
{
	if (nslots > IPC_CONTS_MAX)
		nslots = IPC_CONTS_MAX;
	t->slot = slots;
	t->nslots = slots != NULL ? nslots : 0;
	t->used = 0;
	t->gen = 0;
	for (uint32_t i = 0; i < t->nslots; i++) {
		slots[i].cookie = 0;
		slots[i].fn = NULL;
		slots[i].ctx = NULL;
		slots[i].next_free = i + 1;
	}
	t->free_head = 0;
}

uint64_t
ipc_cont_add(struct ipc_conts *t, ipc_cont_fn fn, void *ctx)
{
	struct ipc_cont *c;
	uint32_t i = t->free_head;

	if (i >= t->nslots)
		return 0;
	c = &t->slot[i];
	t->free_head = c->next_free;
	/* The generation never repeats in practice: 2^47 adds. */
	t->gen = (t->gen + 1) & COOKIE_GEN_MASK;
	if (t->gen == 0)
		t->gen = 1;
	c->cookie = IPC_COOKIE_BIT | t->gen << COOKIE_SLOT_BITS | i;
	c->fn = fn;
	c->ctx = ctx;
	t->used++;
	return c->cookie;
}

struct ipc_cont *
ipc_cont_find(struct ipc_conts *t, uint64_t cookie)
{
	uint64_t i = cookie & COOKIE_SLOT_MASK;

	if (!(cookie & IPC_COOKIE_BIT) || i >= t->nslots)
		return NULL;
	return t->slot[i].cookie == cookie ? &t->slot[i] : NULL;
}

int
ipc_cont_remove(struct ipc_conts *t, uint64_t cookie)
{
	struct ipc_cont *c = ipc_cont_find(t, cookie);

	if (c == NULL)
		return -ENOENT;
	c->cookie = 0;
	c->fn = NULL;
	c->ctx = NULL;
	c->next_free = t->free_head;
	t->free_head = (uint32_t)(c - t->slot);
	t->used--;
	return 0;
}

int
ipc_cont_take(struct ipc_conts *t, uint64_t cookie, struct ipc_cont *out)
{
	struct ipc_cont *c = ipc_cont_find(t, cookie);

	if (c == NULL)
		return -ENOENT;
	*out = *c;
	return ipc_cont_remove(t, cookie);
}

void
ipc_server_init(struct ipc_server *srv, handle_t ep,
    const struct ipc_handler *handlers, unsigned nhandlers,
    struct ipc_cont *conts, uint32_t nconts, void *buf, size_t bufsz,
    void *ctx)
{
	memset(srv, 0, sizeof(*srv));
	srv->ep = ep;
	srv->handlers = handlers;
	srv->nhandlers = nhandlers;
	ipc_conts_init(&srv->conts, conts, nconts);
	srv->buf = buf;
	srv->bufsz = buf != NULL ? bufsz : 0;
	srv->ctx = ctx;
}

void
ipc_server_stop(struct ipc_server *srv, long status)
{
	srv->stopping = true;
	srv->stop_status = status;
}

static ipc_handler_fn
handler_find(const struct ipc_server *srv, uint64_t label)
{
	for (unsigned i = 0; i < srv->nhandlers; i++)
		if (srv->handlers[i].label == label)
			return srv->handlers[i].fn;
	return NULL;
}

/* Sets x up to receive into the server's buffer; nothing to send. */
static void
ext_for_recv(struct ipc_server *srv, struct ipc_ext *x)
{
	memset(x, 0, sizeof(*x));
	x->rbuf = (uint64_t)(uintptr_t)srv->buf;
	x->rcap = srv->bufsz;
}

/* Adds out's data and handles to x as the send part. */
static void
ext_send_part(struct ipc_ext *x, const struct ipc_out *out)
{
	x->sbuf = (uint64_t)(uintptr_t)out->data;
	x->slen = out->data != NULL ? out->len : 0;
	x->nshandles = out->nhandles <= IPC_HANDLES ? out->nhandles : IPC_HANDLES;
	for (unsigned i = 0; i < x->nshandles; i++)
		x->shandles[i] = out->handles[i];
}

static void
req_from_msg(struct ipc_server *srv, struct ipc_req *req,
    const struct ipc_msg *m, const struct ipc_ext *x)
{
	memset(req, 0, sizeof(*req));
	req->msg = *m;
	req->data = srv->buf;
	req->len = x->rlen <= x->rcap ? x->rlen : x->rcap;
	req->truncated = x->rlen > x->rcap;
	req->nhandles = x->nrhandles <= IPC_HANDLES ? x->nrhandles : IPC_HANDLES;
	for (unsigned i = 0; i < req->nhandles; i++)
		req->handles[i] = x->rhandles[i];
}

/* The handles a handler or continuation left behind are closed. */
static void
req_release(struct ipc_req *req)
{
	for (unsigned i = 0; i < req->nhandles; i++)
		if (req->handles[i] != HANDLE_NONE)
			handle_close(req->handles[i]);
	req->nhandles = 0;
}

static void
dispatch_reply(struct ipc_server *srv, struct ipc_req *rep)
{
	struct ipc_cont c;

	if (ipc_cont_take(&srv->conts, rep->msg.badge, &c) != 0) {
		srv->stats.stale++;
		return;
	}
	srv->stats.replies++;
	c.fn(srv, c.ctx, rep);
}

/*
 * A request: the status to answer with, or IPC_SUSPEND when there is
 * nothing to answer now (or no token to answer with).
 */
static long
dispatch_request(struct ipc_server *srv, struct ipc_req *req)
{
	ipc_handler_fn fn = handler_find(srv, req->msg.label);
	long status;

	if (fn == NULL) {
		srv->stats.unknown++;
		status = -ENOSYS;
	} else if (req->truncated) {
		status = -EMSGSIZE;
	} else {
		srv->stats.requests++;
		status = fn(srv, req);
		if (status == IPC_SUSPEND)
			srv->stats.suspended++;
	}
	if (status != IPC_SUSPEND && req->msg.token == HANDLE_NONE) {
		/* A plain send: nobody to answer; drop what was to go out. */
		for (unsigned i = 0; i < req->out.nhandles; i++)
			handle_close(req->out.handles[i]);
		status = IPC_SUSPEND;
	}
	return status;
}

/*
 * One received message (m, x) through the tables. Returns the token to
 * reply to, with m and x made into the reply; or HANDLE_NONE.
 */
static handle_t
dispatch(struct ipc_server *srv, struct ipc_msg *m, struct ipc_ext *x)
{
	struct ipc_req req;
	long status;

	req_from_msg(srv, &req, m, x);
	if (m->label == LABEL_ERROR ||
	    ((m->badge & IPC_COOKIE_BIT) && m->token == HANDLE_NONE &&
	    IPC_PROTO(m->label) != PROTO_KERNEL)) {
		dispatch_reply(srv, &req);
		req_release(&req);
		return HANDLE_NONE;
	}
	status = dispatch_request(srv, &req);
	req_release(&req);
	if (status == IPC_SUSPEND)
		return HANDLE_NONE;

	m->label = req.out.label != 0 ? req.out.label : req.msg.label;
	for (unsigned i = 1; i < IPC_WORDS; i++)
		m->w[i] = req.out.w[i];
	m->w[0] = (uint64_t)status;
	memset(x, 0, sizeof(*x));
	ext_send_part(x, &req.out);
	return req.msg.token;
}

/*
 * The kernel refused the reply in x (a bad handle, too much data): the
 * token is spent and the client hears -EPIPE. The handles meant to go
 * out did not move; close them. (If instead the reply went out and the
 * receive failed, they are stale values, which close as -EBADF.)
 */
static void
reply_failed(struct ipc_server *srv, const struct ipc_ext *x)
{
	srv->stats.reply_errors++;
	for (unsigned i = 0; i < x->nshandles && i < IPC_HANDLES; i++)
		handle_close(x->shandles[i]);
}

long
ipc_server_run(struct ipc_server *srv)
{
	handle_t token = HANDLE_NONE;
	struct ipc_msg m;
	struct ipc_ext x;
	long r;

	memset(&m, 0, sizeof(m));
	srv->stopping = false;
	for (;;) {
		/* The send part (if any) is in x; add the receive part. */
		x.rbuf = (uint64_t)(uintptr_t)srv->buf;
		x.rcap = srv->bufsz;
		if (token == HANDLE_NONE)
			ext_for_recv(srv, &x);
		r = ipc_reply_recv(token, srv->ep, &m, &x);
		if (r < 0 && token != HANDLE_NONE) {
			/* Most likely the reply part: try receiving alone. */
			reply_failed(srv, &x);
			token = HANDLE_NONE;
			continue;
		}
		if (r < 0)
			return r;
		token = dispatch(srv, &m, &x);
		if (srv->stopping) {
			if (token != HANDLE_NONE && ipc_reply(token, &m, &x) != 0)
				reply_failed(srv, &x);
			return srv->stop_status;
		}
	}
}

long
ipc_server_poll(struct ipc_server *srv)
{
	struct ipc_msg m;
	struct ipc_ext x;
	handle_t token;
	long n = 0, r;

	srv->stopping = false;
	for (;;) {
		memset(&m, 0, sizeof(m));
		ext_for_recv(srv, &x);
		r = ipc_recv_poll(srv->ep, &m, &x);
		if (r == -EAGAIN)
			return n;
		if (r < 0)
			return r;
		n++;
		token = dispatch(srv, &m, &x);
		if (token != HANDLE_NONE && ipc_reply(token, &m, &x) != 0)
			reply_failed(srv, &x);
		if (srv->stopping)
			return n;
	}
}

long
ipc_server_send(struct ipc_server *srv, handle_t ep, struct ipc_msg *m,
    struct ipc_ext *x, ipc_cont_fn fn, void *ctx)
{
	struct ipc_ext local;
	uint64_t cookie;
	long r;

	cookie = ipc_cont_add(&srv->conts, fn, ctx);
	if (cookie == 0)
		return -ENOSPC;
	if (x == NULL) {
		memset(&local, 0, sizeof(local));
		x = &local;
	}
	x->reply_ep = srv->ep;
	x->cookie = cookie;
	r = ipc_send(ep, m, x);
	if (r < 0)
		ipc_cont_remove(&srv->conts, cookie);
	return r;
}

long
ipc_answer(handle_t token, uint64_t label, long status,
    const struct ipc_out *out)
{
	struct ipc_msg m;
	struct ipc_ext x;

	memset(&m, 0, sizeof(m));
	m.label = label;
	if (out != NULL) {
		for (unsigned i = 1; i < IPC_WORDS; i++)
			m.w[i] = out->w[i];
		memset(&x, 0, sizeof(x));
		ext_send_part(&x, out);
	}
	m.w[0] = (uint64_t)status;
	return ipc_reply(token, &m, out != NULL ? &x : NULL);
}

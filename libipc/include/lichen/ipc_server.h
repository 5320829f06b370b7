/*
 * The server event loop and its table of pending continuations
 * (libipc/src/server.c; docs/libipc.md is the guide).
 *
 * A server is one loop over one endpoint. Each message is one of:
 *   - a request: dispatched by label to a handler from the server's
 *     table, whose return value is the reply's status (w0), or
 *     IPC_SUSPEND when the handler kept the reply token to answer later;
 *   - a reply to a request the server sent itself with
 *     ipc_server_send(): its badge is the cookie of a continuation, which
 *     is called and forgotten (so is LABEL_ERROR, the kernel's -EPIPE);
 *   - a kernel message (LABEL_NOTIFY, IRQ, TIMER, EXIT, SYSCALL, FAULT):
 *     dispatched by label through the same handler table.
 * Nothing here allocates: the server gives the loop its tables and its
 * receive buffer, sized for what it serves.
 */
#ifndef LICHEN_IPC_SERVER_H
#define LICHEN_IPC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lichen/errno.h>
#include <lichen/ipc.h>
#include <lichen/native.h>

#ifndef EMSGSIZE
#define EMSGSIZE 90		/* the kernel's, until lichen/errno.h lists it */
#endif

/*
 * A handler's "no reply now": it kept req->msg.token (and must answer or
 * close it later; closing it answers -EPIPE). Not a status or an errno.
 */
#define IPC_SUSPEND	(-0x10000L)

/*
 * Reply cookies carry this bit; a server's badges for its clients must
 * not, so the loop can tell a reply from a request by the badge alone.
 */
#define IPC_COOKIE_BIT	(UINT64_C(1) << 63)

struct ipc_server;

/* What goes out with a reply: label, words, data, handles. */
struct ipc_out {
	/*
	 * 0: the request's label (the convention). Otherwise the reply's,
	 * e.g. LABEL_EXIT to end a personality process's thread.
	 */
	uint64_t label;
	uint64_t w[IPC_WORDS];		/* w[0] is the status, set by the loop */
	const void *data;		/* copied out by the kernel */
	size_t len;
	handle_t handles[IPC_HANDLES];	/* moved to the receiver */
	unsigned nhandles;
};

/* One received message as a handler or a continuation sees it. */
struct ipc_req {
	struct ipc_msg msg;		/* label, words, badge, token */
	const void *data;		/* its out-of-line data, in the loop's buffer */
	size_t len;			/* bytes of it in the buffer */
	bool truncated;			/* more was sent than the buffer holds */
	/*
	 * Received handles, owned by the handler: one it keeps, it must
	 * replace with HANDLE_NONE; the loop closes the others afterwards.
	 */
	handle_t handles[IPC_HANDLES];
	unsigned nhandles;
	struct ipc_out out;		/* the reply, zeroed before the handler */
};

/*
 * A handler: the reply's status (>= 0 or -errno), or IPC_SUSPEND. It may
 * fill req->out for a reply with words (w[1..]), data or handles; the
 * reply goes out with the request's label (or out.label) when the
 * handler returns.
 */
typedef long (*ipc_handler_fn)(struct ipc_server *srv, struct ipc_req *req);

struct ipc_handler {
	uint64_t label;			/* IPC_LABEL(proto, op) or a kernel label */
	ipc_handler_fn fn;
};

/*
 * A continuation: called once with the reply to an async request (its
 * status in rep->msg.w[0]; LABEL_ERROR with -EPIPE if it never came).
 * Handles in rep->handles follow the handler rule above.
 */
typedef void (*ipc_cont_fn)(struct ipc_server *srv, void *ctx,
    struct ipc_req *rep);

struct ipc_cont {
	uint64_t cookie;		/* 0 while the slot is free */
	ipc_cont_fn fn;
	void *ctx;
	uint32_t next_free;		/* free list link */
};

/*
 * The table of pending continuations. A cookie is IPC_COOKIE_BIT, a
 * generation and the slot index, so lookups are O(1) and a stale cookie
 * (its continuation already ran or was removed) never matches.
 */
struct ipc_conts {
	struct ipc_cont *slot;
	uint32_t nslots;		/* at most IPC_CONTS_MAX */
	uint32_t used;
	uint32_t free_head;		/* nslots when none is free */
	uint64_t gen;
};

#define IPC_CONTS_MAX	65536u

void ipc_conts_init(struct ipc_conts *t, struct ipc_cont *slots,
    uint32_t nslots);
/* Registers fn(ctx); returns its cookie, or 0 when the table is full. */
uint64_t ipc_cont_add(struct ipc_conts *t, ipc_cont_fn fn, void *ctx);
/* The pending continuation with this cookie, or NULL. */
struct ipc_cont *ipc_cont_find(struct ipc_conts *t, uint64_t cookie);
/* Forgets it without calling it: 0, or -ENOENT if not pending. */
int ipc_cont_remove(struct ipc_conts *t, uint64_t cookie);
/* ipc_cont_find, then copy it to *out and remove it: 0 or -ENOENT. */
int ipc_cont_take(struct ipc_conts *t, uint64_t cookie, struct ipc_cont *out);

/* What the loop counts, for a server's statistics and for tests. */
struct ipc_server_stats {
	uint64_t requests;		/* handler calls */
	uint64_t suspended;		/* of which returned IPC_SUSPEND */
	uint64_t unknown;		/* no handler: answered -ENOSYS */
	uint64_t replies;		/* continuation calls */
	uint64_t stale;			/* replies whose cookie matched nothing */
	uint64_t reply_errors;		/* replies refused: their clients got -EPIPE */
};

struct ipc_server {
	handle_t ep;			/* RIGHT_RECV (and RIGHT_SEND for replies to us) */
	const struct ipc_handler *handlers;
	unsigned nhandlers;
	struct ipc_conts conts;
	void *buf;			/* receive buffer for out-of-line data */
	size_t bufsz;
	void *ctx;			/* the server's own state */
	bool stopping;
	long stop_status;
	struct ipc_server_stats stats;
};

/*
 * Sets srv up over ep with a handler table (labels unique, searched in
 * order), continuation slots and a receive buffer (either may be
 * absent: NULL and 0).
 */
void ipc_server_init(struct ipc_server *srv, handle_t ep,
    const struct ipc_handler *handlers, unsigned nhandlers,
    struct ipc_cont *conts, uint32_t nconts, void *buf, size_t bufsz,
    void *ctx);

/*
 * The loop: receive, dispatch, reply with the next receive (one kernel
 * entry per message), until a handler calls ipc_server_stop. Returns the
 * stop status, or the error that made receiving impossible.
 */
long ipc_server_run(struct ipc_server *srv);

/*
 * Dispatches every message already queued, without blocking, replying
 * with ipc_reply; returns how many, or a receive error. For servers that
 * poll, and for tests that play client and server in one thread.
 */
long ipc_server_poll(struct ipc_server *srv);

/* Makes the loop return status once the current message is answered. */
void ipc_server_stop(struct ipc_server *srv, long status);

/*
 * Sends m (with x, which may be NULL) to ep as an async request whose
 * reply comes back to this server's endpoint and runs fn(ctx). Fills in
 * x's reply_ep and cookie. Returns 0, -ENOSPC when no continuation slot
 * is free, or the send's error (then fn will not run).
 */
long ipc_server_send(struct ipc_server *srv, handle_t ep, struct ipc_msg *m,
    struct ipc_ext *x, ipc_cont_fn fn, void *ctx);

/*
 * Answers a kept token (a handler returned IPC_SUSPEND): label, w0 =
 * status, the rest from out (NULL for none). The kernel's result: 0;
 * -EBADF or -EINVAL if token is not a live reply token; another error if
 * out could not be sent (the token is spent all the same: -EPIPE).
 */
long ipc_answer(handle_t token, uint64_t label, long status,
    const struct ipc_out *out);

/* PROTO_TEST (lichen/proto/test.h) for the loop: ECHO and SUM. */
extern const struct ipc_handler test_server_handlers[];
extern const unsigned test_server_nhandlers;

#endif

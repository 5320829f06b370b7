/*
 * What the host transport's two files share (lichen/ipc_host.h has the
 * why): objects.c owns the objects, their queues, the handle table and
 * the conversion of messages to and from the caller's registers and
 * ext; transport.c has the calls. One mutex, host_lock, guards all of it:
 * every function here expects it held.
 */
#ifndef LIBIPC_HOST_TRANSPORT_H
#define LIBIPC_HOST_TRANSPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lichen/errno.h>
#include <lichen/handle.h>
#include <lichen/ipc.h>
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

extern pthread_mutex_t host_lock;
extern unsigned host_live_objects;

/* Objects: created with one reference, the caller's. */
struct obj *obj_new(enum obj_type type);
void obj_put(struct obj *o);

/* endpoint_post: msg consumed on success; bounded posts fail when full. */
long ep_post(struct obj *o, struct hmsg *msg, bool bounded);
/* reply_answer: msg (consumed) answers tok. */
void token_answer(struct token *tok, struct hmsg *msg);
void msg_release(struct hmsg *msg);

/* The handle table, as the kernel's process_handle_* calls. */
int h_get(handle_t h, enum obj_type type, uint32_t rights, struct hslot **s);
long h_add(struct obj *o, uint32_t rights, uint64_t badge);
int h_close(handle_t h);
int h_take(handle_t h, enum obj_type type, struct obj **o);
unsigned h_count(void);

/* msg_from_user, msg_commit, msg_to_user. */
long msg_from(const struct ipc_msg *m, const struct ipc_ext *x,
    struct hmsg **out);
void msg_commit(const struct ipc_ext *x);
long msg_to(struct hmsg *msg, struct ipc_msg *m, struct ipc_ext *x);

#endif

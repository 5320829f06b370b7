/*
 * A message inside the kernel: what an endpoint queues and a receiver
 * copies out (lichen/ipc.h has the user-visible form). It owns what it
 * carries: the out-of-line copy, a reference per handle, the reply token.
 */
#ifndef KMSG_H
#define KMSG_H

#include <stdbool.h>
#include <stdint.h>
#include <lichen/ipc.h>
#include <lichen/list.h>
#include <object.h>

struct thread;
struct endpoint;

#define KMSG_IN_REGISTERS	1

struct kmsg_handle {
	struct kobj *obj;		/* a reference */
	uint32_t rights;
	uint64_t badge;
};

struct kmsg {
	struct list_node link;		/* on an endpoint's queue */
	uint64_t label;
	uint64_t w[IPC_WORDS];
	uint64_t badge;			/* the sender's handle badge, or a reply cookie */
	struct reply *reply;		/* a token for the receiver (a reference), or NULL */
	void *buf;			/* out-of-line data: a kernel copy, or NULL */
	uint32_t len;
	uint32_t nh;
	struct kmsg_handle h[IPC_HANDLES];
	struct kobj *source;		/* set: embedded in that object (notify, irq, timer) */
	int status;			/* a call's result: 0, or -EPIPE when unanswered;
					   KMSG_IN_REGISTERS: the fast path already wrote
					   the receiver's registers, nothing to copy */
	bool counted;			/* queued against the endpoint's depth */
};

/*
 * A one-shot reply token (OBJ_REPLY). Answered once, or answered by the
 * kernel with -EPIPE when its last token reference goes unanswered. A
 * thread's calls use the reply embedded in the thread (no allocation)
 * whenever no token of an earlier call is still alive; then the thread
 * holds one base reference and the token the other.
 */
struct reply {
	struct kobj obj;
	struct thread *caller;		/* a call: the waiting thread (a reference per token) */
	struct endpoint *ep;		/* a send: where the answer goes (a reference) */
	uint64_t cookie;
	bool answered;
	bool embedded;			/* thread.call_obj */
	bool idle;			/* embedded and free for the next call */
};

/* message.c */
struct process;
struct trap_frame;
struct ipc_ext;

/* Everything but label and words: no data, handles, token or source. */
void kmsg_clear(struct kmsg *m);
/* A queued sender's message on the heap (a copy of m), or NULL. */
struct kmsg *kmsg_dup(const struct kmsg *m);
/* m's contents into dst (a thread's slot); heap messages are freed. */
void kmsg_take(struct kmsg *m, struct kmsg *dst);
/* The caller's ipc_ext at xp (0: none; only the sending fields are zeroed). */
int read_ext(uint64_t xp, struct ipc_ext *x);
/* A sender's message from its registers and ext; handles referenced, not yet moved. */
int msg_from_user(struct process *p, const struct trap_frame *tf,
    const struct ipc_ext *x, struct kmsg *m);
/* -EINVAL if m carries ep's own receive right. */
int check_own_recv(const struct kmsg *m, const struct endpoint *ep);
/* The send succeeded: the handles it carries leave the sender's table. */
void msg_commit(struct process *p, const struct ipc_ext *x);
/* m (consumed) into the calling thread: registers, data, handles, token. */
long msg_to_user(struct process *p, struct trap_frame *tf, uint64_t xp,
    struct kmsg *m);

/* Copy a message's contents (only the handles it carries). */
static inline void
kmsg_copy(struct kmsg *dst, const struct kmsg *src)
{
	dst->label = src->label;
	for (int i = 0; i < IPC_WORDS; i++)
		dst->w[i] = src->w[i];
	dst->badge = src->badge;
	dst->reply = src->reply;
	dst->buf = src->buf;
	dst->len = src->len;
	dst->nh = src->nh;
	for (uint32_t i = 0; i < src->nh; i++)
		dst->h[i] = src->h[i];
	dst->source = src->source;
	dst->status = src->status;
	dst->counted = src->counted;
}

#endif

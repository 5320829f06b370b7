/*
 * Endpoints: bounded kernel queues of messages (DESIGN.md §4 and
 * docs/ipc.md). send never blocks; recv blocks; call is send + wait for
 * the reply, switching straight to a receiver waiting on the same CPU.
 * A reply token (struct reply, OBJ_REPLY) is one-shot: answered once, or
 * answered by the kernel with -EPIPE when dropped unanswered.
 */
#ifndef ENDPOINT_H
#define ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>
#include <kmsg.h>
#include <object.h>
#include <spinlock.h>

struct thread;
struct trap_frame;

struct endpoint {
	struct kobj obj;
	struct spinlock lock;		/* everything below */
	struct list_node queue;		/* struct kmsg, oldest first */
	uint32_t depth;			/* bound on senders' messages */
	uint32_t count;			/* senders' messages queued */
	struct list_node receivers;	/* threads blocked in recv */
	uint32_t recv_holds;		/* handles and messages with RIGHT_RECV */
	bool dead;			/* the last receive right went: sends fail */
};

/* reply.c: a call's token for t (its embedded reply if idle), or NULL. */
struct reply *reply_for_call(struct thread *t);
/* A token for an async send answered on ep with cookie, or NULL. */
struct reply *reply_create(struct thread *caller, struct endpoint *ep, uint64_t cookie);
/* Deliver the answer m (consumed); a call's thread may come back in *handoff asleep. */
void reply_answer(struct reply *r, struct kmsg *m, struct thread **handoff);
/* An embedded reply's token went (kobj_put saw the count fall to 1). */
void reply_token_gone(struct reply *r);
/* Set up a thread's embedded reply (thread_alloc). */
void reply_init_embedded(struct reply *r, struct thread *t);

struct endpoint *endpoint_create(unsigned depth);

/*
 * Post m (the kernel's copy; the endpoint takes what it carries) to ep.
 * bounded: a sender's message, refused with -EAGAIN when the queue is full;
 * kernel messages (replies, errors, events) always fit. -EPIPE when ep is
 * dead. If a receiver was waiting it gets m at once; with handoff non-NULL
 * it is returned there still asleep, for the caller to wake or switch to.
 * On failure m still owns its contents.
 */
int endpoint_post(struct endpoint *ep, struct kmsg *m, bool bounded,
    struct thread **handoff);

/* Give back what a message owns (buffer, handles, token). */
void kmsg_release(struct kmsg *m);

/* An embedded message (source set) posted at most once at a time. */
bool endpoint_post_event(struct endpoint *ep, struct kmsg *m);
void endpoint_cancel_event(struct endpoint *ep, struct kmsg *m);
/* Called with ep->lock held when an event message is handed over. */
void event_take(struct kmsg *m, struct kmsg *dst);

void endpoint_recv_changed(struct endpoint *ep, int delta);

/* The IPC native calls, on the caller's trap frame (syscall.c). */
long sys_ipc_send(struct trap_frame *tf);
long sys_ipc_call(struct trap_frame *tf);
long sys_ipc_recv(struct trap_frame *tf);
long sys_ipc_recv_poll(struct trap_frame *tf);
long sys_ipc_reply(struct trap_frame *tf);
long sys_ipc_reply_recv(struct trap_frame *tf);

/*
 * A personality process's SVC or fault: post it as a call on ep and sleep
 * until the reply; the reply's words land in m. 0, or -EPIPE / -EINTR.
 */
int endpoint_call_kernel(struct endpoint *ep, struct kmsg *m);

#endif

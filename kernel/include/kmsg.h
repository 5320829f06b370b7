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

struct kobj;
struct reply;

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
	int status;			/* a call's result: 0, or -EPIPE when unanswered */
	bool counted;			/* queued against the endpoint's depth */
};

#endif

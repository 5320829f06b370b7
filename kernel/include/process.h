/*
 * Processes: a handle table, an address space and the threads that run
 * in it. A native process reaches kernel objects through its handles; a
 * process with a personality endpoint makes no native call at all: each
 * of its SVCs becomes a LABEL_SYSCALL message there (syscall.c).
 *
 * Exit: the first exit or kill marks the process exiting and every thread
 * killed; each thread leaves at its next kernel exit (or as soon as its
 * blocking wait notices). The last thread out closes every handle (tokens
 * it held are answered with -EPIPE), wakes process_wait and posts
 * LABEL_EXIT to the endpoint bound with obj_bind.
 */
#ifndef PROCESS_H
#define PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <lichen/handle.h>
#include <lichen/list.h>
#include <object.h>
#include <spinlock.h>
#include <thread.h>

struct endpoint;
struct vmspace;

#define PROCESS_MAX_HANDLES	4096

struct process {
	struct kobj obj;
	struct spinlock lock;		/* handles, threads, nthreads, exiting */
	struct htable handles;
	struct vmspace *vs;		/* a reference; NULL once exited */
	struct endpoint *personality;	/* a reference, or NULL: native */
	struct list_node threads;	/* started, not yet gone */
	unsigned nthreads;
	bool exiting;
	volatile bool exited;
	long status;
	struct waitq exitq;		/* process_wait and thread_wait sleep here */
	struct endpoint *exit_ep;	/* obj_bind: LABEL_EXIT goes here (a reference) */
	uint64_t exit_cookie;
	uint32_t pid;
	char name[32];
};

/* A process with an empty address space; NULL when memory runs out. */
struct process *process_create(const char *name, size_t len,
    struct endpoint *personality);

/*
 * Handles. add takes its own reference to o (the caller keeps its own);
 * get returns a new reference in *o (drop it with kobj_put).
 */
long process_handle_add(struct process *p, struct kobj *o, uint32_t rights,
    uint64_t badge);
int process_handle_get(struct process *p, handle_t h, enum obj_type type,
    uint32_t rights, struct kobj **o, uint32_t *rights_out, uint64_t *badge);
int process_handle_close(struct process *p, handle_t h);
/* Remove h and hand its reference to the caller (for one-shot tokens). */
int process_handle_take(struct process *p, handle_t h, enum obj_type type,
    struct kobj **o);

/* The calling thread's process (NULL for a kernel thread). */
static inline struct process *
process_current(void)
{
	return thread_current()->proc;
}

/* Add a user thread to p before it starts; -ESRCH if p is exiting. */
int process_attach_thread(struct process *p, struct thread *t);
/* Exit or kill: every thread of p leaves; status is the first one given. */
void process_kill(struct process *p, long status);
/* The calling user thread leaves now (the last one finishes the process). */
__attribute__((noreturn)) void process_thread_exit(void);
/* Block until p has exited; its status, or -EINTR if we are killed. */
long process_wait(struct process *p);
long thread_wait(struct thread *t);
/* LABEL_EXIT to ep (a reference taken) when p exits; at once if it has. */
int process_bind_exit(struct process *p, struct endpoint *ep, uint64_t cookie);

/* Objects with RIGHT_RECV on an endpoint come and go (handles, messages). */
void kobj_rights_hold(struct kobj *o, uint32_t rights, int delta);

#endif

/*
 * Kernel threads and the scheduler. Each CPU has a run queue (libkernel
 * runq: priorities, round robin, time slices), a timer queue for sleeping
 * threads, an idle thread (its boot context) and a lock; the timer tick
 * preempts, wakeups cross CPUs with a reschedule IPI, and a periodic
 * balancer pulls threads from the busiest CPU. See docs/sched.md.
 */
#ifndef THREAD_H
#define THREAD_H

#include <stdbool.h>
#include <stdint.h>
#include <lichen/list.h>
#include <lichen/runq.h>
#include <lichen/timerq.h>
#include <arch/thread.h>
#include <kmsg.h>
#include <object.h>
#include <spinlock.h>

enum thread_state { THREAD_NEW, THREAD_RUNNABLE, THREAD_SLEEPING, THREAD_DEAD };

struct process;
struct vmspace;
struct reply;
struct trap_frame;

/*
 * A thread: a kernel stack and a saved context; user threads also belong
 * to a process and enter EL0 from a trap frame at the top of their stack.
 * The struct is a kernel object (OBJ_THREAD): the scheduler holds one
 * reference until the thread is dead and switched away from, each handle
 * another, so a handle outlives the thread it names.
 */
struct thread {
	struct arch_ctx ctx;		/* first: switch.S's argument */
	struct kobj obj;
	struct sched_entity se;		/* se.cpu: whose run queue owns it */
	volatile enum thread_state state;
	volatile bool on_cpu;		/* its context is live on some CPU */
	volatile bool killed;		/* leave at the next kernel exit */
	volatile bool in_personality;	/* stopped in an SVC its personality answers */
	volatile bool interrupt;	/* send LABEL_INTERRUPT at the next kernel exit */
	bool fp_loaded;			/* its FP/SIMD state is in this CPU's registers */
	const char *name;
	uint32_t tid;
	uint64_t stack;			/* PA of its kernel stack pages */
	uint64_t stack_top;		/* its kernel VA */
	struct ktimer timer;		/* sleeping until */
	struct list_node wait_link;	/* on a waitq, or an endpoint's receivers */
	uint64_t switches_in;
	uint64_t cpu_ns;		/* time run, up to its last switch out */
	uint64_t run_since;		/* clock_ns() when it last went on a CPU */
	unsigned last_cpu;
	/* User threads. */
	struct process *proc;		/* NULL for kernel threads (ref held) */
	struct vmspace *vs;		/* the address space it runs in */
	struct list_node proc_link;	/* on proc->threads (proc->lock) */
	struct trap_frame *utf;		/* its user registers while in the kernel */
	struct waitq *exitq;		/* thread_wait waiters (proc's) */
	/* IPC (endpoint.c). ipc_lock guards call_reply and ipc_got. */
	struct spinlock ipc_lock;
	struct reply *call_reply;	/* the reply token it waits on in call */
	struct kmsg *ipc_got;		/* delivered while it slept; NULL: none */
	struct kmsg ipc_slot;		/* where direct deliveries land */
	struct reply call_obj;		/* the reply its calls use when idle */
};

struct waitq {
	struct spinlock lock;
	struct list_node waiters;
};

void sched_init(void);				/* boot CPU, once */
void sched_init_cpu(void);			/* every CPU: adopt its idle context */
/* A new runnable thread; cpu < 0: the least loaded CPU affinity allows. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg,
    uint8_t prio, uint64_t affinity, int cpu);
/*
 * A user thread of p, not yet started: it will enter EL0 at pc with sp
 * and x0 = arg. NULL when memory runs out.
 */
struct thread *thread_create_user(struct process *p, uint64_t pc, uint64_t sp,
    uint64_t arg);
/*
 * A stopped user thread's registers (lichen/ipc.h layouts): get or set.
 * The caller checks it is stopped (THREAD_NEW or in_personality).
 */
struct user_regs;
struct user_fpregs;
void thread_user_regs(struct thread *t, struct user_regs *r, bool set);
void thread_user_fpregs(struct thread *t, struct user_fpregs *f, bool set);

/* Set argument register i (x0-x7) a new user thread starts with. */
void thread_set_user_reg(struct thread *t, unsigned i, uint64_t value);
/* Make a THREAD_NEW thread runnable (cpu < 0: by load). */
void thread_start(struct thread *t, int cpu);
__attribute__((noreturn)) void thread_exit(void);
void thread_yield(void);
void thread_sleep_ns(uint64_t ns);
struct thread *thread_current(void);
/* Restrict where t may run; it moves at its next switch. */
int thread_set_affinity(struct thread *t, uint64_t mask);

/*
 * Blocking without a waitq: the caller set its state to THREAD_SLEEPING
 * while holding the lock that a waker takes before thread_wake, so no
 * wakeup is lost; sched_block then switches away until woken.
 */
void sched_block(void);
void thread_wake(struct thread *t);
/*
 * Like sched_block, but run next (asleep, just woken by us in spirit: the
 * caller made its wake condition true) at once on this CPU when it can,
 * without going through the run queue: IPC's direct switch.
 */
void sched_handoff(struct thread *next);

void waitq_init(struct waitq *wq);
/* Sleep until cond(arg) holds; cond is re-checked under wq's lock. */
void waitq_wait(struct waitq *wq, bool (*cond)(void *), void *arg);
void waitq_wake_all(struct waitq *wq);

/*
 * The running thread touched FP/SIMD with access trapped: load its state
 * and let it go on (the trap handler's answer to the FP access class).
 */
void sched_fp_trap(void);

/* From the timer interrupt, and on the way out of every interrupt. */
void sched_tick(void);
void sched_irq_exit(void);
/* IPI_RESCHED arrived. */
void sched_resched_ipi(void);

uint64_t clock_ns(void);			/* monotonic, from the counter */
extern uint64_t realtime_base_ns;		/* the real time at clock_ns() 0 (main.c) */

struct sched_stats {
	uint64_t switches, migrations, idle_ticks, ticks;
	unsigned nr_running;
};
void sched_stats(unsigned cpu, struct sched_stats *st);
void sched_report(void);

/* The CPU time t has run, in ns (up to now for the caller). */
uint64_t thread_cpu_ns(const struct thread *t);

#endif

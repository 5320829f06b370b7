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
#include <spinlock.h>

enum thread_state { THREAD_RUNNABLE, THREAD_SLEEPING, THREAD_DEAD };

struct thread {
	struct arch_ctx ctx;		/* first: switch.S's argument */
	struct sched_entity se;		/* se.cpu: whose run queue owns it */
	volatile enum thread_state state;
	volatile bool on_cpu;		/* its context is live on some CPU */
	const char *name;
	uint64_t stack;			/* PA of its kernel stack pages */
	struct ktimer timer;		/* sleeping until */
	struct list_node wait_link;	/* on a waitq, or the dead list */
	uint64_t switches_in;
	unsigned last_cpu;
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
__attribute__((noreturn)) void thread_exit(void);
void thread_yield(void);
void thread_sleep_ns(uint64_t ns);
struct thread *thread_current(void);

void waitq_init(struct waitq *wq);
/* Sleep until cond(arg) holds; cond is re-checked under wq's lock. */
void waitq_wait(struct waitq *wq, bool (*cond)(void *), void *arg);
void waitq_wake_all(struct waitq *wq);

/* From the timer interrupt, and on the way out of every interrupt. */
void sched_tick(void);
void sched_irq_exit(void);
/* IPI_RESCHED arrived. */
void sched_resched_ipi(void);

uint64_t clock_ns(void);			/* monotonic, from the counter */

struct sched_stats {
	uint64_t switches, migrations, idle_ticks, ticks;
	unsigned nr_running;
};
void sched_stats(unsigned cpu, struct sched_stats *st);
void sched_report(void);

#endif

/*
 * Threads and the scheduler: see thread.h and docs/sched.md.
 *
 * Locking: each CPU's struct sched_cpu is guarded by its lock (run queue,
 * timer queue, current). A waitq's lock is taken before a run-queue lock;
 * two run-queue locks are taken in CPU-index order. No lock is held across
 * arch_switch: a thread being switched out keeps on_cpu set until the CPU
 * that switched away from it has saved its context (sched_finish), and a
 * CPU about to run a thread waits for on_cpu to clear.
 */
#include <lichen/balance.h>
#include <lichen/errno.h>
#include <arch/memlayout.h>
#include <kernel.h>
#include <cpu.h>
#include <pmm.h>
#include <thread.h>

#define STACK_ORDER	2		/* 16 KiB kernel stacks */
#define BALANCE_EVERY	25		/* ticks between balancing passes */

struct sched_cpu {
	struct spinlock lock;
	struct runq rq;
	struct timerq timers;
	struct thread *current;
	struct thread idle;		/* this CPU's boot context */
	struct thread *prev;		/* switched away from; sched_finish clears on_cpu */
	volatile bool need_resched;
	uint64_t switches, migrations, idle_ticks, ticks;
};

static struct sched_cpu scpu[MAX_CPUS];
static volatile bool ready;

static struct sched_cpu *
this_sc(void)
{
	return &scpu[hal_cpu_index()];
}

uint64_t
clock_ns(void)
{
	uint64_t c = hal_counter(), f = hal_counter_freq();

	return c / f * 1000000000UL + c % f * 1000000000UL / f;
}

struct thread *
thread_current(void)
{
	return this_sc()->current;
}

static struct thread *
se_thread(struct sched_entity *se)
{
	return container_of(se, struct thread, se);
}

void
sched_init(void)
{
	ready = true;
}

void
sched_init_cpu(void)
{
	struct sched_cpu *s = this_sc();

	runq_init(&s->rq);
	timerq_init(&s->timers);
	sched_entity_init(&s->idle.se, RUNQ_PRIOS - 1, 1UL << hal_cpu_index());
	s->idle.name = "idle";
	s->idle.state = THREAD_RUNNABLE;
	s->idle.on_cpu = true;
	s->current = &s->idle;
}

static unsigned
cpu_load(unsigned cpu)
{
	return scpu[cpu].rq.nr + (scpu[cpu].current != &scpu[cpu].idle);
}

static uint64_t
online_mask(void)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < ncpus; i++)
		if (cpus[i].online && scpu[i].current != NULL)
			m |= 1UL << i;
	return m;
}

/* Tell cpu to look at its run queue (now, if it is this CPU). */
static void
kick(unsigned cpu)
{
	if (cpu == hal_cpu_index())
		this_sc()->need_resched = true;
	else
		ipi_send(cpu, IPI_RESCHED);
}

/* Put a runnable thread on cpu's queue; the caller holds that CPU's lock. */
static void
enqueue_locked(unsigned cpu, struct thread *t)
{
	struct sched_cpu *s = &scpu[cpu];

	t->se.cpu = (int16_t)cpu;
	runq_enqueue(&s->rq, &t->se);
}

struct thread *
thread_create(const char *name, void (*fn)(void *), void *arg, uint8_t prio,
    uint64_t affinity, int cpu)
{
	struct thread *t = kmem_zalloc(sizeof(*t));
	unsigned load[MAX_CPUS];
	uint64_t flags;

	if (t == NULL)
		return NULL;
	t->stack = page_alloc(STACK_ORDER, PAGE_USE_KERNEL);
	affinity &= online_mask();
	if (t->stack == 0 || affinity == 0) {
		if (t->stack != 0)
			page_free(t->stack, STACK_ORDER, PAGE_USE_KERNEL);
		kmem_free(t);
		return NULL;
	}
	t->name = name;
	arch_ctx_init(&t->ctx, (uint64_t)hal_phys_to_virt(t->stack) +
	    (PAGE_SIZE << STACK_ORDER), fn, arg);
	sched_entity_init(&t->se, prio, affinity);
	ktimer_init(&t->timer);
	list_init(&t->wait_link);
	t->state = THREAD_RUNNABLE;
	if (cpu < 0 || !(affinity & (1UL << cpu))) {
		for (unsigned i = 0; i < ncpus; i++)
			load[i] = cpu_load(i);
		cpu = balance_pick_target(load, ncpus, affinity, (int)hal_cpu_index());
	}
	flags = spin_lock_irqsave(&scpu[cpu].lock);
	enqueue_locked((unsigned)cpu, t);
	spin_unlock_irqrestore(&scpu[cpu].lock, flags);
	kick((unsigned)cpu);
	return t;
}

/* The thread we switched away from is saved: it may run elsewhere, or go. */
static void
sched_finish(void)
{
	struct thread *p = this_sc()->prev;

	if (p == NULL)
		return;
	this_sc()->prev = NULL;
	if (p->state == THREAD_DEAD) {
		page_free(p->stack, STACK_ORDER, PAGE_USE_KERNEL);
		kmem_free(p);
		return;
	}
	__atomic_store_n(&p->on_cpu, false, __ATOMIC_RELEASE);
}

static void
schedule(void)
{
	uint64_t flags = hal_irq_save();
	struct sched_cpu *s = this_sc();
	struct thread *prev = s->current, *next;
	struct sched_entity *se;

	if (this_cpu()->lock_depth != 0)
		panic("schedule() with %u spinlocks held", this_cpu()->lock_depth);
	spin_lock(&s->lock);
	s->need_resched = false;
	if (prev != &s->idle && prev->state == THREAD_RUNNABLE && !prev->se.queued)
		enqueue_locked(hal_cpu_index(), prev);
	se = runq_pop(&s->rq);
	next = se != NULL ? se_thread(se) : &s->idle;
	if (next == prev) {
		spin_unlock(&s->lock);
		hal_irq_restore(flags);
		return;
	}
	s->current = next;
	s->prev = prev;
	s->switches++;
	next->last_cpu = hal_cpu_index();
	next->switches_in++;
	spin_unlock(&s->lock);
	while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		hal_cpu_relax();
	next->on_cpu = true;
	arch_switch(&prev->ctx, &next->ctx);
	sched_finish();
	hal_irq_restore(flags);
}

/* The first instructions of every thread in C (from arch_thread_start). */
void thread_first_run(void (*fn)(void *), void *arg);

void
thread_first_run(void (*fn)(void *), void *arg)
{
	sched_finish();
	hal_irq_enable();
	fn(arg);
	thread_exit();
}

__attribute__((noreturn)) void
thread_exit(void)
{
	hal_irq_save();
	this_sc()->current->state = THREAD_DEAD;
	schedule();
	panic("a dead thread was scheduled");
}

void
thread_yield(void)
{
	schedule();
}

/* Make a sleeping thread runnable on its CPU. */
static void
wake_thread(struct thread *t)
{
	for (;;) {
		unsigned cpu = (unsigned)t->se.cpu;
		uint64_t flags = spin_lock_irqsave(&scpu[cpu].lock);

		if ((unsigned)t->se.cpu != cpu) {	/* moved meanwhile */
			spin_unlock_irqrestore(&scpu[cpu].lock, flags);
			continue;
		}
		if (t->state == THREAD_SLEEPING) {
			t->state = THREAD_RUNNABLE;
			/* Still on its CPU, not yet switched out: it will requeue itself. */
			if (scpu[cpu].current != t && !t->se.queued)
				enqueue_locked(cpu, t);
		}
		spin_unlock_irqrestore(&scpu[cpu].lock, flags);
		kick(cpu);
		return;
	}
}

void
thread_sleep_ns(uint64_t ns)
{
	struct sched_cpu *s;
	struct thread *t;
	uint64_t flags = hal_irq_save();

	s = this_sc();
	t = s->current;
	spin_lock(&s->lock);
	t->state = THREAD_SLEEPING;
	timerq_arm(&s->timers, &t->timer, clock_ns() + ns);
	spin_unlock(&s->lock);
	schedule();
	hal_irq_restore(flags);
}

void
waitq_init(struct waitq *wq)
{
	wq->lock = (struct spinlock)SPINLOCK_INIT;
	list_init(&wq->waiters);
}

void
waitq_wait(struct waitq *wq, bool (*cond)(void *), void *arg)
{
	for (;;) {
		uint64_t flags = spin_lock_irqsave(&wq->lock);
		struct thread *t = thread_current();

		if (cond(arg)) {
			spin_unlock_irqrestore(&wq->lock, flags);
			return;
		}
		/* Asleep before a waker can see us on the list: no lost wakeup. */
		t->state = THREAD_SLEEPING;
		list_add_tail(&wq->waiters, &t->wait_link);
		spin_unlock_irqrestore(&wq->lock, flags);
		schedule();
	}
}

void
waitq_wake_all(struct waitq *wq)
{
	uint64_t flags = spin_lock_irqsave(&wq->lock);

	while (!list_empty(&wq->waiters)) {
		struct list_node *n = list_first(&wq->waiters);

		list_remove(n);
		wake_thread(container_of(n, struct thread, wait_link));
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* Pull work from the busiest CPU to this one (interrupts masked). */
static void
balance(struct sched_cpu *s)
{
	unsigned me = hal_cpu_index(), load[MAX_CPUS], imbalance, lo, hi;
	int busiest;

	for (unsigned i = 0; i < ncpus; i++)
		load[i] = cpus[i].online && scpu[i].current ? cpu_load(i) : 0;
	busiest = balance_pick_busiest(load, ncpus, me, &imbalance);
	if (busiest < 0)
		return;
	lo = me < (unsigned)busiest ? me : (unsigned)busiest;
	hi = me < (unsigned)busiest ? (unsigned)busiest : me;
	spin_lock(&scpu[lo].lock);
	spin_lock(&scpu[hi].lock);
	while (imbalance-- > 0) {
		struct sched_entity *se = balance_pick_task(&scpu[busiest].rq, me);

		if (se == NULL)
			break;
		runq_dequeue(&scpu[busiest].rq, se);
		enqueue_locked(me, se_thread(se));
		s->migrations++;
	}
	spin_unlock(&scpu[hi].lock);
	spin_unlock(&scpu[lo].lock);
	if (runq_should_preempt(&s->rq, s->current == &s->idle ? NULL : &s->current->se))
		s->need_resched = true;
}

void
sched_tick(void)
{
	struct sched_cpu *s;
	struct ktimer *kt;
	struct thread *cur;

	if (!ready || (s = this_sc())->current == NULL)
		return;
	s->ticks++;
	spin_lock(&s->lock);
	cur = s->current;
	while ((kt = timerq_pop_expired(&s->timers, clock_ns())) != NULL) {
		struct thread *t = container_of(kt, struct thread, timer);

		if (t->state == THREAD_SLEEPING) {
			t->state = THREAD_RUNNABLE;
			if (s->current != t && !t->se.queued)
				enqueue_locked(hal_cpu_index(), t);
		}
	}
	if (cur == &s->idle) {
		s->idle_ticks++;
		if (s->rq.nr > 0)
			s->need_resched = true;
	} else {
		runq_tick(&cur->se, 1000000000U / TICK_HZ);
		if (runq_should_preempt(&s->rq, &cur->se))
			s->need_resched = true;
		else if (cur->se.slice_left == 0)
			runq_refill(&cur->se);
	}
	spin_unlock(&s->lock);
	/* An idle CPU looks for work every tick; a busy one now and then. */
	if (cur == &s->idle ||
	    s->ticks % BALANCE_EVERY == hal_cpu_index() % BALANCE_EVERY)
		balance(s);
}

void
sched_resched_ipi(void)
{
	if (ready && this_sc()->current != NULL)
		this_sc()->need_resched = true;
}

void
sched_irq_exit(void)
{
	if (ready && this_sc()->current != NULL && this_sc()->need_resched)
		schedule();
}

void
sched_stats(unsigned cpu, struct sched_stats *st)
{
	st->switches = scpu[cpu].switches;
	st->migrations = scpu[cpu].migrations;
	st->idle_ticks = scpu[cpu].idle_ticks;
	st->ticks = scpu[cpu].ticks;
	st->nr_running = cpu_load(cpu);
}

void
sched_report(void)
{
	for (unsigned i = 0; i < ncpus; i++) {
		struct sched_stats st;

		if (!cpus[i].online)
			continue;
		sched_stats(i, &st);
		kprintf("cpu %u: %lu switches, %lu migrations in, %lu of %lu ticks idle, "
		    "%lu IPIs received, %lu sent\n", i, st.switches, st.migrations,
		    st.idle_ticks, st.ticks, cpus[i].ipis_received, cpus[i].ipis_sent);
	}
}

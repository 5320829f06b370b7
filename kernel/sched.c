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
#include <lichen/string.h>
#include <arch/memlayout.h>
#include <kernel.h>
#include <cpu.h>
#include <pmm.h>
#include <process.h>
#include <thread.h>
#include <vmspace.h>
#include <event.h>
#include <endpoint.h>
#include <arch/trap.h>

#define STACK_ORDER	2		/* 16 KiB kernel stacks */
#define BALANCE_EVERY	25		/* ticks between balancing passes */

struct sched_cpu {
	struct spinlock lock;
	struct runq rq;
	struct timerq timers;
	struct timerq ev_timers;	/* event timers (event.c) */
	struct thread *current;
	struct thread idle;		/* this CPU's boot context */
	struct thread *prev;		/* switched away from; sched_finish clears on_cpu */
	bool fp_on;			/* FP/SIMD access enabled (boot: yes) */
	volatile bool need_resched;
	uint64_t switches, migrations, idle_ticks, ticks;
};

static struct sched_cpu scpu[MAX_CPUS];
static volatile bool ready;

static struct sched_cpu *
this_sc(void)
{
	return &scpu[this_cpu_index()];
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
	/* Masked: a preemption between the two loads could move us to another CPU. */
	uint64_t flags = hal_irq_save();
	struct thread *t = this_sc()->current;

	hal_irq_restore(flags);
	return t;
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
	timerq_init(&s->ev_timers);
	sched_entity_init(&s->idle.se, RUNQ_PRIOS - 1, 1UL << this_cpu_index());
	s->idle.name = "idle";
	s->idle.state = THREAD_RUNNABLE;
	s->idle.on_cpu = true;
	s->current = &s->idle;
	s->fp_on = true;		/* boot.S enables it; libfdt uses it at boot */
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
	if (cpu == this_cpu_index())
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

static uint32_t next_tid = 1;

static void schedule(void);
static void place_elsewhere(struct thread *t);

/* A thread with a stack and no context yet: THREAD_NEW, one reference. */
static struct thread *
thread_alloc(const char *name, uint8_t prio, uint64_t affinity)
{
	struct thread *t = kmem_zalloc(sizeof(*t));

	if (t == NULL)
		return NULL;
	t->stack = page_alloc(STACK_ORDER, PAGE_USE_KERNEL);
	if (t->stack == 0) {
		kmem_free(t);
		return NULL;
	}
	kobj_init(&t->obj, OBJ_THREAD);
	t->name = name;
	t->tid = __atomic_fetch_add(&next_tid, 1, __ATOMIC_RELAXED);
	t->stack_top = (uint64_t)hal_phys_to_virt(t->stack) + (PAGE_SIZE << STACK_ORDER);
	sched_entity_init(&t->se, prio, affinity);
	ktimer_init(&t->timer);
	list_init(&t->wait_link);
	list_init(&t->proc_link);
	t->ipc_lock = (struct spinlock)SPINLOCK_INIT;
	reply_init_embedded(&t->call_obj, t);
	t->state = THREAD_NEW;
	return t;
}

void
thread_start(struct thread *t, int cpu)
{
	uint64_t affinity = t->se.affinity & online_mask(), flags;
	unsigned load[MAX_CPUS];

	if (affinity == 0)
		affinity = online_mask();
	if (cpu < 0 || !(affinity & (1UL << cpu))) {
		for (unsigned i = 0; i < ncpus; i++)
			load[i] = cpu_load(i);
		cpu = balance_pick_target(load, ncpus, affinity, (int)this_cpu_index());
	}
	flags = spin_lock_irqsave(&scpu[cpu].lock);
	t->state = THREAD_RUNNABLE;
	enqueue_locked((unsigned)cpu, t);
	spin_unlock_irqrestore(&scpu[cpu].lock, flags);
	kick((unsigned)cpu);
}

struct thread *
thread_create(const char *name, void (*fn)(void *), void *arg, uint8_t prio,
    uint64_t affinity, int cpu)
{
	struct thread *t;

	if ((affinity & online_mask()) == 0)
		return NULL;
	t = thread_alloc(name, prio, affinity & online_mask());
	if (t == NULL)
		return NULL;
	arch_ctx_init(&t->ctx, t->stack_top, fn, arg);
	thread_start(t, cpu);
	return t;
}

#define USER_PRIO	16

struct thread *
thread_create_user(struct process *p, uint64_t pc, uint64_t sp, uint64_t arg)
{
	struct thread *t = thread_alloc(p->name, USER_PRIO, online_mask());
	struct trap_frame *tf;

	if (t == NULL)
		return NULL;
	/* Its first kernel exit "returns" to EL0 from this frame. */
	tf = (struct trap_frame *)(t->stack_top - TF_SIZE - 16);
	memset(tf, 0, sizeof(*tf));
	tf->elr = pc;
	tf->sp = sp;
	tf->spsr = 0;		/* EL0t, interrupts unmasked */
	tf->x[0] = arg;
	t->utf = tf;
	arch_ctx_init_user(&t->ctx, (uint64_t)tf);
	kobj_get(&p->obj);
	t->proc = p;
	t->vs = p->vs;
	return t;
}

void
thread_user_regs(struct thread *t, struct user_regs *r, bool set)
{
	struct trap_frame *tf = t->utf;

	if (!set) {
		memcpy(r->x, tf->x, sizeof(r->x));
		r->sp = tf->sp;
		r->pc = tf->elr;
		r->pstate = tf->spsr;
		r->tpidr_el0 = t->ctx.tpidr_el0;
		return;
	}
	memcpy(tf->x, r->x, sizeof(r->x));
	tf->sp = r->sp;
	tf->elr = r->pc;
	/* Only the condition flags: the thread stays at EL0 with interrupts on. */
	tf->spsr = (tf->spsr & ~0xf0000000UL) | (r->pstate & 0xf0000000UL);
	t->ctx.tpidr_el0 = r->tpidr_el0;
}

void
thread_user_fpregs(struct thread *t, struct user_fpregs *f, bool set)
{
	/* Not running, so not loaded: the saved copy is the state. */
	if (!set) {
		memcpy(f->v, t->ctx.q, sizeof(f->v));
		f->fpsr = (uint32_t)t->ctx.fpsr;
		f->fpcr = (uint32_t)t->ctx.fpcr;
		return;
	}
	memcpy(t->ctx.q, f->v, sizeof(f->v));
	t->ctx.fpsr = f->fpsr;
	t->ctx.fpcr = f->fpcr;
}

void
thread_set_user_reg(struct thread *t, unsigned i, uint64_t value)
{
	if (i < 8 && t->utf != NULL)
		t->utf->x[i] = value;
}

int
thread_set_affinity(struct thread *t, uint64_t mask)
{
	mask &= online_mask();
	if (mask == 0)
		return -EINVAL;
	__atomic_store_n(&t->se.affinity, mask, __ATOMIC_RELAXED);
	if (t == thread_current() && !(mask & (1UL << this_cpu_index())))
		schedule();	/* not queued here: sched_finish places it elsewhere */
	return 0;
}

/* Queue t on the least loaded CPU its affinity allows. */
static void
place_elsewhere(struct thread *t)
{
	unsigned load[MAX_CPUS];
	int cpu;

	for (unsigned i = 0; i < ncpus; i++)
		load[i] = cpu_load(i);
	cpu = balance_pick_target(load, ncpus, t->se.affinity & online_mask(),
	    (int)this_cpu_index());
	spin_lock(&scpu[cpu].lock);
	if (t->state == THREAD_RUNNABLE && !t->se.queued)
		enqueue_locked((unsigned)cpu, t);
	spin_unlock(&scpu[cpu].lock);
	kick((unsigned)cpu);
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
		/* Off its stack and its address space now: the scheduler's reference goes. */
		page_free(p->stack, STACK_ORDER, PAGE_USE_KERNEL);
		p->stack = 0;
		if (p->vs != NULL && p->exitq != NULL)	/* process_attach_thread's */
			kobj_put(&p->vs->obj);
		p->vs = NULL;
		kobj_put(&p->obj);
		return;
	}
	if (p->state == THREAD_RUNNABLE && !p->se.queued &&
	    !(p->se.affinity & (1UL << this_cpu_index())) && p != &this_sc()->idle)
		place_elsewhere(p);	/* its affinity changed while it ran here */
	__atomic_store_n(&p->on_cpu, false, __ATOMIC_RELEASE);
}

/*
 * Switch from prev to next on this CPU: s->lock held on entry, released
 * before the switch; returns when prev runs again.
 */
static void
switch_to_locked(struct sched_cpu *s, struct thread *prev, struct thread *next)
{
	uint64_t now = clock_ns();

	prev->cpu_ns += now - prev->run_since;	/* CPU time, for the thread's owner */
	next->run_since = now;
	s->current = next;
	s->prev = prev;
	s->switches++;
	next->last_cpu = this_cpu_index();
	next->switches_in++;
	spin_unlock(&s->lock);
	while (__atomic_load_n(&next->on_cpu, __ATOMIC_ACQUIRE))
		hal_cpu_relax();
	next->on_cpu = true;
	/*
	 * Lazy FP/SIMD: save prev's registers only if it loaded them, and
	 * trap next's first use. Threads that never touch FP (servers) cost
	 * nothing; one that does pays a trap per time slice.
	 */
	if (prev->fp_loaded) {
		arch_fp_save(&prev->ctx);
		prev->fp_loaded = false;
	}
	if (s->fp_on) {
		arch_fp_access(0);
		s->fp_on = false;
	}
	/* Kernel threads run on whatever user space is loaded (vmspace_activate keeps it alive). */
	if (next->vs != NULL && next->vs != vmspace_current())
		vmspace_activate(next->vs);
	arch_switch(&prev->ctx, &next->ctx);
	sched_finish();
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
	/*
	 * A killed thread never sleeps: its killer may have looked at it
	 * before it marked itself asleep, and it must get back to notice.
	 */
	if (prev->state == THREAD_SLEEPING && prev->killed)
		prev->state = THREAD_RUNNABLE;
	if (prev != &s->idle && prev->state == THREAD_RUNNABLE && !prev->se.queued &&
	    (prev->se.affinity & (1UL << this_cpu_index())))
		enqueue_locked(this_cpu_index(), prev);
	se = runq_pop(&s->rq);
	next = se != NULL ? se_thread(se) : &s->idle;
	if (next == prev) {
		spin_unlock(&s->lock);
		hal_irq_restore(flags);
		return;
	}
	switch_to_locked(s, prev, next);
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

void
sched_fp_trap(void)
{
	struct sched_cpu *s = this_sc();
	struct thread *t = s->current;

	arch_fp_access(1);
	s->fp_on = true;
	if (!t->fp_loaded) {
		arch_fp_load(&t->ctx);
		t->fp_loaded = true;
	}
}

/* A user thread's first instructions, before its trap frame is restored. */
void thread_first_user(void);

void
thread_first_user(void)
{
	sched_finish();
}

void
thread_destroy(struct kobj *o)
{
	struct thread *t = container_of(o, struct thread, obj);

	if (t->stack != 0)		/* created, never started */
		page_free(t->stack, STACK_ORDER, PAGE_USE_KERNEL);
	if (t->proc != NULL)
		kobj_put(&t->proc->obj);
	kmem_free(t);
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
void
thread_wake(struct thread *t)
{
	for (;;) {
		unsigned cpu = (unsigned)t->se.cpu;
		uint64_t flags = spin_lock_irqsave(&scpu[cpu].lock);

		if ((unsigned)t->se.cpu != cpu) {	/* moved meanwhile */
			spin_unlock_irqrestore(&scpu[cpu].lock, flags);
			continue;
		}
		bool elsewhere = false;

		if (t->state == THREAD_SLEEPING) {
			t->state = THREAD_RUNNABLE;
			/* Still on its CPU, not yet switched out: it will requeue itself. */
			if (scpu[cpu].current != t && !t->se.queued) {
				if (t->se.affinity & (1UL << cpu))
					enqueue_locked(cpu, t);
				else
					elsewhere = true;	/* its affinity changed while it slept */
			}
		}
		spin_unlock_irqrestore(&scpu[cpu].lock, flags);
		if (elsewhere)
			place_elsewhere(t);
		else
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

	unsigned cpu = this_cpu_index();

	s = this_sc();
	t = s->current;
	spin_lock(&s->lock);
	t->state = THREAD_SLEEPING;
	timerq_arm(&s->timers, &t->timer, clock_ns() + ns);
	spin_unlock(&s->lock);
	schedule();
	/* Woken early (killed): the timer must not outlive the sleep. */
	spin_lock(&scpu[cpu].lock);
	timerq_cancel(&scpu[cpu].timers, &t->timer);
	spin_unlock(&scpu[cpu].lock);
	hal_irq_restore(flags);
}

void
sched_block(void)
{
	schedule();
}

void
sched_handoff(struct thread *next)
{
	uint64_t flags = hal_irq_save();
	struct sched_cpu *s = this_sc();
	struct thread *prev = s->current;
	unsigned me = this_cpu_index();

	if (this_cpu()->lock_depth != 0)
		panic("sched_handoff() with %u spinlocks held", this_cpu()->lock_depth);
	spin_lock(&s->lock);
	/*
	 * The direct switch needs next asleep on this CPU's books and allowed
	 * here, and prev really going to sleep (else it would be lost).
	 */
	if ((unsigned)next->se.cpu == me && next->state == THREAD_SLEEPING &&
	    !next->se.queued && prev->state == THREAD_SLEEPING && !prev->killed &&
	    (next->se.affinity & (1UL << me)) && s->current != next) {
		next->state = THREAD_RUNNABLE;
		s->need_resched = false;
		switch_to_locked(s, prev, next);
		hal_irq_restore(flags);
		return;
	}
	spin_unlock(&s->lock);
	thread_wake(next);
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
			/* Woken by something else (a kill): leave the list too. */
			if (!list_empty(&t->wait_link))
				list_remove(&t->wait_link);
			spin_unlock_irqrestore(&wq->lock, flags);
			return;
		}
		/* Asleep before a waker can see us on the list: no lost wakeup. */
		t->state = THREAD_SLEEPING;
		if (list_empty(&t->wait_link))
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
		thread_wake(container_of(n, struct thread, wait_link));
	}
	spin_unlock_irqrestore(&wq->lock, flags);
}

/* Pull work from the busiest CPU to this one (interrupts masked). */
static void
balance(struct sched_cpu *s)
{
	unsigned me = this_cpu_index(), load[MAX_CPUS], imbalance, lo, hi;
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
				enqueue_locked(this_cpu_index(), t);
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
	/* Event timers one at a time, unlocked: timer_fire takes other locks. */
	for (;;) {
		spin_lock(&s->lock);
		kt = timerq_pop_expired(&s->ev_timers, clock_ns());
		spin_unlock(&s->lock);
		if (kt == NULL)
			break;
		timer_fire(kt);
	}
	/* An idle CPU looks for work every tick; a busy one now and then. */
	if (cur == &s->idle ||
	    s->ticks % BALANCE_EVERY == this_cpu_index() % BALANCE_EVERY)
		balance(s);
}

int
sched_timer_arm(struct ktimer *kt, uint64_t deadline)
{
	struct sched_cpu *s = this_sc();
	uint64_t flags = spin_lock_irqsave(&s->lock);

	timerq_arm(&s->ev_timers, kt, deadline);
	spin_unlock_irqrestore(&s->lock, flags);
	return (int)this_cpu_index();
}

bool
sched_timer_cancel(struct ktimer *kt, int cpu)
{
	uint64_t flags = spin_lock_irqsave(&scpu[cpu].lock);
	bool was = timerq_cancel(&scpu[cpu].ev_timers, kt);

	spin_unlock_irqrestore(&scpu[cpu].lock, flags);
	return was;
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

/* The CPU time t has run (up to now if it is running). */
uint64_t
thread_cpu_ns(const struct thread *t)
{
	uint64_t ns = __atomic_load_n(&t->cpu_ns, __ATOMIC_RELAXED);

	if (t == thread_current())
		ns += clock_ns() - t->run_since;
	return ns;
}

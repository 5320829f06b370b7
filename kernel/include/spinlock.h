/*
 * Spinlocks: test-and-test-and-set, held with this
 * CPU's interrupts masked, so an interrupt handler on the same CPU can
 * never spin on a lock its own CPU holds. Each CPU counts the locks it
 * holds (struct cpu.lock_depth); switching threads with a nonzero count is
 * a bug the scheduler asserts against. Lock order: docs/locking.md.
 */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include <stdint.h>
#include <cpu.h>
#include <hal.h>

/*
 * Not ticket locks: under QEMU on an oversubscribed host a vCPU holding
 * the next ticket may not be running, and every waiter behind it spins
 * for a host time slice (docs/smp.md). Whoever runs takes a free lock.
 */
struct spinlock {
	uint32_t locked;	/* 0 free, 1 held */
	uint32_t pad;
};

#define SPINLOCK_INIT	{ 0, 0 }

static inline uint64_t
spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = hal_irq_save();

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE) != 0)
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0)
			hal_cpu_relax();
	this_cpu()->lock_depth++;
	return flags;
}

static inline void
spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	this_cpu()->lock_depth--;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	hal_irq_restore(flags);
}

/* The same, for callers that already run with interrupts masked. */
static inline void
spin_lock(struct spinlock *l)
{
	(void)spin_lock_irqsave(l);
}

static inline void
spin_unlock(struct spinlock *l)
{
	this_cpu()->lock_depth--;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

#endif

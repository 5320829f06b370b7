/*
 * Ticket spinlocks: fair (first come, first served) and held with this
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

struct spinlock {
	uint16_t next;		/* the next ticket to hand out */
	uint16_t owner;		/* the ticket being served */
};

#define SPINLOCK_INIT	{ 0, 0 }

static inline uint64_t
spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = hal_irq_save();
	uint16_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		hal_cpu_relax();
	this_cpu()->lock_depth++;
	return flags;
}

static inline void
spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	this_cpu()->lock_depth--;
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
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
	__atomic_store_n(&l->owner, (uint16_t)(l->owner + 1), __ATOMIC_RELEASE);
}

#endif

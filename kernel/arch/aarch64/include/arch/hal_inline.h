/* The inline part of hal.h for aarch64. */
#ifndef ARCH_HAL_INLINE_H
#define ARCH_HAL_INLINE_H

#include <stdint.h>

/* Mask this CPU's interrupts, returning the old state; put it back. */
static inline uint64_t
hal_irq_save(void)
{
	uint64_t daif;

	__asm__ volatile("mrs %0, daif; msr daifset, #2" : "=r"(daif) :: "memory");
	return daif;
}

static inline void
hal_irq_restore(uint64_t daif)
{
	__asm__ volatile("msr daif, %0" :: "r"(daif) : "memory");
}

static inline void
hal_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

/* The per-CPU pointer the kernel keeps in TPIDR_EL1 (struct cpu). */
static inline void *
hal_this_cpu_ptr(void)
{
	void *c;

	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(c));
	return c;
}

/* A polite pause inside a spin loop. */
static inline void
hal_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

#endif

/*
 * Per-CPU state. Each CPU reaches its own struct cpu through this_cpu()
 * (TPIDR_EL1 on aarch64); other CPUs' entries are read only for reports.
 */
#ifndef CPU_H
#define CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <dt.h>
#include <hal.h>

#define MAX_CPUS	DT_MAX_CPUS

struct cpu {
	unsigned index;
	uint64_t mpidr;
	volatile bool online;
	uint64_t stack_top;		/* this CPU's boot/idle stack */
	unsigned lock_depth;		/* spinlocks held (must be 0 to switch) */
	/* Counters, written only by this CPU. */
	volatile uint64_t ticks;	/* timer interrupts */
	volatile uint64_t irqs;
	volatile uint64_t ipis_received;
	volatile uint64_t ipis_sent;
	/* A remote function call waiting for this CPU (IPI_CALL). */
	void (*volatile call_fn)(void *);
	void *volatile call_arg;
};

extern struct cpu cpus[MAX_CPUS];
extern unsigned ncpus;			/* listed in the device tree (capped) */

/* This CPU's entry: TPIDR_EL1 holds it (arch/hal_inline.h). */
static inline struct cpu *
this_cpu(void)
{
	return (struct cpu *)hal_this_cpu_ptr();
}

/* hal_cpu_index() for hot paths: TPIDR_EL1 is set before the first lock. */
static inline unsigned
this_cpu_index(void)
{
	return this_cpu()->index;
}

/* Start every secondary CPU (one at a time); returns how many are online. */
unsigned smp_start(const struct boot_info *bi);
/* The C entry of a secondary CPU, MMU on, on its own stack. */
__attribute__((noreturn)) void secondary_main(unsigned index);

/* Inter-processor interrupts. */
enum ipi { IPI_PING = 0, IPI_CALL = 1, IPI_RESCHED = 2 };
void ipi_send(unsigned cpu, enum ipi which);
/* Called from the IRQ path on the receiving CPU. */
void ipi_handle(enum ipi which);

/* Timer tick period. */
#define TICK_HZ		250

/*
 * Run fn(arg) on CPU cpu from its interrupt handler; returns at once.
 * -EBUSY if a call is still pending there. smp_call_wait waits for it.
 */
int smp_call(unsigned cpu, void (*fn)(void *), void *arg);
void smp_call_wait(unsigned cpu);

void smp_report(void);

#endif

/*
 * Bringing up the other CPUs and talking to them: PSCI starts each
 * secondary CPU listed in the device tree, one at a time; it sets up its
 * interrupt controller interface and timer and waits for interrupts. IPIs
 * are SGIs. Threads and the scheduler come next (docs/smp.md).
 */
#include <arch/memlayout.h>
#include <lichen/errno.h>
#include <kernel.h>
#include <vmspace.h>
#include <cpu.h>
#include <pmm.h>
#include <thread.h>

#define CPU_STACK_ORDER	2	/* 16 KiB */

struct cpu cpus[MAX_CPUS];
unsigned ncpus;

static bool
wait_until(volatile bool *flag, uint64_t ms)
{
	uint64_t end = hal_counter() + hal_counter_freq() * ms / 1000;

	while (!*flag)
		if (hal_counter() > end)
			return false;
	return true;
}

unsigned
smp_start(const struct boot_info *bi)
{
	unsigned online = 1;

	ncpus = bi->ncpus;
	for (unsigned i = 0; i < ncpus; i++) {
		cpus[i].index = i;
		cpus[i].mpidr = bi->cpu_mpidr[i];
	}
	for (unsigned i = 1; i < ncpus; i++) {
		uint64_t stack = page_alloc(CPU_STACK_ORDER, PAGE_USE_KERNEL);
		int err;

		if (stack == 0) {
			kprintf("smp: no memory for CPU %u's stack\n", i);
			break;
		}
		cpus[i].stack_top = (uint64_t)hal_phys_to_virt(stack) +
		    (PAGE_SIZE << CPU_STACK_ORDER);
		err = hal_cpu_start(i, cpus[i].mpidr, cpus[i].stack_top);
		if (err != 0 || !wait_until(&cpus[i].online, 1000)) {
			kprintf("smp: CPU %u (MPIDR 0x%lx) did not start (error %d)\n",
			    i, cpus[i].mpidr, err);
			continue;
		}
		online++;
	}
	return online;
}

__attribute__((noreturn)) void
secondary_main(unsigned index)
{
	struct cpu *c = &cpus[index];

	hal_cpu_init_secondary(c);
	sched_init_cpu();
	c->online = true;
	__asm__ volatile("" ::: "memory");
	for (;;) {
		vmspace_drop_unused();
		hal_wait_for_interrupt();
	}
}

void
ipi_send(unsigned cpu, enum ipi which)
{
	this_cpu()->ipis_sent++;
	hal_send_ipi(cpu, cpus[cpu].mpidr, which);
}

void
ipi_handle(enum ipi which)
{
	struct cpu *c = this_cpu();

	c->ipis_received++;
	if (which == IPI_RESCHED)
		sched_resched_ipi();
	if (which == IPI_CALL && c->call_fn != NULL) {
		c->call_fn(c->call_arg);
		__atomic_store_n(&c->call_fn, NULL, __ATOMIC_RELEASE);
	}
}

int
smp_call(unsigned cpu, void (*fn)(void *), void *arg)
{
	struct cpu *c = &cpus[cpu];

	if (__atomic_load_n(&c->call_fn, __ATOMIC_ACQUIRE) != NULL)
		return -EBUSY;
	c->call_arg = arg;
	__atomic_store_n(&c->call_fn, fn, __ATOMIC_RELEASE);
	ipi_send(cpu, IPI_CALL);
	return 0;
}

void
smp_call_wait(unsigned cpu)
{
	while (__atomic_load_n(&cpus[cpu].call_fn, __ATOMIC_ACQUIRE) != NULL)
		hal_cpu_relax();
}

void
smp_report(void)
{
	unsigned online = 0;

	for (unsigned i = 0; i < ncpus; i++)
		online += cpus[i].online;
	kinfo("smp: %u of %u CPUs online\n", online, ncpus);
}

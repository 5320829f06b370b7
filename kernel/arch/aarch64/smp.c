/*
 * The aarch64 side of SMP and interrupts: starting a secondary CPU with
 * PSCI CPU_ON, its path from MMU-off to C (boot.S secondary_entry reads
 * secondary_boot), per-CPU data in TPIDR_EL1, the IRQ path through the
 * GIC, IPIs as SGIs, and the per-CPU virtual timer tick.
 */
#include <lichen/errno.h>
#include <arch/kpgtable.h>
#include <arch/memlayout.h>
#include <arch/sysreg.h>
#include <kernel.h>
#include <cpu.h>
#include <thread.h>
#include <dt.h>
#include <event.h>
#include "gic.h"
#include "psci.h"

/* Read by secondary_entry with the MMU off: keep the layout in step (boot.S). */
struct secondary_boot {
	uint64_t ttbr0, ttbr1, tcr, mair;
	uint64_t stack[MAX_CPUS];
};
struct secondary_boot secondary_boot;

extern char secondary_entry[];
static unsigned timer_intid;
static uint64_t tick_period;

unsigned
hal_cpu_index(void)
{
	struct cpu *c = this_cpu();

	return c != NULL ? c->index : 0;
}


/* Boot CPU, from arch_main: its per-CPU pointer and what secondaries copy. */
void
smp_boot_cpu_early(uint64_t tcr_with_ttbr0)
{
	extern char boot_stack_top[];
	uint64_t v;

	cpus[0].stack_top = (uint64_t)boot_stack_top;
	cpus[0].online = true;
	__asm__ volatile("msr tpidr_el1, %0" :: "r"(&cpus[0]));
	__asm__ volatile("mrs %0, ttbr0_el1" : "=r"(v));
	secondary_boot.ttbr0 = v;
	__asm__ volatile("mrs %0, ttbr1_el1" : "=r"(v));
	secondary_boot.ttbr1 = v;
	__asm__ volatile("mrs %0, mair_el1" : "=r"(v));
	secondary_boot.mair = v;
	secondary_boot.tcr = tcr_with_ttbr0;
}

/* Write back data a CPU with its MMU (and caches) off will read. */
static void
clean_to_poc(const void *p, uint64_t size)
{
	for (uint64_t a = (uint64_t)p & ~63UL; a < (uint64_t)p + size; a += 64)
		__asm__ volatile("dc cvac, %0" :: "r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

int
hal_cpu_start(unsigned index, uint64_t mpidr, uint64_t stack_top)
{
	int r;

	secondary_boot.stack[index] = stack_top;
	clean_to_poc(&secondary_boot, sizeof(secondary_boot));
	r = psci_cpu_on(mpidr, (uint64_t)secondary_entry - kimage_voffset, index);
	return r == 0 ? 0 : -EIO;
}

static void
timer_arm_next(void)
{
	uint64_t now;

	__asm__ volatile("mrs %0, cntvct_el0" : "=r"(now));
	__asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb"
	    :: "r"(now + tick_period), "r"(1UL));
}

static void
timer_init_cpu(void)
{
	if (timer_intid == 0)
		return;
	timer_arm_next();
	gic_enable(timer_intid);
}

/* Boot CPU: the interrupt controller, its timer, interrupts on. */
int
hal_irq_init(const struct boot_info *bi)
{
	int err = gic_init(bi);

	if (err != 0)
		return err;
	timer_intid = bi->timer.present ? bi->timer.irq_virt : 0;
	tick_period = hal_counter_freq() / TICK_HZ;
	err = gic_init_cpu();
	if (err != 0)
		return err;
	gic_enable(IPI_PING);
	gic_enable(IPI_CALL);
	gic_enable(IPI_RESCHED);
	timer_init_cpu();
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	return 0;
}

void
hal_cpu_init_secondary(struct cpu *c)
{
	__asm__ volatile("msr tpidr_el1, %0" :: "r"(c));
	hal_user_space_switch(0, 0);	/* drop the identity map */
	if (gic_init_cpu() == 0) {
		gic_enable(IPI_PING);
		gic_enable(IPI_CALL);
	gic_enable(IPI_RESCHED);
		timer_init_cpu();
	}
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

void
hal_wait_for_interrupt(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

void
hal_irq_line(unsigned intid, bool enable)
{
	if (enable)
		gic_enable(intid);
	else
		gic_disable(intid);
}

void
hal_send_ipi(unsigned cpu, uint64_t mpidr, unsigned which)
{
	gic_send_sgi(which, mpidr, cpu);
}

/* Every pending interrupt, then back to what was interrupted. */
void
hal_irq_dispatch(void)
{
	for (;;) {
		unsigned iar = gic_ack(), intid;

		if (gic_is_spurious(iar))
			return;
		intid = gic_intid(iar);
		this_cpu()->irqs++;
		if (intid < 16)
			ipi_handle((enum ipi)intid);
		else if (intid == timer_intid) {
			this_cpu()->ticks++;
			timer_arm_next();
			sched_tick();
		} else if (intid >= 32) {
			irq_fire(intid);	/* masks the line until the driver acks */
		}
		gic_eoi(iar);
	}
}

/*
 * Exception handling. Until threads and the syscall path exist, every
 * exception the kernel takes is unexpected: report it and stop.
 */
#include <lichen/fmt.h>
#include <arch/trap.h>
#include <kernel.h>
#include <uaccess.h>
#include <vmspace.h>
#include <thread.h>
#include "esr.h"

static const char *const kind_names[16] = {
	"EL1t sync", "EL1t IRQ", "EL1t FIQ", "EL1t SError",
	"EL1h sync", "EL1h IRQ", "EL1h FIQ", "EL1h SError",
	"EL0 sync", "EL0 IRQ", "EL0 FIQ", "EL0 SError",
	"EL0 (AArch32) sync", "EL0 (AArch32) IRQ", "EL0 (AArch32) FIQ",
	"EL0 (AArch32) SError",
};

static const char *
mode_name(uint64_t spsr)
{
	switch (spsr & 0xf) {
	case 0x0: return "EL0t";
	case 0x4: return "EL1t";
	case 0x5: return "EL1h";
	case 0x8: return "EL2t";
	case 0x9: return "EL2h";
	default: return "?";
	}
}

static void
dump_regs(const struct trap_frame *tf)
{
	for (int i = 0; i < 31; i++)
		kprintf("  x%-2d %016lx%s", i, tf->x[i], i % 4 == 3 ? "\n" : "");
	kprintf("  sp  %016lx\n", tf->sp);
}

static void
trap_report(const struct trap_frame *tf, enum trap_kind kind)
{
	char desc[160];

	esr_describe(tf->esr, desc, sizeof(desc));
	kprintf("\nlichen: unexpected exception (%s) on CPU %u\n",
	    kind_names[kind], hal_cpu_index());
	kprintf("  ESR  0x%08lx  %s\n", tf->esr, desc);
	kprintf("  FAR  0x%016lx\n", tf->far);
	kprintf("  PC   0x%016lx  %s\n", tf->elr, ksym_format(tf->elr));
	kprintf("  LR   0x%016lx  %s\n", tf->x[30], ksym_format(tf->x[30]));
	kprintf("  PSTATE 0x%08lx  %s, masked %c%c%c%c, flags %c%c%c%c\n",
	    tf->spsr, mode_name(tf->spsr),
	    tf->spsr & (1 << 9) ? 'D' : '-', tf->spsr & (1 << 8) ? 'A' : '-',
	    tf->spsr & (1 << 7) ? 'I' : '-', tf->spsr & (1 << 6) ? 'F' : '-',
	    tf->spsr & (1UL << 31) ? 'N' : '-', tf->spsr & (1 << 30) ? 'Z' : '-',
	    tf->spsr & (1 << 29) ? 'C' : '-', tf->spsr & (1 << 28) ? 'V' : '-');
	dump_regs(tf);
}

void
trap_handler(struct trap_frame *tf, enum trap_kind kind)
{
	uint64_t fixup;

	if (kind == TRAP_EL1H_IRQ) {
		hal_irq_dispatch();
		sched_irq_exit();	/* may switch threads; returns when we run again */
		return;
	}
	/*
	 * A user-copy instruction faulted: the page may just not be there yet
	 * (demand-zero, copy-on-write); if it cannot be, resume at the
	 * instruction's fixup, which returns -EFAULT.
	 */
	if (kind == TRAP_EL1H_SYNC && ESR_EC(tf->esr) == EC_DABT_CUR &&
	    (fixup = uaccess_fixup(tf->elr)) != 0) {
		if (tf->far >= USER_TOP || vmspace_current() == NULL ||
		    vmspace_fault(vmspace_current(), tf->far,
		    (tf->esr & ESR_WNR) != 0) != 0)
			tf->elr = fixup;
		return;
	}
	panic_begin();
	trap_report(tf, kind);
	backtrace_print(tf->elr, tf->x[30], tf->x[29]);
	panic_end();
}

/*
 * Exception handling. Until threads and the syscall path exist, every
 * exception the kernel takes is unexpected: report it and stop.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <arch/trap.h>
#include <kernel.h>
#include <uaccess.h>
#include <vmspace.h>
#include <thread.h>
#include <process.h>
#include <syscall.h>
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

/* A native process did something the kernel cannot resolve: say what, end it. */
static void
user_crash(struct trap_frame *tf, enum trap_kind kind)
{
	struct thread *t = thread_current();
	char desc[160];

	esr_describe(tf->esr, desc, sizeof(desc));
	kprintf("lichen: %s (pid %u, tid %u) killed: %s (%s) at pc 0x%lx, address 0x%lx\n",
	    t->proc->name, t->proc->pid, t->tid, desc, kind_names[kind], tf->elr,
	    tf->far);
	process_kill(t->proc, -EFAULT);
}

/* A fault the vmspace can solve (demand-zero, copy-on-write)? */
static bool
user_fault_resolved(struct trap_frame *tf)
{
	unsigned ec = ESR_EC(tf->esr), fsc = tf->esr & 0x3f;
	bool write = ec == EC_DABT_LOW && (tf->esr & ESR_WNR);
	struct vmspace *vs = thread_current()->vs;

	if (ec != EC_DABT_LOW && ec != EC_IABT_LOW)
		return false;
	/* Only a missing page or a write to a copy-on-write page can be mended. */
	if ((fsc & 0x3c) == 0x0c && !write)
		return false;
	return tf->far < USER_TOP && vs != NULL && vmspace_fault(vs, tf->far, write) == 0;
}

/* Every exception from EL0: system calls, faults, interrupts. */
static void
user_trap(struct trap_frame *tf, enum trap_kind kind)
{
	struct thread *t = thread_current();

	t->utf = tf;
	/* TBI0: a tagged user pointer faults as the address it names (tag cleared). */
	if (kind == TRAP_EL0_64_SYNC && !(tf->far & (1UL << 55)))
		tf->far &= (1UL << 56) - 1;
	if (kind == TRAP_EL0_64_IRQ) {
		hal_irq_dispatch();
	} else if (kind == TRAP_EL0_64_SYNC) {
		hal_irq_enable();
		if (ESR_EC(tf->esr) == EC_SVC64) {
			if (t->proc->personality != NULL)
				syscall_personality(tf, LABEL_SYSCALL);
			else
				syscall_native(tf);
		} else if (!user_fault_resolved(tf)) {
			if (t->proc->personality != NULL)
				syscall_personality(tf, LABEL_FAULT);
			else
				user_crash(tf, kind);
		}
		hal_irq_save();		/* trap_return runs with interrupts masked */
	} else {
		user_crash(tf, kind);
	}
	sched_irq_exit();
	/* thread_interrupt: its personality sees the thread stopped here. */
	while (__atomic_exchange_n(&t->interrupt, false, __ATOMIC_ACQ_REL) &&
	    t->proc->personality != NULL && !t->killed) {
		hal_irq_enable();
		syscall_personality(tf, LABEL_INTERRUPT);
		hal_irq_save();
	}
	if (t->killed) {
		hal_irq_enable();
		process_thread_exit();
	}
}

void
trap_handler(struct trap_frame *tf, enum trap_kind kind)
{
	uint64_t fixup;

	/* FP/SIMD is switched lazily: the first use after a switch lands here. */
	if ((kind == TRAP_EL0_64_SYNC || kind == TRAP_EL1H_SYNC) &&
	    ESR_EC(tf->esr) == EC_FP_ACCESS) {
		sched_fp_trap();
		return;
	}
	if (kind >= TRAP_EL0_64_SYNC) {
		user_trap(tf, kind);
		return;
	}

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

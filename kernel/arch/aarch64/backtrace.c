/*
 * Frame-pointer unwinding. The kernel is built with frame pointers, so x29
 * points at a frame record {caller's x29, return address}; records sit at
 * increasing addresses as we walk towards the stack's top.
 */
#include <arch/memlayout.h>
#include <kernel.h>
#include <cpu.h>

#define BACKTRACE_MAX	32

extern char boot_stack_top[];

/* Only read records inside the boot stack: a corrupt fp must not fault. */
static int
frame_ok(uint64_t fp, uint64_t prev)
{
	uint64_t top = this_cpu() && this_cpu()->stack_top ?
	    this_cpu()->stack_top : (uint64_t)boot_stack_top;
	uint64_t bottom = top - BOOT_STACK_SIZE;

	return fp >= bottom && fp <= top - 16 && (fp & 7) == 0 && fp > prev;
}

void
backtrace_print(uint64_t pc, uint64_t lr, uint64_t fp)
{
	uint64_t prev = 0, off;
	int i = 1;

	kprintf("Backtrace:\n");
	kprintf("  #0  0x%016lx  %s\n", pc, ksym_format(pc));
	/*
	 * A PC outside the kernel's text (a jump to a bad address) has no
	 * frame of its own: the caller is in the link register.
	 */
	if (lr != 0 && ksym_lookup(pc, &off) == NULL) {
		kprintf("  #1  0x%016lx  %s (from LR)\n", lr - 4, ksym_format(lr - 4));
		i = 2;
	}
	for (; i < BACKTRACE_MAX && fp != 0; i++) {
		const uint64_t *rec;

		if (!frame_ok(fp, prev)) {
			kprintf("  (frame pointer 0x%lx outside the stack)\n", fp);
			return;
		}
		rec = (const uint64_t *)fp;
		if (rec[1] == 0)
			return;
		/* The return address points after the call: name the call. */
		kprintf("  #%-2d 0x%016lx  %s\n", i, rec[1] - 4,
		    ksym_format(rec[1] - 4));
		prev = fp;
		fp = rec[0];
	}
}

/*
 * Fatal errors: panic (a kernel bug, with a backtrace), boot_fail (the
 * machine cannot boot, said plainly), and what happens afterwards, chosen
 * by the lichen.panic= boot argument. Never a silent hang.
 */
#include <kernel.h>

static enum panic_action action = PANIC_POWEROFF;
static int panicking;

void
panic_set_action(enum panic_action a)
{
	action = a;
}

/*
 * A fault while reporting a fault (a console that aborts, a wild frame
 * pointer) must not recurse: the first nesting goes back to the early
 * console to say so, any deeper one powers off without a word.
 */
void
panic_begin(void)
{
	switch (panicking++) {
	case 0:
		console_break_lock();
		return;
	case 1:
		hal_console_emergency();
		kprintf("\nlichen: fault while reporting a fault; powering off\n");
		hal_poweroff();
	default:
		hal_poweroff();
	}
}

__noreturn void
panic_end(void)
{
	switch (action) {
	case PANIC_HALT:
		kprintf("lichen: halted (lichen.panic=halt)\n");
		hal_halt();
	case PANIC_REBOOT:
		kprintf("lichen: rebooting (lichen.panic=reboot)\n");
		hal_reboot();
	case PANIC_POWEROFF:
		break;
	}
	kprintf("lichen: powering off (lichen.panic=poweroff)\n");
	hal_poweroff();
}

__noreturn void
panic(const char *fmt, ...)
{
	const uint64_t *frame;
	va_list ap;

	panic_begin();
	kprintf("\nlichen: panic on CPU %u: ", hal_cpu_index());
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	/* Start at panic's caller: our own frame record names it. */
	frame = __builtin_frame_address(0);
	backtrace_print(frame[1] - 4, 0, frame[0]);
	panic_end();
}

__noreturn void
boot_fail(const char *fmt, ...)
{
	va_list ap;

	panic_begin();
	kprintf("\nlichen: cannot boot: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	panic_end();
}

/*
 * kprintf: formatted output to the console through libkernel's formatter.
 * One lock keeps each message whole when several CPUs print; a panicking
 * CPU stops taking it (the CPU holding it may be the one that faulted).
 * kinfo is the informational kind, which lichen.quiet=1 silences (so that
 * run-qemu.sh -c shows only the command's output).
 */
#include <lichen/fmt.h>
#include <kernel.h>
#include <spinlock.h>

static struct spinlock console_lock = SPINLOCK_INIT;
static volatile int console_unlocked;
static bool console_quiet;	/* written once at boot, before other CPUs run */

static void
console_sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	hal_console_write(s, n);
}

int
kvprintf(const char *fmt, va_list ap)
{
	uint64_t flags;
	int n;

	if (console_unlocked || this_cpu() == NULL)
		return fmt_vformat(console_sink, NULL, fmt, ap);
	flags = spin_lock_irqsave(&console_lock);
	n = fmt_vformat(console_sink, NULL, fmt, ap);
	spin_unlock_irqrestore(&console_lock, flags);
	return n;
}

void
console_write(const char *s, size_t n)
{
	uint64_t flags;

	if (console_unlocked || this_cpu() == NULL) {
		hal_console_write(s, n);
		return;
	}
	flags = spin_lock_irqsave(&console_lock);
	hal_console_write(s, n);
	spin_unlock_irqrestore(&console_lock, flags);
}

void
console_break_lock(void)
{
	console_unlocked = 1;
}

int
kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void
console_set_quiet(bool quiet)
{
	console_quiet = quiet;
}

int
kinfo(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (console_quiet)
		return 0;
	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

/*
 * kprintf: formatted output to the console through libkernel's formatter.
 * Single CPU for now; a console lock arrives with SMP.
 */
#include <lichen/fmt.h>
#include <kernel.h>

static void
console_sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	hal_console_write(s, n);
}

int
kvprintf(const char *fmt, va_list ap)
{
	return fmt_vformat(console_sink, NULL, fmt, ap);
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

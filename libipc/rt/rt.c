/*
 * The native runtime: what every native program (init, the servers, the
 * native tests) gets besides the svc wrappers: its start words, printf to
 * the kernel log, exit, and the helpers the compiler may call.
 */
#include <stdarg.h>
#include <lichen/fmt.h>
#include <lichen/native.h>
#include <lichen/rt.h>
#include <lichen/string.h>

uint64_t native_start_words[3];

uint64_t
native_start_word(unsigned i)
{
	return i < 3 ? native_start_words[i] : 0;
}

__attribute__((noreturn)) void
native_exit(long status)
{
	process_exit(status);
}

int
vprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	log_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* The compiler's stack protector may be on in libraries we link. */
uintptr_t __stack_chk_guard = 0x595e9fbd94fda766UL;

__attribute__((noreturn)) void
__stack_chk_fail(void)
{
	printf("stack smashing detected\n");
	native_exit(-14);
}

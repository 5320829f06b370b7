/*
 * fmt.h - printf-style formatting into a sink or a buffer.
 *
 * Conversions d i u x X o c s p %, flags - + space # 0, field width and
 * precision (both may be *), length modifiers hh h l ll z t j; results
 * match C99 / glibc snprintf, including glibc's "(nil)" for a NULL %p and
 * "(null)" for a NULL %s.  There is no floating point in the kernel: %e %f
 * %g %a, like %n and any other unknown conversion, are copied to the output
 * verbatim and consume no argument.
 */
#ifndef LICHEN_FMT_H
#define LICHEN_FMT_H

#include <stdarg.h>
#include <stddef.h>

#include <lichen/compiler.h>

/*
 * Receives the output in pieces of n bytes (not NUL-terminated); literal
 * text, numbers and padding each arrive in as few calls as practical.
 */
typedef void (*fmt_sink_fn)(void *ctx, const char *s, size_t n);

/*
 * Formats into sink and returns the number of bytes produced, or -1 if
 * that exceeds INT_MAX (the sink still saw all of it).
 */
int fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap)
    __printf(3, 0);

/*
 * C's vsnprintf: writes at most size - 1 bytes and a NUL when size > 0,
 * nothing when size is 0 (buf may then be NULL).  Returns the length the
 * full output would have, so a result >= size means it was truncated.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
    __printf(3, 0);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif /* LICHEN_FMT_H */

/*
 * <lichen/string.h> - the libc string and memory functions libkernel
 * provides: what the compiler emits calls to (memcpy, memset, memmove,
 * memcmp), what libfdt uses, and a few more.  Semantics are C11's (plus
 * BSD strlcpy); see LK_NAME in <lichen/compiler.h> for the names.
 */
#ifndef LICHEN_STRING_H
#define LICHEN_STRING_H

#include <stddef.h>

#include <lichen/compiler.h>

#ifdef LK_HOST
/*
 * On the host the standard names stay the C library's: kernel code built
 * for unit tests (which calls strlen, memcpy...) gets the host's own.
 */
#include <string.h>
#endif

void *LK_NAME(memcpy)(void *restrict dst, const void *restrict src, size_t n);
void *LK_NAME(memmove)(void *dst, const void *src, size_t n);
void *LK_NAME(memset)(void *dst, int c, size_t n);
int LK_NAME(memcmp)(const void *a, const void *b, size_t n);
void *LK_NAME(memchr)(const void *s, int c, size_t n);

size_t LK_NAME(strlen)(const char *s);
size_t LK_NAME(strnlen)(const char *s, size_t maxlen);
int LK_NAME(strcmp)(const char *a, const char *b);
int LK_NAME(strncmp)(const char *a, const char *b, size_t n);
char *LK_NAME(strchr)(const char *s, int c);
char *LK_NAME(strrchr)(const char *s, int c);

/*
 * Copies at most size - 1 bytes of src into dst and NUL-terminates it
 * (when size > 0).  Returns strlen(src): truncation happened if >= size.
 */
size_t LK_NAME(strlcpy)(
    char *restrict dst, const char *restrict src, size_t size);

/*
 * C's strtoul for bases 0 and 2..36: leading white space, an optional sign,
 * a 0x prefix for base 16 (and 0 or 0x choosing the base under 0).  On
 * overflow returns ULONG_MAX; there is no errno.  Any other base returns 0
 * with *endptr = nptr.
 */
unsigned long LK_NAME(strtoul)(
    const char *restrict nptr, char **restrict endptr, int base);

#endif /* LICHEN_STRING_H */

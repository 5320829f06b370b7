/*
 * string.c - memory and string functions with libc's names and semantics.
 *
 * In the kernel these are the real memcpy, memset, ... that gcc's generated
 * code and libfdt call; host builds rename them lk_* (see LK_NAME).  The
 * kernel runs with -mstrict-align, so the word-at-a-time paths are taken
 * only when source and destination can both be word aligned, and the build
 * uses -fno-tree-loop-distribute-patterns so gcc does not turn these loops
 * back into calls to themselves.
 */
#include <stdbool.h>
#include <stdint.h>

#include <lichen/string.h>

/* A word that may alias any object, so copying through it is well defined. */
typedef uint64_t __attribute__((__may_alias__)) word_t;

#define WORD_SIZE    sizeof(word_t)
#define WORD_MASK    (WORD_SIZE - 1)
#define LK_ULONG_MAX (__LONG_MAX__ * 2UL + 1UL)

static bool
both_alignable(const void *a, const void *b)
{
	return (((uintptr_t)a ^ (uintptr_t)b) & WORD_MASK) == 0;
}

/* Copies low to high; safe for overlap when dst is below src. */
static void
copy_forward(unsigned char *d, const unsigned char *s, size_t n)
{
	if (both_alignable(d, s)) {
		for (; n > 0 && ((uintptr_t)d & WORD_MASK) != 0; n--)
			*d++ = *s++;
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			*(word_t *)d = *(const word_t *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
		}
	}
	for (; n > 0; n--)
		*d++ = *s++;
}

/* Copies high to low; safe for overlap when dst is above src. */
static void
copy_backward(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (both_alignable(d, s)) {
		for (; n > 0 && ((uintptr_t)d & WORD_MASK) != 0; n--)
			*--d = *--s;
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	for (; n > 0; n--)
		*--d = *--s;
}

void *
LK_NAME(memcpy)(void *restrict dst, const void *restrict src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

void *
LK_NAME(memmove)(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	if (d - s >= n) /* dst below src, or no overlap */
		copy_forward(dst, src, n);
	else
		copy_backward(dst, src, n);
	return dst;
}

void *
LK_NAME(memset)(void *dst, int c, size_t n)
{
	unsigned char *d = dst, b = (unsigned char)c;
	word_t pattern = b * UINT64_C(0x0101010101010101);

	for (; n > 0 && ((uintptr_t)d & WORD_MASK) != 0; n--)
		*d++ = b;
	for (; n >= WORD_SIZE; n -= WORD_SIZE) {
		*(word_t *)d = pattern;
		d += WORD_SIZE;
	}
	for (; n > 0; n--)
		*d++ = b;
	return dst;
}

int
LK_NAME(memcmp)(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n > 0; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
	}
	return 0;
}

void *
LK_NAME(memchr)(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n > 0; n--, p++) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

size_t
LK_NAME(strlen)(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return (size_t)(p - s);
}

size_t
LK_NAME(strnlen)(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n] != '\0')
		n++;
	return n;
}

int
LK_NAME(strcmp)(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p != '\0' && *p == *q) {
		p++;
		q++;
	}
	return *p - *q;
}

int
LK_NAME(strncmp)(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n > 0; n--, p++, q++) {
		if (*p != *q || *p == '\0')
			return *p - *q;
	}
	return 0;
}

char *
LK_NAME(strchr)(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}

char *
LK_NAME(strrchr)(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (*s == '\0')
			return (char *)last;
	}
}

size_t
LK_NAME(strlcpy)(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = LK_NAME(strlen)(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		copy_forward(
		    (unsigned char *)dst, (const unsigned char *)src, n);
		dst[n] = '\0';
	}
	return len;
}

static bool
is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* The value of c as a digit in bases up to 36, or 36 if it is none. */
static unsigned
digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'z')
		return (unsigned)(c - 'a' + 10);
	if (c >= 'A' && c <= 'Z')
		return (unsigned)(c - 'A' + 10);
	return 36;
}

/*
 * Skips a 0x prefix where base allows one and settles base 0.  A "0x" not
 * followed by a hex digit is just the number 0 followed by an 'x'.
 */
static const char *
skip_base_prefix(const char *s, int *base)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
		   digit_value(s[2]) < 16;

	if ((*base == 0 || *base == 16) && hex) {
		*base = 16;
		return s + 2;
	}
	if (*base == 0)
		*base = s[0] == '0' ? 8 : 10;
	return s;
}

unsigned long
LK_NAME(strtoul)(const char *restrict nptr, char **restrict endptr, int base)
{
	const char *s = nptr, *digits;
	unsigned long value = 0;
	bool negative = false, overflow = false;
	unsigned d;

	if (base < 0 || base == 1 || base > 36) {
		if (endptr != NULL)
			*endptr = (char *)nptr;
		return 0;
	}
	while (is_space(*s))
		s++;
	if (*s == '+' || *s == '-')
		negative = *s++ == '-';
	s = digits = skip_base_prefix(s, &base);
	for (; (d = digit_value(*s)) < (unsigned)base; s++) {
		/* Keep consuming digits after overflow, as C requires. */
		if (value > (LK_ULONG_MAX - d) / (unsigned)base)
			overflow = true;
		else
			value = value * (unsigned)base + d;
	}
	if (endptr != NULL)
		*endptr = (char *)(s == digits ? nptr : s);
	if (overflow)
		return LK_ULONG_MAX;
	return negative ? -value : value;
}

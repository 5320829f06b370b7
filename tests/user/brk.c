/*
 * brk: the program break, compared with Linux. brk(0) reads it, growing
 * by a page and by a megabyte gives zeroed memory that can be written,
 * shrinking frees it (a regrown page is zero again), a break below the
 * start of the heap is refused (the old break comes back), and sbrk's
 * view matches. Addresses are never printed, only their differences.
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linuxtest.h"

static uintptr_t
kbrk(uintptr_t to)
{
	return (uintptr_t)syscall(SYS_brk, to);
}

static int
all_zero(const unsigned char *p, long n)
{
	for (long i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

int
main(void)
{
	uintptr_t start = kbrk(0), cur;
	unsigned char *p;

	expect("brk(0) twice the same", kbrk(0) == start);
	cur = kbrk(start + 4096);
	say("grow by 4096: moved by %ld", (long)(cur - start));
	p = (unsigned char *)start;
	expect("the new page is zero", all_zero(p, 4096));
	memset(p, 0xab, 4096);
	cur = kbrk(start + (1 << 20));
	say("grow to 1 MiB: moved by %ld", (long)(cur - start));
	expect("the rest is zero", all_zero(p + 4096, (1 << 20) - 4096));
	expect("the first page kept", p[100] == 0xab);
	memset(p, 0x5a, 1 << 20);
	cur = kbrk(start + 4096);
	say("shrink to 4096: at %ld", (long)(cur - start));
	cur = kbrk(start + 8192);
	say("grow to 8192: at %ld", (long)(cur - start));
	expect("the first page still kept", p[4095] == 0x5a);
	expect("the regrown page is zero", all_zero(p + 4096, 4096));
	cur = kbrk(start + 100);
	say("brk(start + 100): at %ld", (long)(cur - start));
	cur = kbrk(start - (64 << 20));
	say("brk(64 MiB below the start): at %ld", (long)(cur - start));
	cur = kbrk(1);
	say("brk(1): at %ld", (long)(cur - start));
	kbrk(start);
	say("back to the start: at %ld", (long)(kbrk(0) - start));
	return 0;
}

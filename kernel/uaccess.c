/*
 * User copies: range checks in C, then the arch's fault-tolerant loops
 * (arch/aarch64/uaccess.S), whose faults the trap handler resolves through
 * the exception-fixup table kept here.
 */
#include <lichen/errno.h>
#include <lichen/extable.h>
#include <uaccess.h>

extern struct extable_entry __ex_table_start[], __ex_table_end[];

size_t arch_copy_from_user(void *dst, uint64_t src, size_t n);
size_t arch_copy_to_user(uint64_t dst, const void *src, size_t n);
long arch_strncpy_from_user(char *dst, uint64_t src, size_t n);

/* Whether [addr, addr + n) lies entirely in user space. */
static int
user_range_ok(uint64_t addr, size_t n)
{
	return addr < USER_TOP && n <= USER_TOP - addr;
}

int
copy_from_user(void *dst, uvaddr_t src, size_t n)
{
	if (!user_range_ok(uva_val(src), n))
		return -EFAULT;
	return arch_copy_from_user(dst, uva_val(src), n) == 0 ? 0 : -EFAULT;
}

int
copy_to_user(uvaddr_t dst, const void *src, size_t n)
{
	if (!user_range_ok(uva_val(dst), n))
		return -EFAULT;
	return arch_copy_to_user(uva_val(dst), src, n) == 0 ? 0 : -EFAULT;
}

long
strncpy_from_user(char *dst, uvaddr_t src, size_t n)
{
	uint64_t a = uva_val(src);
	long r;

	/* The string may end before USER_TOP: clip n, and fault beyond. */
	if (a >= USER_TOP)
		return -EFAULT;
	r = arch_strncpy_from_user(dst, a, n < USER_TOP - a ? n : USER_TOP - a);
	if (r < 0 || ((size_t)r == USER_TOP - a && r < (long)n))
		return -EFAULT;
	return r;
}

void
uaccess_init(void)
{
	extable_sort(__ex_table_start, (size_t)(__ex_table_end - __ex_table_start));
}

uint64_t
uaccess_fixup(uint64_t pc)
{
	return extable_search(__ex_table_start,
	    (size_t)(__ex_table_end - __ex_table_start), pc);
}

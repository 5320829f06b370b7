/*
 * In-kernel self tests, chosen by lichen.selftest=NAME[,NAME...] and run
 * at boot; each prints "selftest NAME: all N checks passed" or one line
 * per failed check. tests/qemu runs them.
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#include <kernel.h>
#include <uaccess.h>
#include "cmdline.h"
#include "selftest.h"

struct check_state {
	const char *name;
	unsigned run, failed;
};

static void
check(struct check_state *st, bool ok, const char *what, long got)
{
	st->run++;
	if (!ok) {
		st->failed++;
		kprintf("selftest %s: FAIL: %s (got %ld)\n", st->name, what, got);
	}
}

#define UVA_RW	0x400000UL	/* user read-write */
#define UVA_RO	0x402000UL	/* user read-only (0x401000 stays unmapped) */
#define UVA_K	0x404000UL	/* mapped, but for the kernel only */

static uint8_t page_rw[4096] __attribute__((aligned(4096)));
static uint8_t page_ro[4096] __attribute__((aligned(4096)));
static uint8_t page_k[4096] __attribute__((aligned(4096)));

static void
uaccess_copies(struct check_state *st)
{
	char buf[16];
	long r;

	r = copy_to_user(uva(UVA_RW + 100), "hello", 6);
	check(st, r == 0 && memcmp(page_rw + 100, "hello", 6) == 0,
	    "copy_to_user to a user page", r);
	memset(buf, 0, sizeof(buf));
	r = copy_from_user(buf, uva(UVA_RW + 100), 6);
	check(st, r == 0 && memcmp(buf, "hello", 6) == 0,
	    "copy_from_user from a user page", r);
	r = copy_from_user(buf, uva(UVA_RO), 8);
	check(st, r == 0, "copy_from_user from a read-only user page", r);
	r = copy_to_user(uva(UVA_RO), "x", 1);
	check(st, r == -EFAULT, "copy_to_user to a read-only page is -EFAULT", r);
	r = copy_from_user(buf, uva(UVA_K), 8);
	check(st, r == -EFAULT, "a kernel-only page is -EFAULT", r);
	r = copy_from_user(buf, uva(UVA_RW + 4096 - 4), 8);
	check(st, r == -EFAULT, "a copy running into an unmapped page is -EFAULT", r);
	r = copy_from_user(buf, uva(0x1000), 1);
	check(st, r == -EFAULT, "an unmapped address is -EFAULT", r);
	r = copy_from_user(buf, uva((uint64_t)page_rw), 1);
	check(st, r == -EFAULT, "a kernel address is -EFAULT", r);
	r = copy_to_user(uva(USER_TOP - 1), buf, 2);
	check(st, r == -EFAULT, "a range crossing USER_TOP is -EFAULT", r);
	r = copy_from_user(buf, uva(UINT64_MAX - 2), 8);
	check(st, r == -EFAULT, "a wrapping range is -EFAULT", r);
	r = copy_from_user(buf, uva(0x1000), 0);
	check(st, r == 0, "a zero-length copy touches nothing", r);
}

static void
uaccess_strings(struct check_state *st)
{
	char buf[16];
	long r;

	memcpy(page_rw + 200, "lichen", 7);
	r = strncpy_from_user(buf, uva(UVA_RW + 200), sizeof(buf));
	check(st, r == 6 && strcmp(buf, "lichen") == 0,
	    "strncpy_from_user copies a string", r);
	r = strncpy_from_user(buf, uva(UVA_RW + 200), 3);
	check(st, r == 3, "strncpy_from_user stops at n", r);
	memset(page_rw + 4096 - 4, 'a', 4);
	r = strncpy_from_user(buf, uva(UVA_RW + 4096 - 4), sizeof(buf));
	check(st, r == -EFAULT, "a string running into an unmapped page is -EFAULT", r);
	r = strncpy_from_user(buf, uva(UVA_K), sizeof(buf));
	check(st, r == -EFAULT, "a string in a kernel-only page is -EFAULT", r);
	r = strncpy_from_user(buf, uva(USER_TOP + 8), sizeof(buf));
	check(st, r == -EFAULT, "a string above USER_TOP is -EFAULT", r);
}

static void
selftest_uaccess(struct check_state *st)
{
	if (hal_test_user_map(UVA_RW, page_rw, HAL_TEST_USER_RW) != 0 ||
	    hal_test_user_map(UVA_RO, page_ro, HAL_TEST_USER_RO) != 0 ||
	    hal_test_user_map(UVA_K, page_k, HAL_TEST_KERNEL_ONLY) != 0) {
		check(st, false, "mapping the test pages", -ENOMEM);
		return;
	}
	uaccess_copies(st);
	uaccess_strings(st);
	hal_test_user_unmap_all();
}

static const struct {
	const char *name;
	void (*run)(struct check_state *);
} selftests[] = {
	{ "uaccess", selftest_uaccess },
};

/* Whether name is one of the comma-separated words in list[0..len). */
static bool
listed(const char *list, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && list[j] != ',')
			j++;
		if (j - i == n && memcmp(list + i, name, n) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

void
selftests_run(const char *bootargs)
{
	size_t len;
	const char *list = cmdline_get(bootargs, "lichen.selftest", &len);

	if (list == NULL)
		return;
	for (size_t i = 0; i < sizeof(selftests) / sizeof(selftests[0]); i++) {
		struct check_state st = { selftests[i].name, 0, 0 };

		if (!listed(list, len, st.name))
			continue;
		selftests[i].run(&st);
		if (st.failed == 0)
			kprintf("selftest %s: all %u checks passed\n", st.name, st.run);
		else
			kprintf("selftest %s: %u of %u checks failed\n", st.name,
			    st.failed, st.run);
	}
}

/*
 * test_linuxemu_trace.c - servers/linuxemu/trace.c: calls print as strace
 * prints them, read from a fake address space (a host buffer at FAKE_BASE
 * whose peek fails anywhere else, and checks it is never asked to cross a
 * page); the table covers every aarch64 system call once.
 */
#include <errno.h>
#include <string.h>

#include "../../servers/linuxemu/trace.h"
#include "unit.h"

#define FAKE_BASE	0x10000UL
#define FAKE_SIZE	0x3000UL
#define PAGE		4096UL
#define BAD		0xdead0000UL

static uint8_t fake[FAKE_SIZE];
static int peeks;

static long
fake_peek(void *ctx, uint64_t uva, void *buf, size_t len)
{
	ck_assert_ptr_eq(ctx, fake);
	ck_assert_uint_gt(len, 0);
	ck_assert_uint_eq(uva / PAGE, (uva + len - 1) / PAGE);
	peeks++;
	if (uva < FAKE_BASE || uva > FAKE_BASE + FAKE_SIZE ||
	    len > FAKE_BASE + FAKE_SIZE - uva)
		return -EFAULT;
	memcpy(buf, fake + (uva - FAKE_BASE), len);
	return 0;
}

/* Places n bytes at offset off of the fake memory; returns their address. */
static uint64_t
place(uint64_t off, const void *p, size_t n)
{
	ck_assert_uint_le(off + n, FAKE_SIZE);
	memcpy(fake + off, p, n);
	return FAKE_BASE + off;
}

static uint64_t
place_str(uint64_t off, const char *s)
{
	return place(off, s, strlen(s) + 1);
}

static char out[512];

static const char *
trace(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
    uint64_t a4, uint64_t a5, long r)
{
	const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	size_t n = lx_trace_format(out, sizeof(out), nr, a, r, fake_peek, fake);

	ck_assert_uint_eq(n, strlen(out));
	return out;
}

#define T(nr, a0, a1, a2, a3, r) trace(nr, a0, a1, a2, a3, 0, 0, r)

START_TEST(write_shows_the_data)
{
	uint64_t s = place(0, "hello\n", 6);

	ck_assert_str_eq(T(64, 1, s, 6, 0, 6), "write(1, \"hello\\n\", 6) = 6");
}
END_TEST

START_TEST(escapes_as_strace)
{
	/* \1 before a non-digit is short; \0 before '7' takes three digits. */
	static const uint8_t data[] = { 'a', '"', 'b', '\\', 'c', '\t', 1, 0,
		'7', 0x80, '\r', 0x7f };
	uint64_t s = place(0, data, sizeof(data));

	ck_assert_str_eq(T(64, 2, s, sizeof(data), 0, 12),
	    "write(2, \"a\\\"b\\\\c\\t\\1\\0007\\200\\r\\177\", 12) = 12");
}
END_TEST

START_TEST(strings_stop_at_32)
{
	uint64_t p32 = place_str(0, "/0123456789abcdef0123456789abcde");
	uint64_t p33 = place_str(64, "/0123456789abcdef0123456789abcdef");

	ck_assert_str_eq(T(56, -100, p32, 0, 0, 3),
	    "openat(AT_FDCWD, \"/0123456789abcdef0123456789abcde\", O_RDONLY) = 3");
	ck_assert_str_eq(T(56, -100, p33, 0, 0, 3),
	    "openat(AT_FDCWD, \"/0123456789abcdef0123456789abcde\"..., O_RDONLY) = 3");
}
END_TEST

START_TEST(buffers_stop_at_32)
{
	char big[100];

	memset(big, 'x', sizeof(big));
	ck_assert_str_eq(T(64, 1, place(0, big, sizeof(big)), 100, 0, 100),
	    "write(1, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"..., 100) = 100");
}
END_TEST

START_TEST(bad_pointers_print_raw)
{
	ck_assert_str_eq(T(56, -100, BAD, 0, 0, -EFAULT),
	    "openat(AT_FDCWD, 0xdead0000, O_RDONLY) = -1 EFAULT (Bad address)");
	ck_assert_str_eq(T(64, 1, BAD, 5, 0, -EFAULT),
	    "write(1, 0xdead0000, 5) = -1 EFAULT (Bad address)");
	ck_assert_str_eq(T(56, 3, 0, 0, 0, -EFAULT),
	    "openat(3, NULL, O_RDONLY) = -1 EFAULT (Bad address)");
	/* No peek at all: every pointer is raw. */
	const uint64_t a[6] = { 1, FAKE_BASE, 1 };
	lx_trace_format(out, sizeof(out), 64, a, 1, NULL, NULL);
	ck_assert_str_eq(out, "write(1, 0x10000, 1) = 1");
}
END_TEST

START_TEST(strings_at_the_edge_of_memory)
{
	/* Ends (NUL included) at the last readable byte. */
	uint64_t ok = place_str(FAKE_SIZE - 6, "tail!"), edge;

	ck_assert_str_eq(T(49, ok, 0, 0, 0, 0), "chdir(\"tail!\") = 0");
	/* No NUL before memory ends: strace prints the pointer. */
	edge = place(FAKE_SIZE - 3, "abc", 3);
	ck_assert_str_eq(T(49, edge, 0, 0, 0, -ENOENT),
	    "chdir(0x12ffd) = -1 ENOENT (No such file or directory)");
	/* Across a page boundary inside memory, a page at a time. */
	ok = place_str(PAGE - 2, "page");
	peeks = 0;
	ck_assert_str_eq(T(49, ok, 0, 0, 0, 0), "chdir(\"page\") = 0");
	ck_assert_int_eq(peeks, 2);
}
END_TEST

START_TEST(errors)
{
	uint64_t x = place_str(0, "/x");

	ck_assert_str_eq(T(56, -100, x, 0, 0, -ENOENT),
	    "openat(AT_FDCWD, \"/x\", O_RDONLY) = -1 ENOENT (No such file or directory)");
	ck_assert_str_eq(T(57, 9, 0, 0, 0, -EBADF),
	    "close(9) = -1 EBADF (Bad file descriptor)");
	ck_assert_str_eq(T(57, 9, 0, 0, 0, -41),
	    "close(9) = -1 ERRNO_41 (Unknown error 41)");
	ck_assert_str_eq(T(57, 9, 0, 0, 0, -4095),
	    "close(9) = -1 ERRNO_4095 (Unknown error 4095)");
	ck_assert_str_eq(T(57, 9, 0, 0, 0, -4096), "close(9) = -4096");
}
END_TEST

START_TEST(errno_table_is_glibcs)
{
	for (long e = 1; e <= 133; e++) {
		if (e == 41 || e == 58) {
			ck_assert_ptr_null(lx_trace_errno_name(e));
			continue;
		}
		ck_assert_msg(lx_trace_errno_name(e) != NULL, "errno %ld", e);
		ck_assert_str_eq(lx_trace_errno_msg(e), strerror((int)e));
	}
	ck_assert_ptr_null(lx_trace_errno_name(0));
	ck_assert_ptr_null(lx_trace_errno_name(134));
	ck_assert_str_eq(lx_trace_errno_name(EAGAIN), "EAGAIN");
	ck_assert_str_eq(lx_trace_errno_name(ENOSYS), "ENOSYS");
	ck_assert_str_eq(lx_trace_errno_name(EOVERFLOW), "EOVERFLOW");
	ck_assert_str_eq(lx_trace_errno_name(ETIMEDOUT), "ETIMEDOUT");
	ck_assert_str_eq(lx_trace_errno_name(EHWPOISON), "EHWPOISON");
}
END_TEST

START_TEST(open_flags)
{
	uint64_t x = place_str(0, "/x");

	ck_assert_str_eq(T(56, -100, x, 0x80000000, 0, -EINVAL),
	    "openat(AT_FDCWD, \"/x\", O_RDONLY|0x80000000) = -1 EINVAL (Invalid argument)");
	ck_assert_str_eq(T(56, -100, x, 01101, 0644, 3),
	    "openat(AT_FDCWD, \"/x\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 3");
	ck_assert_str_eq(T(56, 5, x, 02044002, 0, 4),
	    "openat(5, \"/x\", O_RDWR|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY) = 4");
	ck_assert_str_eq(T(56, -100, x, 020040002, 0600, 4),
	    "openat(AT_FDCWD, \"/x\", O_RDWR|O_TMPFILE, 0600) = 4");
	ck_assert_str_eq(T(56, -100, x, 04010001, 0, 4),
	    "openat(AT_FDCWD, \"/x\", O_WRONLY|O_SYNC) = 4");
	/* An int argument is the register's low half, whatever is above. */
	ck_assert_str_eq(T(56, -100, x, 0xdead000000000040, 0644, 3),
	    "openat(AT_FDCWD, \"/x\", O_RDONLY|O_CREAT, 0644) = 3");
	ck_assert_str_eq(T(24, 3, 4, 02000000, 0, 4), "dup3(3, 4, O_CLOEXEC) = 4");
	ck_assert_str_eq(T(24, 3, 4, 0, 0, 4), "dup3(3, 4, 0) = 4");
	ck_assert_str_eq(T(35, -100, x, 0x200, 0, 0),
	    "unlinkat(AT_FDCWD, \"/x\", AT_REMOVEDIR) = 0");
	ck_assert_str_eq(T(79, 1, place_str(8, ""), 0x40, 0x1000, 0),
	    "newfstatat(1, \"\", 0x40, AT_EMPTY_PATH) = 0");
	ck_assert_str_eq(T(166, 022, 0, 0, 0, 0), "umask(022) = 000");
}
END_TEST

START_TEST(mmap_and_brk)
{
	ck_assert_str_eq(trace(222, 0, 8192, 3, 0x22, -1, 0, 0x7f0000000000),
	    "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
	    " = 0x7f0000000000");
	ck_assert_str_eq(trace(222, 0x400000, 4096, 0, 0x100002, 3, 0x1000, -ENOMEM),
	    "mmap(0x400000, 4096, PROT_NONE, MAP_PRIVATE|MAP_FIXED_NOREPLACE, 3, 0x1000)"
	    " = -1 ENOMEM (Cannot allocate memory)");
	ck_assert_str_eq(trace(222, 0, 4096, 0x41, 0x80000001, -1, 0, 0x1000),
	    "mmap(NULL, 4096, PROT_READ|0x40, MAP_SHARED|0x80000000, -1, 0) = 0x1000");
	ck_assert_str_eq(T(214, 0, 0, 0, 0, 0x4a0000), "brk(NULL) = 0x4a0000");
	ck_assert_str_eq(T(226, 0x400000, 4096, 5, 0, 0),
	    "mprotect(0x400000, 4096, PROT_READ|PROT_EXEC) = 0");
}
END_TEST

START_TEST(execve_argv)
{
	uint64_t sh = place_str(0, "/bin/sh"), s0 = place_str(16, "sh");
	uint64_t s1 = place_str(24, "-c"), s2 = place_str(32, "x");
	uint64_t argv[] = { s0, s1, s2, 0 }, envp[] = { s0, s1, s2, 0 };
	uint64_t av = place(64, argv, sizeof(argv)), ev = place(128, envp, sizeof(envp));
	uint64_t bad[] = { s0, BAD, 0 }, bv = place(192, bad, sizeof(bad));

	ck_assert_str_eq(T(221, sh, av, ev, 0, LX_TRACE_DONE),
	    "execve(\"/bin/sh\", [\"sh\", \"-c\", \"x\"], 0x10080 /* 3 vars */) = ?");
	ck_assert_str_eq(T(221, sh, bv, 0, 0, -ENOENT),
	    "execve(\"/bin/sh\", [\"sh\", 0xdead0000], NULL)"
	    " = -1 ENOENT (No such file or directory)");
	ck_assert_str_eq(T(221, sh, BAD, BAD, 0, -EFAULT),
	    "execve(\"/bin/sh\", 0xdead0000, 0xdead0000) = -1 EFAULT (Bad address)");
	/* An array that runs into unreadable memory, no NULL seen. */
	uint64_t tail = place(FAKE_SIZE - 16, argv, 16);
	ck_assert_str_eq(T(221, sh, tail, tail, 0, -EFAULT),
	    "execve(\"/bin/sh\", 0x12ff0, 0x12ff0) = -1 EFAULT (Bad address)");
}
END_TEST

START_TEST(long_argv_is_cut)
{
	uint64_t argv[41], s = place_str(0, "a");

	for (int i = 0; i < 40; i++)
		argv[i] = s;
	argv[40] = 0;
	uint64_t av = place(64, argv, sizeof(argv));
	T(221, s, av, av, 0, -ENOENT);
	ck_assert_ptr_nonnull(strstr(out, "\"a\", \"a\", ...], 0x10040 /* 40 vars */)"));
}
END_TEST

START_TEST(deferred_and_no_return)
{
	int64_t one_sec[2] = { 1, 0 };
	uint64_t ts = place(0, one_sec, sizeof(one_sec));

	ck_assert_str_eq(T(101, ts, 0, 0, 0, LX_TRACE_DEFERRED),
	    "nanosleep({tv_sec=1, tv_nsec=0}, NULL) = ? <deferred>");
	ck_assert_str_eq(T(115, 1, 0, ts, 0, LX_TRACE_DEFERRED),
	    "clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=1, tv_nsec=0}, NULL)"
	    " = ? <deferred>");
	ck_assert_str_eq(T(94, 3, 0, 0, 0, 0), "exit_group(3) = ?");
	ck_assert_str_eq(T(93, 0, 0, 0, 0, LX_TRACE_DONE), "exit(0) = ?");
	/* A deferred read has no data yet. */
	ck_assert_str_eq(T(63, 0, FAKE_BASE, 10, 0, LX_TRACE_DEFERRED),
	    "read(0, 0x10000, 10) = ? <deferred>");
}
END_TEST

START_TEST(read_shows_what_was_read)
{
	uint64_t b = place(0, "abcdefgh", 8);

	ck_assert_str_eq(T(63, 0, b, 100, 0, 3), "read(0, \"abc\", 100) = 3");
	ck_assert_str_eq(T(63, 0, b, 100, 0, 0), "read(0, \"\", 100) = 0");
	ck_assert_str_eq(T(63, 7, b, 100, 0, -EBADF),
	    "read(7, 0x10000, 100) = -1 EBADF (Bad file descriptor)");
	ck_assert_str_eq(T(17, place_str(16, "/"), 4096, 0, 0, 2),
	    "getcwd(\"/\", 4096) = 2");
}
END_TEST

START_TEST(iovecs)
{
	uint64_t h = place(0, "hello", 5), n = place(8, "\n", 1);
	uint64_t iov[] = { h, 5, n, 1 }, v = place(16, iov, sizeof(iov));

	ck_assert_str_eq(T(66, 1, v, 2, 0, 6),
	    "writev(1, [{iov_base=\"hello\", iov_len=5}, {iov_base=\"\\n\", iov_len=1}],"
	    " 2) = 6");
	ck_assert_str_eq(T(65, 0, v, 2, 0, 3),
	    "readv(0, [{iov_base=\"hel\", iov_len=5}, {iov_base=\"\", iov_len=1}], 2) = 3");
	ck_assert_str_eq(T(66, 1, BAD, 2, 0, -EFAULT),
	    "writev(1, 0xdead0000, 2) = -1 EFAULT (Bad address)");
}
END_TEST

START_TEST(clone_futex_fcntl)
{
	ck_assert_str_eq(T(220, 0x11, 0, 0, 0, 42), "clone(SIGCHLD, NULL, NULL, NULL, NULL) = 42");
	ck_assert_str_eq(T(220, 0x4111, 0x5000, 0, 0, 43),
	    "clone(CLONE_VM|CLONE_VFORK|SIGCHLD, 0x5000, NULL, NULL, NULL) = 43");
	ck_assert_str_eq(T(97, 0x20000, 0, 0, 0, 0), "unshare(CLONE_NEWNS) = 0");
	ck_assert_str_eq(T(98, FAKE_BASE, 0x81, 1, 0, 0),
	    "futex(0x10000, FUTEX_WAKE_PRIVATE, 1) = 0");
	ck_assert_str_eq(T(98, FAKE_BASE, 0x80, 2, 0, LX_TRACE_DEFERRED),
	    "futex(0x10000, FUTEX_WAIT_PRIVATE, 2, NULL) = ? <deferred>");
	ck_assert_str_eq(trace(98, FAKE_BASE, 0x189, 2, 0, 0, 0xffffffff, 0),
	    "futex(0x10000, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 2, NULL,"
	    " 0xffffffff) = 0");
	ck_assert_str_eq(T(98, FAKE_BASE, 0x7f, 0, 0, -ENOSYS),
	    "futex(0x10000, 0x7f, 0, NULL, NULL, 0) = -1 ENOSYS (Function not implemented)");
	ck_assert_str_eq(T(25, 3, 1, 0, 0, 1), "fcntl(3, F_GETFD) = 1");
	ck_assert_str_eq(T(25, 3, 2, 1, 0, 0), "fcntl(3, F_SETFD, FD_CLOEXEC) = 0");
	ck_assert_str_eq(T(25, 3, 4, 04000, 0, 0), "fcntl(3, F_SETFL, O_RDONLY|O_NONBLOCK) = 0");
	ck_assert_str_eq(T(25, 3, 1030, 10, 0, 10), "fcntl(3, F_DUPFD_CLOEXEC, 10) = 10");
}
END_TEST

START_TEST(small_decoders)
{
	int64_t now[2] = { 5, 7 };
	int32_t fds[2] = { 3, 4 };
	uint64_t ts = place(0, now, sizeof(now)), p = place(16, fds, sizeof(fds));

	ck_assert_str_eq(T(113, 1, ts, 0, 0, 0),
	    "clock_gettime(CLOCK_MONOTONIC, {tv_sec=5, tv_nsec=7}) = 0");
	ck_assert_str_eq(T(113, 99, ts, 0, 0, -EINVAL),
	    "clock_gettime(99, 0x10000) = -1 EINVAL (Invalid argument)");
	ck_assert_str_eq(T(59, p, 02000000, 0, 0, 0), "pipe2([3, 4], O_CLOEXEC) = 0");
	ck_assert_str_eq(T(129, 1, 2, 0, 0, 0), "kill(1, SIGINT) = 0");
	ck_assert_str_eq(T(131, 1, 2, 34, 0, 0), "tgkill(1, 2, SIGRT_2) = 0");
	ck_assert_str_eq(T(129, 1, 0, 0, 0, 0), "kill(1, 0) = 0");
	ck_assert_str_eq(T(260, -1, 0, 3, 0, -ECHILD),
	    "wait4(-1, NULL, WNOHANG|WUNTRACED, NULL) = -1 ECHILD (No child processes)");
	ck_assert_str_eq(T(62, 3, -5, 2, 0, 10), "lseek(3, -5, SEEK_END) = 10");
	ck_assert_str_eq(T(29, 1, 0x5413, FAKE_BASE, 0, -ENOTTY),
	    "ioctl(1, TIOCGWINSZ, 0x10000) = -1 ENOTTY (Inappropriate ioctl for device)");
	ck_assert_str_eq(T(29, 1, 0x1234, 0, 0, -ENOTTY),
	    "ioctl(1, 0x1234, 0) = -1 ENOTTY (Inappropriate ioctl for device)");
	ck_assert_str_eq(T(261, 0, 3, 0, FAKE_BASE, 0),
	    "prlimit64(0, RLIMIT_STACK, NULL, 0x10000) = 0");
	ck_assert_str_eq(T(48, -100, place_str(32, "/x"), 6, 0, 0),
	    "faccessat(AT_FDCWD, \"/x\", R_OK|W_OK) = 0");
	ck_assert_str_eq(T(286, 3, FAKE_BASE, 0, 7, -EINVAL),
	    "preadv2(3, 0x10000, 0, 7, 0) = -1 EINVAL (Invalid argument)");
	ck_assert_str_eq(T(172, 0, 0, 0, 0, 1), "getpid() = 1");
}
END_TEST

START_TEST(unknown_calls_and_truncation)
{
	char small[16];
	const uint64_t a[6] = { 1, 2, 3, 4, 5, 6 };

	ck_assert_str_eq(trace(300, 1, 2, 3, 4, 5, 6, -ENOSYS),
	    "syscall_300(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)");
	ck_assert_uint_eq(lx_trace_format(small, sizeof(small), 64, a, 0, NULL, NULL), 15);
	ck_assert_str_eq(small, "write(1, 0x2, 3");
	ck_assert_uint_eq(lx_trace_format(small, 1, 64, a, 0, NULL, NULL), 0);
	ck_assert_str_eq(small, "");
	ck_assert_uint_eq(lx_trace_format(NULL, 0, 64, a, 0, NULL, NULL), 0);
}
END_TEST

/* Every signature character trace.c knows, for the table check. */
#define SIG_CHARS "dluxp_sbBvVZYtTaeDfoKmPMcSkFCqwWhRAI"

START_TEST(table_covers_every_call_once)
{
	for (size_t i = 0; i < lx_trace_ncalls; i++) {
		const struct lx_trace_call *c = &lx_trace_calls[i];
		const char *ret = strchr(c->sig, '=');
		size_t nargs = ret != NULL ? (size_t)(ret - c->sig) : strlen(c->sig);

		ck_assert_msg(c->name != NULL && c->name[0] != '\0', "entry %zu", i);
		if (i > 0)
			ck_assert_msg(c->nr > lx_trace_calls[i - 1].nr,
			    "%s (%u) after %s", c->name, c->nr, lx_trace_calls[i - 1].name);
		ck_assert_msg(nargs <= 6, "%s", c->name);
		ck_assert_msg(strspn(c->sig, SIG_CHARS) == nargs, "%s: %s", c->name, c->sig);
		if (ret != NULL)
			ck_assert_msg(strchr("xo?", ret[1]) != NULL && ret[2] == '\0', "%s", c->name);
		for (size_t j = 0; j < nargs; j++)
			if (strchr("bv", c->sig[j]) != NULL)
				ck_assert_msg(j + 1 < nargs, "%s: no length after", c->name);
		ck_assert_str_eq(lx_trace_name(c->nr), c->name);
	}
	for (uint64_t nr = 0; nr < 600; nr++) {
		int exists = nr <= 243 || (nr >= 260 && nr <= 294) || (nr >= 424 && nr <= 469);

		ck_assert_msg((lx_trace_name(nr) != NULL) == exists, "nr %lu", nr);
	}
	ck_assert_uint_eq(lx_trace_ncalls, 244 + 35 + 46);
	ck_assert_ptr_null(lx_trace_name(UINT64_MAX));
	ck_assert_str_eq(lx_trace_name(0), "io_setup");
	ck_assert_str_eq(lx_trace_name(56), "openat");
	ck_assert_str_eq(lx_trace_name(221), "execve");
	ck_assert_str_eq(lx_trace_name(435), "clone3");
	ck_assert_str_eq(lx_trace_name(469), "file_setattr");
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("linuxemu-trace");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, write_shows_the_data);
	tcase_add_test(tc, escapes_as_strace);
	tcase_add_test(tc, strings_stop_at_32);
	tcase_add_test(tc, buffers_stop_at_32);
	tcase_add_test(tc, bad_pointers_print_raw);
	tcase_add_test(tc, strings_at_the_edge_of_memory);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, errno_table_is_glibcs);
	tcase_add_test(tc, open_flags);
	tcase_add_test(tc, mmap_and_brk);
	tcase_add_test(tc, execve_argv);
	tcase_add_test(tc, long_argv_is_cut);
	tcase_add_test(tc, deferred_and_no_return);
	tcase_add_test(tc, read_shows_what_was_read);
	tcase_add_test(tc, iovecs);
	tcase_add_test(tc, clone_futex_fcntl);
	tcase_add_test(tc, small_decoders);
	tcase_add_test(tc, unknown_calls_and_truncation);
	tcase_add_test(tc, table_covers_every_call_once);
	suite_add_tcase(s, tc);
	return s;
}

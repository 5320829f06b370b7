/*
 * memtime: anonymous memory (mmap, munmap, mprotect, brk) and time
 * (clock_gettime, clock_getres, nanosleep), results and errors compared
 * with Linux. Only what must be the same is printed: outcomes, not
 * addresses or times.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void
show(const char *what, long ok, int err)
{
	printf("%s: %s%s%s\n", what, ok ? "ok" : "failed", ok ? "" : " errno ",
	    ok ? "" : strerror(err));
}

#define SHOW(what, cond) do { errno = 0; long ok_ = (cond); show(what, ok_, errno); } while (0)

static long
ns_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

int
main(void)
{
	struct timespec t0, t1, res, bad = { 0, 2000000000 }, ten = { 0, 10000000 };
	char *p, *q;
	long cur, next;

	p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SHOW("mmap anonymous", p != MAP_FAILED);
	p[0] = 1, p[8191] = 2;
	SHOW("zeroed and writable", p[1] == 0 && p[0] == 1 && p[8191] == 2);
	SHOW("mprotect read-only", mprotect(p, 4096, PROT_READ) == 0);
	SHOW("munmap", munmap(p, 8192) == 0);
	SHOW("mmap of length 0 (EINVAL)", mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED);
	SHOW("mmap shared and private (EINVAL)", mmap(NULL, 4096, PROT_READ,
	    MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED);
	SHOW("munmap unaligned (EINVAL)", munmap((void *)1, 4096) == 0);
	SHOW("mmap of 2^60 bytes (ENOMEM)", mmap(NULL, 1UL << 60, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED);
	q = mmap((void *)0x200000000UL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	SHOW("mmap MAP_FIXED", q == (char *)0x200000000UL);
	SHOW("mprotect of unmapped memory (ENOMEM)", mprotect((void *)0x300000000UL, 4096, PROT_READ) == 0);
	cur = syscall(SYS_brk, 0);
	next = syscall(SYS_brk, cur + 8192);
	SHOW("brk grows", next == cur + 8192);
	((char *)cur)[8191] = 7;
	SHOW("brk memory writable", ((char *)cur)[8191] == 7);
	SHOW("brk shrinks", syscall(SYS_brk, cur) == cur);
	SHOW("clock_gettime monotonic", clock_gettime(CLOCK_MONOTONIC, &t0) == 0);
	SHOW("nanosleep 10 ms", nanosleep(&ten, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	SHOW("slept at least 10 ms", ns_between(&t0, &t1) >= 10000000);
	SHOW("nanosleep with 2e9 ns (EINVAL)", nanosleep(&bad, NULL) == 0);
	/*
	 * Not here: nanosleep with a bad pointer. Linux says EFAULT (and so
	 * does lichen); qemu-aarch64, our stand-in for Linux, says EINVAL.
	 */
	SHOW("clock_gettime of clock 999 (EINVAL)", syscall(SYS_clock_gettime, 999, &t0) == 0);
	SHOW("clock_getres monotonic is 1 ns", clock_getres(CLOCK_MONOTONIC, &res) == 0 &&
	    res.tv_sec == 0 && res.tv_nsec == 1);
	SHOW("clock_gettime realtime", clock_gettime(CLOCK_REALTIME, &t0) == 0);
	return 0;
}

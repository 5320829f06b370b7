/*
 * mmap2: anonymous memory across processes and its reshaping, compared
 * with Linux. MAP_SHARED memory shared with a child and MAP_PRIVATE
 * memory copied on write (both ways); mremap growing in place,
 * shrinking, moving (MREMAP_MAYMOVE, MREMAP_FIXED) and its errors;
 * madvise(MADV_DONTNEED); munmap of part of a mapping; MAP_FIXED and
 * MAP_FIXED_NOREPLACE over a mapping; mprotect and the SIGSEGV after.
 * memtime.c has the simpler cases.
 *
 * Left out where qemu-aarch64 7.2 answers for itself, not as Linux
 * does: mremap to size 0 (ENOMEM, Linux EINVAL), madvise with a bad
 * advice or an unmapped range (0; Linux EINVAL, ENOMEM), mprotect of an
 * unaligned address (ENOMEM; Linux EINVAL), MAP_FIXED_NOREPLACE over a
 * mapping (maps elsewhere; Linux EEXIST).
 *
 * Whether a page is mapped is probed by reading it under a SIGSEGV
 * handler. Parent and child take turns through a word in MAP_SHARED
 * memory.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

#define PAGE 4096

static sigjmp_buf env;
static siginfo_t fault;

static void
on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	fault = *si;
	siglongjmp(env, 1);
}

/* "rw", "r", or "none": what an access to p finds. */
static const char *
access_of(void *p)
{
	volatile char *c = p;
	char v;

	if (sigsetjmp(env, 1) != 0)
		return "none";
	v = *c;
	if (sigsetjmp(env, 1) != 0)
		return "r";
	*c = v;
	return "rw";
}

static char *
map(size_t len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000};

	nanosleep(&ts, NULL);
}

/* Wait (up to 2 s) for *turn to be want. */
static void
await(volatile int *turn, int want)
{
	for (int i = 0; i < 2000 && *turn != want; i++)
		sleep_ms(1);
}

static int
exit_code(pid_t pid)
{
	int st;

	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
across_fork(void)
{
	volatile int *turn =
	    (volatile int *)map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	volatile int *shared =
	    (volatile int *)map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);
	volatile int *private =
	    (volatile int *)map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *many = map(256 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	pid_t pid;
	long sum = 0;

	*shared = 1;
	*private = 1;
	for (int i = 0; i < 256; i++)
		many[i * PAGE] = (char)i;
	if ((pid = fork()) == 0) {
		int saw_shared = *shared, saw_private;

		*shared = 2;
		*private = 2;
		for (int i = 0; i < 256; i++)
			many[i * PAGE] = 0;
		*turn = 1;
		await(turn, 2);
		saw_private = *private;
		/* exit code: what the child saw of the parent's writes */
		_exit(saw_shared * 100 + *shared * 10 + saw_private);
	}
	await(turn, 1);
	say("parent sees the child's write: MAP_SHARED %d, MAP_PRIVATE %d",
	    *shared, *private);
	for (int i = 0; i < 256; i++)
		sum += many[i * PAGE];
	say("256 private pages the child zeroed: parent's sum %ld", sum);
	*shared = 3;
	*private = 3;
	*turn = 2;
	say("child's reads (before fork shared, after parent wrote shared, "
	    "private): %d",
	    exit_code(pid));
	munmap((void *)turn, PAGE);
	munmap((void *)shared, PAGE);
	munmap((void *)private, PAGE);
	munmap(many, 256 * PAGE);
}

static void
remap(void)
{
	char *p = map(4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE), *q, *r,
	     *dst;

	/* Grow in place into the hole just made. */
	munmap(p + PAGE, 3 * PAGE);
	p[0] = 'a';
	q = mremap(p, PAGE, 4 * PAGE, 0);
	expect("mremap grows in place", q == p);
	say("after growing: first byte %c, new pages %s, last byte %d", q[0],
	    access_of(q + 3 * PAGE), q[4 * PAGE - 1]);
	q = mremap(p, 4 * PAGE, PAGE, 0);
	expect("mremap shrinks in place", q == p);
	say("after shrinking: first page %s, second page %s", access_of(p),
	    access_of(p + PAGE));

	/* Blocked by a mapping just after: ENOMEM unless it may move. */
	r = mmap(p + PAGE, PAGE, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	errno = 0;
	q = mremap(p, PAGE, 2 * PAGE, 0);
	say("mremap grow against a neighbour: %s",
	    q == MAP_FAILED ? errname(errno) : "grew");
	q = mremap(p, PAGE, 8 * PAGE, MREMAP_MAYMOVE);
	expect("MREMAP_MAYMOVE moves it", q != MAP_FAILED && q != p);
	say("moved: first byte %c, old address %s, neighbour %s, new tail %d",
	    q[0], access_of(p), access_of(r), q[8 * PAGE - 1]);

	/* MREMAP_FIXED: to a chosen address, replacing what is there. */
	dst = map(2 * PAGE, PROT_READ, MAP_PRIVATE);
	q[PAGE] = 'b';
	r = mremap(q, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	expect("MREMAP_FIXED lands at the address asked", r == dst);
	say("after MREMAP_FIXED: bytes %c %c, protection %s, old address %s",
	    r[0], r[PAGE], access_of(r), access_of(q));

	errno = 0;
	check("mremap(MREMAP_FIXED without MAYMOVE)",
	    (long)mremap(r, PAGE, PAGE, MREMAP_FIXED, q) == -1 ? -1 : 0);
	check("mremap(unaligned address)",
	    syscall(SYS_mremap, r + 1, PAGE, PAGE, 0, 0));
	check("mremap(unmapped)", syscall(SYS_mremap, p, PAGE, PAGE, 0, 0));
	check("mremap(flags 0x100)",
	    syscall(SYS_mremap, r, PAGE, PAGE, 0x100, 0));
	check("mremap(MREMAP_FIXED onto itself)",
	    syscall(SYS_mremap, r, 2 * PAGE, 2 * PAGE,
		MREMAP_MAYMOVE | MREMAP_FIXED, r + PAGE));
	check("mremap(MREMAP_FIXED, unaligned target)",
	    syscall(SYS_mremap, r, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		q + 1));
	check("mremap(grow to 2^60 bytes, MAYMOVE)",
	    syscall(SYS_mremap, r, PAGE, 1UL << 60, MREMAP_MAYMOVE, 0));
	munmap(r, 2 * PAGE);
}

static void
dontneed(void)
{
	char *priv = map(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *shared = map(PAGE, PROT_READ | PROT_WRITE, MAP_SHARED);

	priv[10] = 5;
	priv[PAGE + 10] = 6;
	shared[10] = 7;
	check("madvise(MADV_DONTNEED) private",
	    madvise(priv, PAGE, MADV_DONTNEED));
	say("private page after: %d, the page after it: %d", priv[10],
	    priv[PAGE + 10]);
	check("madvise(MADV_DONTNEED) shared",
	    madvise(shared, PAGE, MADV_DONTNEED));
	say("shared page after: %d", shared[10]);
	check("madvise(unaligned)", madvise(priv + 1, PAGE, MADV_DONTNEED));
	munmap(priv, 2 * PAGE);
	munmap(shared, PAGE);
}

static void
partial_unmap(void)
{
	char *p = map(3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE), *q;

	p[0] = 1, p[PAGE] = 2, p[2 * PAGE] = 3;
	check("munmap(middle page)", munmap(p + PAGE, PAGE));
	say("pages: %s %s %s, values %d %d", access_of(p), access_of(p + PAGE),
	    access_of(p + 2 * PAGE), p[0], p[2 * PAGE]);
	check("munmap(already unmapped)", munmap(p + PAGE, PAGE));
	check("munmap(length 0)", munmap(p, 0));
	check("munmap(unaligned)", munmap(p + 1, PAGE));
	check("munmap(across the hole)", munmap(p, 3 * PAGE));
	say("pages: %s %s", access_of(p), access_of(p + 2 * PAGE));

	p = map(2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	p[100] = 9;
	q = mmap(p, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	say("MAP_FIXED over a page: same address %s, old contents %d",
	    q == p ? "yes" : "no", p[100]);
	say("the page after it: %s", access_of(p + PAGE));
	munmap(p, 2 * PAGE);
}

static void
protect(void)
{
	char *p = map(PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	p[0] = 4;
	check("mprotect(PROT_READ)", mprotect(p, PAGE, PROT_READ));
	say("access: %s, SIGSEGV %s, si_addr %s, value %d", access_of(p),
	    codename(fault.si_signo, fault.si_code),
	    fault.si_addr == p ? "exact" : "other", p[0]);
	check("mprotect(PROT_NONE)", mprotect(p, PAGE, PROT_NONE));
	say("access: %s, %s", access_of(p),
	    codename(fault.si_signo, fault.si_code));
	check("mprotect(PROT_WRITE)", mprotect(p, PAGE, PROT_WRITE));
	say("access: %s (on arm64 write implies read)", access_of(p));
	check("mprotect(PROT_READ | PROT_WRITE)",
	    mprotect(p, PAGE, PROT_READ | PROT_WRITE));
	say("access: %s, value %d", access_of(p), p[0]);
	check("mprotect(bad protection bits)", mprotect(p, PAGE, 0x100));
	munmap(p, PAGE);
}

int
main(void)
{
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	across_fork();
	remap();
	dontneed();
	partial_unmap();
	protect();
	return 0;
}

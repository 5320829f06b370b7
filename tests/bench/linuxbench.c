/*
 * linuxbench: what common Linux system calls cost, for tests/bench/compare.sh.
 * A static Linux program (musl), the same binary on lichen and on Linux.
 *
 *   linuxbench [-d DIR] [-t MS] [NAME...]   run the benchmarks (all, or NAMEs)
 *   linuxbench boot                         print "boot MS ms": CLOCK_MONOTONIC
 *   linuxbench -l                           list the benchmarks
 *
 * Each benchmark prints one line, "NAME VALUE UNIT" (the time of one
 * operation), or "NAME FAIL REASON" when a call fails or the benchmark
 * dies (each runs in a child process, with a 30 s alarm), and the next
 * one runs all the same. DIR (default /bench) holds the files some of
 * them use: "small" (a few bytes), "big" (1 MiB) and "nop" (a static
 * program that exits 0, tests/bench/nop.c).
 *
 * Timing: CLOCK_MONOTONIC around a loop of N operations, N doubled (or
 * scaled from the last run) until the loop takes at least MS ms
 * (default 100); the last loop's time over N is reported. Under QEMU's
 * -icount shift=0 guest time counts instructions, so there a nanosecond
 * is an instruction.
 *
 * "boot": the guest's time since QEMU started the machine, when it runs
 * (compare.sh runs it as the shell's first command): the virtual counter
 * (CNTVCT_EL0, 0 at reset) over its frequency, where EL0 may read it
 * (Linux lets it: its vDSO does); else CLOCK_MONOTONIC (lichen traps EL0
 * counter reads, SIGILL, and its CLOCK_MONOTONIC is that same counter).
 * Not Linux's CLOCK_MONOTONIC: it starts with its timekeeping, 100 ms of
 * instructions (700 ms of wall time under plain TCG) after the reset.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096
#define BIG_SIZE	(1 << 20)

static const char *dir = "/bench";
static char why[160];		/* a failing benchmark's reason */
static char path_small[256], path_big[256], path_nop[256];

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static sigjmp_buf no_counter;

static void
on_sigill(int sig)
{
	(void)sig;
	siglongjmp(no_counter, 1);
}

/* ns since the machine's reset: the counter if EL0 may read it. */
static double
since_reset_ns(void)
{
	struct sigaction sa;
	unsigned long count, freq;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigill;
	if (sigaction(SIGILL, &sa, NULL) != 0 || sigsetjmp(no_counter, 1) != 0)
		return (double)now_ns();
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(count));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	return (double)count * 1e9 / (double)freq;
}

/* Record why the benchmark failed; the run functions return -1 with it. */
static long long
fail(const char *what)
{
	snprintf(why, sizeof(why), "%s: %s", what, strerror(errno));
	return -1;
}

/* --- the benchmarks: each runs n operations, returns the ns they took --- */

static long long
run_null(long n)
{
	long long t = now_ns();

	for (long i = 0; i < n; i++)
		getppid();
	return now_ns() - t;
}

static long long
run_open(long n)
{
	long long t = now_ns();

	for (long i = 0; i < n; i++) {
		int fd = open(path_small, O_RDONLY);

		if (fd < 0)
			return fail("open");
		close(fd);
	}
	return now_ns() - t;
}

static long long
run_stat(long n)
{
	struct stat st;
	long long t = now_ns();

	for (long i = 0; i < n; i++)
		if (stat(path_small, &st) != 0)
			return fail("stat");
	return now_ns() - t;
}

static long long
run_read_small(long n)
{
	char buf[PAGE];
	int fd = open(path_small, O_RDONLY);
	long long t;
	ssize_t want;

	if (fd < 0)
		return fail("open");
	want = pread(fd, buf, sizeof(buf), 0);
	if (want <= 0)
		return fail("pread");
	t = now_ns();
	for (long i = 0; i < n; i++)
		if (pread(fd, buf, sizeof(buf), 0) != want)
			return fail("pread");
	t = now_ns() - t;
	close(fd);
	return t;
}

static long long
run_read_big(long n)
{
	static char buf[65536];
	long long t = now_ns();

	for (long i = 0; i < n; i++) {
		long total = 0;
		ssize_t r;
		int fd = open(path_big, O_RDONLY);

		if (fd < 0)
			return fail("open");
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			total += r;
		if (r < 0)
			return fail("read");
		close(fd);
		if (total != BIG_SIZE) {
			snprintf(why, sizeof(why), "read %ld bytes, not %d", total, BIG_SIZE);
			return -1;
		}
	}
	return now_ns() - t;
}

/* Wait for pid; -1 (with why) unless it exited with status 0. */
static int
reap(pid_t pid, const char *what)
{
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		fail("waitpid");
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, sizeof(why), "%s: wait status 0x%x", what, status);
		return -1;
	}
	return 0;
}

static long long
run_pipe(long n)
{
	int there[2], back[2];
	long long t;
	char c = 'x';
	pid_t pid;

	if (pipe(there) != 0 || pipe(back) != 0)
		return fail("pipe");
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		close(there[1]);
		close(back[0]);
		while (read(there[0], &c, 1) == 1)
			if (write(back[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(there[0]);
	close(back[1]);
	t = now_ns();
	for (long i = 0; i < n; i++)
		if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			return fail("pipe round trip");
	t = now_ns() - t;
	close(there[1]);
	close(back[0]);
	return reap(pid, "the echoing child") ? -1 : t;
}

static long long
run_fork(long n)
{
	long long t = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return fail("fork");
		if (pid == 0)
			_exit(0);
		if (reap(pid, "the child"))
			return -1;
	}
	return now_ns() - t;
}

static long long
run_exec(long n)
{
	char *argv[] = { path_nop, NULL }, *envp[] = { NULL };
	long long t = now_ns();

	for (long i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return fail("fork");
		if (pid == 0) {
			execve(path_nop, argv, envp);
			_exit(127);
		}
		if (reap(pid, path_nop))
			return -1;
	}
	return now_ns() - t;
}

/* 64 KiB mapped, each of its 16 pages written, unmapped. */
static long long
run_mmap(long n)
{
	long long t = now_ns();

	for (long i = 0; i < n; i++) {
		char *p = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return fail("mmap");
		for (int k = 0; k < 16; k++)
			p[k * PAGE] = 1;
		if (munmap(p, 16 * PAGE) != 0)
			return fail("munmap");
	}
	return now_ns() - t;
}

/* One write to each page of fresh anonymous memory: only the touches timed. */
static long long
run_fault(long n)
{
	long long t = 0;
	long done = 0;

	while (done < n) {
		long pages = n - done < 256 ? n - done : 256;
		volatile char *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		long long t0;

		if (p == MAP_FAILED)
			return fail("mmap");
		t0 = now_ns();
		for (long k = 0; k < pages; k++)
			p[k * PAGE] = 1;
		t += now_ns() - t0;
		munmap((void *)p, pages * PAGE);
		done += pages;
	}
	return t;
}

static volatile long caught;

static void
on_usr1(int sig)
{
	(void)sig;
	caught++;
}

static long long
run_signal(long n)
{
	struct sigaction sa;
	long long t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		return fail("sigaction");
	caught = 0;
	t = now_ns();
	for (long i = 0; i < n; i++)
		if (kill(getpid(), SIGUSR1) != 0)
			return fail("kill");
	t = now_ns() - t;
	if (caught != n) {
		snprintf(why, sizeof(why), "%ld signals caught of %ld", caught, n);
		return -1;
	}
	return t;
}

/*
 * Two processes on CPU 0 each sched_yield n times: 2n switches. The
 * reported time is per switch (the loop's time over 2n: see ctxsw's divisor).
 */
static long long
run_ctxsw(long n)
{
	cpu_set_t one;
	int ready[2];
	long long t;
	char c;
	pid_t pid;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0)
		return fail("sched_setaffinity");
	if (pipe(ready) != 0)
		return fail("pipe");
	pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (long i = 0; i < n; i++)
			sched_yield();
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1)
		return fail("read");
	t = now_ns();
	for (long i = 0; i < n; i++)
		sched_yield();
	t = now_ns() - t;
	return reap(pid, "the yielding child") ? -1 : t;
}

static const struct bench {
	const char *name;
	long long (*run)(long n);
	long ops;		/* operations in one of run's n (ctxsw: 2 switches) */
	const char *unit;	/* ns or us */
	const char *what;
} benches[] = {
	{ "null", run_null, 1, "ns", "getppid()" },
	{ "open_close", run_open, 1, "ns", "open(DIR/small) + close" },
	{ "stat", run_stat, 1, "ns", "stat(DIR/small)" },
	{ "read_small", run_read_small, 1, "ns", "pread of the whole small file (cached)" },
	{ "read_1m", run_read_big, 1, "us", "open + 64 KiB reads of DIR/big (1 MiB) + close" },
	{ "pipe_rtt", run_pipe, 1, "ns", "1 byte there and back between two processes" },
	{ "fork", run_fork, 1, "us", "fork + _exit + waitpid" },
	{ "fork_exec", run_exec, 1, "us", "fork + execve(DIR/nop) + waitpid" },
	{ "mmap_64k", run_mmap, 1, "ns", "mmap 64 KiB, write its 16 pages, munmap" },
	{ "page_fault", run_fault, 1, "ns", "first write to a page of anonymous memory" },
	{ "signal", run_signal, 1, "ns", "kill(self) to a handler and back" },
	{ "ctxsw", run_ctxsw, 2, "ns", "sched_yield between two processes on CPU 0, per switch" },
};

/* Calibrate n, run, print the line. In a child: a crash fails one bench. */
static int
measure(const struct bench *b, long long target)
{
	char line[256];
	long long t;
	long n = 1;
	int len;

	alarm(30);
	for (;;) {
		t = b->run(n);
		if (t < 0) {
			len = snprintf(line, sizeof(line), "%s FAIL %s\n", b->name, why);
			break;
		}
		if (t >= target || n >= (1L << 30)) {
			double per = (double)t / ((double)n * b->ops);

			if (strcmp(b->unit, "us") == 0)
				per /= 1000;
			len = snprintf(line, sizeof(line), "%s %.1f %s\n", b->name, per, b->unit);
			break;
		}
		/* Aim 30% past the target, at least doubling, at most 16 times. */
		long next = t > 0 ? (long)((double)n * target * 1.3 / (double)t) : n * 16;
		n = next < 2 * n ? 2 * n : next > 16 * n ? 16 * n : next;
	}
	if (write(1, line, (size_t)len) != len)
		return 1;
	return t < 0;
}

static void
run_one(const struct bench *b, long long target)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {		/* no fork: in this process, then */
		measure(b, target);
		return;
	}
	if (pid == 0)
		_exit(measure(b, target));
	if (waitpid(pid, &status, 0) != pid)
		printf("%s FAIL waitpid: %s\n", b->name, strerror(errno));
	else if (WIFSIGNALED(status))
		printf("%s FAIL killed by signal %d%s\n", b->name, WTERMSIG(status),
		    WTERMSIG(status) == SIGALRM ? " (30 s timeout)" : "");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	long long target = 100 * 1000000LL;
	const size_t nbench = sizeof(benches) / sizeof(benches[0]);
	int opt, status = 0;

	if (argc == 2 && strcmp(argv[1], "boot") == 0) {
		printf("boot %.1f ms\n", since_reset_ns() / 1e6);
		return 0;
	}
	while ((opt = getopt(argc, argv, "d:t:l")) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 't':
			target = atoll(optarg) * 1000000LL;
			break;
		case 'l':
			for (size_t i = 0; i < nbench; i++)
				printf("%-11s %s: %s\n", benches[i].name, benches[i].unit,
				    benches[i].what);
			return 0;
		default:
			fprintf(stderr, "usage: linuxbench [-d DIR] [-t MS] [NAME...] | boot | -l\n");
			return 2;
		}
	}
	snprintf(path_small, sizeof(path_small), "%s/small", dir);
	snprintf(path_big, sizeof(path_big), "%s/big", dir);
	snprintf(path_nop, sizeof(path_nop), "%s/nop", dir);
	for (size_t i = 0; i < nbench; i++) {
		int want = optind == argc;

		for (int k = optind; k < argc; k++)
			want |= strcmp(argv[k], benches[i].name) == 0;
		if (want)
			run_one(&benches[i], target);
	}
	for (int k = optind; k < argc; k++) {
		size_t i;

		for (i = 0; i < nbench && strcmp(argv[k], benches[i].name) != 0; i++)
			;
		if (i == nbench) {
			fprintf(stderr, "linuxbench: no benchmark %s (-l lists them)\n", argv[k]);
			status = 2;
		}
	}
	return status;
}

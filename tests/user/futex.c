/*
 * futex: the futex system call, raw, compared with Linux. WAIT (wrong
 * value, relative timeout, a signal with and without SA_RESTART), WAIT_BITSET
 * (absolute CLOCK_MONOTONIC and CLOCK_REALTIME), WAKE and WAKE_BITSET
 * and the counts they return, REQUEUE and CMP_REQUEUE, WAKE_OP, the
 * PRIVATE forms, a shared futex between two processes, and the errors
 * (EAGAIN, ETIMEDOUT, EINVAL, EFAULT, ENOSYS).
 *
 * Waiters are threads (or a child) each making one FUTEX_WAIT. The
 * main thread knows they are asleep by counting them: FUTEX_REQUEUE of
 * all waiters to a spare word and back returns how many there are.
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

/* From <linux/futex.h>, which musl does not ship. */
enum {
	FUTEX_WAIT = 0,
	FUTEX_WAKE = 1,
	FUTEX_REQUEUE = 3,
	FUTEX_CMP_REQUEUE = 4,
	FUTEX_WAKE_OP = 5,
	FUTEX_WAIT_BITSET = 9,
	FUTEX_WAKE_BITSET = 10,
	FUTEX_PRIVATE_FLAG = 128,
	FUTEX_CLOCK_REALTIME = 256,
	FUTEX_OP_SET = 0,
	FUTEX_OP_ADD = 1,
	FUTEX_OP_CMP_EQ = 0,
	FUTEX_OP_CMP_NE = 1,
};
#define FUTEX_OP(op, oparg, cmp, cmparg)                                       \
	(((op)&0xf) << 28 | ((cmp)&0xf) << 24 | ((oparg)&0xfff) << 12 |        \
	    ((cmparg)&0xfff))
#define PRIV FUTEX_PRIVATE_FLAG
#define VAL2(n)                                                                \
	((void *)(uintptr_t)(n)) /* val2 rides in the timeout argument */

static long
futex(volatile int *uaddr, int op, int val, const void *timeout,
    volatile int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

static int spare;

/* How many wait on f: requeue them all to a spare word, then back. */
static long
waiters(volatile int *f, int flags)
{
	long n = futex(f, FUTEX_REQUEUE | flags, 0, VAL2(INT_MAX), &spare, 0);

	futex(&spare, FUTEX_REQUEUE | flags, 0, VAL2(INT_MAX), f, 0);
	return n;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000};

	nanosleep(&ts, NULL);
}

/* Wait (up to 2 s) until n are asleep on f; whether they are. */
static int
await_waiters(volatile int *f, int flags, long n)
{
	for (int i = 0; i < 2000; i++) {
		if (waiters(f, flags) == n)
			return 1;
		sleep_ms(1);
	}
	return 0;
}

struct waiter {
	pthread_t thread;
	volatile int *word;
	int op, val, bitset;
	long result;
	int err;
};

static void *
wait_once(void *arg)
{
	struct waiter *w = arg;

	w->result = futex(w->word, w->op, w->val, NULL, NULL, w->bitset);
	w->err = errno;
	return NULL;
}

static void
start(struct waiter *w, volatile int *word, int op, int bitset)
{
	*w = (struct waiter){
	    .word = word, .op = op, .val = *word, .bitset = bitset};
	pthread_create(&w->thread, NULL, wait_once, w);
}

/* Join the waiters; "all returned 0" or the first failure. */
static void
finish(const char *what, struct waiter *w, int n)
{
	int bad = -1;

	for (int i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].result != 0 && bad < 0)
			bad = i;
	}
	if (bad < 0)
		say("%s: every waiter returned 0", what);
	else
		say("%s: waiter %d returned %ld %s", what, bad, w[bad].result,
		    errname(w[bad].err));
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
timeouts(void)
{
	static int f;
	struct timespec t0, rel = {0, 20000000}, abs, past = {0, 0};
	struct timespec bad_ns = {0, 2000000000}, neg = {-1, 0};
	long r;

	check(
	    "FUTEX_WAIT, wrong value", futex(&f, FUTEX_WAIT, 1, NULL, NULL, 0));
	check("FUTEX_WAIT_PRIVATE, wrong value",
	    futex(&f, FUTEX_WAIT | PRIV, 1, NULL, NULL, 0));
	check("FUTEX_WAIT_BITSET, wrong value",
	    futex(&f, FUTEX_WAIT_BITSET, 1, NULL, NULL, -1));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = futex(&f, FUTEX_WAIT, 0, &rel, NULL, 0);
	check("FUTEX_WAIT, 20 ms relative", r);
	expect("waited at least 20 ms", ms_since(&t0) >= 20);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	abs = t0;
	abs.tv_nsec += 20000000;
	if (abs.tv_nsec >= 1000000000)
		abs.tv_sec++, abs.tv_nsec -= 1000000000;
	check("FUTEX_WAIT_BITSET, CLOCK_MONOTONIC now + 20 ms",
	    futex(&f, FUTEX_WAIT_BITSET | PRIV, 0, &abs, NULL, -1));
	expect("waited at least 20 ms", ms_since(&t0) >= 20);
	clock_gettime(CLOCK_REALTIME, &abs);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	abs.tv_nsec += 20000000;
	if (abs.tv_nsec >= 1000000000)
		abs.tv_sec++, abs.tv_nsec -= 1000000000;
	check("FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, now + 20 ms",
	    futex(&f, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &abs, NULL,
		-1));
	expect("waited at least 20 ms", ms_since(&t0) >= 20);
	check("FUTEX_WAIT_BITSET, absolute time 0 (long past)",
	    futex(&f, FUTEX_WAIT_BITSET, 0, &past, NULL, -1));
	check("FUTEX_WAIT, timeout of 2e9 ns",
	    futex(&f, FUTEX_WAIT, 0, &bad_ns, NULL, 0));
	check("FUTEX_WAIT, timeout of -1 s",
	    futex(&f, FUTEX_WAIT, 0, &neg, NULL, 0));
	check("FUTEX_WAIT, wrong value and a bad timeout",
	    futex(&f, FUTEX_WAIT, 1, &bad_ns, NULL, 0));
	check("FUTEX_WAIT, bad timeout pointer",
	    futex(&f, FUTEX_WAIT, 0, BAD_PTR, NULL, 0));
	check("FUTEX_WAIT | FUTEX_CLOCK_REALTIME",
	    futex(&f, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, &rel, NULL, 0));
}

static void
bad_input(void)
{
	static int f[2];
	volatile int *odd = (volatile int *)((char *)f + 1);

	check("futex op 99", futex(f, 99, 0, NULL, NULL, 0));
	check(
	    "FUTEX_WAIT, unaligned", futex(odd, FUTEX_WAIT, 0, NULL, NULL, 0));
	check(
	    "FUTEX_WAKE, unaligned", futex(odd, FUTEX_WAKE, 1, NULL, NULL, 0));
	check("FUTEX_WAIT, bad pointer",
	    futex(BAD_PTR, FUTEX_WAIT, 0, NULL, NULL, 0));
	check("FUTEX_WAIT_PRIVATE, bad pointer",
	    futex(BAD_PTR, FUTEX_WAIT | PRIV, 0, NULL, NULL, 0));
	check("FUTEX_WAKE, bad pointer",
	    futex(BAD_PTR, FUTEX_WAKE, 1, NULL, NULL, 0));
	check("FUTEX_WAKE, no waiters",
	    futex(f, FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
	check("FUTEX_WAKE_PRIVATE, no waiters",
	    futex(f, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0));
	check("FUTEX_WAIT_BITSET, bitset 0",
	    futex(f, FUTEX_WAIT_BITSET, 0, NULL, NULL, 0));
	check("FUTEX_WAKE_BITSET, bitset 0",
	    futex(f, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0));
	check("FUTEX_CMP_REQUEUE, value differs",
	    futex(f, FUTEX_CMP_REQUEUE, 1, VAL2(1), f + 1, 5));
	check("FUTEX_CMP_REQUEUE, nr_requeue -1",
	    futex(f, FUTEX_CMP_REQUEUE, 1, VAL2(-1), f + 1, 0));
	check("FUTEX_CMP_REQUEUE, bad pointer",
	    futex(BAD_PTR, FUTEX_CMP_REQUEUE, 1, VAL2(1), f + 1, 0));
	check("FUTEX_WAKE_OP, bad second pointer",
	    futex(f, FUTEX_WAKE_OP, 1, VAL2(1), BAD_PTR,
		FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_EQ, 0)));
	check("FUTEX_WAKE_OP, op 7", futex(f, FUTEX_WAKE_OP, 1, VAL2(1), f + 1,
					 FUTEX_OP(7, 1, FUTEX_OP_CMP_EQ, 0)));
}

static void
wake_counts(void)
{
	static int f;
	struct waiter w[3];

	for (int i = 0; i < 3; i++)
		start(&w[i], &f, FUTEX_WAIT | PRIV, 0);
	expect("three threads asleep on the word", await_waiters(&f, PRIV, 3));
	f = 1;
	check("FUTEX_WAKE_PRIVATE(2)",
	    futex(&f, FUTEX_WAKE | PRIV, 2, NULL, NULL, 0));
	check("FUTEX_WAKE_PRIVATE(INT_MAX)",
	    futex(&f, FUTEX_WAKE | PRIV, INT_MAX, NULL, NULL, 0));
	finish("FUTEX_WAKE", w, 3);

	/* Shared (not PRIVATE) futexes on private memory, between threads. */
	f = 0;
	for (int i = 0; i < 2; i++)
		start(&w[i], &f, FUTEX_WAIT, 0);
	expect("two threads asleep (shared futex)", await_waiters(&f, 0, 2));
	check("FUTEX_WAKE(INT_MAX)",
	    futex(&f, FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
	finish("FUTEX_WAKE (shared)", w, 2);

	f = 0;
	start(&w[0], &f, FUTEX_WAIT_BITSET | PRIV, 1);
	start(&w[1], &f, FUTEX_WAIT_BITSET | PRIV, 2);
	expect("two threads asleep with bitsets 1 and 2",
	    await_waiters(&f, PRIV, 2));
	check("FUTEX_WAKE_BITSET(bitset 4)",
	    futex(&f, FUTEX_WAKE_BITSET | PRIV, INT_MAX, NULL, NULL, 4));
	check("FUTEX_WAKE_BITSET(bitset 2)",
	    futex(&f, FUTEX_WAKE_BITSET | PRIV, INT_MAX, NULL, NULL, 2));
	pthread_join(w[1].thread, NULL);
	say("the bitset 2 waiter returned %ld; waiters left %ld", w[1].result,
	    waiters(&f, PRIV));
	check("FUTEX_WAKE_PRIVATE (wakes any bitset)",
	    futex(&f, FUTEX_WAKE | PRIV, INT_MAX, NULL, NULL, 0));
	pthread_join(w[0].thread, NULL);
	say("the bitset 1 waiter returned %ld", w[0].result);
}

static void
requeue(void)
{
	static int f, g;
	struct waiter w[3];

	for (int i = 0; i < 3; i++)
		start(&w[i], &f, FUTEX_WAIT | PRIV, 0);
	expect("three threads asleep on f", await_waiters(&f, PRIV, 3));
	check("FUTEX_REQUEUE(f, wake 1, requeue 1 to g)",
	    futex(&f, FUTEX_REQUEUE | PRIV, 1, VAL2(1), &g, 0));
	say("asleep: %ld on f, %ld on g", waiters(&f, PRIV), waiters(&g, PRIV));
	check("FUTEX_CMP_REQUEUE(f, ...) with *f 0, expecting 3",
	    futex(&f, FUTEX_CMP_REQUEUE | PRIV, 0, VAL2(INT_MAX), &g, 3));
	check("FUTEX_CMP_REQUEUE(f, wake 0, requeue all to g) expecting 0",
	    futex(&f, FUTEX_CMP_REQUEUE | PRIV, 0, VAL2(INT_MAX), &g, 0));
	say("asleep: %ld on f, %ld on g", waiters(&f, PRIV), waiters(&g, PRIV));
	check("FUTEX_WAKE_PRIVATE(f)",
	    futex(&f, FUTEX_WAKE | PRIV, INT_MAX, NULL, NULL, 0));
	check("FUTEX_WAKE_PRIVATE(g)",
	    futex(&g, FUTEX_WAKE | PRIV, INT_MAX, NULL, NULL, 0));
	finish("requeue", w, 3);
}

static void
wake_op(void)
{
	static int f, g;
	struct waiter w[2];

	g = 0;
	check("FUTEX_WAKE_OP(g += 5, if old g == 0), no waiters",
	    futex(&f, FUTEX_WAKE_OP | PRIV, 1, VAL2(1), &g,
		FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0)));
	say("g is now %d", g);
	start(&w[0], &f, FUTEX_WAIT | PRIV, 0);
	start(&w[1], &g, FUTEX_WAIT | PRIV, 0);
	expect("a thread asleep on f", await_waiters(&f, PRIV, 1));
	expect("a thread asleep on g", await_waiters(&g, PRIV, 1));
	/* Linux wakes one waiter on f even for nr_wake 0: it counts after
	 * waking. */
	check("FUTEX_WAKE_OP(nr_wake 0, g = 9, if old g != 5)",
	    futex(&f, FUTEX_WAKE_OP | PRIV, 0, VAL2(1), &g,
		FUTEX_OP(FUTEX_OP_SET, 9, FUTEX_OP_CMP_NE, 5)));
	say("g is now %d; asleep: %ld on f, %ld on g", g, waiters(&f, PRIV),
	    waiters(&g, PRIV));
	check("FUTEX_WAKE_OP(g = 1, if old g == 9)",
	    futex(&f, FUTEX_WAKE_OP | PRIV, 1, VAL2(1), &g,
		FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 9)));
	say("g is now %d", g);
	finish("FUTEX_WAKE_OP", w, 2);
}

static void
between_processes(void)
{
	volatile int *word = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;
	int st;

	*word = 0;
	if ((pid = fork()) == 0) {
		long r = futex(word, FUTEX_WAIT, 0, NULL, NULL, 0);

		_exit(r == 0 ? 0 : errno);
	}
	expect(
	    "the child asleep on a MAP_SHARED word", await_waiters(word, 0, 1));
	check("FUTEX_WAKE_PRIVATE from the parent (another mm)",
	    futex(word, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0));
	check("FUTEX_WAKE from the parent",
	    futex(word, FUTEX_WAKE, 1, NULL, NULL, 0));
	waitpid(pid, &st, 0);
	say("child: exited %d", WEXITSTATUS(st));
}

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void *
wake_later(void *arg)
{
	volatile int *f = arg;

	sleep_ms(150);
	*f = 1;
	futex(f, FUTEX_WAKE | PRIV, 1, NULL, NULL, 0);
	return NULL;
}

/* FUTEX_WAIT without a timeout, SIGALRM at 30 ms, a wake at 150 ms. */
static void
interrupted(void)
{
	struct itimerval it = {{0, 0}, {0, 30000}};
	static int f;
	pthread_t t;
	sigset_t set;
	long r;

	/* SIGALRM goes to the main thread, which waits; the waker blocks it. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	for (int restart = 0; restart <= 1; restart++) {
		struct sigaction sa = {.sa_handler = on_alarm,
		    .sa_flags = restart ? SA_RESTART : 0};

		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		f = 0;
		alarms = 0;
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		pthread_create(&t, NULL, wake_later, &f);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		setitimer(ITIMER_REAL, &it, NULL);
		r = futex(&f, FUTEX_WAIT | PRIV, 0, NULL, NULL, 0);
		say("FUTEX_WAIT, a handled SIGALRM%s: %ld %s, handler ran %d",
		    restart ? " (SA_RESTART)" : "", r,
		    r < 0 ? errname(errno) : "(woken)", alarms);
		pthread_join(t, NULL);
	}
	signal(SIGALRM, SIG_DFL);
}

int
main(void)
{
	timeouts();
	bad_input();
	wake_counts();
	requeue();
	wake_op();
	between_processes();
	interrupted();
	return 0;
}

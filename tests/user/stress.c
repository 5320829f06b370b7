/*
 * stress: the process model under load, for as long as asked.
 *
 *	stress [--leaks] [fork|signal|futex|all] [seconds]	(default: all, 2 s each)
 *
 * fork: fork, exit and wait in a loop (one child at a time, then eight
 * at once), every status checked. signal: SIGUSR1 ping-pong between a
 * parent and child, each waiting in sigsuspend, every signal counted on
 * both sides. futex: a token passed round a ring of four threads with
 * FUTEX_WAIT/FUTEX_WAKE, each thread's turns counted.
 *
 * How many rounds ran depends on the machine, so only "ok" or the
 * first failure is printed: the output is the same on Linux.
 *
 * --leaks (for lichen's own test, not compared with Linux, whose free
 * memory moves with its caches): run each family once as a warm-up, then
 * check that after the real run the free memory (sysinfo's freeram: the
 * kernel's free pages) and the process count (linuxemu's) are back
 * where they were (the memory within 128 KiB: first use of table pages).
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

static int64_t deadline;

static int64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int
time_left(void)
{
	return now_ns() < deadline;
}

static void
fork_stress(void)
{
	long rounds = 0;
	pid_t pid;
	int st;

	while (time_left()) {
		int code = (int)(rounds & 0xff);

		if ((pid = fork()) < 0) {
			say("fork stress FAILED: fork %s", errname(errno));
			return;
		}
		if (pid == 0)
			_exit(code);
		if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != code) {
			say("fork stress FAILED: status %#x, wanted exit %d",
			    st, code);
			return;
		}
		if (++rounds % 16 == 0) {
			unsigned seen = 0;

			for (int i = 0; i < 8; i++)
				if (fork() == 0)
					_exit(i);
			for (int i = 0; i < 8; i++) {
				if (wait(&st) < 0 || !WIFEXITED(st)) {
					say("fork stress FAILED: wait %s, "
					    "status %#x",
					    errname(errno), st);
					return;
				}
				seen |= 1u << WEXITSTATUS(st);
			}
			if (seen != 0xff || wait(&st) != -1 ||
			    errno != ECHILD) {
				say("fork stress FAILED: eight children gave "
				    "%#x",
				    seen);
				return;
			}
		}
	}
	say("fork stress %s", rounds > 0 ? "ok" : "FAILED: no rounds");
}

static volatile sig_atomic_t got_usr1, got_usr2;

static void
on_usr1(int sig)
{
	(void)sig;
	got_usr1++;
}

static void
on_usr2(int sig)
{
	(void)sig;
	got_usr2 = 1;
}

/* The child: answer every ping until SIGUSR2; exit with the count. */
static void
ponger(pid_t parent)
{
	sigset_t empty;
	long pongs = 0;

	sigemptyset(&empty);
	for (;;) {
		while (got_usr1 == 0 && !got_usr2)
			sigsuspend(&empty);
		if (got_usr2)
			break;
		got_usr1--;
		pongs++;
		kill(parent, SIGUSR1);
	}
	_exit((int)(pongs & 0x7f) | (got_usr1 != 0 ? 0x80 : 0));
}

static void
signal_stress(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	sigset_t set, empty;
	long pings = 0;
	pid_t pid;
	int st;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&empty);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL); /* only sigsuspend takes them */
	got_usr1 = got_usr2 = 0;
	if ((pid = fork()) == 0)
		ponger(getppid());
	while (time_left()) {
		kill(pid, SIGUSR1);
		pings++;
		while (got_usr1 == 0)
			sigsuspend(&empty);
		if (--got_usr1 != 0) {
			say("signal stress FAILED: two answers to one ping");
			break;
		}
	}
	kill(pid, SIGUSR2);
	waitpid(pid, &st, 0);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != (pings & 0x7f))
		say("signal stress FAILED: child status %#x after %s pings", st,
		    pings & 1 ? "an odd number of" : "an even number of");
	else
		say("signal stress %s", pings > 0 ? "ok" : "FAILED: no rounds");
}

#define RING 4
static volatile int token[RING], stop;
static long turns[RING];

static long
futex(volatile int *uaddr, int op, int val)
{
	return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

static void *
ring_member(void *arg)
{
	int me = (int)(intptr_t)arg, next = (me + 1) % RING;

	for (;;) {
		int done;

		while (__atomic_load_n(&token[me], __ATOMIC_ACQUIRE) == 0)
			futex(&token[me], 128 /* FUTEX_WAIT_PRIVATE */, 0);
		token[me] = 0;
		/*
		 * stop is read once, holding the token: whoever saw it set
		 * passes the token on, so every later holder sees it too and
		 * leaves (reading it again after passing could let this thread
		 * leave while the next, which read it before, goes round again
		 * to wait for a token nobody will pass).
		 */
		done = __atomic_load_n(&stop, __ATOMIC_ACQUIRE);
		if (!done)
			turns[me]++;
		__atomic_store_n(&token[next], 1, __ATOMIC_RELEASE);
		futex(&token[next], 129 /* FUTEX_WAKE_PRIVATE */, 1);
		if (done)
			return NULL;
	}
}

static void
futex_stress(void)
{
	pthread_t t[RING];
	long least = LONG_MAX, most = 0;

	stop = 0;
	for (int i = 0; i < RING; i++)
		turns[i] = token[i] = 0;
	for (int i = 0; i < RING; i++)
		pthread_create(&t[i], NULL, ring_member, (void *)(intptr_t)i);
	__atomic_store_n(&token[0], 1, __ATOMIC_RELEASE);
	futex(&token[0], 129, 1);
	while (time_left()) {
		struct timespec ms = {0, 10000000};

		nanosleep(&ms, NULL);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < RING; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < RING; i++) {
		if (turns[i] < least)
			least = turns[i];
		if (turns[i] > most)
			most = turns[i];
	}
	if (least == 0 || most - least > 1)
		say("futex stress FAILED: turns differ by %ld", most - least);
	else
		say("futex stress ok");
}

static const struct {
	const char *name;
	void (*run)(void);
} families[] = {
    {"fork", fork_stress},
    {"signal", signal_stress},
    {"futex", futex_stress},
};

/*
 * A moment for what the kernel frees after the fact: an exited thread's
 * stack when its CPU next switches, an address space an idle CPU still
 * had loaded.
 */
static void
settle(void)
{
	struct timespec t = {0, 100000000};

	nanosleep(&t, NULL);
}

static int
run(const char *which, long seconds)
{
	int ran = 0;

	for (size_t i = 0; i < NELEM(families); i++) {
		if (strcmp(which, "all") != 0 &&
		    strcmp(which, families[i].name) != 0)
			continue;
		deadline = now_ns() + seconds * 1000000000;
		families[i].run();
		ran++;
	}
	return ran;
}

int
main(int argc, char **argv)
{
	int leaks = argc > 1 && strcmp(argv[1], "--leaks") == 0;
	const char *which = argc > 1 + leaks ? argv[1 + leaks] : "all";
	long seconds = argc > 2 + leaks ? atol(argv[2 + leaks]) : 2;
	struct sysinfo before, after;

	if (leaks) {
		run(which, seconds);	/* caches and tables reach their size */
		settle();
		sysinfo(&before);
	}
	if (run(which, seconds) == 0) {
		say("usage: stress [--leaks] [fork|signal|futex|all] [seconds]");
		return 2;
	}
	if (leaks) {
		settle();
		sysinfo(&after);
		say("processes: %d before, %d after", before.procs, after.procs);
		/*
		 * Within 128 KiB: a new peak of concurrency may still touch
		 * fresh pages of linuxemu's tables (a process slot is ~9 KiB, an
		 * address space's mapping record 16 KiB) or a kernel slab; a
		 * leak per fork or signal grows far past that in thousands of
		 * rounds.
		 */
		long kb_before = (long)(before.freeram * before.mem_unit / 1024);
		long kb_after = (long)(after.freeram * after.mem_unit / 1024);

		say("free memory: %s (%ld KiB before, %ld KiB after)",
		    kb_before - kb_after <= 128 ? "back within 128 KiB" : "LEAKED", kb_before,
		    kb_after);
	}
	return 0;
}

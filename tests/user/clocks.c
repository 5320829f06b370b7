/*
 * clocks: clocks, sleeps and timers, compared with Linux. Every clock
 * read twice (it must not go back), clock_getres, the errors, nanosleep
 * and clock_nanosleep (relative and TIMER_ABSTIME), setitimer/getitimer
 * with ITIMER_REAL and SIGALRM (one-shot and periodic), alarm, and a
 * POSIX timer (timer_create with SIGEV_SIGNAL).
 *
 * Times are never printed, only how they compare: a resolution is
 * "more than 0 and at most 10 ms" (a coarse clock's is the tick,
 * which differs between kernels), a sleep "at least as long as asked".
 * Nothing sets a clock but CLOCK_MONOTONIC, which must refuse.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

static const struct {
	clockid_t id;
	const char *name;
} clocks[] = {
    {CLOCK_REALTIME, "CLOCK_REALTIME"},
    {CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
    {CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"},
    {CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"},
    {CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
    {CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE"},
    {CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"},
    {CLOCK_BOOTTIME, "CLOCK_BOOTTIME"},
};

static int64_t
ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static int64_t
now(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return ns(&t);
}

static void
readings(void)
{
	struct timespec a, b, res;
	volatile long spin = 0;

	for (size_t i = 0; i < NELEM(clocks); i++) {
		long r1 = syscall(SYS_clock_gettime, clocks[i].id, &a);

		for (int k = 0; k < 100000; k++)
			spin += k;
		long r2 = syscall(SYS_clock_gettime, clocks[i].id, &b);
		long r3 = syscall(SYS_clock_getres, clocks[i].id, &res);

		say("%s: gettime %s, %s, nanoseconds in range %s; getres %s, "
		    "more than 0 and "
		    "at most 10 ms %s",
		    clocks[i].name, r1 == 0 && r2 == 0 ? "ok" : "failed",
		    ns(&b) >= ns(&a) ? "not backwards" : "BACKWARDS",
		    a.tv_nsec >= 0 && a.tv_nsec < 1000000000 ? "yes" : "no",
		    r3 == 0 ? "ok" : "failed",
		    ns(&res) > 0 && ns(&res) <= 10000000 ? "yes" : "no");
	}
	clock_getres(CLOCK_MONOTONIC, &res);
	say("CLOCK_MONOTONIC resolution: %ld ns", (long)ns(&res));
	{
		struct timeval tv;
		int64_t rt = now(CLOCK_REALTIME);
		time_t t = time(NULL);

		check("gettimeofday", gettimeofday(&tv, NULL));
		expect(
		    "gettimeofday, time() and CLOCK_REALTIME agree within 2 s",
		    tv.tv_sec - rt / 1000000000 <= 2 &&
			t - rt / 1000000000 <= 2 &&
			tv.tv_sec >= rt / 1000000000 && t >= rt / 1000000000);
	}
	{
		int64_t mono = now(CLOCK_MONOTONIC), boot = now(CLOCK_BOOTTIME);

		expect("CLOCK_BOOTTIME read after CLOCK_MONOTONIC is not "
		       "behind it",
		    boot >= mono);
	}
	check("clock_gettime(999)", syscall(SYS_clock_gettime, 999, &a));
	check("clock_gettime(16)", syscall(SYS_clock_gettime, 16, &a));
	check("clock_getres(999)", syscall(SYS_clock_getres, 999, &a));
	check("clock_getres(CLOCK_MONOTONIC, NULL)",
	    syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
	check("clock_gettime(bad pointer)",
	    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BAD_PTR));
	/* Not clock_getres with a bad pointer: Linux says EFAULT, qemu-aarch64
	 * 0. */
	check("clock_settime(CLOCK_MONOTONIC)",
	    syscall(SYS_clock_settime, CLOCK_MONOTONIC, &a));
	check("clock_settime(999)", syscall(SYS_clock_settime, 999, &a));
}

static void
sleeps(void)
{
	struct timespec ts = {0, 20000000}, bad = {0, 1000000000},
			neg = {-1, 0}, abs;
	int64_t t0;

	t0 = now(CLOCK_MONOTONIC);
	check("nanosleep(20 ms)", nanosleep(&ts, NULL));
	expect("slept at least 20 ms", now(CLOCK_MONOTONIC) - t0 >= 20000000);
	check("nanosleep(tv_nsec 1e9)", nanosleep(&bad, NULL));
	check("nanosleep(tv_sec -1)", nanosleep(&neg, NULL));
	check("nanosleep(0)", nanosleep(&(struct timespec){0, 0}, NULL));

	t0 = now(CLOCK_MONOTONIC);
	check_err("clock_nanosleep(CLOCK_MONOTONIC, 20 ms)",
	    clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL));
	expect("slept at least 20 ms", now(CLOCK_MONOTONIC) - t0 >= 20000000);
	t0 = now(CLOCK_MONOTONIC);
	abs.tv_sec = (t0 + 20000000) / 1000000000;
	abs.tv_nsec = (t0 + 20000000) % 1000000000;
	check_err(
	    "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, now + 20 ms)",
	    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL));
	expect("woke at or after the time asked",
	    now(CLOCK_MONOTONIC) >= ns(&abs));
	t0 = now(CLOCK_REALTIME);
	abs.tv_sec = (t0 + 20000000) / 1000000000;
	abs.tv_nsec = (t0 + 20000000) % 1000000000;
	check_err("clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, now + 20 ms)",
	    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL));
	expect(
	    "woke at or after the time asked", now(CLOCK_REALTIME) >= ns(&abs));
	t0 = now(CLOCK_MONOTONIC);
	abs = (struct timespec){0, 1000};
	check_err("clock_nanosleep(TIMER_ABSTIME, 1 us after boot: long past)",
	    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL));
	expect("returned at once", now(CLOCK_MONOTONIC) - t0 < 500000000);
	check_err("clock_nanosleep(CLOCK_BOOTTIME, 20 ms)",
	    clock_nanosleep(CLOCK_BOOTTIME, 0, &ts, NULL));
	check_err("clock_nanosleep(CLOCK_THREAD_CPUTIME_ID)",
	    clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL));
	check_err("clock_nanosleep(999)", clock_nanosleep(999, 0, &ts, NULL));
	check_err("clock_nanosleep(tv_nsec 1e9)",
	    clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL));
	check("clock_nanosleep(bad pointer)",
	    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD_PTR, NULL));
}

static volatile sig_atomic_t alarms;
static volatile int last_code, last_value;

static void
on_alarm(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	alarms++;
	last_code = si->si_code;
	last_value = si->si_value.sival_int;
}

static void
wait_for_alarms(int n)
{
	sigset_t empty;
	int64_t deadline = now(CLOCK_MONOTONIC) + 2000000000;

	sigemptyset(&empty);
	while (alarms < n && now(CLOCK_MONOTONIC) < deadline)
		sigsuspend(&empty);
}

static void
itimers(void)
{
	struct sigaction sa = {
	    .sa_sigaction = on_alarm, .sa_flags = SA_SIGINFO};
	struct itimerval it = {{0, 0}, {0, 30000}}, cur, old;
	sigset_t set;
	int64_t t0;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL); /* taken only in sigsuspend */

	check("getitimer(ITIMER_REAL) unarmed", getitimer(ITIMER_REAL, &cur));
	expect("all zero",
	    cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0 &&
		cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 0);
	t0 = now(CLOCK_MONOTONIC);
	check(
	    "setitimer(ITIMER_REAL, 30 ms)", setitimer(ITIMER_REAL, &it, NULL));
	getitimer(ITIMER_REAL, &cur);
	expect("getitimer: more than 0, at most 30 ms left",
	    cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 &&
		cur.it_value.tv_usec <= 30000);
	wait_for_alarms(1);
	say("SIGALRM: %d, %s, after at least 30 ms %s", alarms,
	    codename(SIGALRM, last_code),
	    now(CLOCK_MONOTONIC) - t0 >= 30000000 ? "yes" : "no");
	getitimer(ITIMER_REAL, &cur);
	expect("disarmed after firing",
	    cur.it_value.tv_sec == 0 && cur.it_value.tv_usec == 0);

	alarms = 0;
	it = (struct itimerval){{0, 10000}, {0, 10000}};
	setitimer(ITIMER_REAL, &it, NULL);
	wait_for_alarms(3);
	it = (struct itimerval){{0, 0}, {0, 0}};
	check("setitimer(0) with &old", setitimer(ITIMER_REAL, &it, &old));
	say("periodic 10 ms: %d alarms, old interval %ld us",
	    alarms >= 3 ? 3 : alarms, (long)old.it_interval.tv_usec);

	it = (struct itimerval){{0, 0}, {0, 1000000}};
	check("setitimer(tv_usec 1000000)", setitimer(ITIMER_REAL, &it, NULL));
	it.it_value.tv_usec = -1;
	check("setitimer(tv_usec -1)", setitimer(ITIMER_REAL, &it, NULL));
	check("setitimer(99)", setitimer(99, &it, NULL));
	check("getitimer(99)", getitimer(99, &cur));
	check("getitimer(bad pointer)",
	    syscall(SYS_getitimer, ITIMER_REAL, BAD_PTR));
	check("setitimer(bad pointer)",
	    syscall(SYS_setitimer, ITIMER_REAL, BAD_PTR, NULL));

	check("alarm(5)", alarm(5));
	check("alarm(0) (what was left, rounded)", alarm(0));
	check("alarm(0) again", alarm(0));

	/* A POSIX timer, one-shot in 20 ms, as SIGUSR1 with a value. */
	{
		struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL,
		    .sigev_signo = SIGUSR1,
		    .sigev_value.sival_int = 77};
		struct itimerspec its = {{0, 0}, {0, 20000000}}, left;
		timer_t t;

		check("timer_create(CLOCK_MONOTONIC, SIGEV_SIGNAL)",
		    timer_create(CLOCK_MONOTONIC, &ev, &t));
		alarms = 0;
		check("timer_settime(20 ms)", timer_settime(t, 0, &its, NULL));
		wait_for_alarms(1);
		say("timer signal: %d, %s, si_value %d", alarms,
		    codename(SIGUSR1, last_code), last_value);
		check("timer_gettime", timer_gettime(t, &left));
		expect("disarmed",
		    left.it_value.tv_sec == 0 && left.it_value.tv_nsec == 0);
		check("timer_getoverrun", timer_getoverrun(t));
		check("timer_delete", timer_delete(t));
		check("timer_create(999)", timer_create(999, &ev, &t));
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int
main(void)
{
	readings();
	sleeps();
	itimers();
	return 0;
}

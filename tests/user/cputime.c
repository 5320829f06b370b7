/*
 * cputime: CPU time as the clocks, getrusage, times and wait4 report it.
 * Only properties that hold on every machine, however loaded, are
 * printed (a 200 ms loop counts more than 5 ms of CPU time): a busy loop adds
 * CPU time, a sleep adds (almost) none, a thread's time is within its
 * process's, a reaped child's time reaches RUSAGE_CHILDREN.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

static int64_t
ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* Spin until the monotonic clock has moved by ms. */
static void
busy(int ms)
{
	int64_t end = ns(CLOCK_MONOTONIC) + (int64_t)ms * 1000000;
	volatile unsigned x = 0;

	while (ns(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 10000; i++)
			x += (unsigned)i;
}

static int64_t
ru_ns(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
	    ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

int
main(void)
{
	struct timespec ms100 = {0, 100000000};
	struct rusage ru;
	int64_t p0, t0, p1, t1;
	int st;
	pid_t pid;

	p0 = ns(CLOCK_PROCESS_CPUTIME_ID);
	t0 = ns(CLOCK_THREAD_CPUTIME_ID);
	busy(200);
	/* The thread first: the process's total, read after, must hold it. */
	t1 = ns(CLOCK_THREAD_CPUTIME_ID);
	p1 = ns(CLOCK_PROCESS_CPUTIME_ID);
	expect("a busy loop adds process CPU time", p1 - p0 > 5000000);
	expect("and thread CPU time", t1 - t0 > 5000000);
	expect("thread time within process time", t1 <= p1 + 1000000);
	p0 = ns(CLOCK_PROCESS_CPUTIME_ID);
	nanosleep(&ms100, NULL);
	expect("a 100 ms sleep adds less than 50 ms", ns(CLOCK_PROCESS_CPUTIME_ID) - p0 < 50000000);
	expect("getrusage(RUSAGE_SELF) counts the loop", ru_ns(RUSAGE_SELF) > 5000000);
	expect("getrusage(RUSAGE_THREAD) too", ru_ns(1 /* RUSAGE_THREAD */) > 5000000);
	expect("no children yet: RUSAGE_CHILDREN zero", ru_ns(RUSAGE_CHILDREN) == 0);
	if ((pid = fork()) == 0) {
		busy(200);
		_exit(0);
	}
	expect("wait4 reaps the child", wait4(pid, &st, 0, &ru) == pid);
	expect("wait4's rusage has the child's time",
	    (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
	    (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec > 5000);
	expect("RUSAGE_CHILDREN has it too", ru_ns(RUSAGE_CHILDREN) > 5000000);
	{
		struct tms tm;

		times(&tm);
		expect("times: utime + stime counts the loop", tm.tms_utime + tm.tms_stime > 0);
		expect("times: cutime + cstime the child's", tm.tms_cutime + tm.tms_cstime > 0);
	}
	check("getrusage(bad who)", (long)syscall(SYS_getrusage, 5, &ru));
	check("getrusage(bad pointer)", (long)syscall(SYS_getrusage, RUSAGE_SELF, BAD_PTR));
	return 0;
}

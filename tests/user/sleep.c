/*
 * sleep: sleeps cut short, compared with Linux. nanosleep and
 * clock_nanosleep interrupted by a handled signal (EINTR, the time
 * left written: more than 0 and less than asked), TIMER_ABSTIME not
 * writing it, SA_RESTART not restarting a sleep, a sleep with a
 * stopped-and-continued child of its own meanwhile, sleeps of 0, and
 * the errors: EINVAL for tv_nsec out of range, a negative tv_sec and
 * a clock that cannot sleep, EFAULT for the request.
 */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

static volatile sig_atomic_t hits;

static void
handler(int sig)
{
	(void)sig;
	hits++;
}

static pid_t
send_later(int sig, int ms)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		usleep(ms * 1000);
		kill(parent, sig);
		_exit(0);
	}
	return pid;
}

static long
ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000L + t->tv_nsec;
}

int
main(void)
{
	struct sigaction sa = {.sa_handler = handler};
	struct timespec req = {5, 0}, rem, abs;
	int st, e;
	pid_t pid;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	pid = send_later(SIGUSR1, 50);
	rem = (struct timespec){-1, -1};
	check("nanosleep(5 s), SIGUSR1 after 50 ms", nanosleep(&req, &rem));
	say("  handler ran %d, time left in (0, 5 s): %s", hits,
	    ns(&rem) > 0 && ns(&rem) < ns(&req) ? "yes" : "no");
	waitpid(pid, &st, 0);

	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	pid = send_later(SIGUSR1, 50);
	rem = (struct timespec){-1, -1};
	e = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
	check_err("clock_nanosleep(MONOTONIC, 5 s) with SA_RESTART", e);
	say("  handler ran %d, time left in (0, 5 s): %s", hits,
	    ns(&rem) > 0 && ns(&rem) < ns(&req) ? "yes" : "no");
	waitpid(pid, &st, 0);

	clock_gettime(CLOCK_MONOTONIC, &abs);
	abs.tv_sec += 5;
	pid = send_later(SIGUSR1, 50);
	rem = (struct timespec){-1, -1};
	e = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, &rem);
	check_err("clock_nanosleep(TIMER_ABSTIME, now + 5 s), interrupted", e);
	say("  rem untouched: %s", rem.tv_sec == -1 && rem.tv_nsec == -1 ? "yes" : "no");
	waitpid(pid, &st, 0);

	check("nanosleep(0)", nanosleep(&(struct timespec){0, 0}, NULL));
	clock_gettime(CLOCK_REALTIME, &abs);
	check_err("clock_nanosleep(REALTIME, TIMER_ABSTIME, in the past)",
	    clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &abs, NULL));
	check("nanosleep(tv_nsec 1e9)",
	    nanosleep(&(struct timespec){0, 1000000000}, NULL));
	check("nanosleep(tv_nsec -1)", nanosleep(&(struct timespec){0, -1}, NULL));
	check("nanosleep(tv_sec -1)", nanosleep(&(struct timespec){-1, 0}, NULL));
	check_err("clock_nanosleep(clock 99)",
	    clock_nanosleep(99, 0, &(struct timespec){0, 1}, NULL));
	check_err("clock_nanosleep(THREAD_CPUTIME)",
	    clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &(struct timespec){0, 1}, NULL));
	check_err("clock_nanosleep(bad flags 4)",
	    clock_nanosleep(CLOCK_MONOTONIC, 4, &(struct timespec){0, 1}, NULL));
	check("clock_nanosleep(bad request)",
	    syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BAD_PTR, NULL));
	return 0;
}

/*
 * itimer: setitimer, getitimer and alarm, compared with Linux. The old
 * value setitimer returns, getitimer of a disarmed and an armed timer
 * (no more than was set), an interval kept, disarming, alarm's return
 * (seconds left, rounded), alarm(0), SIGALRM's default action ending a
 * child, three periodic expiries, and the errors: EINVAL for a bad
 * which and for tv_usec out of range, EFAULT.
 */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static long
us(const struct timeval *t)
{
	return t->tv_sec * 1000000L + t->tv_usec;
}

int
main(void)
{
	struct itimerval it, old;
	pid_t pid;
	int st;

	signal(SIGALRM, on_alarm);
	check("getitimer(ITIMER_REAL) at start", getitimer(ITIMER_REAL, &old));
	say("  disarmed: %s", us(&old.it_value) == 0 && us(&old.it_interval) == 0 ? "yes" : "no");
	it = (struct itimerval){{0, 500000}, {10, 0}};
	check("setitimer(10 s, interval 0.5 s)", setitimer(ITIMER_REAL, &it, &old));
	say("  old value 0: %s", us(&old.it_value) == 0 ? "yes" : "no");
	getitimer(ITIMER_REAL, &old);
	say("  getitimer: value in (9 s, 10 s] %s, interval %ld us",
	    us(&old.it_value) > 9000000 && us(&old.it_value) <= 10000000 ? "yes" : "no",
	    us(&old.it_interval));
	check("alarm(3) over it", alarm(3));
	check("alarm(0)", alarm(0));
	getitimer(ITIMER_REAL, &old);
	say("  after alarm(0): value %ld, interval %ld", us(&old.it_value),
	    us(&old.it_interval));
	check("alarm(5)", alarm(5));
	usleep(20000);
	check("alarm(0) after 20 ms", alarm(0));

	it = (struct itimerval){{0, 20000}, {0, 20000}};
	setitimer(ITIMER_REAL, &it, NULL);
	while (alarms < 3)
		pause();
	it = (struct itimerval){{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &it, &old);
	say("periodic 20 ms: %d expiries, old interval %ld us", alarms,
	    us(&old.it_interval));

	pid = fork();
	if (pid == 0) {
		signal(SIGALRM, SIG_DFL);
		close(2);
		alarm(1);
		ualarm(10000, 0);
		pause();
		_exit(0);
	}
	waitpid(pid, &st, 0);
	say("child with SIGALRM default: %s %d",
	    WIFSIGNALED(st) ? "killed by signal" : "exited",
	    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));

	it = (struct itimerval){{0, 0}, {0, 1000000}};
	check("setitimer(tv_usec 1000000)", setitimer(ITIMER_REAL, &it, NULL));
	it = (struct itimerval){{0, 0}, {0, -1}};
	check("setitimer(tv_usec -1)", setitimer(ITIMER_REAL, &it, NULL));
	it = (struct itimerval){{0, 0}, {0, 0}};
	check("setitimer(which 7)", syscall(SYS_setitimer, 7, &it, NULL));
	check("getitimer(which 7)", syscall(SYS_getitimer, 7, &old));
	check("setitimer(bad new)", syscall(SYS_setitimer, ITIMER_REAL, BAD_PTR, NULL));
	check("getitimer(bad pointer)", syscall(SYS_getitimer, ITIMER_REAL, BAD_PTR));
	check("setitimer(NULL new)", syscall(SYS_setitimer, ITIMER_REAL, NULL, &old));
	return 0;
}

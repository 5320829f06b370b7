/*
 * ptimer: POSIX timers, compared with Linux. timer_create with
 * SIGEV_SIGNAL on CLOCK_MONOTONIC and CLOCK_REALTIME (SI_TIMER and the
 * sigev_value), SIGEV_NONE read with timer_gettime, a periodic timer
 * whose expiries pile up while blocked (one signal, si_overrun),
 * absolute expiry (TIMER_ABSTIME) in the past firing at once, old
 * values from timer_settime, timer_delete, and the errors: EINVAL for a
 * bad clock, a bad timer id, a bad sigev_notify or tv_nsec, EFAULT.
 */
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

static volatile sig_atomic_t fired, value, code;

static void
on_timer(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	fired++;
	value = si->si_value.sival_int;
	code = si->si_code;
}

static long
ns(const struct timespec *t)
{
	return t->tv_sec * 1000000000L + t->tv_nsec;
}

int
main(void)
{
	struct sigaction sa = {.sa_sigaction = on_timer, .sa_flags = SA_SIGINFO};
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};
	struct itimerspec its, old;
	sigset_t usr1;
	timer_t t, n;
	int kt;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);

	ev.sigev_value.sival_int = 1234;
	check("timer_create(MONOTONIC, SIGEV_SIGNAL)",
	    timer_create(CLOCK_MONOTONIC, &ev, &t));
	its = (struct itimerspec){{0, 0}, {0, 20000000}};
	check("timer_settime(20 ms)", timer_settime(t, 0, &its, &old));
	say("  old value 0: %s", ns(&old.it_value) == 0 ? "yes" : "no");
	while (!fired)
		pause();
	say("  fired %d, value %d, %s", fired, value, codename(SIGUSR1, code));
	check("timer_getoverrun", timer_getoverrun(t));

	sigprocmask(SIG_BLOCK, &usr1, NULL);
	fired = 0;
	its = (struct itimerspec){{0, 10000000}, {0, 10000000}};
	timer_settime(t, 0, &its, NULL);
	usleep(100000);
	{
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		sigwaitinfo(&usr1, &si);
		say("periodic 10 ms blocked 100 ms: one signal, %s, si_overrun "
		    "at least 3: %s",
		    codename(SIGUSR1, si.si_code), si.si_overrun >= 3 ? "yes" : "no");
	}
	its = (struct itimerspec){{0, 0}, {0, 0}};
	timer_settime(t, 0, &its, &old);
	say("  old interval %ld ns", ns(&old.it_interval));
	sigtimedwait(&usr1, NULL, &(struct timespec){0, 0});
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	check("timer_delete", timer_delete(t));

	ev.sigev_value.sival_int = 55;
	timer_create(CLOCK_REALTIME, &ev, &t);
	fired = 0;
	its = (struct itimerspec){{0, 0}, {1, 0}};
	check("timer_settime(TIMER_ABSTIME, 1 s after the epoch)",
	    timer_settime(t, TIMER_ABSTIME, &its, NULL));
	say("  fired %d, value %d", fired, value);
	timer_delete(t);

	ev.sigev_notify = SIGEV_NONE;
	check("timer_create(SIGEV_NONE)", timer_create(CLOCK_MONOTONIC, &ev, &n));
	timer_gettime(n, &old);
	say("  disarmed: %s", ns(&old.it_value) == 0 ? "yes" : "no");
	its = (struct itimerspec){{0, 0}, {5, 0}};
	timer_settime(n, 0, &its, NULL);
	timer_gettime(n, &old);
	say("  armed 5 s: value in (4 s, 5 s] %s",
	    ns(&old.it_value) > 4000000000L && ns(&old.it_value) <= 5000000000L ? "yes" : "no");
	its.it_value.tv_nsec = 1000000000;
	check("timer_settime(tv_nsec 1e9)", timer_settime(n, 0, &its, NULL));
	timer_delete(n);

	ev.sigev_notify = SIGEV_SIGNAL;
	check("timer_create(clock 99)", timer_create(99, &ev, &t));
	ev.sigev_notify = 99;
	check("timer_create(sigev_notify 99)", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &kt));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 99;
	check("timer_create(signal 99)", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &kt));
	check("timer_create(bad sigevent)", syscall(SYS_timer_create, CLOCK_MONOTONIC, BAD_PTR, &kt));
	check("timer_settime(timer 12345)", syscall(SYS_timer_settime, 12345, 0, &its, NULL));
	check("timer_gettime(timer 12345)", syscall(SYS_timer_gettime, 12345, &old));
	check("timer_delete(timer 12345)", syscall(SYS_timer_delete, 12345));
	check("timer_getoverrun(timer 12345)", syscall(SYS_timer_getoverrun, 12345));
	return 0;
}

/*
 * sigwait: waiting for signals sent by another process, compared with
 * Linux. sigsuspend woken by a child's kill (the handler runs, the old
 * mask is back after), sigwaitinfo taking a blocked signal with the
 * sender's si_code, sigtimedwait timing out (EAGAIN), pause and EINTR,
 * and the errors: EINVAL for a bad timeout, EFAULT.
 *
 * Left out: sigtimedwait interrupted by a handled signal it does not
 * wait for (Linux EINTR; qemu-aarch64 restarts it and says EAGAIN).
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

/* A child that sends sig to the parent after ms milliseconds. */
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

int
main(void)
{
	struct sigaction sa = {.sa_handler = handler};
	sigset_t usr1, usr2, both, empty, now;
	struct timespec ts;
	siginfo_t si;
	int st, r;
	pid_t pid;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&empty);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	both = usr1;
	sigaddset(&both, SIGUSR2);
	sigprocmask(SIG_BLOCK, &both, NULL);

	pid = send_later(SIGUSR1, 30);
	check("sigsuspend(empty) until a child's SIGUSR1", sigsuspend(&empty));
	sigprocmask(SIG_BLOCK, NULL, &now);
	say("  handler ran %d, SIGUSR1 and SIGUSR2 blocked again: %s", hits,
	    sigismember(&now, SIGUSR1) && sigismember(&now, SIGUSR2) ? "yes"
								     : "no");
	waitpid(pid, &st, 0);

	pid = send_later(SIGUSR2, 30);
	memset(&si, 0, sizeof(si));
	r = sigwaitinfo(&usr2, &si);
	say("sigwaitinfo(SIGUSR2): %s, %s, from the child %s, handler ran %d",
	    r == SIGUSR2 ? "SIGUSR2" : "other", codename(r, si.si_code),
	    si.si_pid == pid ? "yes" : "no", hits);
	waitpid(pid, &st, 0);

	ts = (struct timespec){0, 30000000};
	check("sigtimedwait(SIGUSR2, 30 ms), none sent",
	    sigtimedwait(&usr2, &si, &ts));

	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	pid = send_later(SIGUSR1, 30);
	check("pause until SIGUSR1", pause());
	say("  handler ran %d", hits);
	waitpid(pid, &st, 0);

	ts = (struct timespec){-1, 0};
	check("sigtimedwait(tv_sec -1)", sigtimedwait(&usr2, &si, &ts));
	check("rt_sigtimedwait(bad timeout)",
	    syscall(SYS_rt_sigtimedwait, &usr2, &si, BAD_PTR, 8));
	check("rt_sigsuspend(sigsetsize 16)",
	    syscall(SYS_rt_sigsuspend, &empty, 16));
	return 0;
}

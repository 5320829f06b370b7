/*
 * waitid: the waitid call and the siginfo it fills, compared with
 * Linux. P_PID, P_ALL and P_PGID; WEXITED for an exit and a kill
 * (CLD_EXITED, CLD_KILLED, si_status), WSTOPPED and WCONTINUED,
 * WNOHANG with nothing to report (0, si_pid 0), WNOWAIT leaving the
 * child to be waited for again, and the errors: ECHILD, EINVAL (no
 * state bits, unknown bits, a bad idtype), EFAULT for a bad siginfo
 * (the child is reaped all the same).
 *
 * The siginfo is zeroed before a WNOHANG call that finds nothing:
 * Linux then writes zeros, qemu-aarch64 leaves it untouched.
 */
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

static void
show(const char *what, int r, const siginfo_t *si, pid_t pid)
{
	if (r < 0) {
		say("%s: -1 %s", what, errname(errno));
		return;
	}
	say("%s: %d, si_signo %d, %s, si_status %d, si_pid %s", what, r,
	    si->si_signo, si->si_signo ? codename(SIGCHLD, si->si_code) : "-",
	    si->si_status,
	    si->si_pid == pid ? "the child" : si->si_pid == 0 ? "0" : "other");
}

static pid_t
child(int code)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (code < 0) {
			close(2);
			for (;;)
				pause();
		}
		_exit(code);
	}
	return pid;
}

static void
states(void)
{
	siginfo_t si;
	pid_t pid;
	int r;

	pid = child(3);
	memset(&si, 0xff, sizeof(si));
	r = waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	show("P_PID, WEXITED | WNOWAIT", r, &si, pid);
	memset(&si, 0, sizeof(si));
	r = waitid(P_ALL, 0, &si, WEXITED);
	show("P_ALL, WEXITED (the same child again)", r, &si, pid);
	r = waitid(P_PID, pid, &si, WEXITED);
	show("P_PID after it was reaped", r, &si, pid);

	pid = child(-1);
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, pid, &si, WEXITED | WNOHANG);
	show("WNOHANG, child running", r, &si, pid);
	kill(pid, SIGSTOP);
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, pid, &si, WSTOPPED);
	show("WSTOPPED after SIGSTOP", r, &si, pid);
	r = waitid(P_PID, pid, &si, WSTOPPED | WNOHANG);
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, pid, &si, WSTOPPED | WNOHANG);
	show("WSTOPPED again (already reported)", r, &si, pid);
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, pid, &si, WCONTINUED);
	show("WCONTINUED after SIGCONT", r, &si, pid);
	kill(pid, SIGTERM);
	memset(&si, 0, sizeof(si));
	r = waitid(P_PID, pid, &si, WEXITED);
	show("WEXITED after SIGTERM", r, &si, pid);
}

static void
groups(void)
{
	siginfo_t si;
	pid_t pid;
	int r;

	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(9);
	}
	setpgid(pid, pid);
	memset(&si, 0, sizeof(si));
	r = waitid(P_PGID, getpgid(0), &si, WEXITED | WNOHANG);
	show("P_PGID of our own group (the child is not in it)", r, &si, 0);
	memset(&si, 0, sizeof(si));
	r = waitid(P_PGID, pid, &si, WEXITED);
	show("P_PGID of the child's group", r, &si, pid);
}

static void
errors(void)
{
	siginfo_t si;
	pid_t pid;

	check("waitid(P_ALL) with no children", waitid(P_ALL, 0, &si, WEXITED));
	check("waitid(P_ALL, WNOHANG) with no children",
	    waitid(P_ALL, 0, &si, WEXITED | WNOHANG));
	pid = child(0);
	check("waitid(no state bits)", syscall(SYS_waitid, P_PID, pid, &si, 0, 0));
	check("waitid(unknown option bits)",
	    syscall(SYS_waitid, P_PID, pid, &si, WEXITED | 0x40000, 0));
	check("waitid(idtype 42)", syscall(SYS_waitid, 42, pid, &si, WEXITED, 0));
	check("waitid(P_PID, -1)", syscall(SYS_waitid, P_PID, -1, &si, WEXITED, 0));
	check("waitid(bad siginfo)",
	    syscall(SYS_waitid, P_PID, pid, BAD_PTR, WEXITED, 0));
	check("waitid(the child) after that",
	    syscall(SYS_waitid, P_PID, pid, &si, WEXITED | WNOHANG, 0));
}

int
main(void)
{
	states();
	groups();
	errors();
	return 0;
}

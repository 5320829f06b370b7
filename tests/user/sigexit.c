/*
 * sigexit: how a child that dies of a signal looks to its parent,
 * compared with Linux. For each of SIGHUP, SIGINT, SIGQUIT, SIGILL,
 * SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2,
 * SIGPIPE, SIGALRM, SIGTERM, SIGXCPU, SIGXFSZ, SIGSYS and a real-time
 * signal: WIFSIGNALED, WTERMSIG, WCOREDUMP (0: RLIMIT_CORE is 0), the
 * raw status, and waitid's CLD_KILLED or CLD_DUMPED. Then exit codes
 * 0..255 masked to 8 bits, and ignored-by-default signals that do not
 * end the child.
 *
 * A child closes stderr before it dies, where qemu-aarch64 would
 * report the signal.
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

static pid_t
dying_child(int sig)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigset_t all;

		close(2);
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		kill(getpid(), sig);
		_exit(100);
	}
	return pid;
}

int
main(void)
{
	static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP,
	    SIGABRT, SIGBUS, SIGFPE, SIGKILL, SIGUSR1, SIGSEGV, SIGUSR2, SIGPIPE,
	    SIGALRM, SIGTERM, SIGXCPU, SIGXFSZ, SIGSYS};
	struct rlimit zero = {0, 0};
	siginfo_t si;
	int st;

	setrlimit(RLIMIT_CORE, &zero);
	for (size_t i = 0; i <= NELEM(sigs); i++) {
		int sig = i < NELEM(sigs) ? sigs[i] : SIGRTMIN + 2;
		pid_t pid = dying_child(sig);

		memset(&si, 0, sizeof(si));
		waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
		waitpid(pid, &st, 0);
		say("signal %2d: signaled %d, termsig %d, core %d, status %#x, %s "
		    "si_status %d",
		    sig, WIFSIGNALED(st), WTERMSIG(st), WCOREDUMP(st), st,
		    codename(SIGCHLD, si.si_code), si.si_status);
	}
	for (int code = 0; code < 600; code += 37) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(code);
		waitpid(pid, &st, 0);
		say("_exit(%d): exited %d, status %#x", code, WEXITSTATUS(st), st);
	}
	{
		static const int harmless[] = {SIGCHLD, SIGURG, SIGWINCH, SIGCONT};

		for (size_t i = 0; i < NELEM(harmless); i++) {
			pid_t pid = dying_child(harmless[i]);

			waitpid(pid, &st, 0);
			say("signal %d (ignored by default): exited %d", harmless[i],
			    WEXITSTATUS(st));
		}
	}
	return 0;
}

/*
 * vfork: vfork's children, compared with Linux. The child's exit
 * status, a child whose execve fails (it reports errno through its exit
 * status), getppid in the child, many vfork children in a row, and a
 * signal's exit status for a vfork child.
 *
 * qemu-aarch64 makes vfork a fork, so nothing here depends on the
 * memory being shared or on the parent waiting for the child.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

static void
show_status(const char *what, int st)
{
	if (WIFEXITED(st))
		say("%s: exited %d", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		say("%s: killed by signal %d", what, WTERMSIG(st));
	else
		say("%s: status %#x", what, st);
}

int
main(void)
{
	pid_t parent = getpid(), pid;
	int st, bad = 0;

	pid = vfork();
	if (pid == 0)
		_exit(getppid() == parent ? 17 : 1);
	expect("waitpid(vfork child) == pid", waitpid(pid, &st, 0) == pid);
	show_status("child checking getppid", st);

	pid = vfork();
	if (pid == 0) {
		char *argv[] = {"nosuch", NULL};

		execve("/nonexistent/program", argv, argv + 1);
		_exit(errno == ENOENT ? 2 : 1);
	}
	waitpid(pid, &st, 0);
	show_status("child whose execve failed with ENOENT", st);

	pid = vfork();
	if (pid == 0) {
		char *argv[] = {"null", NULL};

		execve("/dev/null/x", argv, argv + 1);
		_exit(errno == ENOTDIR ? 3 : 1);
	}
	waitpid(pid, &st, 0);
	show_status("child whose execve failed with ENOTDIR", st);

	for (int i = 0; i < 20; i++) {
		pid = vfork();
		if (pid == 0)
			_exit(i);
		if (waitpid(pid, &st, 0) != pid || WEXITSTATUS(st) != i)
			bad++;
	}
	say("20 vfork children in a row, each its own status: %s",
	    bad ? "no" : "yes");

	pid = vfork();
	if (pid == 0) {
		close(2);
		kill(getpid(), SIGKILL);
		_exit(1);
	}
	waitpid(pid, &st, 0);
	show_status("child that sent itself SIGKILL", st);
	check("wait() with no children left", wait(&st));
	return 0;
}

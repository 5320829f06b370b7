/*
 * fork: processes and their exit statuses, compared with Linux. fork
 * and vfork, exit statuses, wait4/waitpid/waitid (WNOHANG, a chosen
 * pid, WNOWAIT), zombies, getppid, copy-on-write memory, fifty
 * children reaped, and the errors (ECHILD, EINVAL, EFAULT).
 *
 * No pipes yet: a child that must still be running when the parent
 * looks at it waits in pause() until the parent kills it.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

static int cow_value = 1;

/* "exited N" or "killed by signal N" for a wait status. */
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

/* Fork a child that exits with code; the child's pid. */
static pid_t
child_exiting(int code)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(code);
	return pid;
}

static void
exit_statuses(void)
{
	static const int codes[] = {0, 1, 42, 255, 256, 257};
	char what[32];
	int st;

	for (size_t i = 0; i < NELEM(codes); i++) {
		pid_t pid = child_exiting(codes[i]);

		snprintf(what, sizeof(what), "exit(%d)", codes[i]);
		if (waitpid(pid, &st, 0) != pid)
			say("%s: waitpid failed", what);
		else
			show_status(what, st);
	}
	/* exit() runs atexit handlers and flushes stdio; _exit does not. */
	pid_t pid = fork();
	if (pid == 0) {
		printf("child printf before exit\n");
		exit(3);
	}
	waitpid(pid, &st, 0);
	show_status("exit(3) after printf", st);
}

static void
wnohang(void)
{
	pid_t pid = fork();
	int st = -1;

	if (pid == 0) {
		for (;;)
			pause();
	}
	check("waitpid(running child, WNOHANG)", waitpid(pid, &st, WNOHANG));
	say("status untouched by WNOHANG: %s", st == -1 ? "yes" : "no");
	check("kill(child, SIGKILL)", kill(pid, SIGKILL));
	expect("waitpid(killed child) == pid", waitpid(pid, &st, 0) == pid);
	show_status("killed child", st);
}

static void
specific_pid(void)
{
	pid_t a = child_exiting(1), b = child_exiting(2), c;
	int st;

	expect("waitpid(second child) == second", waitpid(b, &st, 0) == b);
	show_status("second child", st);
	c = wait(&st);
	expect("wait() == first child", c == a);
	show_status("first child", st);
	check("wait() with no children", wait(&st));
	check(
	    "waitpid(-1, WNOHANG) with no children", waitpid(-1, &st, WNOHANG));
	check("waitpid(not a child)", waitpid(0x7fffffff, &st, 0));
	check("waitpid(parent)", waitpid(getppid(), &st, 0));
}

static void
zombie(void)
{
	pid_t pid = child_exiting(7);
	siginfo_t si;
	int st;

	/* WNOWAIT: wait until it is a zombie, but leave it there. */
	memset(&si, 0, sizeof(si));
	check("waitid(WEXITED | WNOWAIT)",
	    waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	say("waitid: si_signo %d si_code %s si_status %d si_pid %s",
	    si.si_signo, si.si_code == CLD_EXITED ? "CLD_EXITED" : "other",
	    si.si_status, si.si_pid == pid ? "child" : "other");
	check("kill(zombie, 0)", kill(pid, 0));
	expect("waitpid(zombie) == pid", waitpid(pid, &st, 0) == pid);
	show_status("zombie", st);
	check("kill(reaped child, 0)", kill(pid, 0));
	check("waitpid(reaped child)", waitpid(pid, &st, 0));
}

static void
parent_and_copy(void)
{
	pid_t parent = getpid(), pid;
	int st;

	pid = fork();
	if (pid == 0) {
		say("child: getppid() and parent's getpid() %s",
		    getppid() == parent ? "same" : "different");
		say("child: getpid() and parent's %s",
		    getpid() == parent ? "same" : "different");
		cow_value = 2;
		say("child: sees its own write: %d", cow_value);
		_exit(cow_value);
	}
	/* After the child's lines: which runs first after fork is the scheduler's choice. */
	waitpid(pid, &st, 0);
	expect("fork() returned the child's pid to the parent",
	    pid > 0 && pid != parent);
	show_status("copy-on-write child", st);
	say("parent: value after the child wrote it: %d", cow_value);
}

static void
vfork_exit(void)
{
	pid_t pid = vfork();
	int st;

	if (pid == 0)
		_exit(9);
	expect("waitpid(vfork child) == pid", waitpid(pid, &st, 0) == pid);
	show_status("vfork child", st);
}

static void
many_children(void)
{
	enum { N = 50 };
	pid_t pids[N];
	int seen[N] = {0}, st, bad = 0;
	pid_t pid;

	for (int i = 0; i < N; i++)
		pids[i] = child_exiting(i);
	for (int i = 0; i < N; i++) {
		int j;

		if ((pid = wait(&st)) < 0) {
			bad++;
			continue;
		}
		for (j = 0; j < N && pids[j] != pid; j++)
			;
		if (j == N || !WIFEXITED(st) || WEXITSTATUS(st) != j ||
		    seen[j]++)
			bad++;
	}
	say("%d children, each reaped once with its own status: %s", N,
	    bad ? "no" : "yes");
	check("wait() after all", wait(&st));
}

static void
bad_input(void)
{
	pid_t pid;
	int st;

	check("wait4(-1, bad options)", syscall(SYS_wait4, -1, &st, 0x100, 0));
	check("waitid(bad idtype)", syscall(SYS_waitid, 99, 0, 0, WEXITED, 0));
	check(
	    "waitid(no WEXITED etc.)", syscall(SYS_waitid, P_ALL, 0, 0, 0, 0));
	/* The child is reaped even though its status cannot be stored. */
	pid = child_exiting(5);
	check("wait4(child, bad status pointer)",
	    syscall(SYS_wait4, pid, BAD_PTR, 0, 0));
	check("wait4(child) after that", syscall(SYS_wait4, pid, &st, 0, 0));
	pid = child_exiting(6);
	check("wait4(child, bad rusage pointer)",
	    syscall(SYS_wait4, pid, &st, 0, BAD_PTR));
	check("wait4(child) after that", syscall(SYS_wait4, pid, &st, 0, 0));
}

int
main(void)
{
	exit_statuses();
	wnohang();
	specific_pid();
	zombie();
	parent_and_copy();
	vfork_exit();
	many_children();
	bad_input();
	return 0;
}

/*
 * prctl: the process-control calls a libc uses, compared with Linux.
 * PR_SET_NAME and PR_GET_NAME (16 bytes with the terminator, longer
 * names cut), the name inherited by a fork child, PR_GET_DUMPABLE and
 * PR_SET_DUMPABLE, PR_SET_PDEATHSIG and PR_GET_PDEATHSIG (not
 * inherited), PR_GET_NO_NEW_PRIVS, and the errors: EINVAL for an
 * unknown option and a bad value, EFAULT.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

static void
show_name(const char *who)
{
	char name[32];

	memset(name, 'x', sizeof(name));
	prctl(PR_GET_NAME, name);
	say("%s: name \"%s\"", who, name);
}

int
main(void)
{
	int sig = -1, st;
	pid_t pid;

	check("PR_SET_NAME(\"lichen\")", prctl(PR_SET_NAME, "lichen"));
	show_name("after set");
	check("PR_SET_NAME(a 30-character name)",
	    prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz0123"));
	show_name("after a long set");
	check("PR_SET_NAME(\"\")", prctl(PR_SET_NAME, ""));
	show_name("after an empty set");
	prctl(PR_SET_NAME, "parent");
	pid = fork();
	if (pid == 0) {
		show_name("fork child");
		prctl(PR_GET_PDEATHSIG, &sig);
		say("fork child: pdeathsig %d", sig);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	check("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE));
	check("PR_SET_DUMPABLE(0)", prctl(PR_SET_DUMPABLE, 0));
	check("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE));
	check("PR_SET_DUMPABLE(5)", prctl(PR_SET_DUMPABLE, 5));
	check("PR_SET_DUMPABLE(1)", prctl(PR_SET_DUMPABLE, 1));
	check("PR_SET_PDEATHSIG(SIGUSR1)", prctl(PR_SET_PDEATHSIG, SIGUSR1));
	check("PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &sig));
	say("pdeathsig %d", sig);
	check("PR_SET_PDEATHSIG(99)", prctl(PR_SET_PDEATHSIG, 99));
	check("PR_SET_PDEATHSIG(0)", prctl(PR_SET_PDEATHSIG, 0));
	check("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	check("prctl(option 9999)", prctl(9999, 0, 0, 0, 0));
	check("PR_SET_NAME(bad pointer)", syscall(SYS_prctl, PR_SET_NAME, BAD_PTR));
	check("PR_GET_NAME(bad pointer)", syscall(SYS_prctl, PR_GET_NAME, BAD_PTR));
	check("PR_GET_PDEATHSIG(bad pointer)",
	    syscall(SYS_prctl, PR_GET_PDEATHSIG, BAD_PTR));
	return 0;
}

/*
 * exec: execve and the process image it starts, compared with Linux.
 * The program runs itself again; argv[1] chooses the role:
 *
 *	(none)		the auxiliary vector, execve's errors, a forked child
 *			that execs "exit-code", then exec of "after-exec"
 *	after-exec	what survived: argc, argv, envp (sorted), pid,
 *			signal dispositions, mask and pending signals
 *	exit-code	exits 5 for the parent that forked it
 *
 * Finding itself: on lichen, until a filesystem exists, programs are in
 * the boot archive as "/NAME"; on Linux that path is missing (ENOENT)
 * and AT_EXECFN names the binary. A host running this under
 * qemu-aarch64 without binfmt_misc cannot exec an aarch64 binary
 * (ENOEXEC), so there the program asks qemu-aarch64 to run it.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

#define QEMU_USER "/usr/bin/qemu-aarch64"

extern char **environ;
extern char _start[];

static const char *self; /* argv[0]: the name the program runs under */

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/*
 * execve this program with argv, envp: "/NAME" first, then AT_EXECFN,
 * then through qemu-aarch64. Returns the errno of the last attempt.
 */
static int
exec_self(char *const argv[], char *const envp[])
{
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	char path[256], *qargv[64];
	int n = 0;

	snprintf(path, sizeof(path), "/%s", base_name(self));
	syscall(SYS_execve, path, argv, envp);
	if (errno != ENOENT || execfn == NULL)
		return errno;
	syscall(SYS_execve, execfn, argv, envp);
	if (errno != ENOEXEC)
		return errno;
	qargv[n++] = "qemu-aarch64";
	qargv[n++] = "-0";
	qargv[n++] = argv[0];
	qargv[n++] = (char *)execfn;
	for (int i = 1; argv[i] != NULL && n < (int)NELEM(qargv) - 1; i++)
		qargv[n++] = argv[i];
	qargv[n] = NULL;
	syscall(SYS_execve, QEMU_USER, qargv, envp);
	return errno;
}

static void
auxv(void)
{
	const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	const char *platform = (const char *)getauxval(AT_PLATFORM);
	int nonzero = 0;

	say("AT_PAGESZ: %lu", getauxval(AT_PAGESZ));
	expect("AT_HWCAP has FP and ASIMD", (getauxval(AT_HWCAP) & 3) == 3);
	expect("AT_RANDOM non-null", rnd != NULL);
	for (int i = 0; rnd != NULL && i < 16; i++)
		nonzero |= rnd[i];
	expect("AT_RANDOM bytes not all zero", nonzero);
	expect("AT_EXECFN names this program",
	    execfn != NULL && strcmp(base_name(execfn), base_name(self)) == 0);
	say("AT_PLATFORM: %s", platform != NULL ? platform : "(none)");
	expect(
	    "AT_ENTRY is _start", getauxval(AT_ENTRY) == (unsigned long)_start);
	expect("AT_PHDR non-null", getauxval(AT_PHDR) != 0);
	say("AT_PHENT: %lu", getauxval(AT_PHENT));
	say("AT_PHNUM: %lu", getauxval(AT_PHNUM));
	say("AT_BASE: %lu", getauxval(AT_BASE));
	say("AT_CLKTCK: %lu", getauxval(AT_CLKTCK));
	say("AT_SECURE: %lu", getauxval(AT_SECURE));
	expect("AT_UID, AT_EUID, AT_GID, AT_EGID match the ids",
	    getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid() &&
		getauxval(AT_GID) == getgid() &&
		getauxval(AT_EGID) == getegid());
}

static void
exec_errors(void)
{
	char *argv[] = {(char *)self, "never-runs", NULL};
	char *bad_arg[] = {(char *)self, BAD_PTR, NULL};
	char *envp[] = {NULL};
	static char huge[200000]; /* more than MAX_ARG_STRLEN (32 pages) */
	char *big_arg[] = {(char *)self, huge, NULL};

	check("execve(missing path)",
	    syscall(SYS_execve, "/no/such/program", argv, envp));
	check("execve(\"\")", syscall(SYS_execve, "", argv, envp));
	check("execve(bad path pointer)",
	    syscall(SYS_execve, BAD_PTR, argv, envp));
	say("execve(self, bad argv pointer): %s",
	    errname(exec_self(BAD_PTR, envp)));
	say("execve(self, bad argv[1]): %s", errname(exec_self(bad_arg, envp)));
	say("execve(self, bad envp pointer): %s",
	    errname(exec_self(argv, BAD_PTR)));
	memset(huge, 'x', sizeof(huge) - 1);
	say("execve(self, 200000-byte argument): %s",
	    errname(exec_self(big_arg, envp)));
}

static void
fork_and_exec(void)
{
	char *argv[] = {(char *)self, "exit-code", NULL};
	char *envp[] = {NULL};
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int e = exec_self(argv, envp);

		say("child: exec failed: %s", errname(e));
		_exit(127);
	}
	expect("waitpid(exec'd child) == pid", waitpid(pid, &st, 0) == pid);
	say("exec'd child: %s %d",
	    WIFEXITED(st) ? "exited" : "killed by signal",
	    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

static void
handler(int sig)
{
	(void)sig;
}

static void
first(void)
{
	char pidvar[32];
	char *argv[] = {(char *)self, "after-exec", "two words", "", NULL};
	char *envp[] = {"LICHEN_TEST=exec", "EMPTY=", pidvar, NULL};
	sigset_t set;

	auxv();
	exec_errors();
	fork_and_exec();

	/* What execve must keep and what it must reset (checked after). */
	signal(SIGUSR1, handler);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR2);
	snprintf(pidvar, sizeof(pidvar), "OLDPID=%d", getpid());
	say("exec: %s", errname(exec_self(argv, envp)));
	exit(1);
}

static int
by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
after_exec(int argc, char **argv)
{
	char *env[32];
	int n = 0, samepid = 0;
	struct sigaction sa;
	sigset_t set;

	say("after exec: argc %d", argc);
	for (int i = 0; i < argc; i++)
		say("argv[%d]: \"%s\"", i, argv[i]);
	expect("argv[argc] is NULL", argv[argc] == NULL);
	/* Sorted: qemu-aarch64 hands the environment over reversed. */
	for (char **e = environ; *e != NULL && n < (int)NELEM(env); e++) {
		if (strncmp(*e, "OLDPID=", 7) == 0)
			samepid = atoi(*e + 7) == getpid();
		else
			env[n++] = *e;
	}
	qsort(env, n, sizeof(env[0]), by_string);
	for (int i = 0; i < n; i++)
		say("env: \"%s\"", env[i]);
	say("getpid after exec: %s", samepid ? "same" : "different");
	sigaction(SIGUSR1, NULL, &sa);
	expect("SIGUSR1 handler reset to SIG_DFL", sa.sa_handler == SIG_DFL);
	sigaction(SIGHUP, NULL, &sa);
	expect("SIGHUP still SIG_IGN", sa.sa_handler == SIG_IGN);
	sigprocmask(SIG_BLOCK, NULL, &set);
	expect("SIGUSR2 still blocked", sigismember(&set, SIGUSR2));
	sigpending(&set);
	expect("SIGUSR2 still pending", sigismember(&set, SIGUSR2));
	auxv();
}

int
main(int argc, char **argv)
{
	self = argc > 0 ? argv[0] : "exec";
	if (argc > 1 && strcmp(argv[1], "exit-code") == 0) {
		say("exit-code role: argc %d", argc);
		return 5;
	}
	if (argc > 1 && strcmp(argv[1], "after-exec") == 0) {
		after_exec(argc, argv);
		return 0;
	}
	first();
	return 1;
}

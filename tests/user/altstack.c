/*
 * altstack: the alternate signal stack, compared with Linux. A handler
 * on it (SS_ONSTACK inside, changing it then is EPERM), a nested signal on
 * the alternate stack staying on it, the stack inherited by a fork
 * child, a handler without SA_ONSTACK on the normal stack, the smallest
 * size (MINSIGSTKSZ) and the errors: ENOMEM, EINVAL, EFAULT.
 *
 * Left out: SS_AUTODISARM (qemu-aarch64 7.2 refuses it with EINVAL).
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

enum { SIZE = 65536 };
static char *alt;
static volatile int on_alt, inner_on_alt, flags_in, disable_err, depth;

static int
on_alt_stack(void)
{
	char here;

	return &here >= alt && &here < alt + SIZE;
}

static void
handler(int sig)
{
	stack_t cur, ss = {.ss_flags = SS_DISABLE};

	if (sig == SIGUSR2) {
		inner_on_alt = on_alt_stack();
		return;
	}
	on_alt = on_alt_stack();
	sigaltstack(NULL, &cur);
	flags_in = cur.ss_flags;
	disable_err = sigaltstack(&ss, NULL) == 0 ? 0 : errno;
	if (depth++ == 0)
		raise(SIGUSR2);
}

static void
install(int sig, int flags)
{
	struct sigaction sa = {.sa_handler = handler, .sa_flags = flags};

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static const char *
fname(int f)
{
	return f == SS_ONSTACK ? "SS_ONSTACK" : f == SS_DISABLE ? "SS_DISABLE"
	       : f == 0	       ? "0"
				 : "other";
}

static void
run(const char *what)
{
	stack_t cur;

	depth = on_alt = inner_on_alt = flags_in = disable_err = 0;
	raise(SIGUSR1);
	sigaltstack(NULL, &cur);
	say("%s: on alt %s, nested on alt %s, ss_flags inside %s, disable "
	    "inside %s, after %s",
	    what, on_alt ? "yes" : "no", inner_on_alt ? "yes" : "no",
	    fname(flags_in), disable_err ? errname(disable_err) : "0",
	    fname(cur.ss_flags));
}

int
main(void)
{
	stack_t ss, old;
	pid_t pid;
	int st;

	alt = mmap(NULL, SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ss = (stack_t){.ss_sp = alt, .ss_size = SIZE};
	check("sigaltstack(64 KiB)", sigaltstack(&ss, &old));
	say("old ss_flags %s", fname(old.ss_flags));
	install(SIGUSR1, SA_ONSTACK);
	install(SIGUSR2, SA_ONSTACK);
	run("SA_ONSTACK");
	install(SIGUSR2, 0);
	run("inner without SA_ONSTACK");
	install(SIGUSR1, 0);
	run("without SA_ONSTACK");
	install(SIGUSR1, SA_ONSTACK);
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	pid = fork();
	if (pid == 0) {
		sigaltstack(NULL, &old);
		run("in a fork child");
		_exit(old.ss_sp == alt && old.ss_size == SIZE ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	say("the child had the same stack: %s", WEXITSTATUS(st) == 0 ? "yes" : "no");

	ss.ss_size = MINSIGSTKSZ - 1;
	check("sigaltstack(MINSIGSTKSZ - 1)", sigaltstack(&ss, NULL));
	ss.ss_flags = 0x10;
	ss.ss_size = SIZE;
	check("sigaltstack(ss_flags 0x10)", sigaltstack(&ss, NULL));
	ss.ss_flags = SS_ONSTACK;
	check("sigaltstack(ss_flags SS_ONSTACK)", sigaltstack(&ss, NULL));
	check("sigaltstack(bad ss)", syscall(SYS_sigaltstack, BAD_PTR, NULL));
	check("sigaltstack(NULL, bad old)",
	    syscall(SYS_sigaltstack, NULL, BAD_PTR));
	ss = (stack_t){.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
	check("sigaltstack(SS_DISABLE, size 0)", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &old);
	say("ss_flags %s, ss_size %zu", fname(old.ss_flags), old.ss_size);
	return 0;
}

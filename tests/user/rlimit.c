/*
 * rlimit: resource limits, compared with Linux.
 * getrlimit/setrlimit/prlimit64 on RLIMIT_NOFILE and RLIMIT_CORE
 * (lowering, raising the soft limit up to the hard one, lowering the
 * hard one), the old value prlimit64 returns,
 * limits inherited by a fork child, and the errors: EINVAL for soft >
 * hard and for a bad resource, EFAULT, ESRCH for a missing pid.
 * Starting values are the caller's and are not printed; raising a hard
 * limit is left out (a root without CAP_SYS_RESOURCE, as in a
 * container, is refused).
 *
 * RLIMIT_STACK, RLIMIT_AS and RLIMIT_DATA are left out: qemu-aarch64
 * keeps them for itself (setrlimit succeeds and changes nothing).
 */
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

static const char *
lim(rlim_t v)
{
	static char s[2][24];
	static int i;

	i ^= 1;
	if (v == RLIM_INFINITY)
		return "infinity";
	snprintf(s[i], sizeof(s[i]), "%llu", (unsigned long long)v);
	return s[i];
}

static void
show(const char *what, int res)
{
	struct rlimit r;

	getrlimit(res, &r);
	say("%s: %s %s", what, lim(r.rlim_cur), lim(r.rlim_max));
}

int
main(void)
{
	struct rlimit r, old;
	pid_t pid;
	int st;

	r = (struct rlimit){64, 128};
	check("setrlimit(NOFILE, 64 128)", setrlimit(RLIMIT_NOFILE, &r));
	show("NOFILE", RLIMIT_NOFILE);
	r = (struct rlimit){128, 128};
	check("setrlimit(NOFILE, 128 128)", setrlimit(RLIMIT_NOFILE, &r));
	r = (struct rlimit){32, 64};
	check("setrlimit(NOFILE, 32 64): the hard limit lowered", setrlimit(RLIMIT_NOFILE, &r));
	show("NOFILE", RLIMIT_NOFILE);
	r = (struct rlimit){60, 50};
	check("setrlimit(soft > hard)", setrlimit(RLIMIT_NOFILE, &r));
	r = (struct rlimit){40, 50};
	check("prlimit64(0, NOFILE, 40 50, &old)",
	    syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &r, &old));
	say("old: %s %s", lim(old.rlim_cur), lim(old.rlim_max));
	check("prlimit64(getpid(), NOFILE, NULL, &old)",
	    syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &old));
	say("old: %s %s", lim(old.rlim_cur), lim(old.rlim_max));
	getrlimit(RLIMIT_CORE, &r);
	r.rlim_cur = 0;
	check("setrlimit(CORE, 0 and the hard limit as it was)",
	    setrlimit(RLIMIT_CORE, &r));
	getrlimit(RLIMIT_CORE, &old);
	say("CORE soft %s", lim(old.rlim_cur));
	pid = fork();
	if (pid == 0) {
		show("child NOFILE", RLIMIT_NOFILE);
		getrlimit(RLIMIT_CORE, &old);
		say("child CORE soft %s", lim(old.rlim_cur));
		_exit(0);
	}
	waitpid(pid, &st, 0);
	check("getrlimit(resource 99)", syscall(SYS_prlimit64, 0, 99, NULL, &old));
	check("setrlimit(resource 99)", syscall(SYS_prlimit64, 0, 99, &r, NULL));
	check("prlimit64(bad new)", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, BAD_PTR, NULL));
	check("prlimit64(bad old)", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BAD_PTR));
	check("prlimit64(no such pid)",
	    syscall(SYS_prlimit64, 0x3ffffff, RLIMIT_NOFILE, NULL, &old));
	return 0;
}

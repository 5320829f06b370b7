/*
 * ids: process groups, sessions, credentials and the small per-process
 * settings, compared with Linux running as root (lichen runs everything
 * as uid 0). getpgid/setpgid/getsid/setsid and their errors, umask,
 * the uid and gid calls, getrusage, times, sysinfo, the scheduler
 * calls, getpriority/setpriority, uname, prlimit.
 *
 * Nothing the caller's environment decides is printed: sessions and
 * groups are made in children, the first umask and limits are not
 * shown, and values are compared with each other, not printed.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

static void
wait_child(pid_t pid)
{
	int st;

	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		say("child: status %#x", st);
}

/* In a child: a new session, and a grandchild in a group of its own. */
static void
sessions(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pid_t me = getpid(), gc;

		expect("child: not a group leader to start with",
		    getpgid(0) != me);
		check("child: setsid() == getpid()", setsid() == me ? 0 : -1);
		say("child: getsid(0) %s, getpgid(0) %s, getpgrp() %s",
		    getsid(0) == me ? "== pid" : "!= pid",
		    getpgid(0) == me ? "== pid" : "!= pid",
		    getpgrp() == me ? "== pid" : "!= pid");
		check("child: setsid() again (a group leader)", setsid());
		check("child: setpgid(0, 0) as session leader", setpgid(0, 0));
		if ((gc = fork()) == 0) {
			pid_t g = getpid();

			say("grandchild: getsid(0) is the child's %s",
			    getsid(0) == me ? "yes" : "no");
			check("grandchild: setpgid(0, 0)", setpgid(0, 0));
			expect(
			    "grandchild: getpgid(0) == pid", getpgid(0) == g);
			check("grandchild: setpgid(0, child's group)",
			    setpgid(0, me));
			expect("grandchild: back in the child's group",
			    getpgid(0) == me);
			check("grandchild: setpgid(0, a group not in the "
			      "session)",
			    setpgid(0, 1));
			_exit(0);
		}
		wait_child(gc);
		_exit(0);
	}
	wait_child(pid);
}

static void
group_errors(void)
{
	pid_t pid;

	check("getpgid(INT_MAX)", getpgid(INT_MAX));
	check("getsid(INT_MAX)", getsid(INT_MAX));
	check("setpgid(INT_MAX, 0)", setpgid(INT_MAX, 0));
	check("setpgid(0, -1)", setpgid(0, -1));
	expect("getpgid(0) == getpgrp()", getpgid(0) == getpgrp());
	expect("getsid(0) == getsid(getpid())", getsid(0) == getsid(getpid()));

	/* A child that made its own session cannot be moved by its parent. */
	if ((pid = fork()) == 0) {
		setsid();
		pause();
		_exit(0);
	}
	for (int i = 0; i < 2000 && getsid(pid) != pid; i++)
		usleep(1000);
	check("setpgid(child in another session, child)", setpgid(pid, pid));
	check("getsid(that child) == its pid", getsid(pid) == pid ? 0 : -1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* A child that has not: the parent can put it in a group of its own. */
	if ((pid = fork()) == 0) {
		pause();
		_exit(0);
	}
	check("setpgid(child, child)", setpgid(pid, pid));
	expect("getpgid(child) == child", getpgid(pid) == pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void
credentials(void)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	pid_t pid;

	say("getuid %d geteuid %d getgid %d getegid %d", (int)getuid(),
	    (int)geteuid(), (int)getgid(), (int)getegid());
	check("getresuid", getresuid(&r, &e, &s));
	say("resuid %d %d %d", (int)r, (int)e, (int)s);
	check("getresgid", getresgid(&gr, &ge, &gs));
	say("resgid %d %d %d", (int)gr, (int)ge, (int)gs);
	check("setuid(0)", setuid(0));
	check("setgid(0)", setgid(0));
	check("setresuid(-1, -1, -1)", setresuid(-1, -1, -1));
	check("setresgid(-1, -1, -1)", setresgid(-1, -1, -1));
	check(
	    "getresuid(bad pointer)", syscall(SYS_getresuid, BAD_PTR, &e, &s));

	/* Giving root up, in a child: then there is no way back. */
	if ((pid = fork()) == 0) {
		gid_t none[1];

		check("child: setgroups(0)", setgroups(0, NULL));
		check("child: getgroups(0, NULL)", getgroups(0, NULL));
		check("child: setresgid(100, 100, 100)",
		    setresgid(100, 100, 100));
		check("child: setresuid(1000, 1000, 1000)",
		    setresuid(1000, 1000, 1000));
		say("child: uid %d euid %d gid %d egid %d", (int)getuid(),
		    (int)geteuid(), (int)getgid(), (int)getegid());
		check("child: setuid(0)", setuid(0));
		check("child: setgid(0)", setgid(0));
		check("child: setgroups(0) unprivileged", setgroups(0, none));
		check("child: kill(parent, 0) (uid 0's)", kill(getppid(), 0));
		check("child: setpriority(-5) unprivileged",
		    setpriority(PRIO_PROCESS, 0, -5));
		_exit(0);
	}
	wait_child(pid);
}

static void
masks_and_usage(void)
{
	struct rusage ru;
	struct tms t;
	struct sysinfo si;
	struct utsname u;

	umask(077);
	say("umask(022) returns %03o", (unsigned)umask(022));
	say("umask(0777) returns %03o", (unsigned)umask(0777));
	say("umask(01777) returns %03o", (unsigned)umask(01777));
	say("umask(022) returns %03o", (unsigned)umask(022));

	check("getrusage(RUSAGE_SELF)", getrusage(RUSAGE_SELF, &ru));
	check("getrusage(RUSAGE_CHILDREN)", getrusage(RUSAGE_CHILDREN, &ru));
	check("getrusage(RUSAGE_THREAD)", getrusage(RUSAGE_THREAD, &ru));
	check("getrusage(99)", getrusage(99, &ru));
	check("getrusage(bad pointer)",
	    syscall(SYS_getrusage, RUSAGE_SELF, BAD_PTR));
	expect("times() succeeds", times(&t) != (clock_t)-1);
	expect("times(NULL) succeeds", syscall(SYS_times, NULL) != -1);
	check("times(bad pointer)", syscall(SYS_times, BAD_PTR));
	check("sysinfo", sysinfo(&si));
	expect("sysinfo: uptime >= 0, totalram > 0, freeram <= totalram, procs "
	       ">= 1, mem_unit >= 1",
	    si.uptime >= 0 && si.totalram > 0 && si.freeram <= si.totalram &&
		si.procs >= 1 && si.mem_unit >= 1);
	check("sysinfo(bad pointer)", syscall(SYS_sysinfo, BAD_PTR));
	check("uname", uname(&u));
	say("sysname %s, machine %s", u.sysname, u.machine);
	check("uname(bad pointer)", syscall(SYS_uname, BAD_PTR));
}

static void
scheduling(void)
{
	cpu_set_t set, one, all;
	struct sched_param sp = {0};
	long n;

	n = syscall(SYS_sched_getaffinity, 0, sizeof(set), &set);
	all = set;
	expect("sched_getaffinity: returns a multiple of 8 bytes",
	    n > 0 && n % 8 == 0);
	expect("CPU 0 in the set, at least one CPU",
	    CPU_ISSET(0, &set) && CPU_COUNT(&set) >= 1);
	check("sched_getaffinity(size 0)",
	    syscall(SYS_sched_getaffinity, 0, 0, &set));
	check("sched_getaffinity(size 7)",
	    syscall(SYS_sched_getaffinity, 0, 7, &set));
	check("sched_getaffinity(INT_MAX)",
	    syscall(SYS_sched_getaffinity, INT_MAX, sizeof(set), &set));
	check("sched_getaffinity(bad pointer)",
	    syscall(SYS_sched_getaffinity, 0, sizeof(set), BAD_PTR));
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	check("sched_setaffinity(CPU 0)",
	    sched_setaffinity(0, sizeof(one), &one));
	sched_getaffinity(0, sizeof(set), &set);
	say("now: %d CPU, CPU 0 %s", CPU_COUNT(&set),
	    CPU_ISSET(0, &set) ? "yes" : "no");
	CPU_ZERO(&one);
	check("sched_setaffinity(no CPUs)",
	    sched_setaffinity(0, sizeof(one), &one));
	check("sched_setaffinity(back to all)",
	    sched_setaffinity(0, sizeof(all), &all));

	/* Raw: musl's wrappers for these say ENOSYS without asking. */
	say("sched_getscheduler(0): %s",
	    syscall(SYS_sched_getscheduler, 0) == SCHED_OTHER ? "SCHED_OTHER"
							      : "other");
	check("sched_getparam(0)", syscall(SYS_sched_getparam, 0, &sp));
	say("sched_priority %d", sp.sched_priority);
	check("sched_setscheduler(0, SCHED_OTHER, 0)",
	    syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp));
	check("sched_setscheduler(0, 99, 0)",
	    syscall(SYS_sched_setscheduler, 0, 99, &sp));
	sp.sched_priority = 5;
	check("sched_setscheduler(0, SCHED_OTHER, 5)",
	    syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp));
	check("sched_getscheduler(INT_MAX)",
	    syscall(SYS_sched_getscheduler, INT_MAX));
	check("sched_getparam(bad pointer)",
	    syscall(SYS_sched_getparam, 0, BAD_PTR));
	say("priority range: SCHED_OTHER %d-%d, SCHED_FIFO %d-%d, SCHED_RR "
	    "%d-%d",
	    sched_get_priority_min(SCHED_OTHER),
	    sched_get_priority_max(SCHED_OTHER),
	    sched_get_priority_min(SCHED_FIFO),
	    sched_get_priority_max(SCHED_FIFO),
	    sched_get_priority_min(SCHED_RR), sched_get_priority_max(SCHED_RR));
	check("sched_get_priority_max(99)", sched_get_priority_max(99));

	/* A nice value may be negative: these print it as it is. */
	check(
	    "setpriority(PRIO_PROCESS, 0, 5)", setpriority(PRIO_PROCESS, 0, 5));
	say("getpriority(PRIO_PROCESS, 0): %d", getpriority(PRIO_PROCESS, 0));
	check("raw getpriority (20 - nice)",
	    syscall(SYS_getpriority, PRIO_PROCESS, 0));
	check("setpriority(-3) as root", setpriority(PRIO_PROCESS, 0, -3));
	say("getpriority: %d", getpriority(PRIO_PROCESS, 0));
	check("setpriority(100) (clamped to 19)",
	    setpriority(PRIO_PROCESS, 0, 100));
	say("getpriority: %d", getpriority(PRIO_PROCESS, 0));
	setpriority(PRIO_PROCESS, 0, 0);
	check("getpriority(99, 0)", getpriority(99, 0));
	check("getpriority(PRIO_PROCESS, INT_MAX)",
	    getpriority(PRIO_PROCESS, INT_MAX));
	check("setpriority(PRIO_PROCESS, INT_MAX, 0)",
	    setpriority(PRIO_PROCESS, INT_MAX, 0));
}

static void
limits(void)
{
	struct rlimit old, set = {100, 200}, got, bad = {300, 200};

	check("prlimit(RLIMIT_NOFILE, NULL, &old)",
	    prlimit(0, RLIMIT_NOFILE, NULL, &old));
	check("prlimit(RLIMIT_NOFILE, {100, 200})",
	    prlimit(0, RLIMIT_NOFILE, &set, NULL));
	check("getrlimit(RLIMIT_NOFILE)", getrlimit(RLIMIT_NOFILE, &got));
	say("now %ld %ld", (long)got.rlim_cur, (long)got.rlim_max);
	check("setrlimit(soft > hard)", setrlimit(RLIMIT_NOFILE, &bad));
	/*
	 * Lower only: raising a hard limit needs CAP_SYS_RESOURCE, which
	 * root in a container may lack.
	 */
	set = (struct rlimit){50, 150};
	check("prlimit(RLIMIT_NOFILE, {50, 150}, &old)",
	    prlimit(0, RLIMIT_NOFILE, &set, &got));
	say("the old value returned: %ld %ld", (long)got.rlim_cur,
	    (long)got.rlim_max);
	check("prlimit(resource 99)", prlimit(0, 99, NULL, &got));
	check("prlimit(INT_MAX, RLIMIT_NOFILE)",
	    prlimit(INT_MAX, RLIMIT_NOFILE, NULL, &got));
	check("prlimit(bad new pointer)",
	    syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, BAD_PTR, NULL));
	check("prlimit(bad old pointer)",
	    syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BAD_PTR));
	set = (struct rlimit){0, 0};
	check("setrlimit(RLIMIT_CORE, 0)", setrlimit(RLIMIT_CORE, &set));
	getrlimit(RLIMIT_CORE, &got);
	say("RLIMIT_CORE now %ld %ld", (long)got.rlim_cur, (long)got.rlim_max);
}

int
main(void)
{
	sessions();
	group_errors();
	credentials();
	masks_and_usage();
	scheduling();
	limits();
	return 0;
}

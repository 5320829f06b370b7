/*
 * sigchld: signals between a parent and its children, compared with
 * Linux. SIGCHLD and its siginfo for each way a child changes state
 * (exit, kill, stop, continue), default actions that kill (SIGTERM,
 * SIGSEGV, SIGABRT, SIGILL, a bad sigreturn frame) and stop (SIGSTOP,
 * SIGTSTP), WUNTRACED/WCONTINUED, a signal to a stopped child, a
 * process group killed at once, SIGCHLD ignored (children reaped by
 * the kernel), a kill waking a sleeping child, EINTR of nanosleep, and
 * SA_RESTART restarting wait4 where nanosleep is never restarted.
 *
 * RLIMIT_CORE is 0 so that no core is written and WCOREDUMP is 0; a
 * child about to die of a signal closes stderr first, where
 * qemu-aarch64 would report "uncaught target signal". Where a child
 * must be inside a call before the parent signals it, the sender
 * sleeps 100 ms first.
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

static volatile sig_atomic_t hits;
static siginfo_t info;

static void
keep_info(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	hits++;
	info = *si;
}

static void
counter(int sig)
{
	(void)sig;
	hits++;
}

static void
install(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = {.sa_handler = fn, .sa_flags = flags};

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000};

	nanosleep(&ts, NULL);
}

static void
show_status(const char *what, int st)
{
	if (WIFEXITED(st))
		say("%s: exited %d", what, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		say("%s: killed by signal %d, core dumped %s", what,
		    WTERMSIG(st), WCOREDUMP(st) ? "yes" : "no");
	else if (WIFSTOPPED(st))
		say("%s: stopped by signal %d", what, WSTOPSIG(st));
	else if (WIFCONTINUED(st))
		say("%s: continued", what);
	else
		say("%s: status %#x", what, st);
}

/* The SIGCHLD that is pending (SIGCHLD is blocked outside sigsuspend). */
static void
show_sigchld(const char *what, pid_t child)
{
	struct timespec second = {1, 0};
	sigset_t set;
	siginfo_t si;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	memset(&si, 0, sizeof(si));
	if (sigtimedwait(&set, &si, &second) != SIGCHLD) {
		say("%s: no SIGCHLD (%s)", what, errname(errno));
		return;
	}
	/*
	 * A stop's si_status is not shown: Linux reads it from the child's
	 * group_exit_code when the child sends SIGCHLD, and a parent whose
	 * waitpid saw the stop first has already zeroed it.
	 */
	if (si.si_code == CLD_STOPPED)
		say("%s: SIGCHLD %s si_pid %s", what,
		    codename(SIGCHLD, si.si_code),
		    si.si_pid == child ? "child" : "other");
	else
		say("%s: SIGCHLD %s si_status %d si_pid %s", what,
		    codename(SIGCHLD, si.si_code), si.si_status,
		    si.si_pid == child ? "child" : "other");
}

static pid_t
child_pausing(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void
sigchld_on_exit(void)
{
	sigset_t empty;
	pid_t pid;
	int st;

	struct sigaction sa = {
	    .sa_sigaction = keep_info, .sa_flags = SA_SIGINFO};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&empty);
	hits = 0;
	if ((pid = fork()) == 0)
		_exit(3);
	while (hits == 0)
		sigsuspend(&empty);
	say("SIGCHLD handler: ran %d, si_signo %d, %s, si_status %d, si_pid %s",
	    hits, info.si_signo, codename(SIGCHLD, info.si_code),
	    info.si_status, info.si_pid == pid ? "child" : "other");
	waitpid(pid, &st, 0);
	show_status("child", st);
	install(SIGCHLD, SIG_DFL, 0);
}

static void
killed_by_default_actions(void)
{
	struct rlimit none = {0, 0};
	pid_t pid;
	int st;

	check("setrlimit(RLIMIT_CORE, 0)", setrlimit(RLIMIT_CORE, &none));

	pid = child_pausing();
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	show_status("SIGTERM", st);
	show_sigchld("SIGTERM", pid);

	if ((pid = fork()) == 0) {
		close(2);
		*(volatile int *)BAD_PTR = 1;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	show_status("bad store", st);
	show_sigchld("bad store", pid);

	if ((pid = fork()) == 0) {
		sigset_t all;

		/* A fault while SIGSEGV is blocked still kills. */
		close(2);
		install(SIGSEGV, counter, 0);
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		*(volatile int *)BAD_PTR = 1;
		_exit(0);
	}
	waitpid(pid, &st, 0);
	show_status("bad store, SIGSEGV blocked and handled", st);
	show_sigchld("bad store, SIGSEGV blocked and handled", pid);

	if ((pid = fork()) == 0) {
		close(2);
		abort();
	}
	waitpid(pid, &st, 0);
	show_status("abort()", st);
	show_sigchld("abort()", pid);

	if ((pid = fork()) == 0) {
		close(2);
		__asm__ volatile("udf #0");
		_exit(0);
	}
	waitpid(pid, &st, 0);
	show_status("udf", st);
	show_sigchld("udf", pid);

	if ((pid = fork()) == 0) {
		static char frame[8192] __attribute__((aligned(16)));

		/* rt_sigreturn with no signal frame: a zeroed one. */
		close(2);
		__asm__ volatile("mov sp, %0\n"
				 "mov x8, #139\n"
				 "svc #0\n" ::"r"(frame + 4096)
				 : "x8", "memory");
		_exit(0);
	}
	waitpid(pid, &st, 0);
	show_status("rt_sigreturn without a frame", st);
	show_sigchld("rt_sigreturn without a frame", pid);

	if ((pid = fork()) == 0) {
		sigset_t all;

		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		for (;;)
			pause();
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	show_status("SIGKILL with everything blocked", st);
	show_sigchld("SIGKILL with everything blocked", pid);
}

static void
stop_and_continue(void)
{
	pid_t pid = child_pausing();
	siginfo_t si;
	int st;

	kill(pid, SIGSTOP);
	expect(
	    "waitpid(WUNTRACED) == child", waitpid(pid, &st, WUNTRACED) == pid);
	show_status("SIGSTOP", st);
	show_sigchld("SIGSTOP", pid);
	check("waitpid(WUNTRACED | WNOHANG) again",
	    waitpid(pid, &st, WUNTRACED | WNOHANG));
	check("waitpid(WNOHANG) while stopped", waitpid(pid, &st, WNOHANG));
	kill(pid, SIGCONT);
	expect("waitpid(WCONTINUED) == child",
	    waitpid(pid, &st, WCONTINUED) == pid);
	show_status("SIGCONT", st);
	show_sigchld("SIGCONT", pid);
	check("waitpid(WCONTINUED | WNOHANG) again",
	    waitpid(pid, &st, WCONTINUED | WNOHANG));

	/*
	 * SIGTSTP is discarded in an orphaned process group, which the
	 * caller's group may be (meson runs tests in a session of their
	 * own); a group of the child's own, with its parent outside it in
	 * the same session, is not.
	 */
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	show_sigchld("SIGKILL", pid);
	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	kill(pid, SIGTSTP);
	memset(&si, 0, sizeof(si));
	check("waitid(WSTOPPED) after SIGTSTP",
	    waitid(P_PID, pid, &si, WSTOPPED));
	say("waitid: %s si_status %d", codename(SIGCHLD, si.si_code),
	    si.si_status);
	show_sigchld("SIGTSTP", pid);
	/* A stopped child keeps SIGTERM pending until it runs again. */
	kill(pid, SIGTERM);
	sleep_ms(50);
	check("waitpid(WNOHANG) after SIGTERM to the stopped child",
	    waitpid(pid, &st, WNOHANG));
	kill(pid, SIGCONT);
	expect("waitpid() == child", waitpid(pid, &st, 0) == pid);
	show_status("SIGTERM, then SIGCONT", st);
	/* Drain the SIGCHLDs of that: continued, then killed (merged). */
	show_sigchld("SIGTERM, then SIGCONT", pid);

	pid = child_pausing();
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	show_sigchld("SIGSTOP", pid);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	show_status("SIGKILL to a stopped child", st);
	show_sigchld("SIGKILL to a stopped child", pid);
}

static void
groups_and_ignored(void)
{
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	check("kill(-child's group, SIGTERM)", kill(-pid, SIGTERM));
	waitpid(pid, &st, 0);
	show_status("group member", st);
	show_sigchld("group member", pid);
	check("kill(-INT_MAX, SIGTERM)", kill(-0x7fffffff, SIGTERM));

	install(SIGCHLD, SIG_IGN, 0);
	for (int i = 0; i < 3; i++)
		if (fork() == 0)
			_exit(i);
	check("wait() with SIGCHLD ignored (waits for all, reaps none)",
	    wait(&st));
	install(SIGCHLD, SIG_DFL, 0);
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
sleepers(void)
{
	struct timespec t0, five = {5, 0}, rem = {0, 0};
	pid_t pid, parent = getpid();
	long r;
	int st;

	/* SIGKILL ends a child in a 10 s nanosleep at once. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == 0) {
		struct timespec ten = {10, 0};

		nanosleep(&ten, NULL);
		_exit(0);
	}
	sleep_ms(100);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	show_status("sleeping child, SIGKILL", st);
	expect("it died at once", ms_since(&t0) < 5000);
	show_sigchld("sleeping child, SIGKILL", pid);

	/* A handled signal from a child interrupts nanosleep, SA_RESTART or
	 * not. */
	for (int restart = 0; restart <= 1; restart++) {
		install(SIGUSR1, counter, restart ? SA_RESTART : 0);
		hits = 0;
		if ((pid = fork()) == 0) {
			sleep_ms(100);
			kill(parent, SIGUSR1);
			_exit(0);
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = nanosleep(&five, &rem);
		say("nanosleep(5 s), SIGUSR1 from a child%s: %ld %s, handler "
		    "ran %d, "
		    "remaining 3-5 s %s",
		    restart ? " (SA_RESTART)" : "", r,
		    r < 0 ? errname(errno) : "", hits,
		    rem.tv_sec >= 3 && rem.tv_sec < 5 ? "yes" : "no");
		waitpid(pid, &st, 0);
		show_sigchld("signalling child", pid);
	}

	/* wait4 is restarted after a SA_RESTART handler and not otherwise. */
	for (int restart = 0; restart <= 1; restart++) {
		install(SIGUSR1, counter, restart ? SA_RESTART : 0);
		hits = 0;
		if ((pid = fork()) == 0) {
			sleep_ms(100);
			kill(parent, SIGUSR1);
			sleep_ms(100);
			_exit(4);
		}
		r = wait4(pid, &st, 0, NULL);
		if (r == pid)
			say("wait4, SIGUSR1 from the child%s: the child, "
			    "handler ran %d",
			    restart ? " (SA_RESTART)" : "", hits);
		else
			say("wait4, SIGUSR1 from the child%s: %ld %s, handler "
			    "ran %d",
			    restart ? " (SA_RESTART)" : "", r, errname(errno),
			    hits);
		if (r != pid)
			waitpid(pid, &st, 0);
		show_status("signalling child", st);
		show_sigchld("signalling child", pid);
	}
	install(SIGUSR1, SIG_DFL, 0);
}

int
main(void)
{
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sigchld_on_exit();
	killed_by_default_actions();
	stop_and_continue();
	groups_and_ignored();
	sleepers();
	return 0;
}

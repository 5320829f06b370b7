/*
 * rtsig: real-time signals, compared with Linux. Instances queue (a
 * standard signal does not), each keeps its sigqueue value and
 * si_code, they are delivered lowest number first and, within one
 * signal, in the order sent; sigwaitinfo takes them one at a time;
 * SIGRTMIN and SIGRTMAX as musl numbers them; rt_sigqueueinfo from the
 * process itself, and the errors (EINVAL for a bad signal, EFAULT,
 * ESRCH).
 *
 * The highest real-time signals are not sent: qemu-aarch64 keeps host
 * real-time signals for itself and never delivers the guest's top ones.
 */
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linuxtest.h"

static volatile sig_atomic_t nseen;
static int seen_sig[32], seen_val[32], seen_code[32];

static void
record(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (nseen < 32) {
		seen_sig[nseen] = sig;
		seen_val[nseen] = si->si_value.sival_int;
		seen_code[nseen] = si->si_code;
		nseen++;
	}
}

static void
install(int sig)
{
	struct sigaction sa = {.sa_sigaction = record, .sa_flags = SA_SIGINFO};

	sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

int
main(void)
{
	int a = SIGRTMIN + 3, b = SIGRTMIN + 1, c = SIGRTMIN + 10;
	sigset_t set, empty;
	siginfo_t si;

	say("SIGRTMIN %d, SIGRTMAX %d", SIGRTMIN, SIGRTMAX);
	install(a);
	install(b);
	install(c);
	install(SIGUSR1);
	sigemptyset(&set);
	sigaddset(&set, a);
	sigaddset(&set, b);
	sigaddset(&set, c);
	sigaddset(&set, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int i = 0; i < 3; i++) {
		sigqueue(getpid(), c, (union sigval){.sival_int = 300 + i});
		sigqueue(getpid(), a, (union sigval){.sival_int = 100 + i});
		sigqueue(getpid(), SIGUSR1, (union sigval){.sival_int = 900 + i});
		sigqueue(getpid(), b, (union sigval){.sival_int = 200 + i});
	}
	raise(a);
	sigprocmask(SIG_SETMASK, &empty, NULL);
	say("delivered %d", nseen);
	for (int i = 0; i < nseen; i++)
		say("  %s%d value %d %s",
		    seen_sig[i] == SIGUSR1 ? "SIGUSR1 " : "SIGRTMIN+",
		    seen_sig[i] == SIGUSR1 ? 0 : seen_sig[i] - SIGRTMIN,
		    seen_code[i] == SI_QUEUE ? seen_val[i] : 0,
		    codename(seen_sig[i], seen_code[i]));

	sigprocmask(SIG_BLOCK, &set, NULL);
	sigqueue(getpid(), b, (union sigval){.sival_int = 1});
	sigqueue(getpid(), b, (union sigval){.sival_int = 2});
	sigqueue(getpid(), a, (union sigval){.sival_int = 3});
	for (int i = 0; i < 3; i++) {
		int s = sigwaitinfo(&set, &si);

		say("sigwaitinfo: SIGRTMIN+%d value %d %s", s - SIGRTMIN,
		    si.si_value.sival_int, codename(s, si.si_code));
	}
	check("sigtimedwait with none left",
	    sigtimedwait(&set, &si, &(struct timespec){0, 0}));

	memset(&si, 0, sizeof(si));
	si.si_signo = b;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 77;
	check("rt_sigqueueinfo(self, SI_QUEUE)",
	    syscall(SYS_rt_sigqueueinfo, getpid(), b, &si));
	memset(&si, 0, sizeof(si));
	sigwaitinfo(&set, &si);
	say("  got value %d %s", si.si_value.sival_int, codename(b, si.si_code));
	check("rt_sigqueueinfo(self, signal 65)",
	    syscall(SYS_rt_sigqueueinfo, getpid(), 65, &si));
	check("rt_sigqueueinfo(self, bad info)",
	    syscall(SYS_rt_sigqueueinfo, getpid(), b, BAD_PTR));
	check("sigqueue(self, 0) (a probe)",
	    sigqueue(getpid(), 0, (union sigval){0}));
	check("sigqueue(self, -1)", sigqueue(getpid(), -1, (union sigval){0}));
	check("sigqueue(no such pid)",
	    sigqueue(0x3ffffff, SIGUSR1, (union sigval){0}));
	return 0;
}

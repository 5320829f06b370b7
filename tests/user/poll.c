/*
 * poll: poll and ppoll on pipes, compared with Linux. POLLIN once data
 * is there, POLLOUT on an empty pipe and not on a full one, POLLHUP
 * when the writer is gone (with POLLIN while data is left), POLLERR on
 * a write end without a reader, POLLNVAL for a closed fd, a negative fd
 * ignored, events 0, a timeout (0, 20 ms) expiring with nothing ready,
 * a child's write waking a sleeping poll, ppoll's signal mask (a signal
 * blocked outside and let through while waiting: EINTR), and the
 * errors: EINVAL (a bad timeout), EFAULT.
 *
 * Left out: nfds over RLIMIT_NOFILE (qemu-aarch64 copies the array
 * first and says EFAULT; Linux EINVAL).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

static volatile sig_atomic_t hits;

static void
on_usr1(int sig)
{
	(void)sig;
	hits++;
}

static const char *
revents(short r)
{
	static char s[64];

	snprintf(s, sizeof(s), "%s%s%s%s%s", r & POLLIN ? " POLLIN" : "",
	    r & POLLOUT ? " POLLOUT" : "", r & POLLHUP ? " POLLHUP" : "",
	    r & POLLERR ? " POLLERR" : "", r & POLLNVAL ? " POLLNVAL" : "");
	return s[0] ? s + 1 : "none";
}

static void
poll1(const char *what, int fd, short events, int timeout)
{
	struct pollfd p = {.fd = fd, .events = events, .revents = 0x7fff};
	int r = poll(&p, 1, timeout);

	if (r < 0)
		say("%s: -1 %s", what, errname(errno));
	else
		say("%s: %d, revents %s", what, r, revents(p.revents));
}

static void
readiness(void)
{
	static char big[65536];
	int p[2];
	char c;

	pipe2(p, O_NONBLOCK);
	poll1("empty read end, POLLIN, timeout 0", p[0], POLLIN, 0);
	poll1("empty write end, POLLOUT", p[1], POLLOUT, 0);
	write(p[1], "ab", 2);
	poll1("read end with data", p[0], POLLIN | POLLOUT, 0);
	poll1("read end with data, events 0", p[0], 0, 0);
	write(p[1], big, sizeof(big));
	poll1("full write end, timeout 20 ms", p[1], POLLOUT, 20);
	close(p[1]);
	poll1("writer closed, data left", p[0], POLLIN, 0);
	while (read(p[0], big, sizeof(big)) > 0)
		;
	poll1("writer closed, drained", p[0], POLLIN, 0);
	poll1("writer closed, events 0", p[0], 0, 0);
	close(p[0]);
	pipe(p);
	close(p[0]);
	poll1("write end, reader closed", p[1], POLLOUT, 0);
	poll1("write end, reader closed, events 0", p[1], 0, 0);
	close(p[1]);
	poll1("closed fd", p[1], POLLIN, 0);
	poll1("fd -1", -1, POLLIN, 0);
	(void)c;
}

static void
several(void)
{
	struct pollfd f[4];
	int a[2], b[2];

	pipe(a);
	pipe(b);
	write(b[1], "x", 1);
	f[0] = (struct pollfd){.fd = a[0], .events = POLLIN};
	f[1] = (struct pollfd){.fd = b[0], .events = POLLIN};
	f[2] = (struct pollfd){.fd = -5, .events = POLLIN};
	f[3] = (struct pollfd){.fd = 99, .events = POLLIN};
	check("poll(4 fds: empty, ready, negative, closed)", poll(f, 4, 0));
	for (int i = 0; i < 4; i++)
		say("  fd %d: %s", i, revents(f[i].revents));
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

static void
wakeup(void)
{
	struct pollfd f;
	int p[2], st;
	pid_t pid;

	pipe(p);
	if ((pid = fork()) == 0) {
		usleep(50000);
		write(p[1], "w", 1);
		_exit(0);
	}
	f = (struct pollfd){.fd = p[0], .events = POLLIN};
	check("poll waiting for a child's write (5 s)", poll(&f, 1, 5000));
	say("  revents %s", revents(f.revents));
	waitpid(pid, &st, 0);
	close(p[1]);
	check("poll after the writer's end (infinite)", poll(&f, 1, -1));
	say("  revents %s", revents(f.revents));
	close(p[0]);
}

static void
masks(void)
{
	struct sigaction sa = {.sa_handler = on_usr1};
	struct timespec ts = {5, 0}, zero = {0, 0};
	sigset_t block, empty;
	struct pollfd f;
	int p[2], st;
	pid_t pid, parent = getpid();

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pipe(p);
	f = (struct pollfd){.fd = p[0], .events = POLLIN};
	if ((pid = fork()) == 0) {
		usleep(50000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	check("ppoll(empty mask) until a signal", ppoll(&f, 1, &ts, &empty));
	say("  handler ran %d", hits);
	waitpid(pid, &st, 0);
	raise(SIGUSR1);
	check("ppoll(mask blocking SIGUSR1), SIGUSR1 pending, timeout 0",
	    ppoll(&f, 1, &zero, &block));
	say("  handler ran %d", hits);
	check("ppoll(empty mask), SIGUSR1 pending", ppoll(&f, 1, &zero, &empty));
	say("  handler ran %d", hits);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	close(p[0]);
	close(p[1]);
}

static void
errors(void)
{
	struct timespec bad = {0, 1000000000}, neg = {-1, 0};
	struct pollfd f = {.fd = 0, .events = POLLIN};
	check("poll(bad pointer)", syscall(SYS_ppoll, BAD_PTR, 1, NULL, NULL, 8));
	check("ppoll(tv_nsec 1e9)", syscall(SYS_ppoll, &f, 1, &bad, NULL, 8));
	check("ppoll(tv_sec -1)", syscall(SYS_ppoll, &f, 1, &neg, NULL, 8));
	check("ppoll(bad timeout pointer)",
	    syscall(SYS_ppoll, &f, 1, BAD_PTR, NULL, 8));
	check("ppoll(bad mask pointer)",
	    syscall(SYS_ppoll, &f, 1, &(struct timespec){0, 0}, BAD_PTR, 8));
	check("ppoll(sigsetsize 4)",
	    syscall(SYS_ppoll, &f, 1, &(struct timespec){0, 0},
		&(sigset_t){{0}}, 4));
	check("ppoll(0 fds, 10 ms)",
	    syscall(SYS_ppoll, NULL, 0, &(struct timespec){0, 10000000}, NULL,
		8));
}

int
main(void)
{
	readiness();
	several();
	wakeup();
	masks();
	errors();
	return 0;
}

/*
 * select: pselect6 through musl's select() and pselect(), compared with
 * Linux: an empty pipe is not readable and its write end is writable, a
 * byte makes it readable, EOF (no writers) is readable, a zero timeout
 * polls, a timeout expires, a child's write wakes a waiting select, a
 * signal interrupts it (EINTR) unless pselect's mask holds it back, and
 * the errors: a closed fd (EBADF), negative nfds and a bad timeout
 * (EINVAL), a bad set pointer (EFAULT).
 */
#include <signal.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "linuxtest.h"

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
sel(const char *what, int nfds, int rfd, int wfd, long usec)
{
	fd_set r, w;
	struct timeval tv = { 0, usec };
	int n;

	FD_ZERO(&r);
	FD_ZERO(&w);
	if (rfd >= 0)
		FD_SET(rfd, &r);
	if (wfd >= 0)
		FD_SET(wfd, &w);
	n = select(nfds, &r, &w, NULL, usec < 0 ? NULL : &tv);
	if (n < 0)
		say("%s: -1 %s", what, errname(errno));
	else
		say("%s: %d (read %d, write %d)", what, n, rfd >= 0 && FD_ISSET(rfd, &r),
		    wfd >= 0 && FD_ISSET(wfd, &w));
}

int
main(void)
{
	struct timespec ts = { 0, 50000000 };
	sigset_t block;
	fd_set r;
	int p[2];
	pid_t pid;

	if (pipe(p) != 0)
		return 1;
	sel("empty pipe, poll", p[1] + 1, p[0], p[1], 0);
	sel("empty pipe, read only, 30 ms", p[0] + 1, p[0], -1, 30000);
	check("write a byte", write(p[1], "x", 1));
	sel("a byte waiting", p[1] + 1, p[0], p[1], 0);
	check("read it", read(p[0], (char[1]){ 0 }, 1));
	if ((pid = fork()) == 0) {
		struct timespec d = { 0, 20000000 };

		nanosleep(&d, NULL);
		(void)!write(p[1], "y", 1);
		_exit(0);
	}
	sel("woken by a child's write", p[0] + 1, p[0], -1, -1);
	waitpid(pid, NULL, 0);
	check("read it", read(p[0], (char[1]){ 0 }, 1));

	signal(SIGALRM, on_alarm);
	alarm(1);
	sel("interrupted by SIGALRM", p[0] + 1, p[0], -1, -1);
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	alarm(1);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	ts.tv_sec = 1;
	ts.tv_nsec = 500000000;
	{
		sigset_t open;

		sigemptyset(&open);
		check("pselect with SIGALRM let in", pselect(p[0] + 1, &r, NULL, NULL, &ts, &open));
	}
	sigprocmask(SIG_UNBLOCK, &block, NULL);

	close(p[1]);
	sel("no writers left: EOF is readable", p[0] + 1, p[0], -1, 0);
	sel("a closed fd", p[1] + 1, p[1], -1, 0);
	sel("negative nfds", -1, -1, -1, 0);
	{
		struct timeval bad = { 0, -1 };

		FD_ZERO(&r);
		check("negative timeout", select(1, &r, NULL, NULL, &bad));
		check("bad set pointer", syscall(SYS_pselect6, p[0] + 1, (void *)8, NULL, NULL,
		    NULL, NULL));
	}
	check("nothing, 10 ms", select(0, NULL, NULL, NULL, &(struct timeval){ 0, 10000 }));
	return 0;
}

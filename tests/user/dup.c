/*
 * dup: duplicating descriptors, compared with Linux. dup, dup2 (onto
 * itself, onto an open fd), dup3 (O_CLOEXEC, the same fd, bad flags),
 * F_DUPFD and F_DUPFD_CLOEXEC (lowest free at or above the argument),
 * that a duplicate shares the open file (offset-free: a pipe's data and
 * status flags) but not FD_CLOEXEC, and the errors: EBADF, EINVAL, and
 * EMFILE under a lowered RLIMIT_NOFILE.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linuxtest.h"

static void
basic(void)
{
	int p[2], d;
	char c;

	pipe(p); /* 3 and 4 */
	check("dup(read end)", d = dup(p[0]));
	check("dup2(3, 3)", dup2(p[0], p[0]));
	check("dup2(3, 10)", dup2(p[0], 10));
	check("dup2(4, 10) over an open fd", dup2(p[1], 10));
	check("write through the duplicate", write(10, "z", 1));
	check("read through the original", read(p[0], &c, 1));
	say("read: %c", c);
	check("fcntl(F_SETFL, O_NONBLOCK) on the dup", fcntl(d, F_SETFL, O_NONBLOCK));
	expect("the original sees O_NONBLOCK",
	    (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
	check("read on the original (shared O_NONBLOCK)", read(p[0], &c, 1));
	check("dup3(3, 11, O_CLOEXEC)", dup3(p[0], 11, O_CLOEXEC));
	say("FD_CLOEXEC: 11 %d, 3 %d", fcntl(11, F_GETFD), fcntl(p[0], F_GETFD));
	check("dup3(3, 3, 0)", dup3(p[0], p[0], 0));
	check("dup3(3, 12, bad flags)", dup3(p[0], 12, 0x1));
	check("fcntl(F_DUPFD, 20)", fcntl(p[0], F_DUPFD, 20));
	check("fcntl(F_DUPFD, 20) again", fcntl(p[0], F_DUPFD, 20));
	check("fcntl(F_DUPFD_CLOEXEC, 0)", d = fcntl(p[0], F_DUPFD_CLOEXEC, 0));
	say("its FD_CLOEXEC: %d", fcntl(d, F_GETFD));
	close(d);
	check("dup(closed fd)", dup(d));
	check("dup(-1)", dup(-1));
	check("dup2(closed, 5)", dup2(99, 5));
	check("dup2(3, -1)", dup2(p[0], -1));
	check("dup2(3, 1 << 20)", dup2(p[0], 1 << 20));
	check("dup3(closed, 5, 0)", dup3(99, 5, 0));
	check("fcntl(F_DUPFD, -1)", fcntl(p[0], F_DUPFD, -1));
	check("fcntl(F_DUPFD, 1 << 20)", fcntl(p[0], F_DUPFD, 1 << 20));
	check("raw dup3(3, 3, 0)", syscall(SYS_dup3, p[0], p[0], 0));
	for (int fd = 3; fd < 30; fd++)
		close(fd);
}

static void
emfile(void)
{
	struct rlimit old, rl;
	int n = 0, fd, last = -1;

	getrlimit(RLIMIT_NOFILE, &old);
	rl = old;
	rl.rlim_cur = 8;
	check("setrlimit(RLIMIT_NOFILE, 8)", setrlimit(RLIMIT_NOFILE, &rl));
	while ((fd = dup(1)) >= 0) {
		n++;
		last = fd;
	}
	say("dup(1) until it fails: %d more, the last fd %d, then %s", n, last,
	    errname(errno));
	check("dup2(1, 7)", dup2(1, 7));
	check("dup2(1, 8) (at the limit)", dup2(1, 8));
	check("fcntl(F_DUPFD, 8)", fcntl(1, F_DUPFD, 8));
	check("pipe with a full table", pipe((int[2]){0, 0}));
	close(5);
	check("fcntl(F_DUPFD, 0) with fd 5 free", fcntl(1, F_DUPFD, 0));
	for (fd = 3; fd < 8; fd++)
		close(fd);
	setrlimit(RLIMIT_NOFILE, &old);
	check("dup(1) after restoring the limit", fd = dup(1));
	close(fd);
}

int
main(void)
{
	basic();
	emfile();
	return 0;
}

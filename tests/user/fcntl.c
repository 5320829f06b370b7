/*
 * fcntl: descriptor and file status flags, compared with Linux.
 * F_GETFD/F_SETFD (only FD_CLOEXEC is kept), F_GETFL/F_SETFL (the
 * access mode and O_CREAT-like bits cannot change; O_NONBLOCK and
 * O_APPEND can), flags after fork (shared open file), close-on-exec
 * seen by a child only through exec (not exercised: qemu-aarch64 cannot
 * exec itself without binfmt), and the errors: EBADF, EINVAL for an
 * unknown command, F_GETPIPE_SZ on a non-pipe.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

static void
fd_flags(void)
{
	int p[2];

	pipe(p);
	check("F_GETFD", fcntl(p[0], F_GETFD));
	check("F_SETFD FD_CLOEXEC", fcntl(p[0], F_SETFD, FD_CLOEXEC));
	check("F_GETFD", fcntl(p[0], F_GETFD));
	check("F_SETFD 0xff", fcntl(p[0], F_SETFD, 0xff));
	check("F_GETFD (only FD_CLOEXEC kept)", fcntl(p[0], F_GETFD));
	check("F_SETFD 0", fcntl(p[0], F_SETFD, 0));
	check("F_GETFD", fcntl(p[0], F_GETFD));
	check("F_GETFD(closed)", fcntl(77, F_GETFD));
	check("F_SETFD(closed)", fcntl(77, F_SETFD, 0));
	check("F_GETFD(-1)", fcntl(-1, F_GETFD));
	close(p[0]);
	close(p[1]);
}

static void
fl_flags(void)
{
	int p[2], fd, st;
	pid_t pid;

	pipe(p);
	say("F_GETFL read end %#o, write end %#o", fcntl(p[0], F_GETFL),
	    fcntl(p[1], F_GETFL));
	check("F_SETFL O_NONBLOCK", fcntl(p[0], F_SETFL, O_NONBLOCK));
	say("F_GETFL: %#o", fcntl(p[0], F_GETFL));
	check("F_SETFL O_RDWR | O_CREAT | O_TRUNC | O_EXCL",
	    fcntl(p[0], F_SETFL, O_RDWR | O_CREAT | O_TRUNC | O_EXCL));
	say("F_GETFL (none of them kept): %#o", fcntl(p[0], F_GETFL));
	check("F_SETFL O_APPEND on the write end", fcntl(p[1], F_SETFL, O_APPEND));
	say("F_GETFL write end: %#o", fcntl(p[1], F_GETFL));
	fcntl(p[1], F_SETFL, 0);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	pid = fork();
	if (pid == 0) {
		fcntl(p[0], F_SETFL, 0);
		fcntl(p[0], F_SETFD, FD_CLOEXEC);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	say("after a child cleared O_NONBLOCK: %#o (shared), FD_CLOEXEC %d "
	    "(not shared)",
	    fcntl(p[0], F_GETFL), fcntl(p[0], F_GETFD));
	fd = open("/dev/null", O_RDWR);
	check("open(/dev/null, O_RDWR)", fd >= 0 ? 0 : -1);
	say("F_GETFL /dev/null: %#o", fcntl(fd, F_GETFL) & ~O_LARGEFILE);
	check("F_GETPIPE_SZ on /dev/null", fcntl(fd, F_GETPIPE_SZ));
	close(fd);
	check("F_GETFL(closed)", fcntl(77, F_GETFL));
	check("F_SETFL(closed)", fcntl(77, F_SETFL, 0));
	check("unknown command 9999", fcntl(p[0], 9999));
	check("raw fcntl(unknown command)", syscall(SYS_fcntl, p[0], 12345, 0));
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	fd_flags();
	fl_flags();
	return 0;
}

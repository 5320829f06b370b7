/*
 * errors: what the first system calls answer to bad input, compared
 * with Linux: a bad pointer (EFAULT), a bad fd (EBADF), a system call
 * nobody implements (ENOSYS), writev with a bad iovec.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static void
show(const char *what, long r)
{
	printf("%s = %ld%s%s\n", what, r, r < 0 ? " errno " : "",
	    r < 0 ? strerror(errno) : "");
	fflush(stdout);
}

int
main(void)
{
	struct iovec iov[2] = { { "two ", 4 }, { "pieces\n", 7 } };

	show("write(1, \"ok\\n\", 3)", write(1, "ok\n", 3));
	show("write(1, (void *)8, 4)", write(1, (void *)8, 4));
	show("write(99, \"x\", 1)", write(99, "x", 1));
	show("writev(1, iov, 2)", writev(1, iov, 2));
	show("writev(1, (void *)8, 2)", writev(1, (void *)8, 2));
	show("syscall(4000)", syscall(4000));
	return 0;
}

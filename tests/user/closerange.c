/*
 * closerange: close_range, compared with Linux. Closing a range, a
 * range past the last open fd, ~0U as the end, CLOSE_RANGE_CLOEXEC
 * (marks, does not close), CLOSE_RANGE_UNSHARE, and the errors:
 * EINVAL for first > last and for unknown flags. close itself: EBADF
 * twice, and close(-1).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linuxtest.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static long
close_range_(unsigned first, unsigned last, unsigned flags)
{
	return syscall(SYS_close_range, first, last, flags);
}

/* Which of fds 3..15 are open, as a string of 0 and 1. */
static const char *
open_map(void)
{
	static char s[16];

	for (int fd = 3; fd < 16; fd++)
		s[fd - 3] = fcntl(fd, F_GETFD) >= 0 ? '1' : '0';
	s[13] = '\0';
	return s;
}

static void
fill(void)
{
	for (int fd = 3; fd < 16; fd++)
		dup2(1, fd);
}

int
main(void)
{
	fill();
	say("open 3..15: %s", open_map());
	check("close_range(5, 7, 0)", close_range_(5, 7, 0));
	say("open 3..15: %s", open_map());
	check("close_range(5, 7, 0) again", close_range_(5, 7, 0));
	check("close_range(14, 1000, 0)", close_range_(14, 1000, 0));
	say("open 3..15: %s", open_map());
	check("close_range(9, 9, 0)", close_range_(9, 9, 0));
	say("open 3..15: %s", open_map());
	check("close_range(8, 3, 0)", close_range_(8, 3, 0));
	check("close_range(3, 8, 0x80)", close_range_(3, 8, 0x80));
	say("open 3..15: %s", open_map());
	check("close_range(3, ~0U, CLOSE_RANGE_CLOEXEC)",
	    close_range_(3, ~0U, CLOSE_RANGE_CLOEXEC));
	say("open 3..15: %s", open_map());
	say("FD_CLOEXEC of 3, 8, 2: %d %d %d", fcntl(3, F_GETFD),
	    fcntl(8, F_GETFD), fcntl(2, F_GETFD));
	check("close_range(3, ~0U, CLOSE_RANGE_UNSHARE)",
	    close_range_(3, ~0U, CLOSE_RANGE_UNSHARE));
	say("open 3..15: %s", open_map());
	fill();
	check("close_range(3, ~0U, 0)", close_range_(3, ~0U, 0));
	say("open 3..15: %s", open_map());
	check("write(1) still works", write(1, "", 0));
	check("close(3) already closed", close(3));
	check("close(-1)", close(-1));
	check("close(1 << 20)", close(1 << 20));
	dup2(1, 3);
	check("close(3)", close(3));
	check("close(3) again", close(3));
	return 0;
}

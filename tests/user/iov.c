/*
 * iov: readv and writev on pipes, compared with Linux. Gathering and
 * scattering across several buffers, zero-length entries, iovcnt 0,
 * a read that fills only some buffers, and the errors: EINVAL for a
 * negative iovcnt or more than IOV_MAX, EFAULT for a bad iovec array
 * or a bad buffer in it (first, or after a good one: the bytes before
 * it count), EBADF, ESPIPE for preadv/pwritev.
 *
 * Left out: a total length past SSIZE_MAX (qemu-aarch64 locks the
 * buffers first and says EFAULT; Linux EINVAL).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "linuxtest.h"

static int p[2];

static int
pending(void)
{
	int n = -1;

	ioctl(p[0], FIONREAD, &n);
	return n;
}

static void
drain(void)
{
	char buf[256];

	while (pending() > 0)
		read(p[0], buf, sizeof(buf));
}

int
main(void)
{
	char a[4], b[8], c[16], out[64];
	struct iovec w[3] = {{"abc", 3}, {"", 0}, {"defgh", 5}};
	struct iovec r[3] = {{a, 2}, {b, 0}, {c, 16}};
	static struct iovec many[IOV_MAX + 1];
	long n;

	pipe(p);
	check("writev(3 entries, one empty)", writev(p[1], w, 3));
	check("readv(2, 0, 16)", n = readv(p[0], r, 3));
	say("a \"%.2s\" c \"%.*s\"", a, (int)(n - 2), c);
	check("writev(iovcnt 0)", writev(p[1], w, 0));
	check("readv(iovcnt 0)", readv(p[0], r, 0));
	check("writev(iovcnt -1)", syscall(SYS_writev, p[1], w, -1));
	check("writev(iovcnt IOV_MAX + 1)",
	    syscall(SYS_writev, p[1], w, IOV_MAX + 1));
	for (int i = 0; i < IOV_MAX; i++)
		many[i] = (struct iovec){"x", 1};
	check("writev(IOV_MAX entries of 1 byte)", writev(p[1], many, IOV_MAX));
	drain();
	check("writev(bad iovec array)", syscall(SYS_writev, p[1], BAD_PTR, 1));
	w[0].iov_base = BAD_PTR;
	check("writev(bad first buffer)", syscall(SYS_writev, p[1], w, 3));
	w[0].iov_base = "abc";
	w[2].iov_base = BAD_PTR;
	check("writev(good, empty, bad)", syscall(SYS_writev, p[1], w, 3));
	say("bytes in the pipe: %d", pending());
	drain();
	w[2].iov_base = "defgh";
	writev(p[1], w, 3);
	r[0].iov_base = BAD_PTR;
	check("readv(bad first buffer)", syscall(SYS_readv, p[0], r, 3));
	say("bytes in the pipe: %d", pending());
	r[0].iov_base = a;
	r[2].iov_base = BAD_PTR;
	check("readv(good, empty, bad)", syscall(SYS_readv, p[0], r, 3));
	say("bytes in the pipe: %d", pending());
	drain();
	check("readv(bad iovec array)", syscall(SYS_readv, p[0], BAD_PTR, 1));
	check("writev(closed fd)", writev(99, w, 1));
	check("readv(write end)", readv(p[1], r, 1));
	write(p[1], "0123456789", 10);
	r[0] = (struct iovec){out, 3};
	r[1] = (struct iovec){out + 3, 3};
	r[2] = (struct iovec){out + 6, 30};
	check("readv(3, 3, 30) of 10 bytes", n = readv(p[0], r, 3));
	say("read \"%.*s\"", (int)n, out);
	check("preadv on a pipe", preadv(p[0], r, 1, 0));
	check("pwritev on a pipe", pwritev(p[1], w, 1, 0));
	return 0;
}

/*
 * The Linux system calls linuxemu answers so far (asm-generic numbers,
 * the aarch64 ABI). Each is sys_<name>; the table maps numbers to them;
 * anything else is -ENOSYS and counted.
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define ENOTTY_	25
#define NR_MAX	512

unsigned long lx_unknown_calls;

typedef long (*lx_fn)(struct lproc *lp, const uint64_t *a);

static char iobuf[4096];

/* Copy len bytes of the program's memory at uva to the console. */
static long
out(struct lproc *lp, uint64_t uva, uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t n = len - done < sizeof(iobuf) ? len - done : sizeof(iobuf);
		long r = vm_read(lp->vs, uva + done, iobuf, n);

		if (r != 0)
			return done > 0 ? (long)done : r;
		log_write(iobuf, n);
		done += n;
	}
	return (long)done;
}

static long
sys_write(struct lproc *lp, const uint64_t *a)
{
	if (a[0] != 1 && a[0] != 2)
		return -EBADF;		/* no files before the vfs issue */
	return out(lp, a[1], a[2]);
}

struct iovec_ {
	uint64_t base, len;
};

static long
sys_writev(struct lproc *lp, const uint64_t *a)
{
	struct iovec_ iov[16];
	long total = 0, r;

	if (a[0] != 1 && a[0] != 2)
		return -EBADF;
	if (a[2] > 16)
		return -EINVAL;		/* UIO_MAXIOV is 1024; enough for now */
	if (a[2] > 0 && (r = vm_read(lp->vs, a[1], iov, a[2] * sizeof(iov[0]))) != 0)
		return r;
	for (uint64_t i = 0; i < a[2]; i++) {
		if ((r = out(lp, iov[i].base, iov[i].len)) < 0)
			return total > 0 ? total : r;
		total += r;
	}
	return total;
}

static long
sys_ioctl(struct lproc *lp, const uint64_t *a)
{
	(void)lp;
	return a[0] <= 2 ? -ENOTTY_ : -EBADF;	/* no tty before devtmpfs */
}

static long
sys_set_tid_address(struct lproc *lp, const uint64_t *a)
{
	(void)a;
	(void)lp;
	return 1;			/* the first pid */
}

static long
sys_exit_group(struct lproc *lp, const uint64_t *a)
{
	lp->exit_status = (long)(a[0] & 0xff);
	lp->exited = 1;
	return 0;
}

static const lx_fn table[NR_MAX] = {
	[29] = sys_ioctl,
	[64] = sys_write,
	[66] = sys_writev,
	[93] = sys_exit_group,		/* exit: one thread is the whole group today */
	[94] = sys_exit_group,
	[96] = sys_set_tid_address,
};

long
lx_syscall(struct lproc *lp, uint64_t nr, const uint64_t *a)
{
	if (nr >= NR_MAX || table[nr] == NULL) {
		lx_unknown_calls++;
		return -ENOSYS;
	}
	return table[nr](lp, a);
}

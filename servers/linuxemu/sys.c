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
#define PAGE	4096UL
#define RLIM_INFINITY	(~0UL)

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

/* --- memory --- */

/*
 * brk(addr): move the break; 0 (or anything out of range) just asks.
 * Pages are mapped demand-zero as the break grows and unmapped as it
 * shrinks. The answer is the break, as Linux's raw syscall gives it.
 */
static long
sys_brk(struct lproc *lp, const uint64_t *a)
{
	uint64_t want = a[0], old_top = (lp->brk + PAGE - 1) & ~(PAGE - 1), new_top;

	if (want < lp->brk_start || want > lp->brk_start + (1UL << 36))
		return (long)lp->brk;
	new_top = (want + PAGE - 1) & ~(PAGE - 1);
	if (new_top > old_top &&
	    vm_map(lp->vs, old_top, new_top - old_top, PROT_R | PROT_W, 0, 0) != 0)
		return (long)lp->brk;	/* ENOMEM shows as an unchanged break */
	if (new_top < old_top)
		vm_unmap(lp->vs, new_top, old_top - new_top);
	lp->brk = want;
	return (long)want;
}

static long
sys_mprotect(struct lproc *lp, const uint64_t *a)
{
	if (a[0] & (PAGE - 1))
		return -EINVAL;
	if (a[2] & ~7UL)
		return -EINVAL;		/* PROT_READ|WRITE|EXEC only */
	if (a[1] == 0)
		return 0;
	return vm_protect(lp->vs, a[0], (a[1] + PAGE - 1) & ~(PAGE - 1), (uint32_t)a[2]);
}

/* --- credentials, limits, identity --- */

void
lx_proc_init(struct lproc *lp, const char *name)
{
	for (int i = 0; i < LX_NRLIMITS; i++)
		lp->rlimit[i][0] = lp->rlimit[i][1] = RLIM_INFINITY;
	lp->rlimit[3][0] = 8UL << 20;		/* RLIMIT_STACK */
	lp->rlimit[4][0] = 0;			/* RLIMIT_CORE */
	lp->rlimit[7][0] = 1024;		/* RLIMIT_NOFILE */
	lp->rlimit[7][1] = 4096;
	strlcpy(lp->comm, name, sizeof(lp->comm));
	lp->rng = clock_get() | 1;
}

static long
sys_ids(struct lproc *lp, const uint64_t *a)
{
	(void)lp, (void)a;
	return 0;			/* root, until credentials arrive (issue 6) */
}

static long
sys_getpid(struct lproc *lp, const uint64_t *a)
{
	(void)lp, (void)a;
	return 1;
}

/* prlimit64(pid, resource, new, old) */
static long
sys_prlimit64(struct lproc *lp, const uint64_t *a)
{
	uint64_t lim[2];
	long r;

	if (a[0] != 0 && a[0] != 1)
		return -ESRCH;
	if (a[1] >= LX_NRLIMITS)
		return -EINVAL;
	if (a[3] != 0 && (r = vm_write(lp->vs, a[3], lp->rlimit[a[1]], sizeof(lim))) != 0)
		return r;
	if (a[2] != 0) {
		if ((r = vm_read(lp->vs, a[2], lim, sizeof(lim))) != 0)
			return r;
		if (lim[0] > lim[1])
			return -EINVAL;
		lp->rlimit[a[1]][0] = lim[0];
		lp->rlimit[a[1]][1] = lim[1];
	}
	return 0;
}

/* prctl(option, ...): the name, for now. */
static long
sys_prctl(struct lproc *lp, const uint64_t *a)
{
	char name[16];
	long r;

	switch (a[0]) {
	case 15:	/* PR_SET_NAME: 16 bytes at most, NUL included */
		if ((r = vm_read(lp->vs, a[1], name, sizeof(name))) != 0)
			return r;
		name[15] = '\0';
		memcpy(lp->comm, name, sizeof(name));
		return 0;
	case 16:	/* PR_GET_NAME */
		return vm_write(lp->vs, a[1], lp->comm, sizeof(lp->comm));
	default:
		return -EINVAL;
	}
}

/* getrandom(buf, len, flags): xorshift64* for now; devtmpfs brings the CSPRNG. */
static long
sys_getrandom(struct lproc *lp, const uint64_t *a)
{
	uint8_t buf[256];
	uint64_t done = 0, len = a[1] < (1UL << 25) ? a[1] : (1UL << 25);
	long r;

	if (a[2] & ~7UL)
		return -EINVAL;
	while (done < len) {
		uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

		for (uint64_t i = 0; i < n; i++) {
			lp->rng ^= lp->rng >> 12;
			lp->rng ^= lp->rng << 25;
			lp->rng ^= lp->rng >> 27;
			buf[i] = (uint8_t)((lp->rng * 0x2545f4914f6cdd1dUL) >> 56);
		}
		if ((r = vm_write(lp->vs, a[0] + done, buf, n)) != 0)
			return done > 0 ? (long)done : r;
		done += n;
	}
	return (long)done;
}

static long
sys_set_robust_list(struct lproc *lp, const uint64_t *a)
{
	if (a[1] != 24)
		return -EINVAL;		/* sizeof(struct robust_list_head) */
	lp->robust_list = a[0];
	lp->robust_len = a[1];
	return 0;
}

/* readlinkat: no filesystem before the vfs issue. */
static long
sys_readlinkat(struct lproc *lp, const uint64_t *a)
{
	(void)lp, (void)a;
	return -ENOENT;
}

struct utsname_ {
	char sysname[65], nodename[65], release[65], version[65], machine[65],
	    domainname[65];
};

static long
sys_uname(struct lproc *lp, const uint64_t *a)
{
	static const struct utsname_ u = {
		"Linux", "lichen", "6.1.0-lichen", "#1 SMP lichen 0.1.0", "aarch64", "(none)",
	};

	return vm_write(lp->vs, a[0], &u, sizeof(u));
}

static const lx_fn table[NR_MAX] = {
	[29] = sys_ioctl,
	[64] = sys_write,
	[66] = sys_writev,
	[78] = sys_readlinkat,
	[93] = sys_exit_group,		/* exit: one thread is the whole group today */
	[94] = sys_exit_group,
	[96] = sys_set_tid_address,
	[99] = sys_set_robust_list,
	[160] = sys_uname,
	[167] = sys_prctl,
	[172] = sys_getpid,
	[174] = sys_ids,		/* getuid */
	[175] = sys_ids,		/* geteuid */
	[176] = sys_ids,		/* getgid */
	[177] = sys_ids,		/* getegid */
	[178] = sys_getpid,		/* gettid: one thread */
	[214] = sys_brk,
	[226] = sys_mprotect,
	[261] = sys_prlimit64,
	[278] = sys_getrandom,
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

/*
 * The Linux system calls linuxemu answers so far (asm-generic numbers,
 * the aarch64 ABI). Each is sys_<name>; the table maps numbers to them;
 * anything else is -ENOSYS and counted.
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"
#include "syscalls.h"

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

/*
 * fds 0-2 are the console until the fd table arrives (issue 6): what
 * fcntl and fstat say of them is what Linux says of /dev/console.
 */
static long
sys_fcntl(struct lproc *lp, const uint64_t *a)
{
	(void)lp;
	if (a[0] > 2)
		return -EBADF;
	switch (a[1]) {
	case 1:		/* F_GETFD */
	case 2:		/* F_SETFD */
		return 0;
	case 3:		/* F_GETFL */
		return 2;	/* O_RDWR */
	default:
		return -EINVAL;
	}
}

struct stat_ {			/* asm-generic struct stat (aarch64) */
	uint64_t dev, ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev, pad1;
	int64_t size;
	int32_t blksize, pad2;
	int64_t blocks;
	int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	uint32_t unused4, unused5;
};

static long
stat_console(struct lproc *lp, uint64_t fd, uint64_t uva)
{
	struct stat_ st;

	if (fd > 2)
		return -EBADF;
	memset(&st, 0, sizeof(st));
	st.dev = 6;			/* devtmpfs */
	st.ino = 5;
	st.mode = 020000 | 0620;	/* S_IFCHR, rw--w---- */
	st.nlink = 1;
	st.gid = 5;			/* tty */
	st.rdev = (5 << 8) | 1;		/* makedev(5, 1): /dev/console */
	st.blksize = 1024;
	return vm_write(lp->vs, uva, &st, sizeof(st));
}

static long
sys_fstat(struct lproc *lp, const uint64_t *a)
{
	return stat_console(lp, a[0], a[1]);
}

/* newfstatat(dirfd, path, st, flags): an fd with AT_EMPTY_PATH ("") only, for now. */
static long
sys_newfstatat(struct lproc *lp, const uint64_t *a)
{
	char c;
	long r = vm_read(lp->vs, a[1], &c, 1);

	if (r != 0)
		return r;
	if (c != '\0' || !(a[3] & 0x1000))
		return -ENOENT;		/* no filesystem before the vfs issue */
	return stat_console(lp, a[0], a[2]);
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

/* mmap: anonymous memory only until files exist (the vfs issue). */
#define MMAP_TOP		0x7f0000000000UL	/* below the stack */
#define MAP_SHARED_		0x01
#define MAP_PRIVATE_		0x02
#define MAP_FIXED_		0x10
#define MAP_ANONYMOUS_		0x20
#define MAP_FIXED_NOREPLACE_	0x100000

static long
sys_mmap(struct lproc *lp, const uint64_t *a)
{
	uint64_t addr = a[0], len = (a[1] + PAGE - 1) & ~(PAGE - 1), flags = a[3];
	uint32_t prot = (uint32_t)a[2];
	long r;

	if (a[1] == 0 || len < a[1] || (addr & (PAGE - 1)) || (prot & ~7U))
		return -EINVAL;
	if ((flags & (MAP_SHARED_ | MAP_PRIVATE_)) == 0 ||
	    (flags & (MAP_SHARED_ | MAP_PRIVATE_)) == (MAP_SHARED_ | MAP_PRIVATE_))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS_))
		return (long)a[4] < 0 ? -EBADF : -ENODEV;	/* no files yet */
	if (flags & (MAP_FIXED_ | MAP_FIXED_NOREPLACE_)) {
		if (addr == 0 || addr + len < addr)
			return -EINVAL;
		if (flags & MAP_FIXED_)
			vm_unmap(lp->vs, addr, len);	/* MAP_FIXED replaces */
		r = vm_map(lp->vs, addr, len, prot, 0, 0);
		return r == -EEXIST ? -EEXIST : r != 0 ? -ENOMEM : (long)addr;
	}
	/* A hint is tried first; else the next free range going down. */
	if (addr != 0 && vm_map(lp->vs, addr, len, prot, 0, 0) == 0)
		return (long)addr;
	/* Going down from mmap_next, never into the heap's room (64 GiB). */
	while (len <= lp->mmap_next &&
	    lp->mmap_next - len > lp->brk_start + (1UL << 36)) {
		addr = lp->mmap_next - len;
		lp->mmap_next = addr;
		if (vm_map(lp->vs, addr, len, prot, 0, 0) == 0)
			return (long)addr;
	}
	return -ENOMEM;
}

static long
sys_munmap(struct lproc *lp, const uint64_t *a)
{
	if ((a[0] & (PAGE - 1)) || a[1] == 0)
		return -EINVAL;
	return vm_unmap(lp->vs, a[0], (a[1] + PAGE - 1) & ~(PAGE - 1));
}

/* --- time --- */

#define CLOCK_REALTIME_		0
#define CLOCK_MONOTONIC_	1
#define CLOCK_PROCESS_CPUTIME	2
#define CLOCK_THREAD_CPUTIME	3
#define CLOCK_MONOTONIC_RAW_	4
#define CLOCK_REALTIME_COARSE_	5
#define CLOCK_MONOTONIC_COARSE_	6
#define CLOCK_BOOTTIME_		7
#define TIMER_ABSTIME_		1

struct timespec_ {
	int64_t sec, nsec;
};

/* Every clock counts from boot for now: no RTC is read yet (PL031). */
static int
clock_valid(uint64_t id)
{
	return id <= CLOCK_BOOTTIME_;
}

static long
sys_clock_gettime(struct lproc *lp, const uint64_t *a)
{
	uint64_t ns = clock_get();
	struct timespec_ ts = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000) };

	if (!clock_valid(a[0]))
		return -EINVAL;
	return vm_write(lp->vs, a[1], &ts, sizeof(ts));
}

static long
sys_clock_getres(struct lproc *lp, const uint64_t *a)
{
	/* Coarse clocks tick with the scheduler (4 ms), the others per ns. */
	struct timespec_ ts = { 0, a[0] == CLOCK_REALTIME_COARSE_ ||
	    a[0] == CLOCK_MONOTONIC_COARSE_ ? 4000000 : 1 };

	if (!clock_valid(a[0]))
		return -EINVAL;
	return a[1] == 0 ? 0 : vm_write(lp->vs, a[1], &ts, sizeof(ts));
}

static long
sys_gettimeofday(struct lproc *lp, const uint64_t *a)
{
	uint64_t ns = clock_get();
	int64_t tv[2] = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000 / 1000) };

	return a[0] == 0 ? 0 : vm_write(lp->vs, a[0], tv, sizeof(tv));
}

/* Sleep until deadline (ns, the boot clock): a deferred answer. */
static long
sleep_until(struct lproc *lp, uint64_t deadline)
{
	if (deadline <= clock_get())
		return 0;
	timer_set(lp->timer, deadline, 0);
	return LX_SUSPEND;
}

static long
read_timespec(struct lproc *lp, uint64_t uva, uint64_t *ns)
{
	struct timespec_ ts;
	long r = vm_read(lp->vs, uva, &ts, sizeof(ts));

	if (r != 0)
		return r;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
		return -EINVAL;
	*ns = (uint64_t)ts.sec * 1000000000 + (uint64_t)ts.nsec;
	return 0;
}

static long
sys_nanosleep(struct lproc *lp, const uint64_t *a)
{
	uint64_t ns;
	long r = read_timespec(lp, a[0], &ns);

	return r != 0 ? r : sleep_until(lp, clock_get() + ns);
}

static long
sys_clock_nanosleep(struct lproc *lp, const uint64_t *a)
{
	uint64_t ns;
	long r;

	if (!clock_valid(a[0]) || a[0] == CLOCK_THREAD_CPUTIME)
		return -EINVAL;
	if ((r = read_timespec(lp, a[2], &ns)) != 0)
		return r;
	return sleep_until(lp, (a[1] & TIMER_ABSTIME_) ? ns : clock_get() + ns);
}

static long
sys_sched_yield(struct lproc *lp, const uint64_t *a)
{
	(void)lp, (void)a;
	return 0;
}

static long
sys_getcwd(struct lproc *lp, const uint64_t *a)
{
	if (a[1] < 2)
		return -ERANGE;
	long r = vm_write(lp->vs, a[0], "/", 2);	/* no filesystem yet: the root */

	return r != 0 ? r : 2;
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
	lp->mmap_next = MMAP_TOP;
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
#define LX_ENTRY(nr, name, fn) [nr] = fn,
	LX_SYSCALLS(LX_ENTRY)
#undef LX_ENTRY
};

static const char *const names[NR_MAX] = {
#define LX_NAME(nr, name, fn) [nr] = #name,
	LX_SYSCALLS(LX_NAME)
#undef LX_NAME
};

const char *
lx_syscall_name(unsigned long nr)
{
	return nr < NR_MAX ? names[nr] : NULL;
}

long
lx_syscall(struct lproc *lp, uint64_t nr, const uint64_t *a)
{
	if (nr >= NR_MAX || table[nr] == NULL) {
		lx_unknown_calls++;
		return -ENOSYS;
	}
	return table[nr](lp, a);
}

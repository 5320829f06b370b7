/*
 * The system call table (from the listing in syscalls.h) and the calls
 * that need no part of their own: time and sleeping, identity and
 * credentials, process groups and sessions, limits, uname, prctl,
 * getrandom, scheduling basics.
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"
#include "syscalls.h"

#define NR_MAX		512
#define RLIM_INFINITY	(~0UL)

unsigned long lx_unknown_calls;

typedef long (*lx_fn)(struct lthread *t, const uint64_t *a);

/* --- time --- */

#define CLOCK_REALTIME_		0
#define CLOCK_MONOTONIC_	1
#define CLOCK_PROCESS_CPUTIME	2
#define CLOCK_THREAD_CPUTIME	3
#define CLOCK_REALTIME_COARSE_	5
#define CLOCK_MONOTONIC_COARSE_	6
#define CLOCK_BOOTTIME_		7
#define TIMER_ABSTIME_		1

struct timespec_ {
	int64_t sec, nsec;
};

/*
 * Every clock counts from boot for now: no RTC is read yet (PL031), and
 * the CPU-time clocks count the time since the process (or thread)
 * started, as linuxemu cannot see CPU time yet (docs/linuxemu.md).
 */
static int
clock_valid(uint64_t id)
{
	return id <= CLOCK_BOOTTIME_;
}

long
sys_clock_gettime(struct lthread *t, const uint64_t *a)
{
	uint64_t ns = clock_get();
	struct timespec_ ts;

	if (!clock_valid(a[0]))
		return -EINVAL;
	if (a[0] == CLOCK_PROCESS_CPUTIME || a[0] == CLOCK_THREAD_CPUTIME)
		ns -= t->proc->start_ns;
	ts.sec = (int64_t)(ns / 1000000000);
	ts.nsec = (int64_t)(ns % 1000000000);
	return lx_write(t->proc, a[1], &ts, sizeof(ts));
}

long
sys_clock_getres(struct lthread *t, const uint64_t *a)
{
	/* Coarse clocks tick with the scheduler (4 ms), the others per ns. */
	struct timespec_ ts = { 0, a[0] == CLOCK_REALTIME_COARSE_ ||
	    a[0] == CLOCK_MONOTONIC_COARSE_ ? 4000000 : 1 };

	if (!clock_valid(a[0]))
		return -EINVAL;
	return a[1] == 0 ? 0 : lx_write(t->proc, a[1], &ts, sizeof(ts));
}

long
sys_gettimeofday(struct lthread *t, const uint64_t *a)
{
	uint64_t ns = clock_get();
	int64_t tv[2] = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000 / 1000) };

	return a[0] == 0 ? 0 : lx_write(t->proc, a[0], tv, sizeof(tv));
}

static long
read_timespec(struct lthread *t, uint64_t uva, uint64_t *ns)
{
	struct timespec_ ts;
	long r = lx_read(t->proc, uva, &ts, sizeof(ts));

	if (r != 0)
		return r;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
		return -EINVAL;
	*ns = (uint64_t)ts.sec * 1000000000 + (uint64_t)ts.nsec;
	return 0;
}

/* Sleep until deadline (ns, the boot clock): a deferred answer. */
static long
sleep_until(struct lthread *t, uint64_t deadline)
{
	if (deadline <= clock_get())
		return 0;
	t->deadline = deadline;
	t->wait = W_SLEEP;
	lx_timer_update();
	return LX_SUSPEND;
}

long
sys_nanosleep(struct lthread *t, const uint64_t *a)
{
	uint64_t ns;
	long r = read_timespec(t, a[0], &ns);

	return r != 0 ? r : sleep_until(t, clock_get() + ns);
}

long
sys_clock_nanosleep(struct lthread *t, const uint64_t *a)
{
	uint64_t ns;
	long r;

	if (!clock_valid(a[0]) || a[0] == CLOCK_THREAD_CPUTIME)
		return -EINVAL;
	if (a[1] & ~(uint64_t)TIMER_ABSTIME_)
		return -EINVAL;
	if ((r = read_timespec(t, a[2], &ns)) != 0)
		return r;
	return sleep_until(t, (a[1] & TIMER_ABSTIME_) ? ns : clock_get() + ns);
}

/* A sleep cut short by a signal: the rest goes to rem (relative sleeps). */
void
lx_sleep_interrupted(struct lthread *t)
{
	uint64_t now = clock_get(), left = t->deadline > now ? t->deadline - now : 0;
	struct timespec_ ts = { (int64_t)(left / 1000000000), (int64_t)(left % 1000000000) };
	uint64_t rem = t->nr == 101 ? t->a[1] : (t->a[1] & TIMER_ABSTIME_) ? 0 : t->a[3];

	if (rem != 0)
		lx_write(t->proc, rem, &ts, sizeof(ts));
}

/* setitimer/getitimer: ITIMER_REAL only (SIGALRM at the deadline). */
struct itimerval_ {
	int64_t interval_sec, interval_usec, value_sec, value_usec;
};

static void
itimer_get(struct lproc *p, struct itimerval_ *v)
{
	uint64_t now = clock_get(), left = p->alarm_at > now ? p->alarm_at - now : 0;

	if (p->alarm_at != 0 && left == 0)
		left = 1000;		/* due: Linux reports at least 1 us */
	v->interval_sec = (int64_t)(p->alarm_period / 1000000000);
	v->interval_usec = (int64_t)(p->alarm_period % 1000000000 / 1000);
	v->value_sec = (int64_t)(left / 1000000000);
	v->value_usec = (int64_t)((left % 1000000000 + 999) / 1000);
	if (v->value_usec == 1000000) {
		v->value_sec++;
		v->value_usec = 0;
	}
}

long
sys_getitimer(struct lthread *t, const uint64_t *a)
{
	struct itimerval_ v;

	if (a[0] > 2)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	if (a[0] == 0)
		itimer_get(t->proc, &v);
	return lx_write(t->proc, a[1], &v, sizeof(v));
}

long
sys_setitimer(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	struct itimerval_ v, old;
	long r;

	if (a[0] > 2)
		return -EINVAL;
	if (a[1] != 0 && (r = lx_read(p, a[1], &v, sizeof(v))) != 0)
		return r;
	if (a[1] != 0 && (v.value_usec < 0 || v.value_usec >= 1000000 ||
	    v.interval_usec < 0 || v.interval_usec >= 1000000 || v.value_sec < 0 ||
	    v.interval_sec < 0))
		return -EINVAL;
	if (a[0] != 0)
		return -EINVAL;		/* ITIMER_VIRTUAL/PROF need CPU time (docs/linuxemu.md) */
	itimer_get(p, &old);
	if (a[2] != 0 && (r = lx_write(p, a[2], &old, sizeof(old))) != 0)
		return r;
	if (a[1] == 0)
		memset(&v, 0, sizeof(v));
	{
		uint64_t value = (uint64_t)v.value_sec * 1000000000 + (uint64_t)v.value_usec * 1000;

		p->alarm_period = (uint64_t)v.interval_sec * 1000000000 +
		    (uint64_t)v.interval_usec * 1000;
		p->alarm_at = value == 0 ? 0 : clock_get() + value;
	}
	lx_timer_update();
	return 0;
}

long
sys_sched_yield(struct lthread *t, const uint64_t *a)
{
	(void)t, (void)a;
	return 0;
}

/* --- identity, credentials, groups and sessions --- */

void
lx_proc_defaults(struct lproc *p, const char *name)
{
	for (int i = 0; i < LX_NRLIMITS; i++)
		p->rlimit[i][0] = p->rlimit[i][1] = RLIM_INFINITY;
	p->rlimit[3][0] = 8UL << 20;		/* RLIMIT_STACK */
	p->rlimit[4][0] = 0;			/* RLIMIT_CORE */
	p->rlimit[6][0] = p->rlimit[6][1] = 1024;	/* RLIMIT_NPROC (any finite value) */
	p->rlimit[7][0] = 1024;			/* RLIMIT_NOFILE */
	p->rlimit[7][1] = 4096;
	p->rlimit[8][0] = p->rlimit[8][1] = 8UL << 20;	/* RLIMIT_MEMLOCK */
	p->rlimit[13][0] = p->rlimit[13][1] = 0;	/* RLIMIT_NICE */
	p->rlimit[14][0] = p->rlimit[14][1] = 0;	/* RLIMIT_RTPRIO */
	p->rlimit[11][0] = p->rlimit[11][1] = 1024;	/* RLIMIT_SIGPENDING */
	p->rlimit[12][0] = p->rlimit[12][1] = 819200;	/* RLIMIT_MSGQUEUE */
	strlcpy(p->comm, name, sizeof(p->comm));
	strlcpy(p->cwd, "/", sizeof(p->cwd));
	p->umask = 022;
}

long sys_getuid(struct lthread *t, const uint64_t *a) { (void)a; return t->proc->uid; }
long sys_geteuid(struct lthread *t, const uint64_t *a) { (void)a; return t->proc->euid; }
long sys_getgid(struct lthread *t, const uint64_t *a) { (void)a; return t->proc->gid; }
long sys_getegid(struct lthread *t, const uint64_t *a) { (void)a; return t->proc->egid; }
long sys_getpid(struct lthread *t, const uint64_t *a) { (void)a; return t->proc->pid; }
long sys_gettid(struct lthread *t, const uint64_t *a) { (void)a; return t->tid; }

long
sys_getppid(struct lthread *t, const uint64_t *a)
{
	(void)a;
	return t->proc->parent != NULL ? t->proc->parent->pid : 0;
}

/* (uid_t)-1 leaves an id unchanged. */
#define KEEP	0xffffffffu

static int
privileged(const struct lproc *p)
{
	return p->euid == 0;
}

/* setresuid-style: each id may become any of the current three, or anything for root. */
static long
set_ids(struct lproc *p, uint32_t *r, uint32_t *e, uint32_t *s, uint64_t nr, uint64_t ne,
    uint64_t ns)
{
	uint32_t v[3] = { (uint32_t)nr, (uint32_t)ne, (uint32_t)ns };

	for (int i = 0; i < 3; i++)
		if (v[i] != KEEP && !privileged(p) && v[i] != *r && v[i] != *e && v[i] != *s)
			return -EPERM;
	if (v[0] != KEEP)
		*r = v[0];
	if (v[1] != KEEP)
		*e = v[1];
	if (v[2] != KEEP)
		*s = v[2];
	return 0;
}

long
sys_setresuid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;

	return set_ids(p, &p->uid, &p->euid, &p->suid, a[0], a[1], a[2]);
}

long
sys_setresgid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;

	return set_ids(p, &p->gid, &p->egid, &p->sgid, a[0], a[1], a[2]);
}

long
sys_setuid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;

	if ((uint32_t)a[0] == KEEP)
		return -EINVAL;
	if (privileged(p))
		return set_ids(p, &p->uid, &p->euid, &p->suid, a[0], a[0], a[0]);
	return set_ids(p, &p->uid, &p->euid, &p->suid, KEEP, a[0], KEEP);
}

long
sys_setgid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;

	if ((uint32_t)a[0] == KEEP)
		return -EINVAL;
	if (privileged(p))
		return set_ids(p, &p->gid, &p->egid, &p->sgid, a[0], a[0], a[0]);
	return set_ids(p, &p->gid, &p->egid, &p->sgid, KEEP, a[0], KEEP);
}

long
sys_setreuid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;

	return set_ids(p, &p->uid, &p->euid, &p->suid, a[0], a[1],
	    (uint32_t)a[0] != KEEP || ((uint32_t)a[1] != KEEP && (uint32_t)a[1] != p->uid) ?
	    ((uint32_t)a[1] != KEEP ? a[1] : p->euid) : KEEP);
}

long
sys_setregid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;

	return set_ids(p, &p->gid, &p->egid, &p->sgid, a[0], a[1],
	    (uint32_t)a[0] != KEEP || ((uint32_t)a[1] != KEEP && (uint32_t)a[1] != p->gid) ?
	    ((uint32_t)a[1] != KEEP ? a[1] : p->egid) : KEEP);
}

static long
get_ids(struct lthread *t, const uint64_t *a, uint32_t r, uint32_t e, uint32_t s)
{
	long err;

	if ((err = lx_write(t->proc, a[0], &r, 4)) != 0 ||
	    (err = lx_write(t->proc, a[1], &e, 4)) != 0)
		return err;
	return lx_write(t->proc, a[2], &s, 4);
}

long
sys_getresuid(struct lthread *t, const uint64_t *a)
{
	return get_ids(t, a, t->proc->uid, t->proc->euid, t->proc->suid);
}

long
sys_getresgid(struct lthread *t, const uint64_t *a)
{
	return get_ids(t, a, t->proc->gid, t->proc->egid, t->proc->sgid);
}

/* Supplementary groups: none (root's list is empty here as on a fresh Linux init). */
long
sys_getgroups(struct lthread *t, const uint64_t *a)
{
	(void)t;
	return (int)a[0] < 0 ? -EINVAL : 0;
}

long
sys_setgroups(struct lthread *t, const uint64_t *a)
{
	if (!privileged(t->proc))
		return -EPERM;
	return a[0] > 65536 ? -EINVAL : 0;	/* accepted, not kept yet */
}

long
sys_umask(struct lthread *t, const uint64_t *a)
{
	uint32_t old = t->proc->umask;

	t->proc->umask = (uint32_t)a[0] & 0777;
	return old;
}

long
sys_getpgid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = a[0] == 0 ? t->proc : lx_proc_find((int)a[0]);

	return p == NULL ? -ESRCH : p->pgid;
}

long
sys_getsid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = a[0] == 0 ? t->proc : lx_proc_find((int)a[0]);

	return p == NULL ? -ESRCH : p->sid;
}

/* setpgid(pid, pgid): ourselves or a child, within our session. */
long
sys_setpgid(struct lthread *t, const uint64_t *a)
{
	struct lproc *me = t->proc, *p;
	int pgid = (int)a[1];

	if (pgid < 0)
		return -EINVAL;
	p = a[0] == 0 ? me : lx_proc_find((int)a[0]);
	if (p == NULL || (p != me && p->parent != me))
		return -ESRCH;
	if (p->sid != me->sid)
		return -EPERM;
	if (p->pid == p->sid)
		return -EPERM;		/* a session leader */
	if (pgid == 0)
		pgid = p->pid;
	if (pgid != p->pid) {
		int found = 0;

		for (int i = 0; i < LX_NPROC; i++)
			if (lx_procs[i].state == LP_ALIVE && lx_procs[i].pgid == pgid &&
			    lx_procs[i].sid == me->sid)
				found = 1;
		if (!found)
			return -EPERM;
	}
	p->pgid = pgid;
	return 0;
}

long
sys_setsid(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;

	(void)a;
	for (int i = 0; i < LX_NPROC; i++)
		if (lx_procs[i].state != LP_FREE && lx_procs[i].pgid == p->pid)
			return -EPERM;	/* already a group leader */
	p->sid = p->pgid = p->pid;
	return p->sid;
}

/* --- limits, usage, system information --- */

long
sys_prlimit64(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = a[0] == 0 ? t->proc : lx_proc_find((int)a[0]);
	uint64_t lim[2];
	long r;

	if (p == NULL || p->state != LP_ALIVE)
		return -ESRCH;
	if (a[1] >= LX_NRLIMITS)
		return -EINVAL;
	if (a[2] != 0) {
		if ((r = lx_read(t->proc, a[2], lim, sizeof(lim))) != 0)
			return r;
		if (lim[0] > lim[1])
			return -EINVAL;
		if (lim[1] > p->rlimit[a[1]][1] && !privileged(t->proc))
			return -EPERM;
		if (a[1] == 7 && lim[1] > 1048576)
			return -EPERM;		/* nr_open */
	}
	if (a[3] != 0 && (r = lx_write(t->proc, a[3], p->rlimit[a[1]], sizeof(lim))) != 0)
		return r;
	if (a[2] != 0) {
		p->rlimit[a[1]][0] = lim[0];
		p->rlimit[a[1]][1] = lim[1];
	}
	return 0;
}

long
sys_getrlimit(struct lthread *t, const uint64_t *a)
{
	return sys_prlimit64(t, (uint64_t[]){ 0, a[0], 0, a[1] });
}

long
sys_setrlimit(struct lthread *t, const uint64_t *a)
{
	if (a[1] == 0)
		return -EFAULT;
	return sys_prlimit64(t, (uint64_t[]){ 0, a[0], a[1], 0 });
}

/* getrusage(who, ru): CPU time is not visible to linuxemu yet: zeros. */
long
sys_getrusage(struct lthread *t, const uint64_t *a)
{
	int64_t ru[18];

	if ((int)a[0] != 0 && (int)a[0] != -1 && (int)a[0] != 1)
		return -EINVAL;		/* RUSAGE_SELF, CHILDREN, THREAD */
	memset(ru, 0, sizeof(ru));
	return lx_write(t->proc, a[1], ru, sizeof(ru));
}

/* times(buf): the clock in ticks (100 Hz) since boot; CPU times as getrusage. */
long
sys_times(struct lthread *t, const uint64_t *a)
{
	int64_t tms[4] = { 0, 0, 0, 0 };
	long r;

	if (a[0] != 0 && (r = lx_write(t->proc, a[0], tms, sizeof(tms))) != 0)
		return r;
	return (long)(clock_get() / 10000000);
}

struct sysinfo_ {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char rest[4];
};

long
sys_sysinfo(struct lthread *t, const uint64_t *a)
{
	struct sysinfo_ si;
	long freep = sys_info(SYSINFO_FREE_PAGES, 0);
	int n = 0;

	for (int i = 0; i < LX_NPROC; i++)
		n += lx_procs[i].state != LP_FREE;
	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(clock_get() / 1000000000);
	si.freeram = freep > 0 ? (uint64_t)freep * PAGE : 0;
	si.totalram = si.freeram;	/* the kernel reports free pages only, for now */
	si.procs = (uint16_t)n;
	si.mem_unit = 1;
	return lx_write(t->proc, a[0], &si, sizeof(si));
}

struct utsname_ {
	char sysname[65], nodename[65], release[65], version[65], machine[65],
	    domainname[65];
};

long
sys_uname(struct lthread *t, const uint64_t *a)
{
	static const struct utsname_ u = {
		"Linux", "lichen", "6.1.0-lichen", "#1 SMP lichen 0.1.0", "aarch64", "(none)",
	};

	return lx_write(t->proc, a[0], &u, sizeof(u));
}

/* prctl(option, ...): the name, for now. */
long
sys_prctl(struct lthread *t, const uint64_t *a)
{
	char name[16];
	long r;

	switch (a[0]) {
	case 15:	/* PR_SET_NAME: 16 bytes at most, NUL included */
		if ((r = lx_read_string(t->proc, a[1], name, sizeof(name))) < 0 &&
		    r != -ENAMETOOLONG)
			return r;
		name[15] = '\0';
		memcpy(t->proc->comm, name, sizeof(name));
		return 0;
	case 16:	/* PR_GET_NAME */
		return lx_write(t->proc, a[1], t->proc->comm, sizeof(t->proc->comm));
	default:
		return -EINVAL;
	}
}

/* getrandom(buf, len, flags): xorshift64* for now; devtmpfs brings the CSPRNG. */
long
sys_getrandom(struct lthread *t, const uint64_t *a)
{
	static uint64_t rng;
	uint8_t buf[256];
	uint64_t done = 0, len = a[1] < (1UL << 25) ? a[1] : (1UL << 25);
	long r;

	if (a[2] & ~7UL)
		return -EINVAL;
	if (rng == 0)
		rng = clock_get() | 1;
	while (done < len) {
		uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

		for (uint64_t i = 0; i < n; i++) {
			rng ^= rng >> 12;
			rng ^= rng << 25;
			rng ^= rng >> 27;
			buf[i] = (uint8_t)((rng * 0x2545f4914f6cdd1dUL) >> 56);
		}
		if ((r = lx_write(t->proc, a[0] + done, buf, n)) != 0)
			return done > 0 ? (long)done : r;
		done += n;
	}
	return (long)done;
}

long
sys_set_tid_address(struct lthread *t, const uint64_t *a)
{
	t->clear_child_tid = a[0];
	return t->tid;
}

long
sys_set_robust_list(struct lthread *t, const uint64_t *a)
{
	if (a[1] != 24)
		return -EINVAL;		/* sizeof(struct robust_list_head) */
	t->robust_list = a[0];
	t->robust_len = a[1];
	return 0;
}

long
sys_get_robust_list(struct lthread *t, const uint64_t *a)
{
	struct lthread *o = a[0] == 0 ? t : lx_thread_find((int)a[0]);
	long r;

	if (o == NULL)
		return -ESRCH;
	if ((r = lx_write(t->proc, a[1], &o->robust_list, 8)) != 0)
		return r;
	return lx_write(t->proc, a[2], &o->robust_len, 8);
}

/* --- scheduling --- */

long
sys_sched_getaffinity(struct lthread *t, const uint64_t *a)
{
	long n = sys_info(SYSINFO_NCPUS, 0);
	uint64_t mask = n >= 64 ? ~0UL : (1UL << n) - 1;
	long r;

	if (a[0] != 0 && lx_thread_find((int)a[0]) == NULL)
		return -ESRCH;
	if (a[1] < 8 || (a[1] & 7))
		return -EINVAL;
	if ((r = lx_write(t->proc, a[2], &mask, 8)) != 0)
		return r;
	return 8;
}

long
sys_sched_setaffinity(struct lthread *t, const uint64_t *a)
{
	struct lthread *o = a[0] == 0 ? t : lx_thread_find((int)a[0]);
	long n = sys_info(SYSINFO_NCPUS, 0);
	uint64_t mask = 0;
	long r;

	if (o == NULL)
		return -ESRCH;
	if ((r = lx_read(t->proc, a[2], &mask, a[1] < 8 ? a[1] : 8)) != 0)
		return r;
	if (n < 64)
		mask &= (1UL << n) - 1;
	if (mask == 0)
		return -EINVAL;
	return thread_affinity(o->thread, mask);
}

long
sys_sched_getscheduler(struct lthread *t, const uint64_t *a)
{
	if ((int)a[0] < 0)
		return -EINVAL;
	return a[0] != 0 && lx_thread_find((int)a[0]) == NULL ? -ESRCH : 0;	/* SCHED_OTHER */
	(void)t;
}

long
sys_sched_getparam(struct lthread *t, const uint64_t *a)
{
	int32_t prio = 0;

	if ((int)a[0] < 0 || a[1] == 0)
		return -EINVAL;
	if (a[0] != 0 && lx_thread_find((int)a[0]) == NULL)
		return -ESRCH;
	return lx_write(t->proc, a[1], &prio, 4);
}

long
sys_sched_get_priority_max(struct lthread *t, const uint64_t *a)
{
	(void)t;
	return a[0] == 1 || a[0] == 2 ? 99 : a[0] == 0 || a[0] == 3 || a[0] == 5 ? 0 : -EINVAL;
}

long
sys_sched_get_priority_min(struct lthread *t, const uint64_t *a)
{
	(void)t;
	return a[0] == 1 || a[0] == 2 ? 1 : a[0] == 0 || a[0] == 3 || a[0] == 5 ? 0 : -EINVAL;
}

/* getpriority returns 20 - nice (the raw syscall); setpriority keeps nice 0 for now. */
long
sys_getpriority(struct lthread *t, const uint64_t *a)
{
	(void)t;
	if (a[0] > 2)
		return -EINVAL;
	if (a[1] != 0 && (a[0] == 0 ? lx_proc_find((int)a[1]) == NULL && lx_thread_find((int)a[1]) == NULL : 0))
		return -ESRCH;
	return 20;
}

long
sys_setpriority(struct lthread *t, const uint64_t *a)
{
	(void)t;
	if (a[0] > 2)
		return -EINVAL;
	if (a[1] != 0 && a[0] == 0 && lx_proc_find((int)a[1]) == NULL &&
	    lx_thread_find((int)a[1]) == NULL)
		return -ESRCH;
	return (int)a[2] < 0 ? -EACCES : 0;	/* nice values are not applied yet */
}

/* --- files without a filesystem yet (the vfs issue) --- */

long
sys_getcwd(struct lthread *t, const uint64_t *a)
{
	size_t n = strlen(t->proc->cwd) + 1;
	long r;

	if (a[1] < n)
		return -ERANGE;
	r = lx_write(t->proc, a[0], t->proc->cwd, n);
	return r != 0 ? r : (long)n;
}

long
sys_readlinkat(struct lthread *t, const uint64_t *a)
{
	char path[256];
	long r = lx_read_string(t->proc, a[1], path, sizeof(path));

	if (r < 0)
		return r;
	return (int64_t)a[3] <= 0 ? -EINVAL : -ENOENT;
}

/* --- processes (proc.c) --- */

long
sys_clone(struct lthread *t, const uint64_t *a)
{
	/* arm64: clone(flags, newsp, parent_tid, tls, child_tid) */
	return lx_sys_clone(t, a[0] & ~0xffUL, a[1], a[2], a[3], a[4], (int)(a[0] & 0xff));
}

struct clone_args_ {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

long
sys_clone3(struct lthread *t, const uint64_t *a)
{
	struct clone_args_ ca;
	long r;

	if (a[1] < 64 || a[1] > 4096)
		return -EINVAL;		/* CLONE_ARGS_SIZE_VER0 */
	memset(&ca, 0, sizeof(ca));
	if ((r = lx_read(t->proc, a[0], &ca, sizeof(ca))) != 0)
		return r;
	if ((ca.flags & 0xff) || ca.exit_signal > 64 || (ca.stack != 0) != (ca.stack_size != 0))
		return -EINVAL;
	return lx_sys_clone(t, ca.flags, ca.stack != 0 ? ca.stack + ca.stack_size : 0,
	    ca.parent_tid, ca.tls, ca.child_tid, (int)ca.exit_signal);
}

long sys_execve(struct lthread *t, const uint64_t *a) { return lx_sys_execve(t, a); }
long sys_exit(struct lthread *t, const uint64_t *a) { return lx_sys_exit(t, a); }
long sys_exit_group(struct lthread *t, const uint64_t *a) { return lx_sys_exit_group(t, a); }
long sys_wait4(struct lthread *t, const uint64_t *a) { return lx_sys_wait4(t, a); }
long sys_waitid(struct lthread *t, const uint64_t *a) { return lx_sys_waitid(t, a); }
long sys_futex(struct lthread *t, const uint64_t *a) { return lx_sys_futex(t, a); }

/* --- the table --- */

LX_SYSCALLS(LX_DECL)

static const lx_fn table[NR_MAX] = {
#define LX_ENTRY(nr, name, fn) [nr] = fn,
	LX_SYSCALLS(LX_ENTRY)
#undef LX_ENTRY
};

long
lx_syscall(struct lthread *t, uint64_t nr, const uint64_t *a)
{
	if (nr >= NR_MAX || table[nr] == NULL) {
		lx_unknown_calls++;
		return -ENOSYS;
	}
	return table[nr](t, a);
}

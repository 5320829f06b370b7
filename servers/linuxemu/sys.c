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
#define CLOCK_MONOTONIC_RAW_	4
#define CLOCK_REALTIME_COARSE_	5
#define CLOCK_MONOTONIC_COARSE_	6
#define CLOCK_BOOTTIME_		7
#define CLOCK_REALTIME_ALARM_	8
#define CLOCK_BOOTTIME_ALARM_	9
#define CLOCK_TAI_		11
#define NCLOCKS			12
#define TIMER_ABSTIME_		1
#define EOPNOTSUPP_		95
#define NS			1000000000UL
#define KTIME_MAX_		0x7fffffffffffffffUL
#define SETTOD_SEC_MAX		(9223372036L - 946080000L)	/* KTIME_SEC_MAX - 30 years */
#define TICK_NS			4000000		/* the scheduler's tick: coarse clocks */

struct timespec_ {
	int64_t sec, nsec;
};

/*
 * What each clock id can do (Linux's posix_clocks[]): be read, be slept
 * on, time a POSIX timer. The alarm clocks need an RTC: Linux without one
 * refuses them as here (no RTC is read yet, PL031).
 */
#define C_READ		1
#define C_SLEEP		2
#define C_TIMER		4
#define C_RTC		8

static const uint8_t clock_ops[NCLOCKS] = {
	[CLOCK_REALTIME_] = C_READ | C_SLEEP | C_TIMER,
	[CLOCK_MONOTONIC_] = C_READ | C_SLEEP | C_TIMER,
	[CLOCK_PROCESS_CPUTIME] = C_READ | C_SLEEP | C_TIMER,
	[CLOCK_THREAD_CPUTIME] = C_READ | C_TIMER,
	[CLOCK_MONOTONIC_RAW_] = C_READ,
	[CLOCK_REALTIME_COARSE_] = C_READ,
	[CLOCK_MONOTONIC_COARSE_] = C_READ,
	[CLOCK_BOOTTIME_] = C_READ | C_SLEEP | C_TIMER,
	[CLOCK_REALTIME_ALARM_] = C_RTC | C_SLEEP | C_TIMER,
	[CLOCK_BOOTTIME_ALARM_] = C_RTC | C_SLEEP | C_TIMER,
	[CLOCK_TAI_] = C_READ | C_SLEEP | C_TIMER,
};

/*
 * Every clock counts from boot: CLOCK_REALTIME (and TAI, as Linux
 * before an NTP daemon sets the offset) is the boot clock plus
 * rt_offset, which clock_settime and settimeofday move. The CPU-time
 * clocks count the time since the process started, as linuxemu cannot
 * see CPU time yet (docs/linuxemu.md).
 */
static uint64_t rt_offset;

/* CLOCK_REALTIME minus the boot clock. */
uint64_t
lx_realtime_offset(void)
{
	return rt_offset;
}

/* CLOCK_REALTIME now reads ns (the RTC at start). */
void
lx_set_realtime(uint64_t ns)
{
	uint64_t now = clock_get();

	rt_offset = ns > now ? ns - now : 0;
}
static int32_t sys_tz[2];		/* settimeofday's timezone: minuteswest, dsttime */

static int
privileged(const struct lproc *p)
{
	return p->euid == 0;
}

/* a + b, at most KTIME_MAX (Linux's ktime saturates there). */
static uint64_t
add_sat(uint64_t a, uint64_t b)
{
	return b >= KTIME_MAX_ || a > KTIME_MAX_ - b ? KTIME_MAX_ : a + b;
}

static uint64_t
ts_ns(const struct timespec_ *ts)
{
	if ((uint64_t)ts->sec >= KTIME_MAX_ / NS)
		return KTIME_MAX_;
	return add_sat((uint64_t)ts->sec * NS, (uint64_t)ts->nsec);
}

static struct timespec_
ns_ts(uint64_t ns)
{
	return (struct timespec_){ (int64_t)(ns / NS), (int64_t)(ns % NS) };
}

static int
ts_valid(const struct timespec_ *ts)
{
	return ts->sec >= 0 && ts->nsec >= 0 && (uint64_t)ts->nsec < NS;
}

/*
 * The owner of a CPU-time clock id (negative: ~pid << 3 | thread << 2 |
 * kind), as Linux's lookup_task: pid 0 is the caller; a thread clock
 * names a thread of the caller's process, a process clock a process's
 * leader (or, to read it, the caller itself).
 */
static struct lproc *
cpu_clock_owner(struct lthread *t, int id, int gettime)
{
	int pid = ~(id >> 3);
	struct lthread *o;

	if (pid == 0)
		return t->proc;
	if ((o = lx_thread_find(pid)) == NULL || o->proc->state != LP_ALIVE)
		return NULL;
	if (id & 4)
		return o->proc == t->proc ? o->proc : NULL;
	if (gettime && o == t)
		return o->proc;
	return o->tid == o->proc->pid ? o->proc : NULL;
}

/* Whether clock id exists and can do op: 0, -EINVAL, or -EOPNOTSUPP (it cannot). */
static long
clock_can(int id, unsigned op)
{
	if (id < 0)
		return (id & 3) == 3 ? -EINVAL : 0;	/* kind 3: a clock fd, none here */
	if (id >= NCLOCKS || clock_ops[id] == 0)
		return -EINVAL;
	if (clock_ops[id] & op)
		return 0;
	return op == C_READ ? -EINVAL : -EOPNOTSUPP_;
}

/*
 * The clock's offset from the boot clock (its value is clock_get() +
 * *base), for a clock clock_can accepted: -EINVAL if a CPU clock's owner
 * is not there, -EOPNOTSUPP for the alarm clocks.
 */
static long
clock_base(struct lthread *t, int id, int gettime, int64_t *base)
{
	struct lproc *o;

	if (id < 0) {
		if ((o = cpu_clock_owner(t, id, gettime)) == NULL)
			return -EINVAL;
		*base = -(int64_t)o->start_ns;
		return 0;
	}
	if (clock_ops[id] & C_RTC)
		return -EOPNOTSUPP_;
	switch (id) {
	case CLOCK_REALTIME_:
	case CLOCK_REALTIME_COARSE_:
	case CLOCK_TAI_:
		*base = (int64_t)rt_offset;
		break;
	case CLOCK_PROCESS_CPUTIME:
	case CLOCK_THREAD_CPUTIME:
		*base = -(int64_t)t->proc->start_ns;
		break;
	default:
		*base = 0;
	}
	return 0;
}

/*
 * A CPU clock's reading: the calling thread's or process's, or (a
 * negative id, clock_getcpuclockid's) another's: ~pid << 3 | 2 for a
 * process, | 6 for a thread.
 */
static uint64_t
cpu_clock(struct lthread *t, int id)
{
	struct lthread *o;
	struct lproc *p;
	int who;

	if (id == CLOCK_THREAD_CPUTIME)
		return lx_thread_cpu(t);
	if (id == CLOCK_PROCESS_CPUTIME)
		return lx_proc_cpu(t->proc);
	who = ~(id >> 3);
	if ((id & 4) != 0) {
		o = who == 0 ? t : lx_thread_find(who);
		return o != NULL ? lx_thread_cpu(o) : 0;
	}
	p = who == 0 ? t->proc : lx_proc_find(who);
	return p != NULL ? lx_proc_cpu(p) : 0;
}

long
sys_clock_gettime(struct lthread *t, const uint64_t *a)
{
	int id = (int)a[0];
	struct timespec_ ts;
	int64_t base;
	long r;

	if ((r = clock_can(id, C_READ)) != 0 || (r = clock_base(t, id, 1, &base)) != 0)
		return r;
	if (id == CLOCK_PROCESS_CPUTIME || id == CLOCK_THREAD_CPUTIME || id < 0)
		ts = ns_ts(cpu_clock(t, id));	/* what the kernel counted */
	else
		ts = ns_ts((uint64_t)((int64_t)clock_get() + base));
	return lx_write(t->proc, a[1], &ts, sizeof(ts));
}

long
sys_clock_getres(struct lthread *t, const uint64_t *a)
{
	int id = (int)a[0];
	struct timespec_ ts = { 0, 1 };
	int64_t base;
	long r;

	if ((r = clock_can(id, C_READ)) != 0 || (r = clock_base(t, id, 0, &base)) != 0)
		return r;
	/* Coarse clocks and the CPU clocks but CPUCLOCK_SCHED tick; the others count ns. */
	if (id == CLOCK_REALTIME_COARSE_ || id == CLOCK_MONOTONIC_COARSE_ ||
	    (id < 0 && (id & 3) != 2))
		ts.nsec = TICK_NS;
	return a[1] == 0 ? 0 : lx_write(t->proc, a[1], &ts, sizeof(ts));
}

/*
 * Set CLOCK_REALTIME (do_sys_settimeofday64): a time before the boot
 * clock's zero is refused, as Linux refuses one before CLOCK_MONOTONIC's.
 * Sleeps and timers already armed on it keep their boot-clock deadline.
 */
static long
realtime_set(struct lthread *t, const struct timespec_ *ts)
{
	uint64_t ns, now = clock_get();

	if (!ts_valid(ts) || ts->sec >= SETTOD_SEC_MAX)
		return -EINVAL;
	if (!privileged(t->proc))
		return -EPERM;		/* CAP_SYS_TIME */
	if ((ns = ts_ns(ts)) < now)
		return -EINVAL;
	rt_offset = ns - now;
	return 0;
}

long
sys_clock_settime(struct lthread *t, const uint64_t *a)
{
	int id = (int)a[0];
	struct timespec_ ts;
	int64_t base;
	long r;

	if (id != CLOCK_REALTIME_ && (id >= 0 || clock_can(id, C_READ) != 0))
		return -EINVAL;		/* no such clock, or one that cannot be set */
	if ((r = lx_read(t->proc, a[1], &ts, sizeof(ts))) != 0)
		return r;
	if (id < 0)	/* another's CPU clock: it may exist, but no one sets it */
		return (r = clock_base(t, id, 0, &base)) != 0 ? r : -EPERM;
	return realtime_set(t, &ts);
}

long
sys_gettimeofday(struct lthread *t, const uint64_t *a)
{
	uint64_t ns = clock_get() + rt_offset;
	int64_t tv[2] = { (int64_t)(ns / NS), (int64_t)(ns % NS / 1000) };
	long r;

	if (a[0] != 0 && (r = lx_write(t->proc, a[0], tv, sizeof(tv))) != 0)
		return r;
	return a[1] == 0 ? 0 : lx_write(t->proc, a[1], sys_tz, sizeof(sys_tz));
}

long
sys_settimeofday(struct lthread *t, const uint64_t *a)
{
	int64_t tv[2];
	int32_t tz[2];
	struct timespec_ ts;
	long r;

	if (a[0] != 0) {
		if ((r = lx_read(t->proc, a[0], tv, sizeof(tv))) != 0)
			return r;
		if (tv[1] < 0 || tv[1] > 1000000)
			return -EINVAL;
		ts = (struct timespec_){ tv[0], tv[1] * 1000 };
	}
	if (a[1] != 0 && (r = lx_read(t->proc, a[1], tz, sizeof(tz))) != 0)
		return r;
	if (a[0] != 0 && (!ts_valid(&ts) || ts.sec >= SETTOD_SEC_MAX))
		return -EINVAL;
	if (!privileged(t->proc))
		return -EPERM;
	if (a[1] != 0) {
		if (tz[0] < -15 * 60 || tz[0] > 15 * 60)
			return -EINVAL;
		sys_tz[0] = tz[0];
		sys_tz[1] = tz[1];
	}
	return a[0] != 0 ? realtime_set(t, &ts) : 0;
}

static long
read_timespec(struct lthread *t, uint64_t uva, uint64_t *ns)
{
	struct timespec_ ts;
	long r = lx_read(t->proc, uva, &ts, sizeof(ts));

	if (r != 0)
		return r;
	if (!ts_valid(&ts))
		return -EINVAL;
	*ns = ts_ns(&ts);
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

	return r != 0 ? r : sleep_until(t, add_sat(clock_get(), ns));
}

/* Flags other than TIMER_ABSTIME are ignored, as Linux does. */
long
sys_clock_nanosleep(struct lthread *t, const uint64_t *a)
{
	int id = (int)a[0];
	int64_t base;
	uint64_t ns;
	long r;

	if ((r = clock_can(id, C_SLEEP)) != 0)
		return r;
	if ((r = read_timespec(t, a[2], &ns)) != 0)
		return r;
	if (id < 0 && (id & 4) && (~(id >> 3) == 0 || ~(id >> 3) == t->tid))
		return -EINVAL;		/* our own thread's CPU clock: it would never move */
	if ((r = clock_base(t, id, 0, &base)) != 0)
		return r;
	if (!(a[1] & TIMER_ABSTIME_))
		return sleep_until(t, add_sat(clock_get(), ns));
	return sleep_until(t, (int64_t)ns - base <= 0 ? 0 : (uint64_t)((int64_t)ns - base));
}

/* A sleep cut short by a signal: the rest goes to rem (relative sleeps). */
void
lx_sleep_interrupted(struct lthread *t)
{
	uint64_t now = clock_get(), left = t->deadline > now ? t->deadline - now : 0;
	struct timespec_ ts = ns_ts(left);
	uint64_t rem = t->nr == 101 ? t->a[1] : (t->a[1] & TIMER_ABSTIME_) ? 0 : t->a[3];

	if (rem != 0)
		lx_write(t->proc, rem, &ts, sizeof(ts));
}

/*
 * setitimer/getitimer. ITIMER_REAL is p->alarm_at (main.c sends
 * SIGALRM); ITIMER_VIRTUAL and ITIMER_PROF count CPU time, which here is
 * the time since the process started (as CLOCK_PROCESS_CPUTIME_ID), and
 * fire with lx_ptimers_expired.
 */
#define SIGVTALRM_	26
#define SIGPROF_	27

struct itimerval_ {
	int64_t interval_sec, interval_usec, value_sec, value_usec;
};

/* Times in us are truncated, as Linux's put_itimerval; an expired timer not yet handled shows 1 us. */
static void
itimer_get(uint64_t at, uint64_t period, struct itimerval_ *v)
{
	uint64_t now = clock_get(), left = at > now ? at - now : 0;

	if (at != 0 && left == 0)
		left = 1000;
	v->interval_sec = (int64_t)(period / NS);
	v->interval_usec = (int64_t)(period % NS / 1000);
	v->value_sec = (int64_t)(left / NS);
	v->value_usec = (int64_t)(left % NS / 1000);
}

/* Where timer which (ITIMER_REAL, VIRTUAL, PROF) of p keeps its deadline and interval. */
static void
itimer_of(struct lproc *p, int which, uint64_t **at, uint64_t **period)
{
	*at = which == 0 ? &p->alarm_at : &p->cpu_itimer[which - 1][0];
	*period = which == 0 ? &p->alarm_period : &p->cpu_itimer[which - 1][1];
}

long
sys_getitimer(struct lthread *t, const uint64_t *a)
{
	int which = (int)a[0];
	uint64_t *at, *period;
	struct itimerval_ v;

	if (which < 0 || which > 2)
		return -EINVAL;
	itimer_of(t->proc, which, &at, &period);
	itimer_get(*at, *period, &v);
	return lx_write(t->proc, a[1], &v, sizeof(v));
}

/* The old value is written after the new one is set (as Linux: EFAULT then, armed all the same). */
long
sys_setitimer(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	int which = (int)a[0];
	struct itimerval_ v, old;
	uint64_t value, *at, *period;
	long r;

	memset(&v, 0, sizeof(v));
	if (a[1] != 0 && (r = lx_read(p, a[1], &v, sizeof(v))) != 0)
		return r;
	if (v.value_usec < 0 || v.value_usec >= 1000000 || v.interval_usec < 0 ||
	    v.interval_usec >= 1000000 || v.value_sec < 0 || v.interval_sec < 0)
		return -EINVAL;
	if (which < 0 || which > 2)
		return -EINVAL;
	itimer_of(p, which, &at, &period);
	itimer_get(*at, *period, &old);
	value = ts_ns(&(struct timespec_){ v.value_sec, v.value_usec * 1000 });
	*period = value == 0 ? 0 :
	    ts_ns(&(struct timespec_){ v.interval_sec, v.interval_usec * 1000 });
	*at = value == 0 ? 0 : add_sat(clock_get(), value);
	lx_timer_update();
	return a[2] == 0 ? 0 : lx_write(p, a[2], &old, sizeof(old));
}

/*
 * POSIX timers (timer_create & co.), per process: not inherited at fork,
 * deleted at exec (lx_sys_exec), gone with the process. main.c's one
 * kernel timer covers them (lx_ptimers_next) and fires them
 * (lx_ptimers_expired). Each expiry queues the signal; the overrun is
 * the periods linuxemu was late for, not Linux's count of expiries while
 * the signal was pending.
 */
#define SIGEV_SIGNAL_		0
#define SIGEV_NONE_		1
#define SIGEV_THREAD_		2
#define SIGEV_THREAD_ID_	4
#define SI_TIMER_		(-2)
#define SIGALRM_		14
#define NPTIMER			((int)(sizeof(((struct lproc *)0)->ptimer) / sizeof(struct lx_ptimer)))

struct sigevent_ {
	uint64_t value;
	int32_t signo, notify;
	int32_t tid;			/* SIGEV_THREAD_ID */
	int32_t pad[11];
};

_Static_assert(sizeof(struct sigevent_) == 64, "sigevent_t is 64 bytes");

struct itimerspec_ {
	struct timespec_ interval, value;
};

static struct lx_ptimer *
ptimer_find(struct lproc *p, uint64_t id)
{
	for (int i = 0; i < NPTIMER; i++)
		if (p->ptimer[i].used && (uint64_t)p->ptimer[i].id == id)
			return &p->ptimer[i];
	return NULL;
}

/* Linux's good_sigevent: 0 if ev can be a timer's notification. */
static int
sigevent_ok(struct lthread *t, const struct sigevent_ *ev)
{
	struct lthread *o;

	switch (ev->notify) {
	case SIGEV_SIGNAL_ | SIGEV_THREAD_ID_:
		if ((o = lx_thread_find(ev->tid)) == NULL || o->proc != t->proc)
			return 0;
		/* fall through */
	case SIGEV_SIGNAL_:
	case SIGEV_THREAD_:
		return ev->signo > 0 && ev->signo <= LX_NSIG;
	case SIGEV_NONE_:
		return 1;
	default:
		return 0;
	}
}

/* timer_create(clockid, sevp, timerid): the id is taken before sevp is judged, as Linux does. */
long
sys_timer_create(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	struct sigevent_ ev;
	struct lx_ptimer *pt = NULL;
	int clock = (int)a[0];
	int64_t base;
	int32_t id;
	long r;

	if (a[1] != 0 && (r = lx_read(p, a[1], &ev, sizeof(ev))) != 0)
		return r;
	if ((r = clock_can(clock, C_TIMER)) != 0)
		return r;
	for (int i = 0; i < NPTIMER && pt == NULL; i++)
		if (!p->ptimer[i].used)
			pt = &p->ptimer[i];
	if (pt == NULL)
		return -EAGAIN;
	do {
		id = p->ptimer_next;
		p->ptimer_next = (p->ptimer_next + 1) & 0x7fffffff;
	} while (ptimer_find(p, (uint64_t)id) != NULL);
	if (a[1] == 0)
		ev = (struct sigevent_){ .value = (uint64_t)id, .signo = SIGALRM_,
		    .notify = SIGEV_SIGNAL_ };
	else if (!sigevent_ok(t, &ev))
		return -EINVAL;
	if ((r = lx_write(p, a[2], &id, sizeof(id))) != 0)
		return r;
	if ((r = clock_base(t, clock, 0, &base)) != 0)
		return r;
	memset(pt, 0, sizeof(*pt));
	pt->used = 1;
	pt->id = id;
	pt->clock = clock;
	pt->notify = ev.notify;
	pt->signo = ev.signo;
	pt->tid = ev.tid;
	pt->value = ev.value;
	return 0;
}

/* What is left (SIGEV_NONE: moved on by whole periods, as Linux's common_timer_get). */
static void
ptimer_get(struct lx_ptimer *pt, struct itimerspec_ *v)
{
	uint64_t now = clock_get();

	v->interval = ns_ts(pt->period);
	v->value = ns_ts(0);
	if (pt->at == 0)
		return;
	if (pt->notify == SIGEV_NONE_ && pt->period != 0 && pt->at <= now)
		pt->at = add_sat(pt->at, ((now - pt->at) / pt->period + 1) * pt->period);
	if (pt->at > now)
		v->value = ns_ts(pt->at - now);
	else if (pt->notify != SIGEV_NONE_)
		v->value.nsec = 1;	/* expired, its signal not yet sent */
}

static void ptimer_fire(struct lproc *p, struct lx_ptimer *pt, uint64_t now);

long
sys_timer_settime(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	struct lx_ptimer *pt;
	struct itimerspec_ v, old;
	uint64_t value, now;
	int64_t base;
	long r;

	if (a[2] == 0)
		return -EINVAL;
	if ((r = lx_read(p, a[2], &v, sizeof(v))) != 0)
		return r;
	if (!ts_valid(&v.interval) || !ts_valid(&v.value))
		return -EINVAL;
	if ((pt = ptimer_find(p, a[0])) == NULL)
		return -EINVAL;
	if ((r = clock_base(t, pt->clock, 0, &base)) != 0)
		return r;	/* a CPU clock whose owner has gone */
	ptimer_get(pt, &old);
	pt->at = pt->period = 0;
	pt->overrun = 0;
	if ((value = ts_ns(&v.value)) != 0) {
		now = clock_get();
		pt->period = ts_ns(&v.interval);
		if (!(a[1] & TIMER_ABSTIME_))
			pt->at = add_sat(now, value);
		else
			pt->at = (int64_t)value - base <= (int64_t)now ? now :
			    (uint64_t)((int64_t)value - base);
		if (pt->at == 0)
			pt->at = 1;
	}
	if (a[3] != 0 && (r = lx_write(p, a[3], &old, sizeof(old))) != 0)
		return r;
	/* Due already (an absolute time past): it fires now, as Linux's hrtimer does. */
	if (pt->at != 0 && pt->at <= clock_get() && pt->notify != SIGEV_NONE_)
		ptimer_fire(p, pt, clock_get());
	lx_timer_update();
	return 0;
}

long
sys_timer_gettime(struct lthread *t, const uint64_t *a)
{
	struct lx_ptimer *pt = ptimer_find(t->proc, a[0]);
	struct itimerspec_ v;

	if (pt == NULL)
		return -EINVAL;
	ptimer_get(pt, &v);
	return lx_write(t->proc, a[1], &v, sizeof(v));
}

long
sys_timer_getoverrun(struct lthread *t, const uint64_t *a)
{
	struct lx_ptimer *pt = ptimer_find(t->proc, a[0]);

	return pt == NULL ? -EINVAL : pt->overrun;
}

long
sys_timer_delete(struct lthread *t, const uint64_t *a)
{
	struct lx_ptimer *pt = ptimer_find(t->proc, a[0]);

	if (pt == NULL)
		return -EINVAL;
	memset(pt, 0, sizeof(*pt));
	lx_timer_update();
	return 0;
}

/*
 * After execve replaced t's kernel thread: its CPU mask carries over,
 * and its process's POSIX timers are deleted (the next id goes on, as
 * Linux's; itimers stay).
 */
void
lx_sys_exec(struct lthread *t)
{
	struct lproc *p = t->proc;

	if (t->affinity != 0)
		thread_affinity(t->thread, t->affinity);
	for (int i = 0; i < NPTIMER; i++)
		memset(&p->ptimer[i], 0, sizeof(p->ptimer[i]));
	lx_timer_update();
}

/* The earlier of next (0: none) and the first POSIX timer or CPU-time itimer due, for lx_timer_update. */
uint64_t
lx_ptimers_next(uint64_t next)
{
	for (int i = 0; i < LX_NPROC; i++) {
		const struct lproc *p = &lx_procs[i];

		if (p->state != LP_ALIVE)
			continue;
		for (int k = 0; k < 2; k++)
			if (p->cpu_itimer[k][0] != 0 && (next == 0 || p->cpu_itimer[k][0] < next))
				next = p->cpu_itimer[k][0];
		for (int k = 0; k < NPTIMER; k++) {
			const struct lx_ptimer *pt = &p->ptimer[k];

			if (pt->used && pt->at != 0 && pt->notify != SIGEV_NONE_ &&
			    (next == 0 || pt->at < next))
				next = pt->at;
		}
	}
	return next;
}

static void
ptimer_fire(struct lproc *p, struct lx_ptimer *pt, uint64_t now)
{
	struct lx_siginfo si;
	struct lthread *to;
	uint64_t missed = 0;

	if (pt->period != 0) {
		missed = (now - pt->at) / pt->period;
		pt->at = add_sat(pt->at, (missed + 1) * pt->period);
	} else {
		pt->at = 0;
	}
	pt->overrun = missed > 0x7fffffff ? 0x7fffffff : (int)missed;
	/*
	 * Its signal still pending (blocked, say): no second one, the
	 * pending one's si_overrun counts this expiry too (Linux keeps one
	 * queued signal per timer).
	 */
	to = (pt->notify & SIGEV_THREAD_ID_) ? lx_thread_find(pt->tid) : NULL;
	{
		struct lx_siginfo *q = lx_signal_find_timer(p, to, pt->signo, pt->id);

		if (q != NULL) {
			uint64_t n = (uint64_t)(uint32_t)q->u.raw[1] + missed + 1;

			q->u.raw[1] = n > 0x7fffffff ? 0x7fffffff : (int32_t)n;
			pt->overrun = q->u.raw[1];
			return;
		}
	}
	memset(&si, 0, sizeof(si));
	si.signo = pt->signo;
	si.code = SI_TIMER_;
	si.u.raw[0] = pt->id;
	si.u.raw[1] = pt->overrun;
	memcpy(&si.u.raw[2], &pt->value, sizeof(pt->value));
	if (pt->notify & SIGEV_THREAD_ID_) {
		if ((to = lx_thread_find(pt->tid)) != NULL && to->proc == p)
			lx_signal_send_thread(to, pt->signo, &si);
	} else {
		lx_signal_send_proc(p, pt->signo, &si);
	}
}

/* ITIMER_VIRTUAL (k 0) or ITIMER_PROF (k 1) is due: SIGVTALRM or SIGPROF, SI_KERNEL. */
static void
cpu_itimer_fire(struct lproc *p, int k, uint64_t now)
{
	uint64_t *at = &p->cpu_itimer[k][0], period = p->cpu_itimer[k][1];
	struct lx_siginfo si;

	*at = period == 0 ? 0 : add_sat(*at, ((now - *at) / period + 1) * period);
	memset(&si, 0, sizeof(si));
	si.signo = k == 0 ? SIGVTALRM_ : SIGPROF_;
	si.code = 0x80;		/* SI_KERNEL */
	lx_signal_send_proc(p, si.signo, &si);
}

/* Fire every POSIX timer and CPU-time itimer due by now (main.c's timers_expired; it calls lx_timer_update after). */
void
lx_ptimers_expired(uint64_t now)
{
	for (int i = 0; i < LX_NPROC; i++) {
		struct lproc *p = &lx_procs[i];

		if (p->state != LP_ALIVE)
			continue;
		for (int k = 0; k < 2 && p->state == LP_ALIVE; k++)
			if (p->cpu_itimer[k][0] != 0 && p->cpu_itimer[k][0] <= now)
				cpu_itimer_fire(p, k, now);
		for (int k = 0; k < NPTIMER && p->state == LP_ALIVE; k++) {
			struct lx_ptimer *pt = &p->ptimer[k];

			if (pt->used && pt->at != 0 && pt->at <= now && pt->notify != SIGEV_NONE_)
				ptimer_fire(p, pt, now);
		}
	}
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

/*
 * Whether from may send a signal to to (Linux's kill_ok_by_cred): its
 * uid or euid is to's uid or suid, or it is privileged (CAP_KILL).
 */
int
lx_may_signal(const struct lproc *from, const struct lproc *to)
{
	return from == to || privileged(from) || from->euid == to->suid ||
	    from->euid == to->uid || from->uid == to->suid || from->uid == to->uid;
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

/*
 * getrusage(who, ru): the CPU time the kernel counted, all as user time
 * (a Linux thread's system calls run in linuxemu, not in its kernel
 * thread); the other fields are zero.
 */
long
sys_getrusage(struct lthread *t, const uint64_t *a)
{
	int64_t ru[18];
	uint64_t ns;

	switch ((int)a[0]) {
	case 0: ns = lx_proc_cpu(t->proc); break;		/* RUSAGE_SELF */
	case -1: ns = t->proc->cpu_children; break;		/* RUSAGE_CHILDREN */
	case 1: ns = lx_thread_cpu(t); break;			/* RUSAGE_THREAD */
	default: return -EINVAL;
	}
	memset(ru, 0, sizeof(ru));
	ru[0] = (int64_t)(ns / 1000000000);
	ru[1] = (int64_t)(ns % 1000000000 / 1000);
	return lx_write(t->proc, a[1], ru, sizeof(ru));
}

/* times(buf): CPU times in 100 Hz ticks (as getrusage); the result is ticks since boot. */
long
sys_times(struct lthread *t, const uint64_t *a)
{
	int64_t tms[4] = { (int64_t)(lx_proc_cpu(t->proc) / 10000000), 0,
	    (int64_t)(t->proc->cpu_children / 10000000), 0 };
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
	long freep = sys_info(SYSINFO_FREE_PAGES, 0), total = sys_info(SYSINFO_TOTAL_PAGES, 0);
	int n = 0;

	for (int i = 0; i < LX_NPROC; i++)
		n += lx_procs[i].state != LP_FREE;
	memset(&si, 0, sizeof(si));
	si.uptime = (int64_t)(clock_get() / 1000000000);
	si.freeram = freep > 0 ? (uint64_t)freep * PAGE : 0;
	si.totalram = total > 0 ? (uint64_t)total * PAGE : si.freeram;
	si.procs = (uint16_t)n;
	si.mem_unit = 1;
	return lx_write(t->proc, a[0], &si, sizeof(si));
}

struct utsname_ {
	char sysname[65], nodename[65], release[65], version[65], machine[65],
	    domainname[65];
};

/* The one UTS namespace: uname's, sethostname's and setdomainname's. */
static struct utsname_ uts = {
	"Linux", "lichen", "6.1.0-lichen", "#1 SMP lichen 0.1.0", "aarch64", "(none)",
};

const char *
lx_hostname(void)
{
	return uts.nodename;
}

long
sys_uname(struct lthread *t, const uint64_t *a)
{
	return lx_write(t->proc, a[0], &uts, sizeof(uts));
}

/* sethostname, setdomainname (name, len): root only, at most 64 bytes. */
static long
set_uts(struct lthread *t, const uint64_t *a, char *field)
{
	char name[65];

	if (t->proc->euid != 0)
		return -EPERM;
	if ((int64_t)a[1] < 0 || a[1] > 64)
		return -EINVAL;
	if (a[1] > 0 && lx_read(t->proc, a[0], name, a[1]) != 0)
		return -EFAULT;
	memset(field, 0, 65);
	memcpy(field, name, a[1]);
	return 0;
}

long sys_sethostname(struct lthread *t, const uint64_t *a) { return set_uts(t, a, uts.nodename); }
long sys_setdomainname(struct lthread *t, const uint64_t *a) { return set_uts(t, a, uts.domainname); }

/* prctl(option, ...): the name, for now. */
long
sys_prctl(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	char name[16];
	long r;

	switch (a[0]) {
	case 1:		/* PR_SET_PDEATHSIG: sent when the parent exits */
		if (a[1] > LX_NSIG)
			return -EINVAL;
		p->pdeathsig = (int)a[1];
		return 0;
	case 2:		/* PR_GET_PDEATHSIG */
		return lx_write(p, a[1], &(int32_t){ p->pdeathsig }, 4);
	case 3:		/* PR_GET_DUMPABLE */
		return p->undumpable ? 0 : 1;
	case 4:		/* PR_SET_DUMPABLE: 0 or 1 (SUID_DUMP_USER) */
		if (a[1] > 1)
			return -EINVAL;
		p->undumpable = a[1] == 0;
		return 0;
	case 15:	/* PR_SET_NAME: 16 bytes at most, NUL included */
		if ((r = lx_read_string(p, a[1], name, sizeof(name))) < 0 &&
		    r != -ENAMETOOLONG)
			return r;
		name[15] = '\0';
		memcpy(p->comm, name, sizeof(name));
		return 0;
	case 16:	/* PR_GET_NAME */
		return lx_write(p, a[1], p->comm, sizeof(p->comm));
	case 38:	/* PR_SET_NO_NEW_PRIVS: only ever set, inherited, kept across exec */
		if (a[1] != 1 || a[2] != 0 || a[3] != 0 || a[4] != 0)
			return -EINVAL;
		p->no_new_privs = 1;
		return 0;
	case 39:	/* PR_GET_NO_NEW_PRIVS */
		if (a[1] != 0 || a[2] != 0 || a[3] != 0 || a[4] != 0)
			return -EINVAL;
		return p->no_new_privs;
	default:
		return -EINVAL;
	}
}

/* getrandom(buf, len, flags): xorshift64* for now; devtmpfs brings the CSPRNG. */
long
sys_getrandom(struct lthread *t, const uint64_t *a)
{
	static uint64_t rng;
	static uint8_t buf[65536];
	uint64_t done = 0, len = a[1] < 0x7fffffffUL ? a[1] : 0x7fffffffUL;
	long r;

	if ((a[2] & ~7UL) || (a[2] & 6) == 6)
		return -EINVAL;		/* GRND_RANDOM and GRND_INSECURE exclude each other */
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

/*
 * Each thread keeps what Linux keeps per task: its nice value, policy
 * and real-time priority, and its CPU mask. The kernel applies the mask
 * (thread_affinity); it has no call for a priority yet, so nice values
 * and policies are kept and reported, not applied.
 */
#define SCHED_OTHER_		0
#define SCHED_FIFO_		1
#define SCHED_RR_		2
#define SCHED_BATCH_		3
#define SCHED_IDLE_		5
#define SCHED_DEADLINE_		6
#define SCHED_RESET_ON_FORK_	0x40000000
#define RLIMIT_NICE_		13
#define RLIMIT_RTPRIO_		14

/* A task as the scheduler calls name one: 0 is the caller, else any thread by its id. */
static struct lthread *
task_find(struct lthread *t, int id)
{
	struct lthread *o = id == 0 ? t : lx_thread_find(id);

	return o != NULL && o->proc->state == LP_ALIVE ? o : NULL;
}

/* Linux's check_same_owner: the caller's euid is the target's uid or euid. */
static int
same_owner(const struct lproc *me, const struct lproc *p)
{
	return me->euid == p->euid || me->euid == p->uid;
}

static uint64_t
cpus_online(void)
{
	long n = sys_info(SYSINFO_NCPUS, 0);

	return n >= 64 ? ~0UL : n <= 0 ? 1 : (1UL << n) - 1;
}

/* The caller's child thread nt starts with t's settings (sched_fork; SCHED_RESET_ON_FORK). */
void
lx_sched_fork(const struct lthread *t, struct lthread *nt)
{
	nt->nice = t->nice;
	nt->ioprio = t->ioprio;
	nt->policy = t->policy & ~SCHED_RESET_ON_FORK_;
	nt->rt_priority = t->rt_priority;
	nt->affinity = t->affinity;
	if (t->policy & SCHED_RESET_ON_FORK_) {
		if (nt->policy == SCHED_FIFO_ || nt->policy == SCHED_RR_) {
			nt->policy = SCHED_OTHER_;
			nt->rt_priority = 0;
			nt->nice = 0;
		} else if (nt->nice < 0) {
			nt->nice = 0;
		}
	}
	if (nt->affinity != 0)
		thread_affinity(nt->thread, nt->affinity);
}

/* sched_getaffinity(pid, len, mask): Linux checks len before it looks pid up. */
long
sys_sched_getaffinity(struct lthread *t, const uint64_t *a)
{
	uint32_t len = (uint32_t)a[1];
	struct lthread *o;
	uint64_t mask;
	long r;

	if (len < 8 || (len & 7))
		return -EINVAL;
	if ((o = task_find(t, (int)a[0])) == NULL)
		return -ESRCH;
	mask = (o->affinity != 0 ? o->affinity : ~0UL) & cpus_online();
	if ((r = lx_write(t->proc, a[2], &mask, 8)) != 0)
		return r;
	return 8;
}

/* sched_setaffinity(pid, len, mask): a shorter mask is zero-extended, a longer one cut. */
long
sys_sched_setaffinity(struct lthread *t, const uint64_t *a)
{
	uint32_t len = (uint32_t)a[1];
	struct lthread *o;
	uint64_t mask = 0;
	long r;

	if ((r = lx_read(t->proc, a[2], &mask, len < 8 ? len : 8)) != 0)
		return r;
	if ((o = task_find(t, (int)a[0])) == NULL)
		return -ESRCH;
	if (!same_owner(t->proc, o->proc) && !privileged(t->proc))
		return -EPERM;
	if ((mask &= cpus_online()) == 0)
		return -EINVAL;
	if ((r = thread_affinity(o->thread, mask)) != 0)
		return r;
	o->affinity = mask == cpus_online() ? 0 : mask;
	return 0;
}

static int
rt_policy(int policy)
{
	return policy == SCHED_FIFO_ || policy == SCHED_RR_;
}

/* Linux's can_nice: nice within the target's RLIMIT_NICE (as 20 - nice), or CAP_SYS_NICE. */
static int
can_nice(const struct lthread *t, const struct lthread *o, int nice)
{
	return (uint64_t)(20 - nice) <= o->proc->rlimit[RLIMIT_NICE_][0] || privileged(t->proc);
}

/* sched_setscheduler, and sched_setparam (policy -1: it stays), as __sched_setscheduler. */
static long
sched_set(struct lthread *t, int id, int policy, uint64_t param)
{
	struct lthread *o;
	int32_t prio;
	int reset, cur;
	long r;

	if (param == 0 || id < 0)
		return -EINVAL;
	if ((r = lx_read(t->proc, param, &prio, sizeof(prio))) != 0)
		return r;
	if ((o = task_find(t, id)) == NULL)
		return -ESRCH;
	cur = o->policy & ~SCHED_RESET_ON_FORK_;
	if (policy < 0) {
		policy = cur;
		reset = o->policy & SCHED_RESET_ON_FORK_;
	} else {
		reset = policy & SCHED_RESET_ON_FORK_;
		policy &= ~SCHED_RESET_ON_FORK_;
		if (policy != SCHED_OTHER_ && policy != SCHED_BATCH_ && policy != SCHED_IDLE_ &&
		    !rt_policy(policy) && policy != SCHED_DEADLINE_)
			return -EINVAL;
	}
	if ((uint32_t)prio > 99 || policy == SCHED_DEADLINE_ || rt_policy(policy) != (prio != 0))
		return -EINVAL;		/* SCHED_DEADLINE needs sched_setattr's runtime */
	if (!privileged(t->proc)) {
		uint64_t rtprio = o->proc->rlimit[RLIMIT_RTPRIO_][0];

		if (rt_policy(policy) && ((policy != cur && rtprio == 0) ||
		    (prio > o->rt_priority && (uint64_t)prio > rtprio)))
			return -EPERM;
		if (cur == SCHED_IDLE_ && policy != SCHED_IDLE_ && !can_nice(t, o, o->nice))
			return -EPERM;
		if (!same_owner(t->proc, o->proc))
			return -EPERM;
		if ((o->policy & SCHED_RESET_ON_FORK_) && !reset)
			return -EPERM;
	}
	o->policy = policy | reset;
	o->rt_priority = prio;
	return 0;
}

long
sys_sched_setparam(struct lthread *t, const uint64_t *a)
{
	return sched_set(t, (int)a[0], -1, a[1]);
}

long
sys_sched_setscheduler(struct lthread *t, const uint64_t *a)
{
	if ((int)a[1] < 0)
		return -EINVAL;
	return sched_set(t, (int)a[0], (int)a[1], a[2]);
}

long
sys_sched_getscheduler(struct lthread *t, const uint64_t *a)
{
	struct lthread *o;

	if ((int)a[0] < 0)
		return -EINVAL;
	if ((o = task_find(t, (int)a[0])) == NULL)
		return -ESRCH;
	return o->policy;
}

long
sys_sched_getparam(struct lthread *t, const uint64_t *a)
{
	struct lthread *o;
	int32_t prio;

	if ((int)a[0] < 0 || a[1] == 0)
		return -EINVAL;
	if ((o = task_find(t, (int)a[0])) == NULL)
		return -ESRCH;
	prio = rt_policy(o->policy & ~SCHED_RESET_ON_FORK_) ? o->rt_priority : 0;
	return lx_write(t->proc, a[1], &prio, sizeof(prio));
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

/*
 * getpriority/setpriority: nice values, per thread as Linux's tasks.
 * PRIO_PROCESS names one thread (0: the caller), PRIO_PGRP every thread
 * of a process group, PRIO_USER every thread whose real uid is who.
 */
#define PRIO_PROCESS_	0
#define PRIO_PGRP_	1
#define PRIO_USER_	2

static int
prio_match(struct lthread *t, const struct lthread *o, int which, int who)
{
	if (o->tid == 0 || o->proc->state != LP_ALIVE)
		return 0;
	if (which == PRIO_PGRP_)
		return o->proc->pgid == (who != 0 ? who : t->proc->pgid);
	return o->proc->uid == (who != 0 ? (uint32_t)who : t->proc->uid);
}

/* Linux's set_one_prio: error carries -ESRCH until one succeeds, then the last failure. */
static long
set_one_prio(struct lthread *t, struct lthread *o, int nice, long error)
{
	const struct lproc *me = t->proc;

	if (o->proc->uid != me->euid && o->proc->euid != me->euid && !privileged(me))
		return -EPERM;
	if (nice < o->nice && !can_nice(t, o, nice))
		return -EACCES;
	o->nice = nice;
	return error == -ESRCH ? 0 : error;
}

long
sys_setpriority(struct lthread *t, const uint64_t *a)
{
	int which = (int)a[0], who = (int)a[1], nice = (int)a[2];
	struct lthread *o;
	long error = -ESRCH;

	if (which < PRIO_PROCESS_ || which > PRIO_USER_)
		return -EINVAL;
	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	if (which == PRIO_PROCESS_)
		return (o = task_find(t, who)) == NULL ? -ESRCH : set_one_prio(t, o, nice, error);
	for (int i = 0; i < LX_NTHREAD; i++)
		if (prio_match(t, &lx_threads[i], which, who))
			error = set_one_prio(t, &lx_threads[i], nice, error);
	return error;
}

/* The raw call returns 20 - nice (1..40), the highest of those named. */
long
sys_getpriority(struct lthread *t, const uint64_t *a)
{
	int which = (int)a[0], who = (int)a[1];
	struct lthread *o;
	long best = -ESRCH;

	if (which < PRIO_PROCESS_ || which > PRIO_USER_)
		return -EINVAL;
	if (which == PRIO_PROCESS_)
		return (o = task_find(t, who)) == NULL ? -ESRCH : 20 - o->nice;
	for (int i = 0; i < LX_NTHREAD; i++)
		if (prio_match(t, &lx_threads[i], which, who) && 20 - lx_threads[i].nice > best)
			best = 20 - lx_threads[i].nice;
	return best;
}

/*
 * ioprio_set/ioprio_get (which, who[, ioprio]): the I/O class and level
 * per thread, kept and inherited as Linux's; nothing schedules I/O by it
 * (the disks serve in order). which: IOPRIO_WHO_PROCESS (1), _PGRP (2),
 * _USER (3), as getpriority's PRIO_* + 1. 0 is IOPRIO_CLASS_NONE.
 */
#define IOPRIO_CLASS(v)		((v) >> 13)
#define IOPRIO_DATA(v)		((v) & 0x1fff)
#define IOPRIO_BE_NORM		((2 << 13) | 4)	/* what "none" means when compared */

/* As Linux 6.1's ioprio_check_cap: the level is not bounded (BE 9 is kept). */
static long
ioprio_check(const struct lthread *t, uint64_t v)
{
	switch (IOPRIO_CLASS(v)) {
	case 1:			/* RT: root (CAP_SYS_NICE / CAP_SYS_ADMIN) */
		return privileged(t->proc) ? 0 : -EPERM;
	case 2:			/* BE */
	case 3:			/* IDLE */
		return 0;
	case 0:			/* NONE */
		return IOPRIO_DATA(v) != 0 ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

static long
set_one_ioprio(struct lthread *t, struct lthread *o, uint64_t v)
{
	const struct lproc *me = t->proc;

	if (o->proc->uid != me->euid && o->proc->euid != me->euid && !privileged(me))
		return -EPERM;
	o->ioprio = (int)v;
	return 0;
}

long
sys_ioprio_set(struct lthread *t, const uint64_t *a)
{
	int which = (int)a[0], who = (int)a[1];
	struct lthread *o;
	long r = -ESRCH;

	if (which < 1 || which > 3)
		return -EINVAL;
	if (a[2] > 0xffff || (r = ioprio_check(t, a[2])) != 0)
		return r == 0 ? -EINVAL : r;
	if (which == 1)
		return (o = task_find(t, who)) == NULL ? -ESRCH : set_one_ioprio(t, o, a[2]);
	r = -ESRCH;
	for (int i = 0; i < LX_NTHREAD; i++)
		if (prio_match(t, &lx_threads[i], which - 1, who) &&
		    (r = set_one_ioprio(t, &lx_threads[i], a[2])) != 0)
			break;
	return r;
}

long
sys_ioprio_get(struct lthread *t, const uint64_t *a)
{
	int which = (int)a[0], who = (int)a[1];
	struct lthread *o;
	long best = -ESRCH;

	if (which < 1 || which > 3)
		return -EINVAL;
	if (which == 1)
		return (o = task_find(t, who)) == NULL ? -ESRCH : o->ioprio;
	/* The best of them (Linux's ioprio_best: "none" counts as BE level 4). */
	for (int i = 0; i < LX_NTHREAD; i++) {
		long v;

		if (!prio_match(t, &lx_threads[i], which - 1, who))
			continue;
		v = lx_threads[i].ioprio != 0 ? lx_threads[i].ioprio : IOPRIO_BE_NORM;
		if (best < 0 || v < best)
			best = v;
	}
	return best;
}

/* --- files without a filesystem yet (the vfs issue) --- */

long
sys_getcwd(struct lthread *t, const uint64_t *a)
{
	size_t n = strlen(t->proc->cwd) + 1;
	long r;

	if (lx_vfs != HANDLE_NONE && (r = lx_vfs_getcwd(t, a)) != 1)
		return r;
	if (a[1] < n)
		return -ERANGE;
	r = lx_write(t->proc, a[0], t->proc->cwd, n);
	return r != 0 ? r : (long)n;
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

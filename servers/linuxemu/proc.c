/*
 * Linux processes and threads: the tables, clone (fork, vfork, threads),
 * exit and exit_group, zombies and wait4/waitid, execve.
 *
 * A Linux process is a kernel process created with our endpoint as its
 * personality; a Linux thread is one of its kernel threads. fork clones
 * the address space copy-on-write (vm_clone) and starts a thread with the
 * parent's registers (thread_regs); everything else a process has (pids,
 * fds, signal actions, credentials) lives here. execve builds a fresh
 * kernel process and ends the old one, keeping the Linux pid.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/native.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "linuxemu.h"

struct lproc lx_procs[LX_NPROC];
struct lthread lx_threads[LX_NTHREAD];

#define SIGCHLD_	17
#define PID_MAX		32768

/* The Linux clone flags (include/uapi/linux/sched.h). */
#define CSIGNAL			0x000000ff
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_PIDFD		0x00001000
#define CLONE_PTRACE		0x00002000
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT		0x00008000
#define CLONE_THREAD		0x00010000
#define CLONE_NEWNS		0x00020000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_DETACHED		0x00400000
#define CLONE_UNTRACED		0x00800000
#define CLONE_CHILD_SETTID	0x01000000
#define CLONE_NEWCGROUP		0x02000000
#define CLONE_NEWUTS		0x04000000
#define CLONE_NEWIPC		0x08000000
#define CLONE_NEWUSER		0x10000000
#define CLONE_NEWPID		0x20000000
#define CLONE_NEWNET		0x40000000
#define CLONE_IO		0x80000000UL
#define CLONE_NEWS	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
			 CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/* --- the tables --- */

static int next_pid = 1;
static uint64_t next_mm_id = 1;

/* koid -> thread: open addressing, twice the threads. */
#define HASH_SIZE	(2 * LX_NTHREAD)
static struct lthread *by_koid[HASH_SIZE];

static unsigned
koid_slot(uint64_t koid)
{
	return (unsigned)((koid * 0x9e3779b97f4a7c15UL) >> 55) % HASH_SIZE;
}

void
lx_thread_hash(struct lthread *t)
{
	unsigned i = koid_slot(t->koid);

	while (by_koid[i] != NULL)
		i = (i + 1) % HASH_SIZE;
	by_koid[i] = t;
}

void
lx_thread_unhash(struct lthread *t)
{
	unsigned i = koid_slot(t->koid);

	while (by_koid[i] != NULL && by_koid[i] != t)
		i = (i + 1) % HASH_SIZE;
	if (by_koid[i] == NULL)
		return;
	by_koid[i] = NULL;
	/* Re-place the rest of the cluster so lookups still find them. */
	for (i = (i + 1) % HASH_SIZE; by_koid[i] != NULL; i = (i + 1) % HASH_SIZE) {
		struct lthread *m = by_koid[i];

		by_koid[i] = NULL;
		lx_thread_hash(m);
	}
}

struct lthread *
lx_thread_by_koid(uint64_t koid)
{
	for (unsigned i = koid_slot(koid); by_koid[i] != NULL; i = (i + 1) % HASH_SIZE)
		if (by_koid[i]->koid == koid)
			return by_koid[i];
	return NULL;
}

static int
id_in_use(int id)
{
	for (int i = 0; i < LX_NPROC; i++)
		if (lx_procs[i].state != LP_FREE &&
		    (lx_procs[i].pid == id || lx_procs[i].pgid == id || lx_procs[i].sid == id))
			return 1;
	for (int i = 0; i < LX_NTHREAD; i++)
		if (lx_threads[i].tid == id)
			return 1;
	return 0;
}

/* The next free id, as Linux hands them out: increasing, wrapping at PID_MAX. */
static int
id_alloc(void)
{
	for (int n = 0; n < PID_MAX; n++) {
		int id = next_pid;

		next_pid = next_pid + 1 < PID_MAX ? next_pid + 1 : 300;
		if (!id_in_use(id))
			return id;
	}
	return -EAGAIN;
}

struct lproc *
lx_proc_alloc(void)
{
	for (int i = 0; i < LX_NPROC; i++)
		if (lx_procs[i].state == LP_FREE) {
			struct lproc *p = &lx_procs[i];
			int pid = id_alloc();

			if (pid < 0)
				return NULL;
			memset(p, 0, sizeof(*p));
			p->state = LP_ALIVE;
			p->pid = pid;
			p->kproc = HANDLE_NONE;
			p->exit_signal = SIGCHLD_;
			p->start_ns = clock_get();
			return p;
		}
	return NULL;
}

struct lproc *
lx_proc_find(int pid)
{
	for (int i = 0; i < LX_NPROC; i++)
		if (lx_procs[i].state != LP_FREE && lx_procs[i].pid == pid)
			return &lx_procs[i];
	return NULL;
}

struct lthread *
lx_thread_find(int tid)
{
	for (int i = 0; i < LX_NTHREAD; i++)
		if (lx_threads[i].tid == tid)
			return &lx_threads[i];
	return NULL;
}

/* A thread of p running kthread; the leader takes p's pid. */
struct lthread *
lx_thread_alloc(struct lproc *p, handle_t kthread)
{
	struct handle_info hi;

	if (handle_info(kthread, &hi) != 0)
		return NULL;
	for (int i = 0; i < LX_NTHREAD; i++)
		if (lx_threads[i].tid == 0) {
			struct lthread *t = &lx_threads[i];
			int tid = p->nthreads == 0 ? p->pid : id_alloc();

			if (tid < 0)
				return NULL;
			memset(t, 0, sizeof(*t));
			t->tid = tid;
			t->proc = p;
			t->thread = kthread;
			t->koid = hi.koid;
			t->token = HANDLE_NONE;
			t->ss_flags = 2;	/* SS_DISABLE */
			lx_vfs_thread_new(t);
			p->nthreads++;
			lx_thread_hash(t);
			return t;
		}
	return NULL;
}

uint64_t
lx_thread_cpu(const struct lthread *t)
{
	long ns = sys_info(SYSINFO_THREAD_CPU, t->thread);

	return ns > 0 ? (uint64_t)ns : 0;
}

/* A process's CPU time: its live threads' and its ended threads'. */
uint64_t
lx_proc_cpu(const struct lproc *p)
{
	uint64_t ns = p->cpu_gone;

	for (int i = 0; i < LX_NTHREAD; i++)
		if (lx_threads[i].tid != 0 && lx_threads[i].proc == p)
			ns += lx_thread_cpu(&lx_threads[i]);
	return ns;
}

static void
thread_free(struct lthread *t)
{
	/* A vfork child no longer answers it (the slot may be someone else's next). */
	for (int i = 0; i < LX_NPROC; i++)
		if (lx_procs[i].vfork_parent == t)
			lx_procs[i].vfork_parent = NULL;
	lx_vfs_cancel(t);		/* a read it waited for must not eat a pipe's bytes */
	t->proc->cpu_gone += lx_thread_cpu(t);
	lx_thread_unhash(t);
	handle_close(t->thread);
	t->proc->nthreads--;
	memset(t, 0, sizeof(*t));
}

struct lmm *
lx_mm_new(handle_t vs)
{
	static struct lmm mms[LX_NPROC];

	for (int i = 0; i < LX_NPROC; i++)
		if (mms[i].refs == 0) {
			memset(&mms[i], 0, sizeof(mms[i]));
			mms[i].refs = 1;
			mms[i].vs = vs;
			mms[i].id = next_mm_id++;
			return &mms[i];
		}
	return NULL;
}

void
lx_mm_put(struct lmm *mm)
{
	if (mm != NULL && --mm->refs == 0) {
		lx_mm_drop_map(mm);
		handle_close(mm->vs);
		mm->vs = HANDLE_NONE;
	}
}

/* --- exit and wait --- */

static struct lproc *
init_proc(void)
{
	return lx_proc_find(1);
}

/* A wait status's siginfo code and status, for SIGCHLD and waitid. */
static void
child_info(const struct lproc *c, int wstatus, struct lx_siginfo *si)
{
	memset(si, 0, sizeof(*si));
	si->signo = SIGCHLD_;
	si->u.kill.pid = c->pid;
	si->u.kill.uid = c->uid;
	if ((wstatus & 0x7f) == 0) {
		si->code = 1;			/* CLD_EXITED */
		si->u.kill.status = (wstatus >> 8) & 0xff;
	} else if ((wstatus & 0xff) == 0x7f) {
		si->code = 5;			/* CLD_STOPPED */
		si->u.kill.status = (wstatus >> 8) & 0xff;
	} else if (wstatus == 0xffff) {
		si->code = 6;			/* CLD_CONTINUED */
		si->u.kill.status = 18;		/* SIGCONT */
	} else {
		si->code = (wstatus & 0x80) ? 3 : 2;	/* CLD_DUMPED, CLD_KILLED */
		si->u.kill.status = wstatus & 0x7f;
	}
}

static void
proc_free(struct lproc *p)
{
	memset(p, 0, sizeof(*p));
}

/* The parent ignores SIGCHLD (SIG_IGN or SA_NOCLDWAIT): children are not kept. */
static int
parent_reaps_itself(const struct lproc *parent)
{
	const struct lx_sigaction *a = &parent->sig->act[SIGCHLD_ - 1];

	return a->handler == 1 || (a->flags & 0x2);	/* SIG_IGN, SA_NOCLDWAIT */
}

/* Tell p's parent that p changed state (exited, stopped, continued). */
static void
notify_parent(struct lproc *p, int wstatus)
{
	struct lproc *parent = p->parent;
	struct lx_siginfo si;
	const struct lx_sigaction *a;
	int sig;

	if (parent == NULL || parent->state != LP_ALIVE)
		return;
	a = &parent->sig->act[SIGCHLD_ - 1];
	child_info(p, wstatus, &si);
	/* SA_NOCLDSTOP: no SIGCHLD for stops and continues. */
	if (p->exit_signal == 0 || ((a->flags & 1) && (wstatus & 0x7f) != 0 &&
	    ((wstatus & 0xff) == 0x7f || wstatus == 0xffff)))
		sig = 0;
	else
		sig = (wstatus & 0xff) == 0x7f || wstatus == 0xffff ? SIGCHLD_ : p->exit_signal;
	/*
	 * A waiter gets the child first, the signal comes after (Linux's
	 * do_wait scans first). The waiter may reap p: nothing of it is
	 * used past this point.
	 */
	lx_wait_check(parent);
	if (sig != 0)
		lx_signal_send_proc(parent, sig, &si);
}

/*
 * The parent does not keep zombies (SIGCHLD ignored or SA_NOCLDWAIT): p
 * goes at once; a SIGCHLD handler still hears of it (as Linux: only
 * SIG_IGN silences it), and a waiter now sees ECHILD.
 */
static void
reap_now(struct lproc *p)
{
	struct lproc *parent = p->parent;
	struct lx_siginfo si;

	child_info(p, p->wstatus, &si);
	parent->cpu_children += p->cpu_gone + p->cpu_children;
	proc_free(p);
	if (parent->sig->act[SIGCHLD_ - 1].handler != 1)	/* not SIG_IGN */
		lx_signal_send_proc(parent, SIGCHLD_, &si);
	lx_wait_check(parent);
}

void
lx_proc_stopped(struct lproc *p, int sig)
{
	p->is_stopped = 1;
	p->stopped = (sig << 8) | 0x7f;
	p->continued = 0;
	notify_parent(p, p->stopped);
}

void
lx_proc_continued(struct lproc *p)
{
	p->is_stopped = 0;
	p->stopped = 0;
	p->continued = 1;
	notify_parent(p, 0xffff);
}

/*
 * The whole of p ends with wstatus (a wait status: (code << 8), or the
 * signal number | 0x80 for a core dump). Its threads are answered with
 * LABEL_EXIT or killed, its children go to init, its parent hears of it.
 */
void
lx_exit_group(struct lproc *p, int wstatus)
{
	int killed = 0;

	if (p->state != LP_ALIVE)
		return;
	lx_tty_exit(p);			/* a session leader's terminal is free again */
	lx_tty_orphans(p);		/* stopped groups it orphans: SIGHUP, SIGCONT */
	/* Robust futexes in memory shared with others are released first. */
	for (int i = 0; i < LX_NTHREAD; i++)
		if (lx_threads[i].tid != 0 && lx_threads[i].proc == p)
			lx_futex_robust_exit(&lx_threads[i]);
	for (int i = 0; i < LX_NTHREAD; i++) {
		struct lthread *t = &lx_threads[i];

		if (t->tid == 0 || t->proc != p)
			continue;
		if (t->token != HANDLE_NONE) {
			lx_reply(t, LABEL_EXIT, (uint64_t)wstatus);
			killed = 1;
		}
		thread_free(t);
	}
	if (!killed && p->kproc != HANDLE_NONE)
		process_kill(p->kproc, wstatus);
	if (p->kproc != HANDLE_NONE)
		handle_close(p->kproc);
	p->kproc = HANDLE_NONE;
	lx_mm_put(p->mm);
	lx_files_put(p->files);
	lx_sighand_put(p->sig);
	lx_file_put(p->cwdf);
	p->cwdf = NULL;
	p->mm = NULL;
	p->files = NULL;
	if (p->vfork_parent != NULL) {
		lx_finish(p->vfork_parent, p->pid);
		p->vfork_parent = NULL;
	}
	/*
	 * Children go to init. Zombies among them are init's to reap: it
	 * hears of each now, as if it had been their parent all along.
	 */
	for (int i = 0; i < LX_NPROC; i++) {
		struct lproc *c = &lx_procs[i];

		if (c->state == LP_FREE || c->parent != p)
			continue;
		if (c->state == LP_ALIVE && c->pdeathsig != 0) {	/* PR_SET_PDEATHSIG */
			struct lx_siginfo si;

			memset(&si, 0, sizeof(si));
			si.signo = c->pdeathsig;
			si.u.kill.pid = p->pid;
			lx_signal_send_proc(c, c->pdeathsig, &si);
		}
		c->parent = init_proc() != p ? init_proc() : NULL;
		if (c->state != LP_ZOMBIE)
			continue;
		if (c->parent == NULL)
			proc_free(c);
		else if (parent_reaps_itself(c->parent))
			reap_now(c);
		else
			notify_parent(c, c->wstatus);
	}
	p->state = LP_ZOMBIE;
	p->wstatus = wstatus;
	if (p->parent != NULL && p->parent->state == LP_ALIVE &&
	    p->parent->sig != NULL && parent_reaps_itself(p->parent) && p->exit_signal == SIGCHLD_) {
		p->sig = NULL;
		reap_now(p);
		return;
	}
	notify_parent(p, wstatus);
	p->sig = NULL;
	if (p->parent == NULL && p->pid != 1)
		proc_free(p);
}

/* One thread leaves (exit): CLONE_CHILD_CLEARTID is cleared and woken. */
void
lx_thread_exit(struct lthread *t)
{
	struct lproc *p = t->proc;

	if (p->nthreads == 1) {
		lx_exit_group(p, 0);
		return;
	}
	lx_futex_robust_exit(t);
	if (t->clear_child_tid != 0) {
		uint32_t zero = 0;

		if (lx_write(p, t->clear_child_tid, &zero, sizeof(zero)) == 0)
			lx_futex_wake(p->mm->id, t->clear_child_tid, 1, ~0U);
	}
	lx_reply(t, LABEL_THREAD_EXIT, 0);
	thread_free(t);
}

long
lx_sys_exit(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;

	if (p->nthreads == 1) {
		lx_exit_group(p, (int)(a[0] & 0xff) << 8);
		return LX_DONE;
	}
	lx_thread_exit(t);
	return LX_DONE;
}

long
lx_sys_exit_group(struct lthread *t, const uint64_t *a)
{
	lx_exit_group(t->proc, (int)(a[0] & 0xff) << 8);
	return LX_DONE;
}

/* wait4 and waitid options (include/uapi/linux/wait.h). */
#define WNOHANG_	0x00000001
#define WUNTRACED_	0x00000002	/* WSTOPPED for waitid */
#define WEXITED_	0x00000004
#define WCONTINUED_	0x00000008
#define WNOWAIT_	0x01000000
#define WNOTHREAD_	0x20000000
#define WALL_		0x40000000
#define WCLONE_		0x80000000U

/*
 * Does child c match wait's id? wait4's pid (> 0 that child, 0 our
 * group, -1 any, < -1 group -pid), or for waitid's P_PGID, which may
 * name group 1 (-1 would be "any"), IN_GROUP(g).
 */
#define IN_GROUP(g)	(-(1L << 32) - (long)(g))

static int
wait_match(const struct lproc *me, const struct lproc *c, long pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == me->pgid;
	if (pid == -1)
		return 1;
	if (pid <= IN_GROUP(0))
		return c->pgid == IN_GROUP(0) - pid;
	return c->pgid == -pid;
}

/*
 * Look for a child event that wait (pid, options: WEXITED etc.) reports.
 * 1 and *found, *ws if there is one; 0 if children match but none has
 * news; -ECHILD if no child matches.
 */
static int
wait_scan(struct lproc *me, long pid, unsigned options, struct lproc **found, int *ws)
{
	int matched = 0;

	for (int i = 0; i < LX_NPROC; i++) {
		struct lproc *c = &lx_procs[i];

		if (c->state == LP_FREE || c->parent != me || !wait_match(me, c, pid))
			continue;
		/* __WCLONE waits only for children that do not signal SIGCHLD. */
		if (!(options & WALL_) && ((options & WCLONE_) != 0) != (c->exit_signal != SIGCHLD_))
			continue;
		matched = 1;
		if (c->state == LP_ZOMBIE && (options & WEXITED_)) {
			*found = c;
			*ws = c->wstatus;
			return 1;
		}
		if (c->state == LP_ALIVE && c->stopped && (options & WUNTRACED_)) {
			*found = c;
			*ws = c->stopped;
			return 1;
		}
		if (c->state == LP_ALIVE && c->continued && (options & WCONTINUED_)) {
			*found = c;
			*ws = 0xffff;
			return 1;
		}
	}
	return matched ? 0 : -ECHILD;
}

struct rusage_ {
	int64_t utime[2], stime[2];
	int64_t rest[14];
};

/* Consume what wait_scan found (unless WNOWAIT). */
static void
wait_consume(struct lproc *c, int ws, unsigned options)
{
	if (options & WNOWAIT_)
		return;
	if (c->state == LP_ZOMBIE) {
		if (c->parent != NULL)
			c->parent->cpu_children += c->cpu_gone + c->cpu_children;
		proc_free(c);
	}
	else if (ws == 0xffff)
		c->continued = 0;
	else
		c->stopped = 0;
}

/* wait4(pid, wstatus, options, rusage): a or t->a; 1 if answered. */
static int
wait4_try(struct lthread *t, const uint64_t *a, long *result)
{
	struct lproc *c;
	unsigned options = (unsigned)a[2] | WEXITED_;
	struct rusage_ ru;
	int ws, pid, r = wait_scan(t->proc, (long)(int32_t)a[0], options, &c, &ws);

	if (r < 0 || (r == 0 && (options & WNOHANG_))) {
		*result = r;
		return 1;
	}
	if (r == 0)
		return 0;
	/* The child is reaped even if the answer cannot be written (as Linux). */
	pid = c->pid;
	memset(&ru, 0, sizeof(ru));
	if (c->state == LP_ZOMBIE) {	/* its own and its reaped children's, as Linux */
		uint64_t ns = c->cpu_gone + c->cpu_children;

		ru.utime[0] = (int64_t)(ns / 1000000000);
		ru.utime[1] = (int64_t)(ns % 1000000000 / 1000);
	}
	wait_consume(c, ws, options);
	if ((a[1] != 0 && lx_write(t->proc, a[1], &ws, sizeof(ws)) != 0) ||
	    (a[3] != 0 && lx_write(t->proc, a[3], &ru, sizeof(ru)) != 0)) {
		*result = -EFAULT;
		return 1;
	}
	*result = pid;
	return 1;
}

long
lx_sys_wait4(struct lthread *t, const uint64_t *a)
{
	long r;

	if (a[2] & ~(WNOHANG_ | WUNTRACED_ | WCONTINUED_ | WNOTHREAD_ | WALL_ | WCLONE_))
		return -EINVAL;
	if ((int32_t)a[0] == (int32_t)0x80000000)
		return -ESRCH;		/* INT_MIN: -pid overflows */
	if (wait4_try(t, a, &r))
		return r;
	t->wait = W_CHILD;
	return LX_SUSPEND;
}

/* waitid(idtype, id, infop, options, rusage) */
static int
waitid_try(struct lthread *t, const uint64_t *a, long *result)
{
	static const long any = -1;
	long pid = a[0] == 0 ? any : a[0] == 1 ? (long)(int32_t)a[1] :
	    a[1] == 0 ? 0 : IN_GROUP((int32_t)a[1]);
	struct lx_siginfo si;
	struct lproc *c;
	int ws, r = wait_scan(t->proc, pid, (unsigned)a[3], &c, &ws);

	if (r < 0) {
		*result = r;
		return 1;
	}
	if (r == 0 && !(a[3] & WNOHANG_))
		return 0;
	if (r == 0)
		memset(&si, 0, sizeof(si));	/* WNOHANG and nothing: si_pid 0 */
	else
		child_info(c, ws, &si);
	/* The child is reaped even if the siginfo cannot be written (as Linux). */
	if (r == 1)
		wait_consume(c, ws, (unsigned)a[3]);
	*result = a[2] != 0 && lx_write(t->proc, a[2], &si, sizeof(si)) != 0 ? -EFAULT : 0;
	return 1;
}

long
lx_sys_waitid(struct lthread *t, const uint64_t *a)
{
	long r;

	if (a[0] > 2)
		return -EINVAL;		/* P_ALL, P_PID, P_PGID (no pidfds) */
	if ((a[3] & ~(WNOHANG_ | WUNTRACED_ | WEXITED_ | WCONTINUED_ | WNOWAIT_ |
	    WNOTHREAD_ | WALL_ | WCLONE_)) || !(a[3] & (WUNTRACED_ | WEXITED_ | WCONTINUED_)))
		return -EINVAL;
	if (a[0] == 1 && (int32_t)a[1] <= 0)
		return -EINVAL;
	if (waitid_try(t, a, &r))
		return r;
	t->wait = W_CHILD;
	return LX_SUSPEND;
}

/* Something changed among parent's children: answer its waiting threads. */
void
lx_wait_check(struct lproc *parent)
{
	for (int i = 0; i < LX_NTHREAD; i++) {
		struct lthread *t = &lx_threads[i];
		long r;

		if (t->tid == 0 || t->proc != parent || t->wait != W_CHILD)
			continue;
		if (t->nr == 260 ? wait4_try(t, t->a, &r) : waitid_try(t, t->a, &r))
			lx_finish(t, r);
	}
}

/* --- clone --- */

static long
regs_get(struct lthread *t, struct user_regs *r, struct user_fpregs *fp)
{
	long e = thread_regs(t->thread, THREAD_REGS_GET, THREAD_REGS_GENERAL, r);

	return e != 0 ? e : thread_regs(t->thread, THREAD_REGS_GET, THREAD_REGS_FP, fp);
}

static long
regs_set(handle_t th, struct user_regs *r, struct user_fpregs *fp)
{
	long e = thread_regs(th, THREAD_REGS_SET, THREAD_REGS_GENERAL, r);

	return e != 0 ? e : thread_regs(th, THREAD_REGS_SET, THREAD_REGS_FP, fp);
}

/*
 * clone: a thread of our process (CLONE_THREAD), or a new process that
 * shares (CLONE_VM, CLONE_FILES, CLONE_SIGHAND) or copies what we have.
 * The child resumes where we do, with x0 = 0 (and sp, TLS as asked).
 */
long
lx_sys_clone(struct lthread *t, uint64_t flags, uint64_t sp, uint64_t ptid,
    uint64_t tls, uint64_t ctid, int exit_signal)
{
	struct lproc *p = t->proc, *c = p;
	struct user_regs r;
	struct user_fpregs fp;
	struct lthread *nt;
	handle_t vs = HANDLE_NONE, kproc = HANDLE_NONE;
	struct lmm *mm = NULL;
	long k, e;

	if (((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND)) ||
	    ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM)))
		return -EINVAL;
	if (flags & (CLONE_NEWS | CLONE_PIDFD | CLONE_PTRACE | CLONE_UNTRACED))
		return -EINVAL;		/* no namespaces, pidfds or tracing (docs/linuxemu.md) */
	if ((e = regs_get(t, &r, &fp)) != 0)
		return e;
	if (!(flags & CLONE_THREAD)) {
		if ((c = lx_proc_alloc()) == NULL)
			return -EAGAIN;
		if (flags & CLONE_VM) {
			mm = p->mm;
			mm->refs++;
		} else {
			if ((k = vm_clone(p->mm->vs)) < 0)
				goto fail_proc;
			vs = (handle_t)k;
			if ((mm = lx_mm_new(vs)) == NULL) {
				handle_close(vs);
				k = -ENOMEM;
				goto fail_proc;
			}
			mm->brk_start = p->mm->brk_start;
			mm->brk = p->mm->brk;
			mm->mmap_next = p->mm->mmap_next;
			lx_mm_copy_map(mm, p->mm);
		}
		if ((k = process_create_vs(p->comm, strlen(p->comm), lx_pers, mm->vs)) < 0)
			goto fail_mm;
		kproc = (handle_t)k;
		c->kproc = kproc;
		c->mm = mm;
		c->parent = (flags & CLONE_PARENT) && p->parent != NULL ? p->parent : p;
		c->pgid = p->pgid;
		c->sid = p->sid;
		c->exit_signal = exit_signal;
		c->uid = p->uid, c->euid = p->euid, c->suid = p->suid;
		c->gid = p->gid, c->egid = p->egid, c->sgid = p->sgid;
		c->umask = p->umask;
		memcpy(c->rlimit, p->rlimit, sizeof(c->rlimit));
		memcpy(c->comm, p->comm, sizeof(c->comm));
		memcpy(c->exe, p->exe, sizeof(c->exe));
		c->no_new_privs = p->no_new_privs;
		c->undumpable = p->undumpable;
		memcpy(c->cwd, p->cwd, sizeof(c->cwd));
		if ((c->cwdf = p->cwdf) != NULL)
			c->cwdf->refs++;
		c->sigtramp = p->sigtramp;
		if (flags & CLONE_FILES) {
			c->files = p->files;
			c->files->refs++;
		} else if ((c->files = lx_files_copy(p->files)) == NULL) {
			k = -EMFILE;
			goto fail_kproc;
		}
		if (flags & CLONE_SIGHAND) {
			c->sig = p->sig;
			c->sig->refs++;
		} else if ((c->sig = lx_sighand_copy(p->sig)) == NULL) {
			k = -EAGAIN;
			goto fail_files;
		}
	}
	k = thread_create(c->kproc, r.pc, sp != 0 ? sp : r.sp, 0);
	if (k < 0)
		goto fail_sig;
	if ((nt = lx_thread_alloc(c, (handle_t)k)) == NULL) {
		handle_close((handle_t)k);
		k = -EAGAIN;
		goto fail_sig;
	}
	nt->sigmask = t->sigmask;
	lx_sched_fork(t, nt);
	/* A fork keeps the alternate stack; a CLONE_VM child without VFORK does not (as Linux). */
	if (!(flags & CLONE_THREAD) && (flags & (CLONE_VM | CLONE_VFORK)) != CLONE_VM) {
		nt->ss_sp = t->ss_sp, nt->ss_size = t->ss_size, nt->ss_flags = t->ss_flags;
	}
	r.x[0] = 0;
	if (sp != 0)
		r.sp = sp;
	if (flags & CLONE_SETTLS)
		r.tpidr_el0 = tls;
	if ((e = regs_set(nt->thread, &r, &fp)) != 0) {
		k = e;
		goto fail_thread;
	}
	if ((flags & CLONE_PARENT_SETTID) &&
	    lx_write(p, ptid, &(int32_t){ nt->tid }, 4) != 0) {
		k = -EFAULT;
		goto fail_thread;
	}
	if ((flags & CLONE_CHILD_SETTID) &&
	    lx_write(c, ctid, &(int32_t){ nt->tid }, 4) != 0) {
		k = -EFAULT;
		goto fail_thread;
	}
	if (flags & CLONE_CHILD_CLEARTID)
		nt->clear_child_tid = ctid;
	if ((e = thread_start(nt->thread)) != 0) {
		k = e;
		goto fail_thread;
	}
	if (flags & CLONE_VFORK) {
		c->vfork_parent = t;
		t->wait = W_VFORK;
		return LX_SUSPEND;	/* answered with the pid at the child's exec or exit */
	}
	return nt->tid;

fail_thread:
	thread_free(nt);
fail_sig:
	if (c != p) {
		lx_sighand_put(c->sig);
	}
fail_files:
	if (c != p)
		lx_files_put(c->files);
fail_kproc:
	if (c != p) {
		handle_close(kproc);
		lx_file_put(c->cwdf);
		c->cwdf = NULL;
	}
fail_mm:
	if (c != p)
		lx_mm_put(mm);
fail_proc:
	if (c != p)
		proc_free(c);
	return k == -ENOMEM ? -ENOMEM : k < 0 ? k : -EAGAIN;
}

/* --- execve --- */

#define ARG_MAX_	(2UL << 20)	/* a quarter of the default 8 MiB stack, as Linux */
#define ARG_STRLEN_MAX	(32 * PAGE)	/* MAX_ARG_STRLEN */
#define ARGS_MAX	8192

static char argbuf[ARG_MAX_ + 4096];
static char *argvv[ARGS_MAX], *envpv[ARGS_MAX];

/*
 * Read a NULL-terminated array of strings at uva into argbuf from *used;
 * the count, or -EFAULT / -E2BIG.
 */
static long
read_strings(struct lproc *p, uint64_t uva, char **out, int max, size_t *used)
{
	int n = 0;

	if (uva == 0)
		return 0;		/* Linux takes a NULL argv or envp as empty */
	for (;;) {
		uint64_t sp;
		long len;

		if (lx_read(p, uva + 8 * (uint64_t)n, &sp, 8) != 0)
			return -EFAULT;
		if (sp == 0)
			return n;
		if (n >= max)
			return -E2BIG;
		len = lx_read_string(p, sp, argbuf + *used, sizeof(argbuf) - *used);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return len;
		if ((uint64_t)len + 1 > ARG_STRLEN_MAX || *used + (uint64_t)len + 1 > ARG_MAX_)
			return -E2BIG;
		out[n++] = argbuf + *used;
		*used += (uint64_t)len + 1;
	}
}

/* Make path absolute against p's working directory. */
static void
absolute(const struct lproc *p, const char *path, char *out, size_t cap)
{
	size_t n = strlen(p->cwd);
	char cwd[256];

	if (lx_vfs != HANDLE_NONE && path[0] != '/' &&
	    lx_vfs_cwd_path(p, cwd, sizeof(cwd)) == 0) {
		n = strlen(cwd);
		fmt_snprintf(out, cap, "%s%s%s", cwd, n > 0 && cwd[n - 1] == '/' ? "" : "/", path);
		return;
	}
	if (path[0] == '/')
		strlcpy(out, path, cap);
	else
		fmt_snprintf(out, cap, "%s%s%s", p->cwd, n > 0 && p->cwd[n - 1] == '/' ? "" : "/",
		    path);
}

/* p->exe: path with its links resolved, as /proc/self/exe names it. */
void
lx_proc_set_exe(struct lproc *p, const char *path)
{
	struct lnode n;

	lx_rootfs_self(p->exe);
	if (lx_vfs != HANDLE_NONE)
		strlcpy(p->exe, lx_exec_canon[0] != '\0' ? lx_exec_canon : path, sizeof(p->exe));
	else if (lx_rootfs_walk("", path, 1, &n) == 0)
		fmt_snprintf(p->exe, sizeof(p->exe), "/%s", n.path);
	else
		strlcpy(p->exe, path, sizeof(p->exe));
}



long
lx_sys_execve(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	static char path[256], abs[256], interp[256];
	const void *file;
	uint64_t flen;
	size_t used = 0;
	long argc, envc, r;
	struct lx_image im;
	struct lmm *mm;
	struct handle_info hi;
	const char *base;
	char **argv = argvv + 2;

	if ((r = lx_read_string(p, a[0], path, sizeof(path))) < 0)
		return r;
	if (path[0] == '\0')
		return -ENOENT;
	if ((argc = read_strings(p, a[1], argvv + 2, ARGS_MAX - 3, &used)) < 0)
		return argc;
	if ((envc = read_strings(p, a[2], envpv, ARGS_MAX - 1, &used)) < 0)
		return envc;
	/* The pointers count against the limit too (Linux's bprm_stack_limits). */
	if (used + ((uint64_t)argc + (uint64_t)envc + 2) * 8 > ARG_MAX_)
		return -E2BIG;
	absolute(p, path, abs, sizeof(abs));
	lx_rootfs_self(p->exe);		/* execve("/proc/self/exe") runs us again */
	if (lx_vfs != HANDLE_NONE && strcmp(abs, "/proc/self/exe") == 0)
		strlcpy(abs, p->exe, sizeof(abs));
	if ((r = lx_exec_open(abs, &file, &flen)) != 0)
		return r;
	/* "#!interpreter [arg]": run the interpreter with the script's path. */
	if (flen >= 2 && memcmp(file, "#!", 2) == 0) {
		const char *s = file;
		size_t n = 0, i = 2, start;

		while (i < flen && (s[i] == ' ' || s[i] == '\t'))
			i++;
		while (i < flen && s[i] != '\n' && s[i] != ' ' && s[i] != '\t' &&
		    n + 1 < sizeof(interp))
			interp[n++] = s[i++];
		interp[n] = '\0';
		while (i < flen && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (n == 0)
			return -ENOEXEC;
		if (argc == 0)
			argc = 1;
		argvv[2] = path;	/* argv[0] gives way to the script's path */
		argv = argvv + 1;
		argc++;
		start = i;
		while (i < flen && s[i] != '\n')
			i++;
		while (i > start && (s[i - 1] == ' ' || s[i - 1] == '\t'))
			i--;
		if (i > start) {	/* one optional argument, the rest of the line */
			if (used + (i - start) + 1 > ARG_MAX_)
				return -E2BIG;
			argvv[1] = argbuf + used;
			memcpy(argvv[1], s + start, i - start);
			argvv[1][i - start] = '\0';
			used += i - start + 1;
			argv = argvv;
			argc++;
		}
		argv[0] = interp;
		absolute(p, interp, abs, sizeof(abs));
	}
	if ((r = lx_exec_image(p, abs, (int)argc, argv, (int)envc, envpv, &im)) != 0)
		return r;
	if ((mm = lx_mm_new(im.vs)) == NULL || handle_info(im.kthread, &hi) != 0) {
		process_kill(im.kproc, -ENOMEM);
		handle_close(im.kthread);
		handle_close(im.kproc);
		if (mm != NULL)
			lx_mm_put(mm);
		else
			handle_close(im.vs);
		return -ENOMEM;
	}
	mm->brk_start = mm->brk = im.brk;
	mm->mmap_next = im.mmap_top;
	lx_mm_note_new(mm, abs, &im);
	/* The point of no return: the old image and every other thread go. */
	for (int i = 0; i < LX_NTHREAD; i++) {
		struct lthread *o = &lx_threads[i];

		if (o->tid != 0 && o->proc == p && o != t) {
			if (o->token != HANDLE_NONE)
				lx_reply(o, LABEL_EXIT, 0);
			thread_free(o);
		}
	}
	lx_reply(t, LABEL_EXIT, 0);	/* ends the old kernel process */
	handle_close(p->kproc);
	p->kproc = im.kproc;
	lx_mm_put(p->mm);
	p->mm = mm;
	p->sigtramp = im.sigtramp;
	lx_thread_unhash(t);
	handle_close(t->thread);
	t->thread = im.kthread;
	t->koid = hi.koid;
	t->tid = p->pid;		/* a thread that execs takes over the pid */
	lx_thread_hash(t);
	t->clear_child_tid = 0;
	t->robust_list = 0;
	t->ss_sp = t->ss_size = 0;
	t->ss_flags = 2;		/* SS_DISABLE */
	p->nthreads = 1;
	lx_signals_exec(p);
	lx_sys_exec(t);
	if (p->files->refs > 1) {	/* a CLONE_FILES peer keeps its table (unshare_files) */
		struct lfiles *own = lx_files_copy(p->files);

		if (own != NULL) {
			lx_files_put(p->files);
			p->files = own;
		}
	}
	lx_files_exec(p->files);
	/* comm: the name as execve was given it (Linux's kbasename(bprm->filename)):
	 * "exe" for /proc/self/exe, which BusyBox then renames to its applet. */
	base = strrchr(path, '/');
	strlcpy(p->comm, base != NULL ? base + 1 : path, sizeof(p->comm));
	lx_proc_set_exe(p, abs);
	p->undumpable = 0;
	if (p->vfork_parent != NULL) {
		lx_finish(p->vfork_parent, p->pid);
		p->vfork_parent = NULL;
	}
	thread_start(t->thread);
	return LX_DONE;
}

/*
 * Linux signals: actions, masks, pending sets, sending, and delivery on
 * the aarch64 rt_sigframe layout.
 *
 * A signal is delivered when its thread comes back through linuxemu: at
 * the answer of a system call (lx_finish), at a fault, or when
 * thread_interrupt stopped it for us (a signal sent to a thread running
 * user code). Delivering means building the frame on the user stack
 * (siginfo, ucontext with the registers and an FP/SIMD record), then
 * pointing the thread's registers at the handler with thread_regs. A
 * thread waiting in linuxemu (a sleep, a futex, wait4) is answered
 * -EINTR, or restarted after the handler when SA_RESTART allows.
 */
#include <stddef.h>

#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define SIG_DFL_	0
#define SIG_IGN_	1

#define SA_NOCLDSTOP_	0x00000001
#define SA_SIGINFO_	0x00000004
#define SA_RESTORER_	0x04000000
#define SA_ONSTACK_	0x08000000
#define SA_RESTART_	0x10000000
#define SA_NODEFER_	0x40000000
#define SA_RESETHAND_	0x80000000UL

#define SS_ONSTACK_	1
#define SS_DISABLE_	2
#define SS_AUTODISARM_	(1U << 31)
#define MINSIGSTKSZ_	5120		/* arm64 */

#define SIGKILL_	9
#define SIGSEGV_	11
#define SIGBUS_		7
#define SIGILL_		4
#define SIGTRAP_	5
#define SIGFPE_		8
#define SIGCHLD_	17
#define SIGCONT_	18
#define SIGSTOP_	19
#define SIGALRM_	14

#define SI_USER_	0
#define SI_TKILL_	(-6)

#define BIT(sig)	(1UL << ((sig) - 1))
#define UNBLOCKABLE	(BIT(SIGKILL_) | BIT(SIGSTOP_))
#define STOP_SIGS	(BIT(19) | BIT(20) | BIT(21) | BIT(22))

enum dfl { D_TERM, D_CORE, D_IGN, D_STOP, D_CONT };

static enum dfl
default_action(int sig)
{
	switch (sig) {
	case 3: case 4: case 5: case 6: case 7: case 8: case 11: case 24: case 25: case 31:
		return D_CORE;
	case 17: case 23: case 28:
		return D_IGN;
	case 18:
		return D_CONT;
	case 19: case 20: case 21: case 22:
		return D_STOP;
	default:
		return D_TERM;
	}
}

/* --- the shared action tables --- */

static struct lsighand sighands[LX_NPROC];

static struct lsighand *
sighand_alloc(void)
{
	for (int i = 0; i < LX_NPROC; i++)
		if (sighands[i].refs == 0) {
			memset(&sighands[i], 0, sizeof(sighands[i]));
			sighands[i].refs = 1;
			return &sighands[i];
		}
	return NULL;
}

struct lsighand *
lx_sighand_copy(const struct lsighand *s)
{
	struct lsighand *n = sighand_alloc();

	if (n != NULL && s != NULL)
		memcpy(n->act, s->act, sizeof(n->act));
	return n;
}

void
lx_sighand_put(struct lsighand *s)
{
	if (s != NULL)
		s->refs--;
}

/* execve: handlers go back to the default; ignored signals stay ignored. */
void
lx_signals_exec(struct lproc *p)
{
	if (p->sig->refs > 1) {
		struct lsighand *n = lx_sighand_copy(p->sig);

		if (n != NULL) {
			lx_sighand_put(p->sig);
			p->sig = n;
		}
	}
	for (int i = 0; i < LX_NSIG; i++)
		if (p->sig->act[i].handler != SIG_IGN_)
			memset(&p->sig->act[i], 0, sizeof(p->sig->act[i]));
}

/* --- pending sets --- */

/* Queue sig with its info; -EAGAIN when the real-time queue is full. */
static int
pend_add(struct lx_sigpend *sp, int sig, const struct lx_siginfo *info)
{
	if (sig < LX_SIGRTMIN) {
		if (!(sp->set & BIT(sig)))
			sp->info[sig - 1] = *info;
	} else {
		if (sp->nq == LX_RTQ)
			return -EAGAIN;
		sp->q[sp->nq] = *info;
		sp->q[sp->nq++].signo = sig;
	}
	sp->set |= BIT(sig);
	return 0;
}

/* Take the oldest instance of sig (which is pending in sp). */
static void
pend_take(struct lx_sigpend *sp, int sig, struct lx_siginfo *info)
{
	int left = 0, i, k;

	if (sig < LX_SIGRTMIN) {
		*info = sp->info[sig - 1];
		sp->set &= ~BIT(sig);
		return;
	}
	for (i = 0; i < sp->nq && sp->q[i].signo != sig; i++)
		;
	*info = sp->q[i];
	for (k = i; k + 1 < sp->nq; k++)
		sp->q[k] = sp->q[k + 1];
	sp->nq--;
	for (k = 0; k < sp->nq; k++)
		left |= sp->q[k].signo == sig;
	if (!left)
		sp->set &= ~BIT(sig);
}

/* Forget every instance of the signals in mask. */
static void
pend_drop(struct lx_sigpend *sp, uint64_t mask)
{
	int k = 0;

	sp->set &= ~mask;
	for (int i = 0; i < sp->nq; i++)
		if (!(mask & BIT(sp->q[i].signo)))
			sp->q[k++] = sp->q[i];
	sp->nq = k;
}

/* --- sending --- */

static int
ignored(const struct lproc *p, int sig)
{
	const struct lx_sigaction *a = &p->sig->act[sig - 1];

	return a->handler == SIG_IGN_ || (a->handler == SIG_DFL_ && default_action(sig) == D_IGN);
}

/*
 * t should see a newly pending signal it does not block: a wait in
 * linuxemu ends (-EINTR, or a restart after the handler), a thread
 * running user code is stopped at its next kernel exit.
 */
static void
kick(struct lthread *t)
{
	if (t->token == HANDLE_NONE) {
		thread_interrupt(t->thread);
		return;
	}
	switch (t->wait) {
	case W_SLEEP:
		lx_sleep_interrupted(t);
		lx_finish(t, -EINTR);
		break;
	case W_SIGNAL:
	case W_POLL:
		lx_finish(t, -EINTR);
		break;
	case W_FUTEX:
	case W_CHILD:
	case W_READ:
		lx_finish(t, LX_RESTART);
		break;
	case W_WRITE:		/* what went in stays in: a short write */
		lx_finish(t, t->io_done > 0 ? (long)t->io_done : LX_RESTART);
		break;
	case W_VFS:		/* vfs answers a waiting pipe request now (-EINTR) */
		lx_vfs_cancel(t);
		break;
	default:
		break;		/* being answered now, vforked, or stopped */
	}
}

/* Discard the signals in mask pending for p or any of its threads. */
static void
drop_everywhere(struct lproc *p, uint64_t mask)
{
	pend_drop(&p->pend, mask);
	for (int i = 0; i < LX_NTHREAD; i++)
		if (lx_threads[i].tid != 0 && lx_threads[i].proc == p)
			pend_drop(&lx_threads[i].pend, mask);
}

static void
stop_process(struct lproc *p, int sig)
{
	if (p->is_stopped)
		return;
	lx_proc_stopped(p, sig);
	for (int i = 0; i < LX_NTHREAD; i++) {
		struct lthread *t = &lx_threads[i];

		if (t->tid != 0 && t->proc == p && t->token == HANDLE_NONE)
			thread_interrupt(t->thread);	/* it stops when it arrives */
		else if (t->tid != 0 && t->proc == p && t->wait == W_VFS)
			lx_vfs_cancel(t);	/* a stopped reader must not take the terminal's input */
	}
}

static void
continue_process(struct lproc *p)
{
	drop_everywhere(p, STOP_SIGS);
	if (!p->is_stopped)
		return;
	lx_proc_continued(p);
	for (int i = 0; i < LX_NTHREAD; i++) {
		struct lthread *t = &lx_threads[i];

		if (t->tid != 0 && t->proc == p && t->wait == W_STOPPED) {
			t->wait = W_NONE;
			lx_finish(t, (long)t->stop_x0);
		}
	}
	/* What arrived while it was stopped acts now (a SIGTERM kills, a handler runs). */
	for (int i = 0; i < LX_NTHREAD && p->state == LP_ALIVE; i++) {
		struct lthread *t = &lx_threads[i];
		uint64_t set;

		if (t->tid == 0 || t->proc != p)
			continue;
		set = (t->pend.set | p->pend.set) & ~t->sigmask;
		for (int sig = 1; sig <= LX_NSIG; sig++)
			if ((set & BIT(sig)) && !ignored(p, sig)) {
				kick(t);
				break;
			}
	}
}

static int
make_pending(struct lproc *p, struct lthread *to, int sig, const struct lx_siginfo *info)
{
	return pend_add(to != NULL ? &to->pend : &p->pend, sig, info);
}

/* Does every thread that could take sig (or just to) block it? */
static int
blocked_by_all(const struct lproc *p, const struct lthread *to, int sig)
{
	if (to != NULL)
		return (to->sigmask & BIT(sig)) != 0;
	for (int i = 0; i < LX_NTHREAD; i++)
		if (lx_threads[i].tid != 0 && lx_threads[i].proc == p &&
		    !(lx_threads[i].sigmask & BIT(sig)))
			return 0;
	return 1;
}

/*
 * Make sig pending for p (t == NULL) or for thread t, and act on it:
 * SIGKILL and unhandled fatal signals end the process now, stop signals
 * stop it, SIGCONT continues it, a handled signal reaches a thread.
 */
static int
send(struct lproc *p, struct lthread *to, int sig, const struct lx_siginfo *info)
{
	const struct lx_sigaction *a;
	struct lthread *target = to;
	int r;

	if (p->state != LP_ALIVE)
		return 0;
	/*
	 * Init takes only the signals it has handlers for (Linux's
	 * SIGNAL_UNKILLABLE), but a blocked one stays pending: its handler
	 * may be set by the time it is unblocked (sig_ignored's rule).
	 */
	if (p->pid == 1 && (sig == SIGKILL_ || sig == SIGSTOP_ ||
	    (p->sig->act[sig - 1].handler == SIG_DFL_ && !blocked_by_all(p, to, sig))))
		return 0;
	if (sig == SIGKILL_) {
		lx_exit_group(p, SIGKILL_);
		return 0;
	}
	if (sig == SIGCONT_)
		continue_process(p);
	else if (BIT(sig) & STOP_SIGS) {
		drop_everywhere(p, BIT(SIGCONT_));
	}
	/* A stopped process acts on nothing but SIGKILL and SIGCONT: the rest waits. */
	if (p->is_stopped && sig != SIGCONT_)
		return make_pending(p, to, sig, info);
	/* rt_sigtimedwait takes a signal it waits for before anything else. */
	for (int i = 0; i < LX_NTHREAD; i++) {
		struct lthread *t = &lx_threads[i];

		if (t->tid != 0 && t->proc == p && (to == NULL || t == to) &&
		    t->wait == W_SIGNAL && t->nr == 137 && (t->waitset & BIT(sig))) {
			if (t->a[1] != 0)
				lx_write(p, t->a[1], info, sizeof(*info));
			lx_finish(t, sig);
			return 0;
		}
	}
	/* Blocked signals stay pending even when ignored: the action may change. */
	if (target == NULL) {
		for (int i = 0; i < LX_NTHREAD && target == NULL; i++)
			if (lx_threads[i].tid != 0 && lx_threads[i].proc == p &&
			    !(lx_threads[i].sigmask & BIT(sig)))
				target = &lx_threads[i];
	}
	if (target == NULL || (target->sigmask & BIT(sig)))
		return make_pending(p, to, sig, info);
	if (ignored(p, sig))
		return 0;
	a = &p->sig->act[sig - 1];
	if (a->handler == SIG_DFL_) {
		switch (default_action(sig)) {
		case D_TERM:
		case D_CORE:
			/* No core files are written: the status never has WCOREDUMP. */
			lx_exit_group(p, sig);
			return 0;
		case D_STOP:
			stop_process(p, sig);
			return 0;
		default:
			return 0;
		}
	}
	if ((r = make_pending(p, to, sig, info)) != 0)
		return r;
	kick(target);
	return 0;
}

int
lx_signal_send_proc(struct lproc *p, int sig, const struct lx_siginfo *info)
{
	return send(p, NULL, sig, info);
}

int
lx_signal_send_thread(struct lthread *t, int sig, const struct lx_siginfo *info)
{
	return send(t->proc, t, sig, info);
}

/* --- delivery --- */

/* The aarch64 signal frame (arch/arm64/include/uapi/asm/sigcontext.h, ucontext.h). */
struct sigframe_ {
	struct lx_siginfo info;		/* 0 */
	uint64_t uc_flags, uc_link;	/* 128: the ucontext */
	uint64_t ss_sp;
	int32_t ss_flags, ss_pad;
	uint64_t ss_size;
	uint64_t uc_sigmask;		/* 168 */
	uint8_t uc_unused[128];		/* sigset_t padding to 1024 bits, and alignment */
	uint64_t fault_address;		/* 304: struct sigcontext */
	uint64_t regs[31];
	uint64_t sp, pc, pstate;
	uint64_t sc_pad;
	uint8_t reserved[4096];		/* 592: records: fpsimd, esr, terminator */
};

_Static_assert(offsetof(struct sigframe_, uc_sigmask) == 128 + 40, "uc_sigmask");
_Static_assert(offsetof(struct sigframe_, fault_address) == 128 + 176, "uc_mcontext");
_Static_assert(offsetof(struct sigframe_, reserved) == 128 + 176 + 288, "__reserved");
_Static_assert(sizeof(struct sigframe_) == 4688, "struct rt_sigframe");

#define FPSIMD_MAGIC	0x46508001u
#define ESR_MAGIC	0x45535201u

struct fpsimd_rec {
	uint32_t magic, size;
	uint32_t fpsr, fpcr;
	uint64_t v[64];
};

struct esr_rec {
	uint32_t magic, size;
	uint64_t esr;
};

static struct sigframe_ frame;

static int
on_altstack(const struct lthread *t, uint64_t sp)
{
	return !(t->ss_flags & SS_DISABLE_) && sp > t->ss_sp && sp - t->ss_sp <= t->ss_size;
}

/* The lowest deliverable signal of t (pending, not blocked), or 0. */
static int
next_signal(const struct lthread *t)
{
	/* The thread's own first, then the process's (Linux's dequeue_signal). */
	uint64_t set = t->pend.set & ~t->sigmask;

	if (set == 0)
		set = t->proc->pend.set & ~t->sigmask;
	/* Synchronous faults first, as Linux does (SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE). */
	uint64_t sync = set & (BIT(SIGSEGV_) | BIT(SIGBUS_) | BIT(SIGILL_) | BIT(SIGTRAP_) | BIT(SIGFPE_));

	if (sync != 0)
		set = sync;
	return set == 0 ? 0 : __builtin_ctzl(set) + 1;
}

static void
take(struct lthread *t, int sig, struct lx_siginfo *info)
{
	pend_take((t->pend.set & BIT(sig)) ? &t->pend : &t->proc->pend, sig, info);
}

/*
 * Build the frame of sig for t and aim t at the handler. x0: the value
 * the call's answer would put in x0 (LX_RESTART: the call is restarted
 * if the handler has SA_RESTART, else -EINTR); on return, the value the
 * answer must carry. 0, or -EFAULT when the frame cannot be written.
 */
static long
setup_frame(struct lthread *t, int sig, const struct lx_siginfo *info, long *x0)
{
	struct lproc *p = t->proc;
	struct lx_sigaction *a = &p->sig->act[sig - 1];
	struct user_regs r;
	struct user_fpregs fp;
	struct fpsimd_rec *fr = (struct fpsimd_rec *)frame.reserved;
	uint64_t sp, fsp, rec;
	long e;

	if ((e = thread_regs(t->thread, THREAD_REGS_GET, THREAD_REGS_GENERAL, &r)) != 0 ||
	    (e = thread_regs(t->thread, THREAD_REGS_GET, THREAD_REGS_FP, &fp)) != 0)
		return e;
	if (t->label == LABEL_SYSCALL) {
		if (*x0 == LX_RESTART && (a->flags & SA_RESTART_)) {
			r.pc -= 4;		/* back onto the svc: the call runs again */
			r.x[0] = t->a[0];
		} else {
			r.x[0] = (uint64_t)(*x0 == LX_RESTART ? -EINTR : *x0);
		}
	}
	memset(&frame, 0, sizeof(frame));
	frame.info = *info;
	frame.ss_sp = t->ss_sp;
	frame.ss_size = t->ss_size;
	frame.ss_flags = t->ss_flags & SS_DISABLE_ ? SS_DISABLE_ :
	    on_altstack(t, r.sp) ? SS_ONSTACK_ : (int32_t)(t->ss_flags & SS_AUTODISARM_);
	frame.uc_sigmask = t->has_saved_mask ? t->saved_mask : t->sigmask;
	frame.fault_address = (sig == SIGSEGV_ || sig == SIGBUS_) ? info->u.addr : 0;
	memcpy(frame.regs, r.x, sizeof(frame.regs));
	frame.sp = r.sp;
	frame.pc = r.pc;
	frame.pstate = r.pstate;
	fr->magic = FPSIMD_MAGIC;
	fr->size = sizeof(*fr);
	fr->fpsr = fp.fpsr;
	fr->fpcr = fp.fpcr;
	memcpy(fr->v, fp.v, sizeof(fr->v));
	rec = sizeof(*fr);
	if (t->label == LABEL_FAULT && (sig == SIGSEGV_ || sig == SIGBUS_)) {
		struct esr_rec *er = (struct esr_rec *)(frame.reserved + rec);

		er->magic = ESR_MAGIC;
		er->size = sizeof(*er);
		er->esr = t->a[0];
		rec += sizeof(*er);
	}
	/* The terminator is already zero. */
	sp = r.sp;
	if ((a->flags & SA_ONSTACK_) && !(t->ss_flags & SS_DISABLE_) && !on_altstack(t, sp)) {
		sp = t->ss_sp + t->ss_size;
		if (t->ss_flags & SS_AUTODISARM_) {
			t->ss_sp = t->ss_size = 0;
			t->ss_flags = SS_DISABLE_;
		}
	}
	/* A frame record {fp, lr} above the frame, both 16-byte aligned (as Linux). */
	sp = (sp - 16) & ~15UL;
	fsp = (sp - sizeof(frame)) & ~15UL;
	if (lx_write(p, fsp, &frame, sizeof(frame)) != 0 ||
	    lx_write(p, sp, (uint64_t[2]){ r.x[29], r.x[30] }, 16) != 0)
		return -EFAULT;
	r.x[0] = (uint64_t)sig;
	r.x[1] = fsp + offsetof(struct sigframe_, info);
	r.x[2] = fsp + offsetof(struct sigframe_, uc_flags);
	r.x[29] = sp;
	r.x[30] = (a->flags & SA_RESTORER_) ? a->restorer : p->sigtramp;
	r.sp = fsp;
	r.pc = a->handler;
	if ((e = thread_regs(t->thread, THREAD_REGS_SET, THREAD_REGS_GENERAL, &r)) != 0)
		return e;
	/* The handler runs with its mask; SA_RESETHAND makes this the last time. */
	t->sigmask |= a->mask | ((a->flags & SA_NODEFER_) ? 0 : BIT(sig));
	t->sigmask &= ~UNBLOCKABLE;
	t->has_saved_mask = 0;
	if (a->flags & SA_RESETHAND_) {
		a->handler = SIG_DFL_;
		a->flags &= ~SA_SIGINFO_;
	}
	*x0 = sig;
	return 0;
}

/*
 * An interrupted call that no handler saw (a stop and continue, a signal
 * ignored by now) goes back onto its svc: what its answer puts in x0.
 */
static long
restart(struct lthread *t)
{
	struct user_regs r;

	if (t->label != LABEL_SYSCALL ||
	    thread_regs(t->thread, THREAD_REGS_GET, THREAD_REGS_GENERAL, &r) != 0)
		return -EINTR;
	r.pc -= 4;
	r.x[0] = t->a[0];
	if (thread_regs(t->thread, THREAD_REGS_SET, THREAD_REGS_GENERAL, &r) != 0)
		return -EINTR;
	return (long)t->a[0];
}

/*
 * At the answer of t's call (or fault, or interrupt): deliver what is
 * pending, every signal its handlers' masks let through, each frame on
 * the last (so the last taken runs first, as on Linux). 0: answer with
 * *x0 (changed to the handler's x0 if a frame was built); 1: t is gone
 * or stopped, do not answer.
 */
int
lx_signal_deliver(struct lthread *t, long *x0)
{
	struct lproc *p = t->proc;
	struct lx_siginfo info;
	int sig;

	while ((sig = next_signal(t)) != 0) {
		const struct lx_sigaction *a = &p->sig->act[sig - 1];

		take(t, sig, &info);
		if (a->handler == SIG_IGN_)
			continue;
		if (a->handler == SIG_DFL_) {
			switch (default_action(sig)) {
			case D_TERM:
			case D_CORE:
				lx_exit_group(p, sig);
				return 1;
			case D_STOP:
				stop_process(p, sig);
				t->wait = W_STOPPED;
				t->stop_x0 = (uint64_t)*x0;
				return 1;
			default:
				continue;
			}
		}
		if (setup_frame(t, sig, &info, x0) != 0) {
			lx_exit_group(p, SIGSEGV_);	/* no room for the frame: as Linux */
			return 1;
		}
		/*
		 * On with the next one the handler's mask lets through, its frame
		 * on top of this one: it runs first (Linux's do_notify_resume loop).
		 */
	}
	if (*x0 == LX_RESTART)
		*x0 = restart(t);	/* no handler ran: the call runs again, as Linux's */
	if (t->has_saved_mask) {
		t->sigmask = t->saved_mask;
		t->has_saved_mask = 0;
	}
	return 0;
}

/* A fault the kernel could not mend: the signal Linux would send. */
void
lx_signal_fault(struct lthread *t, uint64_t esr, uint64_t far, int mapped)
{
	struct lproc *p = t->proc;
	struct lx_siginfo si;
	unsigned ec = (unsigned)(esr >> 26) & 0x3f, fsc = esr & 0x3f;
	int sig;

	memset(&si, 0, sizeof(si));
	si.u.addr = far;
	switch (ec) {
	case 0x20: case 0x24:			/* instruction, data abort */
		if (fsc == 0x21) {
			sig = SIGBUS_, si.code = 1;	/* BUS_ADRALN */
		} else {
			sig = SIGSEGV_;
			/* SEGV_ACCERR: a mapping refused the access; SEGV_MAPERR: none there. */
			si.code = (fsc & 0x3c) == 0x0c || mapped ? 2 : 1;
		}
		break;
	case 0x22: case 0x26:			/* PC, SP alignment */
		sig = SIGBUS_, si.code = 1;
		break;
	case 0x3c:				/* brk */
		sig = SIGTRAP_, si.code = 1;	/* TRAP_BRKPT */
		si.u.addr = t->pc;
		break;
	case 0x2c:				/* trapped floating point */
		sig = SIGFPE_, si.code = 0;
		si.u.addr = t->pc;
		break;
	default:				/* undefined instruction and the rest */
		sig = SIGILL_, si.code = 1;	/* ILL_ILLOPC */
		si.u.addr = t->pc;
		break;
	}
	si.signo = sig;
	/* A fault is never lost: blocked or ignored, it becomes the default action. */
	if ((t->sigmask & BIT(sig)) || p->sig->act[sig - 1].handler == SIG_IGN_) {
		p->sig->act[sig - 1].handler = SIG_DFL_;
		t->sigmask &= ~BIT(sig);
	}
	pend_add(&t->pend, sig, &si);
}

/* --- the system calls --- */

long
sys_rt_sigaction(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	struct lx_sigaction act, old;
	int sig = (int)a[0];
	long r;

	if (a[3] != 8 || sig < 1 || sig > LX_NSIG)
		return -EINVAL;
	if (a[1] != 0 && (sig == SIGKILL_ || sig == SIGSTOP_))
		return -EINVAL;
	old = p->sig->act[sig - 1];
	if (a[1] != 0) {
		if ((r = lx_read(p, a[1], &act, sizeof(act))) != 0)
			return r;
		act.mask &= ~UNBLOCKABLE;
	}
	if (a[2] != 0 && (r = lx_write(p, a[2], &old, sizeof(old))) != 0)
		return r;
	if (a[1] != 0) {
		p->sig->act[sig - 1] = act;
		/* Setting an ignoring action discards what is pending (POSIX). */
		if (ignored(p, sig)) {
			drop_everywhere(p, BIT(sig));
		}
	}
	return 0;
}

long
sys_rt_sigprocmask(struct lthread *t, const uint64_t *a)
{
	uint64_t set, old = t->sigmask;
	long r;

	if (a[3] != 8)
		return -EINVAL;
	if (a[1] != 0) {
		if (a[0] > 2)
			return -EINVAL;
		if ((r = lx_read(t->proc, a[1], &set, 8)) != 0)
			return r;
	}
	if (a[2] != 0 && (r = lx_write(t->proc, a[2], &old, 8)) != 0)
		return r;
	if (a[1] != 0) {
		if (a[0] == 0)
			t->sigmask |= set;
		else if (a[0] == 1)
			t->sigmask &= ~set;
		else
			t->sigmask = set;
		t->sigmask &= ~UNBLOCKABLE;
	}
	return 0;
}

long
sys_rt_sigpending(struct lthread *t, const uint64_t *a)
{
	uint64_t set = (t->pend.set | t->proc->pend.set) & t->sigmask;

	if (a[1] != 8)
		return -EINVAL;
	return lx_write(t->proc, a[0], &set, 8);
}

long
sys_rt_sigsuspend(struct lthread *t, const uint64_t *a)
{
	uint64_t set;
	long r;

	if (a[1] != 8)
		return -EINVAL;
	if ((r = lx_read(t->proc, a[0], &set, 8)) != 0)
		return r;
	t->saved_mask = t->sigmask;
	t->has_saved_mask = 1;
	t->sigmask = set & ~UNBLOCKABLE;
	if (next_signal(t) != 0)
		return -EINTR;		/* delivered at the answer, the old mask in its frame */
	t->wait = W_SIGNAL;
	return LX_SUSPEND;
}

/* rt_sigtimedwait(set, info, timeout, size) */
long
sys_rt_sigtimedwait(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	struct lx_siginfo info;
	uint64_t set;
	int64_t ts[2];
	long r;

	if (a[3] != 8)
		return -EINVAL;
	if ((r = lx_read(p, a[0], &set, 8)) != 0)
		return r;
	set &= ~UNBLOCKABLE;
	if (a[2] != 0) {
		if ((r = lx_read(p, a[2], ts, sizeof(ts))) != 0)
			return r;
		if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
			return -EINVAL;
	}
	if (((t->pend.set | p->pend.set) & set) != 0) {
		uint64_t s = (t->pend.set | p->pend.set) & set;
		int sig = __builtin_ctzl(s) + 1;

		take(t, sig, &info);
		if (a[1] != 0 && (r = lx_write(p, a[1], &info, sizeof(info))) != 0)
			return r;
		return sig;
	}
	if (a[2] != 0) {
		uint64_t ns = (uint64_t)ts[0] * 1000000000 + (uint64_t)ts[1];

		if (ns == 0)
			return -EAGAIN;
		t->deadline = clock_get() + ns;
		lx_timer_update();
	}
	t->waitset = set;
	t->wait = W_SIGNAL;
	return LX_SUSPEND;
}

/* The registers of t as a syscall sees them (sp for sigaltstack). */
static long
sigreturn_fail(struct lthread *t)
{
	lx_exit_group(t->proc, SIGSEGV_);
	return LX_DONE;
}

long
sys_rt_sigreturn(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	struct user_regs r;
	struct user_fpregs fp;
	const struct fpsimd_rec *fr = NULL;
	uint64_t off = 0;
	long e;

	(void)a;
	if ((e = thread_regs(t->thread, THREAD_REGS_GET, THREAD_REGS_GENERAL, &r)) != 0 ||
	    (e = thread_regs(t->thread, THREAD_REGS_GET, THREAD_REGS_FP, &fp)) != 0)
		return e;
	if ((r.sp & 15) || lx_read(p, r.sp, &frame, sizeof(frame)) != 0)
		return sigreturn_fail(t);
	/* Walk the records for the FP/SIMD state (unknown ones are skipped). */
	while (off + 8 <= sizeof(frame.reserved)) {
		const uint32_t *h = (const uint32_t *)(frame.reserved + off);

		if (h[0] == 0)
			break;
		if (h[1] < 8 || (h[1] & 15) || off + h[1] > sizeof(frame.reserved))
			return sigreturn_fail(t);
		if (h[0] == FPSIMD_MAGIC && h[1] == sizeof(*fr))
			fr = (const struct fpsimd_rec *)h;
		off += h[1];
	}
	if (fr == NULL)
		return sigreturn_fail(t);
	memcpy(r.x, frame.regs, sizeof(r.x));
	r.sp = frame.sp;
	r.pc = frame.pc;
	r.pstate = frame.pstate;
	fp.fpsr = fr->fpsr;
	fp.fpcr = fr->fpcr;
	memcpy(fp.v, fr->v, sizeof(fp.v));
	if ((e = thread_regs(t->thread, THREAD_REGS_SET, THREAD_REGS_GENERAL, &r)) != 0 ||
	    (e = thread_regs(t->thread, THREAD_REGS_SET, THREAD_REGS_FP, &fp)) != 0)
		return sigreturn_fail(t);
	t->sigmask = frame.uc_sigmask & ~UNBLOCKABLE;
	/* uc_stack: sigaltstack as it was (Linux's restore_altstack; errors ignored). */
	if (!on_altstack(t, r.sp) && (frame.ss_flags == SS_DISABLE_ ||
	    (frame.ss_flags & ~(int32_t)SS_AUTODISARM_) == 0)) {
		if (frame.ss_flags == SS_DISABLE_) {
			t->ss_sp = t->ss_size = 0;
			t->ss_flags = SS_DISABLE_;
		} else if (frame.ss_size >= MINSIGSTKSZ_) {
			t->ss_sp = frame.ss_sp;
			t->ss_size = frame.ss_size;
			t->ss_flags = frame.ss_flags;
		}
	}
	return (long)r.x[0];		/* the answer puts x0 back as it was */
}

struct stack_ {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
};

long
sys_sigaltstack(struct lthread *t, const uint64_t *a)
{
	struct lproc *p = t->proc;
	struct user_regs r;
	struct stack_ ss, old;
	long e;
	int on;

	if ((e = thread_regs(t->thread, THREAD_REGS_GET, THREAD_REGS_GENERAL, &r)) != 0)
		return e;
	on = on_altstack(t, r.sp);
	memset(&old, 0, sizeof(old));
	old.sp = t->ss_sp;
	old.size = t->ss_size;
	old.flags = on ? SS_ONSTACK_ : (int32_t)t->ss_flags;
	if (a[0] != 0) {
		if ((e = lx_read(p, a[0], &ss, sizeof(ss))) != 0)
			return e;
		if (on)
			return -EPERM;
		if (((uint32_t)ss.flags & ~(SS_DISABLE_ | SS_AUTODISARM_ | SS_ONSTACK_)) != 0)
			return -EINVAL;
		if (ss.flags & SS_DISABLE_) {
			ss.sp = ss.size = 0;
		} else if (ss.size < MINSIGSTKSZ_) {
			return -ENOMEM;
		}
	}
	if (a[1] != 0 && (e = lx_write(p, a[1], &old, sizeof(old))) != 0)
		return e;
	if (a[0] != 0) {
		t->ss_sp = ss.sp;
		t->ss_size = ss.size;
		t->ss_flags = (int)((uint32_t)ss.flags & ~(uint32_t)SS_ONSTACK_);
	}
	return 0;
}

static void
user_info(const struct lthread *t, int sig, int code, struct lx_siginfo *si)
{
	memset(si, 0, sizeof(*si));
	si->signo = sig;
	si->code = code;
	si->u.kill.pid = t->proc->pid;
	si->u.kill.uid = t->proc->uid;
}

/* Linux's rule: the credentials match (lx_may_signal), or SIGCONT within a session. */
static int
may_signal(const struct lthread *t, const struct lproc *p, int sig)
{
	return lx_may_signal(t->proc, p) || (sig == SIGCONT_ && t->proc->sid == p->sid);
}

long
sys_kill(struct lthread *t, const uint64_t *a)
{
	int pid = (int)a[0], sig = (int)a[1], found = 0;
	struct lx_siginfo si;

	if (sig < 0 || sig > LX_NSIG)
		return -EINVAL;
	user_info(t, sig, SI_USER_, &si);
	if (pid > 0) {
		struct lproc *p = lx_proc_find(pid);

		if (p == NULL)
			return -ESRCH;
		if (!may_signal(t, p, sig))
			return -EPERM;
		if (p->state != LP_ALIVE)
			return 0;		/* a zombie takes signals silently */
		return sig == 0 ? 0 : lx_signal_send_proc(p, sig, &si);
	}
	/*
	 * A group or everyone: 0 if any was signalled, else EPERM, ESRCH if
	 * none was tried. The targets are chosen first and the caller's own
	 * process signalled last: a fatal signal frees the caller's thread.
	 */
	{
		static struct lproc *targets[LX_NPROC];
		struct lproc *me = t->proc;
		int n = 0, self = 0;

		for (int i = 0; i < LX_NPROC; i++) {
			struct lproc *p = &lx_procs[i];

			if (p->state != LP_ALIVE)
				continue;
			if (pid == 0 ? p->pgid != me->pgid :
			    pid == -1 ? (p->pid == 1 || p == me) : p->pgid != -pid)
				continue;
			if (found == 0)
				found = -1;
			if (!may_signal(t, p, sig))
				continue;
			found = 1;
			if (p == me)
				self = 1;
			else
				targets[n++] = p;
		}
		for (int i = 0; i < n && sig != 0; i++)
			lx_signal_send_proc(targets[i], sig, &si);
		if (self && sig != 0)
			lx_signal_send_proc(me, sig, &si);
	}
	return found == 1 ? 0 : found == -1 ? -EPERM : -ESRCH;
}

static long
signal_thread(struct lthread *t, int tgid, int tid, int sig)
{
	struct lthread *to = lx_thread_find(tid);
	struct lx_siginfo si;

	if (tid <= 0 || sig < 0 || sig > LX_NSIG)
		return -EINVAL;
	if (to == NULL || (tgid > 0 && to->proc->pid != tgid))
		return -ESRCH;
	if (sig == 0)
		return 0;
	user_info(t, sig, SI_TKILL_, &si);
	return lx_signal_send_thread(to, sig, &si);
}

long
sys_tkill(struct lthread *t, const uint64_t *a)
{
	return signal_thread(t, 0, (int)a[0], (int)a[1]);
}

long
sys_tgkill(struct lthread *t, const uint64_t *a)
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	return signal_thread(t, (int)a[0], (int)a[1], (int)a[2]);
}

/* rt_sigqueueinfo(tgid, sig, info), rt_tgsigqueueinfo(tgid, tid, sig, info) */
static long
queue_info(struct lthread *t, int tgid, int tid, int sig, uint64_t uinfo)
{
	struct lx_siginfo si;
	struct lproc *p = lx_proc_find(tgid);
	struct lthread *to = tid > 0 ? lx_thread_find(tid) : NULL;
	long r;

	if ((r = lx_read(t->proc, uinfo, &si, sizeof(si))) != 0)
		return r;
	if (sig < 0 || sig > LX_NSIG)
		return -EINVAL;
	if (p == NULL || p->state != LP_ALIVE || (tid > 0 && (to == NULL || to->proc != p)))
		return -ESRCH;
	/* Only the kernel may claim a code >= 0 or SI_TKILL for another process. */
	if ((si.code >= 0 || si.code == SI_TKILL_) && p != t->proc)
		return -EPERM;
	if (sig == 0)
		return 0;
	si.signo = sig;
	return to != NULL ? lx_signal_send_thread(to, sig, &si) : lx_signal_send_proc(p, sig, &si);
}

long
sys_rt_sigqueueinfo(struct lthread *t, const uint64_t *a)
{
	return queue_info(t, (int)a[0], 0, (int)a[1], a[2]);
}

long
sys_rt_tgsigqueueinfo(struct lthread *t, const uint64_t *a)
{
	if ((int)a[0] <= 0 || (int)a[1] <= 0)
		return -EINVAL;
	return queue_info(t, (int)a[0], (int)a[1], (int)a[2], a[3]);
}

/* Is a signal pending that t would act on now (not blocked, not ignored)? */
int
lx_signal_pending(const struct lthread *t)
{
	uint64_t set = (t->pend.set | t->proc->pend.set) & ~t->sigmask;

	for (int sig = 1; sig <= LX_NSIG; sig++)
		if ((set & BIT(sig)) && !ignored(t->proc, sig))
			return 1;
	return 0;
}

/* The pending siginfo of POSIX timer id's signal sig (for p, or thread to), or NULL. */
struct lx_siginfo *
lx_signal_find_timer(struct lproc *p, struct lthread *to, int sig, int id)
{
	struct lx_sigpend *sp = to != NULL ? &to->pend : &p->pend;

	if (sig < 1 || sig > LX_NSIG || !(sp->set & BIT(sig)))
		return NULL;
	if (sig < LX_SIGRTMIN)
		return sp->info[sig - 1].code == -2 && sp->info[sig - 1].u.raw[0] == id ?
		    &sp->info[sig - 1] : NULL;	/* SI_TIMER */
	for (int i = 0; i < sp->nq; i++)
		if (sp->q[i].signo == sig && sp->q[i].code == -2 && sp->q[i].u.raw[0] == id)
			return &sp->q[i];
	return NULL;
}

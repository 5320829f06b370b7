/*
 * The terminal (docs/linuxemu.md, "The terminal"): devtmpfs's console
 * as Linux processes see it, in vfs mode. The line discipline is
 * devtmpfs's (docs/tty.md); what needs processes is here: the session
 * whose controlling terminal it is and its foreground process group,
 * job control before reads, writes and the ioctls that change the
 * terminal (Linux's tty_check_change and job_control), the signals the
 * terminal asks for (FS_TTY_SIGNAL) sent to the foreground group, and
 * its readiness (FS_TTY_READY) for ppoll and select.
 *
 * There is one terminal: /dev/console, /dev/tty and /dev/ttyAMA0 name
 * it. A process has it as its controlling terminal when its session is
 * the terminal's (tty.sid). linuxemu registers with devtmpfs itself
 * (FS_TTY_WATCH; vfs passes no handles on); the ioctls go through vfs
 * (VFS_IOCTL) like the reads and writes.
 */
#include <lichen/errno.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/proto/fs.h>
#include <lichen/proto/vfs.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define TCGETS		0x5401
#define TCSETS		0x5402
#define TCSETSW		0x5403
#define TCSETSF		0x5404
#define TCSBRK		0x5409
#define TCXONC		0x540a
#define TCFLSH		0x540b
#define TIOCSCTTY	0x540e
#define TIOCGPGRP	0x540f
#define TIOCSPGRP	0x5410
#define TIOCOUTQ	0x5411
#define TIOCGWINSZ	0x5413
#define TIOCSWINSZ	0x5414
#define FIONREAD	0x541b
#define TIOCNOTTY	0x5422
#define TIOCGSID	0x5429
#define TOSTOP		0x100u		/* c_lflag */
#define SIGHUP		1
#define SIGCONT		18
#define SIGTTIN		21
#define SIGTTOU		22
#define SIG_IGN		1
#define O_NOCTTY	0400u
#define O_ACCMODE	3u
#define TERMIOS_SIZE	36

static struct {
	uint64_t node;			/* devtmpfs's node (FS_TTY_WATCH), 0: not watched */
	uint32_t events;		/* what it polls, as FS_TTY_READY said last */
	int sid, pgrp;			/* its session and foreground group; 0: none */
	uint32_t lflag;			/* c_lflag as last set or read (TOSTOP) */
	struct lfile *console;		/* the first process's: held, drained at power-off */
} tty = { .events = 0x104, .lflag = 0x8a3b };	/* POLLOUT|POLLWRNORM, Linux's default lflag */

int
lx_tty_is(const struct lfile *f)
{
	uint64_t rdev = f->vrdev;

	return f != NULL && f->kind == LF_VFS && (f->vmode & 0170000) == 0020000 &&
	    (rdev == (5 << 8 | 0) || rdev == (5 << 8 | 1) || rdev == (204 << 8 | 64));
}

static int
has_ctty(const struct lproc *p)
{
	return tty.sid != 0 && p->sid == tty.sid;
}

/*
 * The first process's fds 0-2: /dev/console through vfs, its
 * controlling terminal (as a getty or BusyBox's cttyhack gives a login
 * shell; Linux's own /dev/console never becomes one), and linuxemu the
 * terminal's watcher. Without devtmpfs on /dev they stay linuxemu's
 * console (LF_CONSOLE).
 */
void
lx_tty_start(struct lproc *p)
{
	struct lfile *f = lx_vfs_open_console();
	uint64_t w[6];
	long h;

	if (f == NULL)
		return;
	for (int fd = 0; fd < 3; fd++) {
		lx_file_put(p->files->fd[fd]);
		p->files->fd[fd] = f;
		f->refs++;
	}
	tty.console = f;			/* our own reference: never closed */
	tty.sid = p->sid;
	tty.pgrp = p->pgid;
	memset(w, 0, sizeof(w));
	w[0] = f->vid;
	w[1] = TIOCSCTTY;
	w[5] = (uint64_t)(uint32_t)tty.sid | (uint64_t)(uint32_t)tty.pgrp << 32;
	lx_vfs_call(VFS_IOCTL, w, NULL, 0, NULL, 0, NULL, NULL);
	/* Its events: signals for the foreground group, readiness. */
	if ((h = handle_dup(lx_pers, RIGHT_SEND | RIGHT_TRANSFER, LX_TTY_BADGE)) >= 0) {
		handle_t ep;
		struct ipc_msg m;
		struct ipc_ext x;

		if (name_lookup(lx_name_ep, "fs/devtmpfs", &ep) != 0) {
			handle_close((handle_t)h);
			return;
		}
		memset(&m, 0, sizeof(m));
		memset(&x, 0, sizeof(x));
		m.label = FS_TTY_WATCH;
		m.w[0] = f->vino;
		x.shandles[0] = (handle_t)h;
		x.nshandles = 1;
		if (ipc_call(ep, &m, &x) == 0 && (long)m.w[0] == 0)
			tty.node = f->vino;
		handle_close(ep);
	}
}

/* Before power-off: what the terminal still holds goes out (tcdrain). */
void
lx_tty_drain(void)
{
	uint64_t w[6] = { 0, TCSBRK, 1, 0, 0, 0 };

	if (tty.console == NULL)
		return;
	w[0] = tty.console->vid;
	lx_vfs_call(VFS_IOCTL, w, NULL, 0, NULL, 0, NULL, NULL);
}

/* A request to vfs whose answer nobody waits for (it comes with our badge). */
static void
tell_vfs(struct lfile *f, uint64_t req, const void *data, size_t len, uint64_t w5)
{
	struct ipc_msg m;
	struct ipc_ext x;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = VFS_IOCTL;
	m.w[0] = f->vid;
	m.w[1] = req;
	m.w[5] = w5;
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = len;
	x.reply_ep = lx_pers;
	x.cookie = LX_TTY_BADGE;
	ipc_send(lx_vfs, &m, &x);
}

static void
set_ctty(struct lfile *f, struct lproc *p)
{
	tty.sid = p->sid;
	tty.pgrp = p->pgid;
	tell_vfs(f, TIOCSCTTY, NULL, 0, (uint64_t)(uint32_t)p->sid | (uint64_t)(uint32_t)p->pgid << 32);
}

/*
 * An open of the terminal: /dev/tty without a controlling terminal is
 * -ENXIO (Linux's); a session leader without one that opens it without
 * O_NOCTTY makes it its controlling terminal if no session has it.
 */
long
lx_tty_opened(struct lthread *t, struct lfile *f, uint32_t flags)
{
	struct lproc *p = t->proc;

	if (f->vrdev == (5 << 8 | 0) && !has_ctty(p))
		return -ENXIO;
	if (!(flags & O_NOCTTY) && p->pid == p->sid && tty.sid == 0)
		set_ctty(f, p);
	return 0;
}

static void signal_pgrp(int pgrp, int sig);

/*
 * The session leader lets the terminal go (Linux's disassociate_ctty):
 * the foreground group gets SIGHUP (and SIGCONT with TIOCNOTTY, so a
 * stopped job sees it), and the terminal has no session any more.
 */
static void
hang_up(struct lfile *f, int on_exit)
{
	int pgrp = tty.pgrp;

	tty.sid = tty.pgrp = 0;
	tell_vfs(f, TIOCNOTTY, NULL, 0, 0);
	if (pgrp > 0) {
		signal_pgrp(pgrp, SIGHUP);
		if (!on_exit)
			signal_pgrp(pgrp, SIGCONT);
	}
}

/* A session leader's exit: its terminal is hung up. */
void
lx_tty_exit(struct lproc *p)
{
	if (tty.sid != 0 && p->pid == tty.sid && tty.console != NULL)
		hang_up(tty.console, 1);
}

/* --- job control --- */

/* Linux's will_become_orphaned_pgrp(pgrp, NULL): no member has a parent outside it in its session. */
static int
orphaned(int pgrp)
{
	for (int i = 0; i < LX_NPROC; i++) {
		const struct lproc *p = &lx_procs[i], *q = p->parent;

		if (p->state != LP_ALIVE || p->pgid != pgrp || q == NULL || q->pid == 1)
			continue;
		if (q->pgid != pgrp && q->sid == p->sid)
			return 0;
	}
	return 1;
}

static void
signal_pgrp(int pgrp, int sig)
{
	struct lx_siginfo si;

	memset(&si, 0, sizeof(si));
	si.signo = sig;
	si.code = 0x80;				/* SI_KERNEL, as kill_pgrp(..., 1) */
	for (int i = 0; i < LX_NPROC; i++)
		if (lx_procs[i].state == LP_ALIVE && lx_procs[i].pgid == pgrp)
			lx_signal_send_proc(&lx_procs[i], sig, &si);
}

/*
 * Linux's will_become_orphaned_pgrp(pgrp, ignored) as p's exit leaves
 * it: ignored does not count, and p's children are init's already.
 */
static int
orphaned_after(int pgrp, const struct lproc *ignored, const struct lproc *p)
{
	for (int i = 0; i < LX_NPROC; i++) {
		const struct lproc *q = &lx_procs[i], *up = q->parent;

		if (q->state != LP_ALIVE || q->pgid != pgrp || q == ignored || up == NULL ||
		    up == p || up->pid == 1)
			continue;
		if (up->pgid != pgrp && up->sid == q->sid)
			return 0;
	}
	return 1;
}

static int
has_stopped(int pgrp)
{
	for (int i = 0; i < LX_NPROC; i++)
		if (lx_procs[i].state == LP_ALIVE && lx_procs[i].pgid == pgrp &&
		    lx_procs[i].is_stopped)
			return 1;
	return 0;
}

/* SIGHUP, then SIGCONT, to the group's members but p (which is exiting). */
static void
hup_orphans(int pgrp, const struct lproc *p)
{
	static const int sigs[2] = { SIGHUP, SIGCONT };
	struct lx_siginfo si;

	for (int s = 0; s < 2; s++) {
		memset(&si, 0, sizeof(si));
		si.signo = sigs[s];
		si.code = 0x80;			/* SI_KERNEL: SEND_SIG_PRIV */
		for (int i = 0; i < LX_NPROC; i++)
			if (&lx_procs[i] != p && lx_procs[i].state == LP_ALIVE &&
			    lx_procs[i].pgid == pgrp)
				lx_signal_send_proc(&lx_procs[i], sigs[s], &si);
	}
}

/*
 * p exits (before its children go to init): a process group it leaves
 * orphaned with a stopped member gets SIGHUP and SIGCONT (POSIX; Linux's
 * kill_orphaned_pgrp), its own and its children's.
 */
void
lx_tty_orphans(struct lproc *p)
{
	const struct lproc *up = p->parent;

	for (int i = 0; i < LX_NPROC; i++) {
		const struct lproc *c = &lx_procs[i];

		if (c->state == LP_ALIVE && c->parent == p && c->pgid != p->pgid &&
		    c->sid == p->sid && orphaned_after(c->pgid, NULL, p) && has_stopped(c->pgid))
			hup_orphans(c->pgid, p);
	}
	if (up != NULL && up->pgid != p->pgid && up->sid == p->sid &&
	    orphaned_after(p->pgid, p, p) && has_stopped(p->pgid))
		hup_orphans(p->pgid, p);
}

/*
 * Linux's __tty_check_change(tty, sig): t in a background group of the
 * terminal's session reads (SIGTTIN) or changes it (SIGTTOU). 0: go on;
 * -EIO; or LX_RESTART with sig sent to its group (the call runs again
 * once it is continued in the foreground).
 */
long
lx_tty_jobctl(struct lthread *t, int sig)
{
	struct lproc *p = t->proc;
	int ign;

	if (!has_ctty(p) || tty.pgrp == 0 || p->pgid == tty.pgrp)
		return 0;
	ign = (t->sigmask & (1UL << (sig - 1))) || p->sig->act[sig - 1].handler == SIG_IGN;
	if (ign)
		return sig == SIGTTIN ? -EIO : 0;
	if (orphaned(p->pgid))
		return -EIO;
	signal_pgrp(p->pgid, sig);
	return LX_RESTART;
}

/* A write: SIGTTOU for a background writer only with TOSTOP. */
long
lx_tty_write_check(struct lthread *t)
{
	return (tty.lflag & TOSTOP) ? lx_tty_jobctl(t, SIGTTOU) : 0;
}

/* --- events --- */

int
lx_tty_poll(void)
{
	return (int)tty.events;
}

void
lx_tty_event(const struct ipc_msg *m)
{
	if (m->label == FS_TTY_READY) {
		tty.events = (uint32_t)m->w[0];
		lx_poll_wake();
	} else if (m->label == FS_TTY_SIGNAL && m->w[0] >= 1 && m->w[0] < LX_NSIG &&
	    tty.pgrp > 0) {
		signal_pgrp(tty.pgrp, (int)m->w[0]);
	}
}

/* --- ioctl --- */

/* The argument's bytes: in (copied from the caller), out (copied back). */
static int
arg_sizes(uint32_t req, size_t *in, size_t *out)
{
	*in = *out = 0;
	switch (req) {
	case TCGETS: *out = TERMIOS_SIZE; return 0;
	case TCSETS: case TCSETSW: case TCSETSF: *in = TERMIOS_SIZE; return 0;
	case TIOCGWINSZ: *out = 8; return 0;
	case TIOCSWINSZ: *in = 8; return 0;
	case FIONREAD: case TIOCOUTQ: *out = 4; return 0;
	case TCSBRK: case TCXONC: case TCFLSH: return 0;
	default: return -ENOTTY;
	}
}

static long
done_ioctl(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	uint32_t req = (uint32_t)t->a[1];
	long r = (long)m->w[0];
	size_t in, out;

	if (r < 0)
		return r;
	arg_sizes(req, &in, &out);
	if (out > 0) {
		if (len < out)
			return -EIO;
		if (lx_write(t->proc, t->a[2], data, out) != 0)
			return -EFAULT;
		if (req == TCGETS)
			memcpy(&tty.lflag, (const char *)data + 12, 4);
	}
	if (req == TCSETS || req == TCSETSW || req == TCSETSF) {
		uint32_t lflag;

		if (lx_read(t->proc, t->a[2] + 12, &lflag, 4) == 0)
			tty.lflag = lflag;
	}
	if (req == TIOCSPGRP) {
		int32_t pg;

		if (lx_read(t->proc, t->a[2], &pg, 4) == 0)
			tty.pgrp = pg;
	}
	return r;
}

static int
pgrp_session(int pgrp)
{
	for (int i = 0; i < LX_NPROC; i++)
		if (lx_procs[i].state == LP_ALIVE && lx_procs[i].pgid == pgrp)
			return lx_procs[i].sid;
	return 0;
}

/* The session-side ioctls, answered here (some also tell devtmpfs). */
static long
session_ioctl(struct lthread *t, struct lfile *f, uint32_t req, uint64_t arg)
{
	struct lproc *p = t->proc;
	int32_t v;
	long r;

	switch (req) {
	case TIOCGPGRP:
	case TIOCGSID:
		if (!has_ctty(p))
			return -ENOTTY;
		v = req == TIOCGPGRP ? tty.pgrp : tty.sid;
		return lx_write(p, arg, &v, 4) != 0 ? -EFAULT : 0;
	case TIOCSPGRP:
		if ((r = lx_tty_jobctl(t, SIGTTOU)) != 0)
			return r == -EIO ? -ENOTTY : r;
		if (lx_read(p, arg, &v, 4) != 0)
			return -EFAULT;
		if (v < 0)
			return -EINVAL;
		if (!has_ctty(p))
			return -ENOTTY;
		if ((r = pgrp_session(v)) == 0)
			return -ESRCH;
		if (r != p->sid)
			return -EPERM;
		{
			uint64_t w[6] = { f->vid, TIOCSPGRP, 0, 0, 0, 0 };

			return lx_vfs_send(t, VFS_IOCTL, w, &v, 4, done_ioctl);
		}
	case TIOCSCTTY:
		if (p->pid == p->sid && has_ctty(p))
			return 0;
		if (p->pid != p->sid || tty.sid != 0)
			return -EPERM;		/* stealing (arg 1, root) is not served */
		if ((f->flags & O_ACCMODE) == 1 && p->euid != 0)
			return -EPERM;
		set_ctty(f, p);
		return 0;
	case TIOCNOTTY:
		if (!has_ctty(p))
			return -ENOTTY;
		if (p->pid == p->sid)
			hang_up(f, 0);
		return 0;
	default:
		return -ENOTTY;
	}
}

/* ioctl(fd, req, arg) on the terminal. */
long
lx_tty_ioctl(struct lthread *t, struct lfile *f, const uint64_t *a)
{
	uint32_t req = (uint32_t)a[1];
	uint64_t w[6] = { f->vid, req, a[2], 0, 0, 0 };
	static char arg[TERMIOS_SIZE];
	size_t in, out;
	long r;

	if (arg_sizes(req, &in, &out) != 0)
		return session_ioctl(t, f, req, a[2]);
	/* Changing the terminal from the background: SIGTTOU (Linux's tty_check_change). */
	if ((req == TCSETS || req == TCSETSW || req == TCSETSF || req == TCSBRK ||
	    req == TCXONC || req == TCFLSH) && (r = lx_tty_jobctl(t, SIGTTOU)) != 0)
		return r;
	if (in > 0 && lx_read(t->proc, a[2], arg, in) != 0)
		return -EFAULT;
	return lx_vfs_send(t, VFS_IOCTL, w, arg, in, done_ioctl);
}

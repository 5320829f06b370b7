/*
 * File descriptors: per-process tables (shared by CLONE_FILES) of open
 * files (shared by dup and fork), close-on-exec, and the calls on them.
 *
 * The kinds of file: the console, which a process's first fds 0-2 name
 * when linuxemu runs alone (writes go to the kernel log; there is no
 * input, so a read waits until a signal; in vfs mode they are the
 * terminal, /dev/console through vfs: tty.c); the files of linuxemu's own
 * tree (rootfs.c: /dev, /proc, and everything when there is no vfs);
 * files in vfs (LF_VFS: regular files, directories, and pipes and FIFOs,
 * whose readiness vfs tells us with VFS_READY); and, without vfs, pipes
 * of our own (io.c). Pipes have Linux's semantics either way: 64 KiB,
 * blocking and O_NONBLOCK ends, writes of up to PIPE_BUF bytes never
 * interleaved, EOF when the last writer goes, EPIPE and SIGPIPE when the
 * last reader has gone.
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define O_ACCMODE_	3
#define O_RDWR_		2
#define O_APPEND_	02000
#define O_NONBLOCK_	04000
#define O_CLOEXEC_	02000000
#define ENOTTY_		25

static struct lfile files[LX_NFILE];
static struct lfiles tables[LX_NPROC];

#define PIPE_SIZE	65536		/* 16 pages (io.c) */

struct lfile *
lx_file_new(enum lfile_kind kind, uint32_t flags)
{
	for (int i = 0; i < LX_NFILE; i++)
		if (files[i].refs == 0) {
			files[i].refs = 1;
			files[i].kind = kind;
			files[i].flags = flags;
			files[i].pipe = NULL;
			files[i].vpipe = 0;
			files[i].vino = files[i].vrdev = 0;
			return &files[i];
		}
	return NULL;
}

void
lx_file_put(struct lfile *f)
{
	struct lpipe *pp;

	if (f == NULL || --f->refs > 0)
		return;
	if (f->kind == LF_VFS)
		lx_vfs_close(f);
	if (f->kind == LF_NODE)
		lx_procfs_close(f);	/* a /proc file's text */
	pp = f->pipe;
	f->kind = LF_FREE;
	f->pipe = NULL;
	if (pp != NULL)			/* the other end may wake: EOF, or EPIPE */
		lx_pipe_release(pp, (f->flags & O_ACCMODE_) != 0);
}

static struct lfiles *
table_alloc(void)
{
	for (int i = 0; i < LX_NPROC; i++)
		if (tables[i].refs == 0) {
			memset(&tables[i], 0, sizeof(tables[i]));
			tables[i].refs = 1;
			return &tables[i];
		}
	return NULL;
}

/* The first process's table: 0, 1 and 2 on one console file. */
struct lfiles *
lx_files_new(void)
{
	struct lfiles *t = table_alloc();
	struct lfile *con;

	if (t == NULL || (con = lx_file_new(LF_CONSOLE, O_RDWR_)) == NULL)
		return NULL;
	for (int fd = 0; fd < 3; fd++)
		t->fd[fd] = con;
	con->refs = 3;
	return t;
}

struct lfiles *
lx_files_copy(const struct lfiles *from)
{
	struct lfiles *t = table_alloc();

	if (t == NULL)
		return NULL;
	for (int fd = 0; fd < LX_NOFILE; fd++)
		if ((t->fd[fd] = from->fd[fd]) != NULL) {
			t->fd[fd]->refs++;
			t->cloexec[fd] = from->cloexec[fd];
		}
	return t;
}

void
lx_files_put(struct lfiles *t)
{
	if (t == NULL || --t->refs > 0)
		return;
	for (int fd = 0; fd < LX_NOFILE; fd++) {
		struct lfile *f = t->fd[fd];

		t->fd[fd] = NULL;	/* before the put, which may wake others */
		lx_file_put(f);
	}
	memset(t, 0, sizeof(*t));
}

void
lx_files_exec(struct lfiles *t)
{
	for (int fd = 0; fd < LX_NOFILE; fd++)
		if (t->fd[fd] != NULL && t->cloexec[fd]) {
			struct lfile *f = t->fd[fd];

			t->fd[fd] = NULL;
			t->cloexec[fd] = 0;
			lx_file_put(f);
		}
}

static struct lfile *
fd_get(struct lthread *t, uint64_t fd)
{
	return fd < LX_NOFILE ? t->proc->files->fd[fd] : NULL;
}

struct lfile *
lx_fd_get(struct lthread *t, uint64_t fd)
{
	return fd_get(t, fd);
}

int
lx_fd_is_open(struct lthread *t, uint64_t fd)
{
	return fd_get(t, fd) != NULL;
}

/* The lowest free fd at or above min (under RLIMIT_NOFILE), or -EMFILE. */
static int
fd_alloc(struct lthread *t, uint64_t min)
{
	uint64_t lim = t->proc->rlimit[7][0] < LX_NOFILE ? t->proc->rlimit[7][0] : LX_NOFILE;

	for (uint64_t fd = min; fd < lim; fd++)
		if (t->proc->files->fd[fd] == NULL)
			return (int)fd;
	return -EMFILE;
}

static void
fd_install(struct lthread *t, int fd, struct lfile *f, int cloexec)
{
	struct lfiles *tab = t->proc->files;
	struct lfile *old = tab->fd[fd];

	f->refs++;
	tab->fd[fd] = f;
	tab->cloexec[fd] = (uint8_t)cloexec;
	lx_file_put(old);
}

/* The lowest free fd for f (the table takes its own reference). */
long
lx_fd_open(struct lthread *t, struct lfile *f, int cloexec)
{
	int fd = fd_alloc(t, 0);

	if (fd >= 0)
		fd_install(t, fd, f, cloexec);
	return fd;
}

long
sys_close(struct lthread *t, const uint64_t *a)
{
	struct lfiles *tab = t->proc->files;

	struct lfile *f = fd_get(t, a[0]);

	if (f == NULL)
		return -EBADF;
	/* Out of the table first: the put may wake others, who must not find it. */
	tab->fd[a[0]] = NULL;
	tab->cloexec[a[0]] = 0;
	lx_file_put(f);
	return 0;
}

/* close_range(first, last, flags): CLOSE_RANGE_CLOEXEC (4) marks instead. */
long
sys_close_range(struct lthread *t, const uint64_t *a)
{
	struct lfiles *tab = t->proc->files;

	if ((a[2] & ~6UL) || (uint32_t)a[0] > (uint32_t)a[1])
		return -EINVAL;
	for (uint64_t fd = a[0]; fd <= (uint32_t)a[1] && fd < LX_NOFILE; fd++) {
		if (tab->fd[fd] == NULL)
			continue;
		if (a[2] & 4) {
			tab->cloexec[fd] = 1;
		} else {
			struct lfile *f = tab->fd[fd];

			tab->fd[fd] = NULL;
			tab->cloexec[fd] = 0;
			lx_file_put(f);
		}
	}
	return 0;
}

long
sys_dup(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);
	int fd;

	if (f == NULL)
		return -EBADF;
	if ((fd = fd_alloc(t, 0)) < 0)
		return fd;
	fd_install(t, fd, f, 0);
	return fd;
}

long
sys_dup3(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);

	if (a[2] & ~(uint64_t)O_CLOEXEC_)
		return -EINVAL;
	if (f == NULL)
		return -EBADF;
	if (a[0] == a[1])
		return -EINVAL;
	if (a[1] >= LX_NOFILE || a[1] >= t->proc->rlimit[7][0])
		return -EBADF;
	fd_install(t, (int)a[1], f, (a[2] & O_CLOEXEC_) != 0);
	return (long)a[1];
}

#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC	1030
#define F_SETPIPE_SZ	1031
#define F_GETPIPE_SZ	1032

long
sys_fcntl(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);
	struct lfiles *tab = t->proc->files;
	int fd;

	if (f == NULL)
		return -EBADF;
	switch (a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a[2] >= t->proc->rlimit[7][0] || a[2] >= LX_NOFILE)
			return -EINVAL;
		if ((fd = fd_alloc(t, a[2])) < 0)
			return fd;
		fd_install(t, fd, f, a[1] == F_DUPFD_CLOEXEC);
		return fd;
	case F_GETFD:
		return tab->cloexec[a[0]];
	case F_SETFD:
		tab->cloexec[a[0]] = a[2] & 1;
		return 0;
	case F_GETFL:
		return f->flags;
	case F_GETPIPE_SZ:
		return f->kind == LF_PIPE || f->vpipe != 0 ? PIPE_SIZE : -EBADF;
	case F_SETPIPE_SZ:		/* the size is fixed: larger is refused */
		if (f->kind != LF_PIPE && f->vpipe == 0)
			return -EBADF;
		return a[2] <= PIPE_SIZE ? PIPE_SIZE : -EPERM;
	case F_SETFL:		/* only O_APPEND and O_NONBLOCK change (and O_ASYNC, O_DIRECT, O_NOATIME) */
		if (f->kind == LF_VFS && !(f->flags & 010000000))	/* not O_PATH */
			return lx_vfs_setfl(t, f, a[2]);
		f->flags = (f->flags & ~(uint32_t)(O_APPEND_ | O_NONBLOCK_)) |
		    ((uint32_t)a[2] & (O_APPEND_ | O_NONBLOCK_));
		return 0;
	default:
		return -EINVAL;
	}
}

/* VFS_READY: the ends of vfs's pipe poll thus now. */
void
lx_files_pipe_ready(uint64_t pipe, uint16_t rev, uint16_t wev)
{
	for (int i = 0; i < LX_NFILE; i++)
		if (files[i].refs > 0 && files[i].kind == LF_VFS && files[i].vpipe == pipe) {
			files[i].vrev = rev;
			files[i].vwev = wev;
		}
}

/* Something became readable or writable: every ppoll looks again. */
void
lx_poll_wake(void)
{
	for (int i = 0; i < LX_NTHREAD; i++) {
		struct lthread *t = &lx_threads[i];
		long r;

		if (t->tid == 0 || t->wait != W_POLL)
			continue;
		t->wait = W_NONE;
		r = lx_syscall(t, t->nr, t->a);
		if (r != LX_SUSPEND)
			lx_finish(t, r);
	}
}

#define O_PATH_		010000000
#define S_IFMT_		0170000
#define S_IFDIR_	0040000

/* lseek(fd, offset, whence): files and directories of the tree; pipes and the console cannot. */
long
sys_lseek(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);
	int64_t off = (int64_t)a[1], base;

	if (f == NULL)
		return -EBADF;
	if (lx_tty_is(f))
		return -ESPIPE;		/* a terminal, as Linux's (nonseekable) */
	if (f->kind == LF_VFS)
		return (f->flags & O_PATH_) ? -EBADF : lx_vfs_lseek(t, f, a);
	if (f->kind != LF_NODE)
		return -ESPIPE;
	if (f->node.dev != DEV_NONE)
		return 0;		/* /dev/null and friends: always at 0 */
	switch (a[2]) {
	case 0: base = 0; break;				/* SEEK_SET */
	case 1: base = (int64_t)f->off; break;			/* SEEK_CUR */
	case 2: base = (int64_t)f->node.size; break;		/* SEEK_END */
	default: return -EINVAL;
	}
	if ((f->node.mode & S_IFMT_) == S_IFDIR_ && a[2] != 0)
		return -EINVAL;
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->off = (uint64_t)(base + off);
	return (long)f->off;
}

#define FIONREAD_	0x541b

long
sys_ioctl(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);

	if (f == NULL)
		return -EBADF;
	if (f->kind == LF_PIPE && (uint32_t)a[1] == FIONREAD_)
		return lx_write(t->proc, a[2], &(int32_t){ (int32_t)lx_pipe_bytes(f->pipe) }, 4);
	if (f->kind == LF_VFS && f->vpipe != 0 && (uint32_t)a[1] == FIONREAD_)
		return lx_vfs_fionread(t, f);
	if (lx_tty_is(f))
		return lx_tty_ioctl(t, f, a);	/* tty.c */
	if (f->kind == LF_VFS && (f->vmode & 0170000) == 0060000) {	/* a disk (vfs.c) */
		long r = lx_vfs_blk_ioctl(t, f, a);

		if (r != 1)
			return r;
	}
	return -ENOTTY_;	/* files, pipes, linuxemu's own console and devices */
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

/* A node's stat: the archive's mode and size, root's, time 0 (the archive's mtime). */
long
lx_stat_node(struct lthread *t, const struct lnode *n, uint64_t uva)
{
	struct stat_ st;

	memset(&st, 0, sizeof(st));
	st.dev = n->dev != DEV_NONE || strncmp(n->path, "dev", 3) == 0 ? 6 : 1;
	st.ino = n->ino;
	st.mode = n->mode;
	st.nlink = (n->mode & S_IFMT_) == S_IFDIR_ ? 2 : 1;
	st.rdev = n->rdev;
	st.size = n->dev != DEV_NONE || lx_procfs_is(n->path) ? 0 : (int64_t)n->size;
	st.blksize = 4096;
	st.blocks = (st.size + 511) / 512;
	return lx_write(t->proc, uva, &st, sizeof(st));
}

/* What Linux says of /dev/console, of a pipe, of a node. */
static long
stat_file(struct lthread *t, struct lfile *f, uint64_t uva)
{
	struct stat_ st;

	if (f->kind == LF_NODE)
		return lx_stat_node(t, &f->node, uva);
	memset(&st, 0, sizeof(st));
	if (f->kind == LF_PIPE) {
		st.dev = 0xd;			/* pipefs */
		st.ino = lx_pipe_ino(f->pipe);
		st.mode = 010000 | 0600;	/* S_IFIFO, rw------- */
		st.nlink = 1;
		st.uid = t->proc->euid;
		st.gid = t->proc->egid;
		st.blksize = 4096;
		return lx_write(t->proc, uva, &st, sizeof(st));
	}
	st.dev = 6;			/* devtmpfs */
	st.ino = 5;
	st.mode = 020000 | 0620;	/* S_IFCHR, rw--w---- */
	st.nlink = 1;
	st.gid = 5;			/* tty */
	st.rdev = (5 << 8) | 1;		/* makedev(5, 1) */
	st.blksize = 1024;
	return lx_write(t->proc, uva, &st, sizeof(st));
}

long
sys_fstat(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);

	if (f != NULL && f->kind == LF_VFS)
		return lx_vfs_fstat(t, f);
	return f == NULL ? -EBADF : stat_file(t, f, a[1]);
}


/* --- ppoll --- */

#define POLLIN_		0x001
#define POLLPRI_	0x002
#define POLLOUT_	0x004
#define POLLERR_	0x008
#define POLLHUP_	0x010
#define POLLNVAL_	0x020
#define POLLRDNORM_	0x040
#define POLLWRNORM_	0x100

struct pollfd_ {
	int32_t fd;
	int16_t events, revents;
};

/*
 * What an end of vfs's pipe polls: its bytes and room as vfs last told
 * (VFS_READY, which comes before the answer of the request that moved
 * them), its other end's presence from our own files, which hold every
 * end there is (an exit's closes reach vfs a little later).
 */
static int
pipe_poll(const struct lfile *f)
{
	int readers = 0, writers = 0, r = 0;

	for (int i = 0; i < LX_NFILE; i++)
		if (files[i].refs > 0 && files[i].kind == LF_VFS && files[i].vpipe == f->vpipe) {
			readers += (files[i].flags & O_ACCMODE_) != 1;
			writers += (files[i].flags & O_ACCMODE_) != 0;
		}
	if ((f->flags & O_ACCMODE_) != 1)
		r |= (f->vrev & ~POLLHUP_) | (writers == 0 ? POLLHUP_ : 0);
	if ((f->flags & O_ACCMODE_) != 0)
		r |= (f->vwev & ~POLLERR_) | (readers == 0 ? POLLERR_ : 0);
	return r;
}

/* What fd is ready for now, among events (and the conditions always reported). */
static int16_t
poll_one(struct lthread *t, int32_t fd, int16_t events)
{
	struct lfile *f;
	int16_t r = 0;

	if (fd < 0)
		return 0;
	if ((f = fd_get(t, (uint64_t)fd)) == NULL)
		return POLLNVAL_;
	if (f->kind == LF_PIPE)
		r = (int16_t)lx_pipe_poll(f);
	else if (f->kind == LF_VFS && f->vpipe != 0)
		r = (int16_t)pipe_poll(f);
	else if (lx_tty_is(f))
		r = (int16_t)lx_tty_poll();	/* as devtmpfs told (FS_TTY_READY) */
	else if (f->kind == LF_NODE || f->kind == LF_VFS)	/* files never wait (as Linux) */
		r |= POLLIN_ | POLLRDNORM_ | POLLOUT_ | POLLWRNORM_;
	else
		r |= POLLOUT_ | POLLWRNORM_;	/* the console takes output, gives no input yet */
	return r & (events | POLLERR_ | POLLHUP_ | POLLNVAL_);
}

static struct pollfd_ pfds[LX_NOFILE];

/*
 * ppoll(fds, nfds, timeout, sigmask, sigsetsize). A call that waits is
 * run again whenever a pipe moves (lx_poll_wake) and when its deadline
 * passes; t->io_done marks a call already under way (its deadline and
 * mask are set).
 */
long
sys_ppoll(struct lthread *t, const uint64_t *a)
{
	uint64_t n = a[1], ready = 0;
	int64_t ts[2];
	long r;

	if (n > t->proc->rlimit[7][0] || n > LX_NOFILE)
		return -EINVAL;
	if (n > 0 && (r = lx_read(t->proc, a[0], pfds, n * sizeof(pfds[0]))) != 0)
		return r;
	if (t->io_done == 0) {
		t->deadline = 0;
		if (a[2] != 0) {
			if ((r = lx_read(t->proc, a[2], ts, sizeof(ts))) != 0)
				return r;
			if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
				return -EINVAL;
			t->deadline = clock_get() + (uint64_t)ts[0] * 1000000000 + (uint64_t)ts[1];
		}
		if (a[3] != 0) {
			uint64_t mask;

			if (a[4] != 8)
				return -EINVAL;
			if ((r = lx_read(t->proc, a[3], &mask, 8)) != 0)
				return r;
			t->saved_mask = t->sigmask;
			t->has_saved_mask = 1;
			t->sigmask = mask & ~((1UL << 8) | (1UL << 18));	/* never SIGKILL, SIGSTOP */
		}
		t->io_done = 1;
	}
	for (uint64_t i = 0; i < n; i++) {
		pfds[i].revents = poll_one(t, pfds[i].fd, pfds[i].events);
		ready += pfds[i].revents != 0;
	}
	/* Nothing ready: a signal the (new) mask lets through ends it, as Linux's do_poll. */
	if (ready == 0 && lx_signal_pending(t))
		return -EINTR;
	if (ready > 0 || (a[2] != 0 && clock_get() >= t->deadline)) {
		if (n > 0 && (r = lx_write(t->proc, a[0], pfds, n * sizeof(pfds[0]))) != 0)
			return r;
		return (long)ready;
	}
	t->wait = W_POLL;
	lx_timer_update();
	return LX_SUSPEND;
}

/* --- pselect6 --- */

#define FDSET_WORDS	(LX_NOFILE / 64)
#define SELECT_IN	(POLLIN_ | POLLRDNORM_ | POLLHUP_ | POLLERR_)
#define SELECT_OUT	(POLLOUT_ | POLLWRNORM_ | POLLERR_)
#define SELECT_EX	POLLPRI_

static uint64_t sets[3][FDSET_WORDS], ready_sets[3][FDSET_WORDS];

/* Writes back the remaining time, as Linux's pselect6 does. */
static long
select_time_left(struct lthread *t, uint64_t uts)
{
	uint64_t now = clock_get(), left = t->deadline > now ? t->deadline - now : 0;
	int64_t ts[2] = { (int64_t)(left / 1000000000), (int64_t)(left % 1000000000) };

	return uts != 0 && lx_write(t->proc, uts, ts, sizeof(ts)) != 0 ? -EFAULT : 0;
}

/*
 * pselect6(nfds, readfds, writefds, exceptfds, timeout, {sigmask, size}):
 * ppoll's machinery (run again when a pipe moves or the deadline
 * passes) over fd_sets.
 */
long
sys_pselect6(struct lthread *t, const uint64_t *a)
{
	int64_t nfds = (int64_t)a[0];
	uint64_t words, count = 0;
	long r;

	if (nfds < 0 || (int)a[0] < 0)
		return -EINVAL;
	if (nfds > LX_NOFILE)
		nfds = LX_NOFILE;		/* Linux clips to its table */
	words = ((uint64_t)nfds + 63) / 64;
	memset(sets, 0, sizeof(sets));
	for (int s = 0; s < 3; s++)
		if (a[1 + s] != 0 && words > 0 &&
		    (r = lx_read(t->proc, a[1 + s], sets[s], ((uint64_t)nfds + 7) / 8)) != 0)
			return r;
	if (t->io_done == 0) {
		int64_t ts[2];

		t->deadline = 0;
		if (a[4] != 0) {
			if ((r = lx_read(t->proc, a[4], ts, sizeof(ts))) != 0)
				return r;
			if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
				return -EINVAL;
			t->deadline = clock_get() + (uint64_t)ts[0] * 1000000000 + (uint64_t)ts[1];
		}
		if (a[5] != 0) {
			uint64_t sm[2], mask;

			if ((r = lx_read(t->proc, a[5], sm, sizeof(sm))) != 0)
				return r;
			if (sm[0] != 0) {
				if (sm[1] != 8)
					return -EINVAL;
				if ((r = lx_read(t->proc, sm[0], &mask, 8)) != 0)
					return r;
				t->saved_mask = t->sigmask;
				t->has_saved_mask = 1;
				t->sigmask = mask & ~((1UL << 8) | (1UL << 18));
			}
		}
		t->io_done = 1;
	}
	memset(ready_sets, 0, sizeof(ready_sets));
	for (int64_t fd = 0; fd < nfds; fd++) {
		uint64_t bit = 1UL << (fd % 64);
		int want = 0;
		int16_t rev;

		for (int s = 0; s < 3; s++)
			want |= (sets[s][fd / 64] & bit) ? 1 << s : 0;
		if (want == 0)
			continue;
		rev = poll_one(t, (int32_t)fd, SELECT_IN | SELECT_OUT | SELECT_EX);
		if (rev & POLLNVAL_)
			return -EBADF;
		if ((want & 1) && (rev & SELECT_IN))
			ready_sets[0][fd / 64] |= bit, count++;
		if ((want & 2) && (rev & SELECT_OUT))
			ready_sets[1][fd / 64] |= bit, count++;
		if ((want & 4) && (rev & SELECT_EX))
			ready_sets[2][fd / 64] |= bit, count++;
	}
	if (count == 0 && lx_signal_pending(t))
		return -EINTR;
	if (count > 0 || (a[4] != 0 && clock_get() >= t->deadline)) {
		for (int s = 0; s < 3; s++)
			if (a[1 + s] != 0 && nfds > 0 &&
			    (r = lx_write(t->proc, a[1 + s], ready_sets[s], ((uint64_t)nfds + 7) / 8)) != 0)
				return r;
		if ((r = select_time_left(t, a[4])) != 0)
			return r;
		return (long)count;
	}
	t->wait = W_POLL;
	lx_timer_update();
	return LX_SUSPEND;
}

/*
 * Reading and writing: read, write, readv, writev, pread64, pwrite64,
 * preadv, pwritev on every kind of file, and pipes.
 *
 * A request's user memory is one buffer or an iovec list (struct io);
 * copies stop at the first bad address, and what was done before it
 * counts, as in Linux (-EFAULT only when nothing was).
 *
 * Pipes are vfs's (servers/vfs/pipe.c) when linuxemu runs under init:
 * a read or write on one is a vfs request like a file's, which vfs may
 * answer later; a signal cancels it (VFS_CANCEL). Alone (lichen.init=
 * linuxemu) linuxemu keeps its own, on the same ring (pipe_ring.c, Linux's
 * 16 page slots): a blocked read or write keeps its token and is run
 * again when the other end moves (pipe_wake); a write that blocks
 * part-way remembers what went in (t->io_done).
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/proto/vfs.h>
#include <lichen/string.h>

#include "../vfs/pipe_ring.h"
#include "linuxemu.h"

#define O_ACCMODE_	3
#define O_NONBLOCK_	04000
#define O_CLOEXEC_	02000000
#define O_DIRECT_	0200000		/* arm64's value */
#define O_PATH_		010000000
#define S_IFMT_		0170000
#define S_IFDIR_	0040000
#define ENOSPC_		28
#define IOV_MAX_	1024


struct iovec_ {
	uint64_t base, len;
};

/* The user memory of one request. */
struct io {
	struct lthread *t;
	uint64_t uva, len;		/* one buffer (niov 0) */
	const struct iovec_ *iov;
	int niov;
	uint64_t total;
};

/*
 * Copy n bytes between kbuf and the request's memory at offset off (into
 * it if out): the bytes done, which is less than n only at a bad address
 * (then -EFAULT if none).
 */
static long
io_copy(struct io *io, uint64_t off, void *kbuf, uint64_t n, int out)
{
	uint64_t done = 0, at = 0;

	if (io->niov == 0) {
		long r = out ? lx_write(io->t->proc, io->uva + off, kbuf, n) :
		    lx_read(io->t->proc, io->uva + off, kbuf, n);

		if (r == 0)
			return (long)n;
		/* Find how much precedes the bad address, a page at a time. */
		while (done < n) {
			uint64_t k = PAGE - ((io->uva + off + done) & (PAGE - 1));

			if (k > n - done)
				k = n - done;
			r = out ? lx_write(io->t->proc, io->uva + off + done, (char *)kbuf + done, k) :
			    lx_read(io->t->proc, io->uva + off + done, (char *)kbuf + done, k);
			if (r != 0)
				break;
			done += k;
		}
		return done > 0 ? (long)done : -EFAULT;
	}
	for (int i = 0; i < io->niov && done < n; i++) {
		uint64_t len = io->iov[i].len, skip, k;
		struct io one = { io->t, io->iov[i].base, len, NULL, 0, len };
		long r;

		if (at + len <= off) {
			at += len;
			continue;
		}
		skip = off > at ? off - at : 0;
		k = len - skip < n - done ? len - skip : n - done;
		r = io_copy(&one, skip, (char *)kbuf + done, k, out);
		if (r < 0)
			break;
		done += (uint64_t)r;
		if ((uint64_t)r < k)
			break;
		at += len;
	}
	return done > 0 ? (long)done : -EFAULT;
}

/* Of the request's first n bytes, how many its memory can take (a pipe read asks no more). */
static uint64_t
io_writable(struct io *io, uint64_t n)
{
	uint64_t done = 0;

	if (io->niov == 0)
		return lx_mm_writable(io->t->proc->mm, io->uva, n);
	for (int i = 0; i < io->niov && done < n; i++) {
		uint64_t k = io->iov[i].len < n - done ? io->iov[i].len : n - done;
		uint64_t w = lx_mm_writable(io->t->proc->mm, io->iov[i].base, k);

		done += w;
		if (w < k)
			break;
	}
	return done;
}

/* --- the console and the root's nodes --- */

static uint8_t chunk[65536];

static long
console_write(struct io *io)
{
	uint64_t done = 0;

	while (done < io->total) {
		uint64_t n = io->total - done < sizeof(chunk) ? io->total - done : sizeof(chunk);
		long r = io_copy(io, done, chunk, n, 0);

		if (r < 0)
			return done > 0 ? (long)done : r;
		log_write((const char *)chunk, (uint64_t)r);
		done += (uint64_t)r;
		if ((uint64_t)r < n)
			break;
	}
	return (long)done;
}

/* A node's bytes from off (the archive's files; /dev/zero and /dev/full read zeros). */
static long
node_read(struct io *io, const struct lnode *n, uint64_t off)
{
	uint64_t len = io->total, done = 0;

	if ((n->mode & S_IFMT_) == S_IFDIR_)
		return -EISDIR;
	switch (n->dev) {
	case DEV_NULL:
		return 0;
	case DEV_STRACE:		/* "0\n" or "1\n" */
		if (off >= 2)
			return 0;
		return io_copy(io, 0, (char *)(lx_strace ? "1\n" : "0\n") + off,
		    len < 2 - off ? len : 2 - off, 1);
	case DEV_ZERO:
	case DEV_FULL:
		memset(chunk, 0, sizeof(chunk));
		while (done < len) {
			uint64_t k = len - done < sizeof(chunk) ? len - done : sizeof(chunk);
			long r = io_copy(io, done, chunk, k, 1);

			if (r < 0)
				return done > 0 ? (long)done : r;
			done += (uint64_t)r;
			if ((uint64_t)r < k)
				break;
		}
		return (long)done;
	default:
		if (off >= n->size)
			return 0;
		if (len > n->size - off)
			len = n->size - off;
		return io_copy(io, 0, (char *)n->data + off, len, 1);
	}
}

static long
node_write(struct io *io, const struct lnode *n)
{
	switch (n->dev) {
	case DEV_NULL:
	case DEV_ZERO:
		return (long)io->total;
	case DEV_STRACE: {		/* "1" turns tracing on, "0" off */
		char c;

		if (io->total == 0)
			return 0;
		if (io_copy(io, 0, &c, 1, 0) != 1)
			return -EFAULT;
		if (c != '0' && c != '1')
			return -EINVAL;
		lx_strace = c == '1';
		return (long)io->total;
	}
	case DEV_FULL:
		return -ENOSPC_;
	default:
		return -EBADF;		/* the archive is read-only: never opened for writing */
	}
}

/* --- pipes (without vfs: lichen.init=linuxemu; vfs's pipe.c otherwise) --- */

struct lpipe {
	int readers, writers;		/* open read and write ends */
	uint64_t ino;
	struct pipe_ring ring;		/* vfs's pipe_ring.c: Linux's 16 page slots */
};

#define LX_NPIPE	32

static struct lpipe pipes[LX_NPIPE];
static uint64_t next_pipe_ino = 1000;

/* Run again the blocked reads and writes on pp: the other end moved. */
static void
pipe_wake(struct lpipe *pp)
{
	for (int i = 0; i < LX_NTHREAD; i++) {
		struct lthread *t = &lx_threads[i];
		long r;

		if (t->tid == 0 || t->wait_obj != pp || (t->wait != W_READ && t->wait != W_WRITE))
			continue;
		t->wait = W_NONE;
		t->wait_obj = NULL;
		r = lx_syscall(t, t->nr, t->a);
		if (r != LX_SUSPEND)
			lx_finish(t, r);
	}
	lx_poll_wake();
}

static long
block_on(struct lthread *t, struct lpipe *pp, enum lwait w)
{
	t->wait = w;
	t->wait_obj = pp;
	return LX_SUSPEND;
}

/* pipe_ring's copies: to and from the request's user memory. */
static long
ring_out(void *ctx, uint64_t off, void *buf, size_t n)
{
	return io_copy(ctx, off, buf, n, 1);
}

static long
ring_in(void *ctx, uint64_t off, void *buf, size_t n)
{
	return io_copy(ctx, off, buf, n, 0);
}

static long
pipe_read(struct io *io, struct lfile *f)
{
	struct lpipe *pp = f->pipe;
	long r;

	if (io->total == 0)
		return 0;
	if (pipe_ring_empty(&pp->ring)) {
		if (pp->writers == 0)
			return 0;		/* end of file */
		if (f->flags & O_NONBLOCK_)
			return -EAGAIN;
		return block_on(io->t, pp, W_READ);
	}
	if ((r = pipe_ring_read(&pp->ring, io->total, ring_out, io)) <= 0)
		return -EFAULT;		/* nothing taken */
	pipe_wake(pp);
	return r;
}

static void
sigpipe(struct lthread *t)
{
	struct lx_siginfo si;

	memset(&si, 0, sizeof(si));
	si.signo = 13;			/* SIGPIPE, as send_sig from the writer itself */
	si.u.kill.pid = t->proc->pid;
	si.u.kill.uid = t->proc->uid;
	lx_signal_send_thread(t, 13, &si);
}

/* A write that blocks part-way remembers what went in (t->io_done). */
static long
pipe_write(struct io *io, struct lfile *f)
{
	struct lthread *t = io->t;
	struct lpipe *pp = f->pipe;
	size_t done = t->io_done;
	enum pipe_write_result res;

	if (io->total == 0)
		return 0;
	if (pp->readers == 0) {
		sigpipe(t);
		return t->io_done > 0 ? (long)t->io_done : -EPIPE;
	}
	/* Readers woken by what went in may make room at once: go on while they do. */
	do {
		res = pipe_ring_write(&pp->ring, io->total, &done, ring_in, io);
		if (done == t->io_done)
			break;
		t->io_done = done;
		pipe_wake(pp);
	} while (res == PIPE_FULL && !pipe_ring_full(&pp->ring) && pp->readers > 0);
	if (res == PIPE_FULL && !(f->flags & O_NONBLOCK_))
		return block_on(t, pp, W_WRITE);
	if (t->io_done > 0)
		return (long)t->io_done;
	return res == PIPE_FULL ? -EAGAIN : res == PIPE_FAULT ? -EFAULT : 0;
}

/* An end of pp closes (fd.c, when its last reference goes). */
void
lx_pipe_release(struct lpipe *pp, int writer)
{
	if (writer)
		pp->writers--;
	else
		pp->readers--;
	pipe_wake(pp);
}

uint64_t
lx_pipe_bytes(const struct lpipe *pp)
{
	return pipe_ring_bytes(&pp->ring);
}

uint64_t
lx_pipe_ino(const struct lpipe *pp)
{
	return pp->ino;
}

/* ppoll's view of one end: POLLIN/POLLHUP for readers, POLLOUT/POLLERR for writers. */
int
lx_pipe_poll(const struct lfile *f)
{
	const struct lpipe *pp = f->pipe;

	if ((f->flags & O_ACCMODE_) == 0)
		return (!pipe_ring_empty(&pp->ring) ? 0x041 : 0) | (pp->writers == 0 ? 0x010 : 0);
	return (!pipe_ring_full(&pp->ring) ? 0x104 : 0) | (pp->readers == 0 ? 0x008 : 0);
}

/* pipe2(fds, flags) */
long
sys_pipe2(struct lthread *t, const uint64_t *a)
{
	struct lpipe *pp = NULL;
	struct lfile *r, *w;
	int32_t fds[2];
	long e;

	if (lx_vfs != HANDLE_NONE)
		return lx_vfs_pipe(t, a);	/* pipes are vfs's */
	if (a[1] & ~(uint64_t)(O_CLOEXEC_ | O_NONBLOCK_ | O_DIRECT_))
		return -EINVAL;
	for (int i = 0; i < LX_NPIPE && pp == NULL; i++)
		if (pipes[i].readers == 0 && pipes[i].writers == 0)
			pp = &pipes[i];
	if (pp == NULL)
		return -ENFILE;
	if ((r = lx_file_new(LF_PIPE, (uint32_t)(a[1] & O_NONBLOCK_))) == NULL)
		return -ENFILE;
	if ((w = lx_file_new(LF_PIPE, 1 | (uint32_t)(a[1] & O_NONBLOCK_))) == NULL) {
		lx_file_put(r);
		return -ENFILE;
	}
	pp->readers = pp->writers = 1;
	pipe_ring_init(&pp->ring);
	pp->ino = next_pipe_ino++;
	r->pipe = w->pipe = pp;
	fds[0] = (int32_t)lx_fd_open(t, r, (a[1] & O_CLOEXEC_) != 0);
	fds[1] = fds[0] < 0 ? fds[0] : (int32_t)lx_fd_open(t, w, (a[1] & O_CLOEXEC_) != 0);
	e = fds[0] < 0 ? fds[0] : fds[1];
	if (fds[1] >= 0 && lx_write(t->proc, a[0], fds, sizeof(fds)) != 0)
		e = -EFAULT;
	if (e < 0) {			/* nothing stays open */
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				sys_close(t, (uint64_t[]){ (uint64_t)fds[i] });
	}
	lx_file_put(r);			/* the table holds them now, or nobody does */
	lx_file_put(w);
	return e < 0 ? e : 0;
}

/* --- files in vfs: a piece of at most IPC_BUF_MAX per request --- */

static long io_vector(struct lthread *t, uint64_t uva, uint64_t n, struct io *io);

#define VFS_PIECE	65536UL
#define OFF_CURRENT	UINT64_MAX

static char piece[VFS_PIECE];

/* The request t is in, again: its memory and (pread & co.) its offset. */
static long
io_again(struct lthread *t, struct io *io, uint64_t *off)
{
	int vec = t->nr == 65 || t->nr == 66 || t->nr == 69 || t->nr == 70;

	*off = t->nr >= 67 && t->nr <= 70 ? t->a[3] : OFF_CURRENT;
	if (vec)
		return io_vector(t, t->a[1], t->a[2], io);
	memset(io, 0, sizeof(*io));
	io->t = t;
	io->uva = t->a[1];
	io->len = io->total = t->a[2];
	return 0;
}

static long vfs_piece(struct lthread *t, struct lfile *f, int writing);

/* /dev/null, zero, full, random, urandom... (devtmpfs's, major 1). */
static int
mem_device(const struct lfile *f)
{
	return (f->vmode & 0170000) == 0020000 && (f->vrdev >> 8) == 1;
}

static long
vfs_piece_done(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	int writing = t->nr == 64 || t->nr == 66 || t->nr == 68 || t->nr == 70;
	struct lfile *f = lx_fd_get(t, t->a[0]);
	uint64_t asked = (uint64_t)t->wait_obj, got;
	long r = (long)m->w[0];
	struct io io;
	uint64_t off;

	t->wait_obj = NULL;
	if (writing && (m->w[1] & VFS_EPIPE))
		sigpipe(t);			/* the pipe's readers are gone */
	if (r == -EINTR && t->io_done == 0)
		return LX_RESTART;		/* a pipe's or terminal's wait, interrupted by a signal */
	if (r < 0)
		return t->io_done > 0 ? (long)t->io_done : r;
	got = (uint64_t)r;
	if (!writing) {
		long c;

		if (got > len)
			got = len;
		if (io_again(t, &io, &off) != 0)
			return -EFAULT;
		c = io_copy(&io, t->io_done, (void *)data, got, 1);
		if (c < 0)
			return t->io_done > 0 ? (long)t->io_done : c;
		t->io_done += (uint64_t)c;
		if ((uint64_t)c < got)
			return (long)t->io_done;
	} else {
		t->io_done += got;
	}
	/*
	 * A whole piece of a longer request: the next one, on a regular file,
	 * a memory device (major 1: /dev/zero, /dev/urandom... give all that
	 * is asked), and a pipe's, terminal's or device's write (which goes
	 * on until all is in, as Linux's).
	 */
	if (got == asked && f != NULL && f->kind == LF_VFS &&
	    ((f->vmode & 0170000) == 0100000 || mem_device(f) ||
	    (writing && (f->vpipe != 0 || (f->vmode & 0170000) == 0020000))) &&
	    io_again(t, &io, &off) == 0 && t->io_done < io.total)
		return vfs_piece(t, f, writing);
	return (long)t->io_done;
}

static long
vfs_piece(struct lthread *t, struct lfile *f, int writing)
{
	struct io io;
	uint64_t off, n;
	long r;

	if ((r = io_again(t, &io, &off)) != 0)
		return r;
	n = io.total - t->io_done < VFS_PIECE ? io.total - t->io_done : VFS_PIECE;
	if (off != OFF_CURRENT)
		off += t->io_done;
	if (!writing && (f->vpipe != 0 || lx_tty_is(f)) && (n = io_writable(&io, n)) == 0)
		return -EFAULT;			/* a pipe's or terminal's bytes are not taken for nothing */
	if (writing) {
		long c = io_copy(&io, t->io_done, piece, n, 0);

		if (c <= 0)
			return t->io_done > 0 ? (long)t->io_done : (c < 0 ? c : -EFAULT);
		n = (uint64_t)c;
	}
	t->wait_obj = (void *)n;
	r = lx_vfs_io(t, f, writing, off, piece, n, vfs_piece_done);
	if (r != LX_SUSPEND && t->io_done > 0)
		return (long)t->io_done;
	return r;
}

static long
vfs_rw(struct io *io, struct lfile *f, int writing)
{
	if ((f->vmode & 0170000) == S_IFDIR_ && !writing)
		return -EISDIR;
	if (io->total == 0)
		return 0;
	io->t->io_done = 0;
	return vfs_piece(io->t, f, writing);
}

/* --- the calls --- */

static long
file_write(struct io *io, struct lfile *f)
{
	long r;

	if ((f->flags & O_ACCMODE_) == 0 || (f->flags & O_PATH_))
		return -EBADF;
	if (f->kind == LF_PIPE)
		return pipe_write(io, f);
	if (f->kind == LF_NODE)
		return node_write(io, &f->node);
	if (lx_tty_is(f) && (r = lx_tty_write_check(io->t)) != 0)
		return r;		/* TOSTOP: SIGTTOU for a background writer */
	if (f->kind == LF_VFS)
		return vfs_rw(io, f, 1);
	return console_write(io);
}

static long
file_read(struct io *io, struct lfile *f)
{
	long r;

	if ((f->flags & O_ACCMODE_) == 1 || (f->flags & O_PATH_))
		return -EBADF;
	if (f->kind == LF_PIPE)
		return pipe_read(io, f);
	if (lx_tty_is(f) && (r = lx_tty_jobctl(io->t, 21)) != 0)
		return r;		/* SIGTTIN for a background reader */
	if (f->kind == LF_VFS)
		return vfs_rw(io, f, 0);
	if (f->kind == LF_NODE) {
		if ((r = node_read(io, &f->node, f->off)) > 0)
			f->off += (uint64_t)r;
		return r;
	}
	if (io->total == 0)
		return 0;
	if (f->flags & O_NONBLOCK_)
		return -EAGAIN;
	io->t->wait = W_READ;	/* no console input yet: until a signal */
	return LX_SUSPEND;
}

static struct iovec_ iovs[IOV_MAX_];

/* The iovec list at uva (n entries) as a request: -EINVAL for a bad count or length. */
static long
io_vector(struct lthread *t, uint64_t uva, uint64_t n, struct io *io)
{
	long r;

	if (n > IOV_MAX_)
		return -EINVAL;
	memset(io, 0, sizeof(*io));
	io->t = t;
	io->iov = iovs;
	io->niov = (int)n;
	if (n > 0 && (r = lx_read(t->proc, uva, iovs, n * sizeof(iovs[0]))) != 0)
		return r;
	for (uint64_t i = 0; i < n; i++) {
		if ((int64_t)iovs[i].len < 0 || io->total + iovs[i].len > INT64_MAX)
			return -EINVAL;
		io->total += iovs[i].len;
	}
	return 0;
}

long
sys_write(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = lx_fd_get(t, a[0]);
	struct io io = { t, a[1], a[2], NULL, 0, a[2] };

	return f == NULL ? -EBADF : file_write(&io, f);
}

long
sys_read(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = lx_fd_get(t, a[0]);
	struct io io = { t, a[1], a[2], NULL, 0, a[2] };

	return f == NULL ? -EBADF : file_read(&io, f);
}

/* readv, writev: the iovec list as one request. */
static long
vector(struct lthread *t, const uint64_t *a, int writing)
{
	struct lfile *f = lx_fd_get(t, a[0]);
	struct io io;
	long r;

	if (f == NULL)
		return -EBADF;
	if ((r = io_vector(t, a[1], a[2], &io)) != 0)
		return r;
	return writing ? file_write(&io, f) : file_read(&io, f);
}

long sys_writev(struct lthread *t, const uint64_t *a) { return vector(t, a, 1); }
long sys_readv(struct lthread *t, const uint64_t *a) { return vector(t, a, 0); }

/* pread64, pwrite64 (fd, buf, len, pos); preadv, pwritev (fd, iov, n, pos): at pos, no seek. */
static long
positioned(struct lthread *t, const uint64_t *a, int vector, int writing)
{
	struct lfile *f = lx_fd_get(t, a[0]);
	struct io io = { t, a[1], a[2], NULL, 0, a[2] };
	long r;

	if (f == NULL)
		return -EBADF;
	if (vector && (r = io_vector(t, a[1], a[2], &io)) != 0)
		return r;
	if ((f->kind != LF_NODE && f->kind != LF_VFS) || lx_tty_is(f))
		return -ESPIPE;
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	if (f->kind == LF_VFS) {
		if ((f->flags & O_PATH_) || (f->flags & O_ACCMODE_) == (writing ? 0 : 1))
			return -EBADF;
		return vfs_rw(&io, f, writing);
	}
	if (writing)
		return (f->flags & O_ACCMODE_) == 0 ? -EBADF : node_write(&io, &f->node);
	if ((f->flags & O_ACCMODE_) == 1)
		return -EBADF;
	return node_read(&io, &f->node, a[3]);
}

long sys_pread64(struct lthread *t, const uint64_t *a) { return positioned(t, a, 0, 0); }
long sys_pwrite64(struct lthread *t, const uint64_t *a) { return positioned(t, a, 0, 1); }
long sys_preadv(struct lthread *t, const uint64_t *a) { return positioned(t, a, 1, 0); }
long sys_pwritev(struct lthread *t, const uint64_t *a) { return positioned(t, a, 1, 1); }

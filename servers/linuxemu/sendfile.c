/*
 * sendfile(out_fd, in_fd, offset, count): bytes from a regular file to
 * any file, in pieces of 64 KiB through linuxemu: each piece is read from
 * in_fd at an explicit position (vfs, or the archive's bytes) and written
 * to out_fd as a write(2) would (vfs's files and pipes, the console,
 * /dev/null...). in_fd's position moves by what was written, as Linux's:
 * *offset when it is given (the file's own position untouched), else the
 * file's, set once at the end.
 *
 * The thread's state between answers: io_done (bytes written), sf_pos
 * (where in in_fd the call started), sf_count, sf_piece (the piece in
 * flight), sf_result (the answer while the final seek goes).
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/proto/vfs.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define O_ACCMODE_	3
#define O_WRONLY_	1
#define O_RDONLY_	0
#define O_APPEND_	02000
#define O_PATH_		010000000
#define S_IFMT_		0170000
#define S_IFREG_	0100000
#define SF_PIECE	65536UL
#define MAX_RW_COUNT	0x7ffff000UL	/* Linux's INT_MAX & PAGE_MASK */
#define SIGPIPE_	13

static long sf_next(struct lthread *t);

static int
regular(const struct lfile *f)
{
	if (f->kind == LF_NODE)
		return f->node.dev == DEV_NONE && (f->node.mode & S_IFMT_) == S_IFREG_;
	return f->kind == LF_VFS && (f->vmode & S_IFMT_) == S_IFREG_;
}

static long
sf_seeked(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	(void)m;
	(void)data;
	(void)len;
	return t->sf_result;
}

/* The answer: bytes written (err if none), with in_fd's position moved by them. */
static long
sf_finish(struct lthread *t, long err)
{
	uint64_t end = t->sf_pos + t->io_done;
	long r = t->io_done > 0 ? (long)t->io_done : err;
	struct lfile *in;

	if (t->io_done == 0)
		return r;
	if (t->a[2] != 0) {
		int64_t o = (int64_t)end;

		return lx_write(t->proc, t->a[2], &o, sizeof(o)) != 0 ? -EFAULT : r;
	}
	if ((in = lx_fd_get(t, t->a[1])) == NULL)
		return r;			/* closed meanwhile by another thread */
	if (in->kind == LF_NODE) {
		in->off = end;
		return r;
	}
	t->sf_result = r;
	{
		uint64_t w[6] = { in->vid, end, 0, 0, 0, 0 };	/* SEEK_SET */
		long s = lx_vfs_send(t, VFS_SEEK, w, NULL, 0, sf_seeked);

		return s == LX_SUSPEND ? s : r;
	}
}

static long
sf_advance(struct lthread *t, uint64_t wrote)
{
	t->io_done += wrote;
	if (wrote < t->sf_piece || t->io_done >= t->sf_count)
		return sf_finish(t, 0);
	return sf_next(t);
}

static long
sf_written(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	long r = (long)m->w[0];

	(void)data;
	(void)len;
	if (m->w[1] & VFS_EPIPE) {		/* the pipe's readers are gone */
		struct lx_siginfo si;

		memset(&si, 0, sizeof(si));
		si.signo = SIGPIPE_;
		si.u.kill.pid = t->proc->pid;
		si.u.kill.uid = t->proc->uid;
		lx_signal_send_thread(t, SIGPIPE_, &si);
	}
	if (r == -EINTR)
		return sf_finish(t, LX_RESTART);
	if (r < 0)
		return sf_finish(t, r);
	return sf_advance(t, (uint64_t)r);
}

/* One piece, in linuxemu's memory, to out_fd. */
static long
sf_write(struct lthread *t, const void *data, uint64_t n)
{
	struct lfile *out = lx_fd_get(t, t->a[0]);
	long r;

	t->sf_piece = n;
	if (out == NULL)
		return sf_finish(t, -EBADF);
	switch (out->kind) {
	case LF_VFS:
		r = lx_vfs_io(t, out, 1, VFS_OFF_CURRENT, data, n, sf_written);
		return r == LX_SUSPEND ? r : sf_finish(t, r);
	case LF_CONSOLE:
		log_write(data, n);
		return sf_advance(t, n);
	case LF_NODE:
		if (out->node.dev == DEV_NULL || out->node.dev == DEV_ZERO)
			return sf_advance(t, n);
		return sf_finish(t, out->node.dev == DEV_FULL ? -ENOSPC : -EINVAL);
	default:
		return sf_finish(t, -EINVAL);	/* linuxemu's own pipes (no vfs) */
	}
}

static long
sf_read(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	long r = (long)m->w[0];

	if (r < 0)
		return sf_finish(t, r);
	if (r == 0)
		return sf_finish(t, 0);		/* the end of in_fd */
	return sf_write(t, data, (uint64_t)r < len ? (uint64_t)r : len);
}

/* The next piece from in_fd. */
static long
sf_next(struct lthread *t)
{
	struct lfile *in = lx_fd_get(t, t->a[1]);
	uint64_t n = t->sf_count - t->io_done < SF_PIECE ? t->sf_count - t->io_done : SF_PIECE;
	uint64_t at = t->sf_pos + t->io_done;
	long r;

	if (in == NULL)
		return sf_finish(t, -EBADF);
	if (in->kind == LF_NODE) {
		if (at >= in->node.size)
			return sf_finish(t, 0);
		if (n > in->node.size - at)
			n = in->node.size - at;
		return sf_write(t, (const char *)in->node.data + at, n);
	}
	t->sf_piece = n;
	r = lx_vfs_io(t, in, 0, at, NULL, n, sf_read);
	return r == LX_SUSPEND ? r : sf_finish(t, r);
}

static long
sf_started(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	(void)data;
	(void)len;
	if ((long)m->w[0] < 0)
		return (long)m->w[0];
	t->sf_pos = m->w[0];
	return sf_next(t);
}

long
sys_sendfile(struct lthread *t, const uint64_t *a)
{
	struct lfile *in = lx_fd_get(t, a[1]), *out = lx_fd_get(t, a[0]);
	int64_t o;

	if (in == NULL || out == NULL || (in->flags & O_PATH_) || (out->flags & O_PATH_) ||
	    (in->flags & O_ACCMODE_) == O_WRONLY_ || (out->flags & O_ACCMODE_) == O_RDONLY_)
		return -EBADF;
	if (!regular(in) || (out->flags & O_APPEND_))
		return -EINVAL;
	t->io_done = 0;
	t->sf_count = a[3] < MAX_RW_COUNT ? a[3] : MAX_RW_COUNT;
	if (a[2] != 0) {
		if (lx_read(t->proc, a[2], &o, sizeof(o)) != 0)
			return -EFAULT;
		if (o < 0)
			return -EINVAL;
		t->sf_pos = (uint64_t)o;
	}
	if (t->sf_count == 0)
		return 0;
	if (a[2] != 0)
		return sf_next(t);
	if (in->kind == LF_NODE) {
		t->sf_pos = in->off;
		return sf_next(t);
	}
	{
		uint64_t w[6] = { in->vid, 0, 1, 0, 0, 0 };	/* SEEK_CUR: where it is */

		return lx_vfs_send(t, VFS_SEEK, w, NULL, 0, sf_started);
	}
}

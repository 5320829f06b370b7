/*
 * Device files: the character and block devices of a devtmpfs mount
 * (docs/devtmpfs.md).
 *
 * A device's read or write is passed on as it is, with the open file's
 * O_NONBLOCK as FS_IO_NONBLOCK and a request id of ours, and does not
 * queue on the file's offset (devices have none that matters): a
 * terminal read that waits for a line must not hold up a write to the
 * same open file. VFS_IOCTL becomes FS_IOCTL, VFS_POLL FS_POLL. While a
 * device request waits in the server it is on the list below, so that
 * VFS_CANCEL (a signal for the client thread) can name it to the server
 * with FS_IOC_CANCEL; the request itself is then answered by the
 * server (-EINTR, or what a write got out), and that answer goes on to
 * the client as any other.
 *
 * A block device is a file with an offset: read, write and lseek queue
 * on it as a regular file's (io_queue), pread and pwrite do not, and the
 * offset moves by what was read or written. Its st_size is 0 (as
 * Linux's device node), so lseek asks the server for the disk's size
 * (FS_BLKGETSIZE64) and keeps the offset within it, as Linux's
 * fixed_size_llseek. fsync is FS_SYNC, the disk's flush (attr.c).
 */
#include <lichen/errno.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "vfs.h"

/* A device request in flight: the vop and our id for it (FS_IOC_CANCEL's). */
struct dwait {
	struct dwait *next, *prev;
	struct vop *op;
	uint64_t id, tag;		/* tag: the client's w6 */
	struct vmount *mnt;
};

static struct dwait *dwaits;
static uint64_t next_id = 1;

bool
vfile_is_dev(const struct vfile *f)
{
	uint32_t type = f->vn->attr.mode & FS_IFMT;

	return (type == FS_IFCHR || type == FS_IFBLK) && f->pipe == NULL &&
	    strcmp(f->vn->mnt->fstype, "devtmpfs") == 0;
}

static struct dwait *
dwait_add(struct vop *op, struct vmount *m)
{
	struct dwait *d = malloc(sizeof(*d));

	if (d == NULL)
		return NULL;
	d->op = op;
	d->id = next_id++;
	d->tag = op->w[6];
	d->mnt = m;
	d->prev = NULL;
	d->next = dwaits;
	if (dwaits != NULL)
		dwaits->prev = d;
	dwaits = d;
	return d;
}

static void
dwait_del(struct dwait *d)
{
	if (d->prev != NULL)
		d->prev->next = d->next;
	else
		dwaits = d->next;
	if (d->next != NULL)
		d->next->prev = d->prev;
	free(d);
}

/* The server's answer: to the client as it came (status and data). */
static void
dev_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct dwait *d = ctx;
	struct vop *op = d->op;
	long st = rep_status(rep);
	struct ipc_out out;

	(void)srv;
	dwait_del(d);
	memset(&out, 0, sizeof(out));
	if (st >= 0 && rep->msg.label != LABEL_ERROR) {
		out.data = rep->data;
		out.len = rep->len;
		/* A read's count never exceeds the bytes that came. */
		if (op->label == VFS_READ && (size_t)st > rep->len)
			st = (long)rep->len;
	}
	vop_answer(op, st, &out);
}

static bool
vfile_is_blk(const struct vfile *f)
{
	return (f->vn->attr.mode & FS_IFMT) == FS_IFBLK;
}

/* --- block devices --- */

static void
blk_io_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct ipc_out out;

	(void)srv;
	memset(&out, 0, sizeof(out));
	if (st >= 0 && op->label == VFS_READ) {
		if ((size_t)st > rep->len)
			st = (long)rep->len;
		out.data = rep->data;
		out.len = (size_t)st;
	}
	if (st >= 0 && op->file != NULL)
		op->file->off += (uint64_t)st;
	vop_answer(op, st, st >= 0 ? &out : NULL);
}

static void
blk_io_start(struct vop *op, long err)
{
	struct vfile *f = op->file;
	uint64_t w[3] = { f->vn->node, f->off, op->label == VFS_READ ? op->w[1] : 0 };

	(void)err;
	send_or_fail(op, f->vn->mnt, op->label == VFS_READ ? FS_READ : FS_WRITE, w, 3,
	    op->buf, op->buflen, blk_io_reply);
}

/* A read or write of a block device: at the file's offset, queued, or at w2's. */
static long
blk_io(struct ipc_req *req, struct vfile *f, bool writing)
{
	uint64_t off = req->msg.w[2];
	struct vop *op;

	if ((int64_t)off < 0 && off != VFS_OFF_CURRENT)
		return -EINVAL;
	if (!writing && req->msg.w[1] > IPC_BUF_MAX)
		req->msg.w[1] = IPC_BUF_MAX;
	if (writing ? req->len == 0 : req->msg.w[1] == 0)
		return 0;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	op->other = vn_get(f->vn);
	if (writing) {
		if ((op->buf = malloc(req->len)) == NULL)
			return vop_fail(op, -ENOMEM);
		memcpy(op->buf, req->data, req->len);
		op->buflen = req->len;
	}
	if (off == VFS_OFF_CURRENT)
		return io_queue(op, f, blk_io_start);
	{
		uint64_t w[3] = { f->vn->node, off,
		    writing ? ((f->flags & VFS_O_APPEND) ? FS_WRITE_APPEND : 0) : req->msg.w[1] };

		if (vop_send(op, f->vn->mnt, writing ? FS_WRITE : FS_READ, w, 3, op->buf,
		    op->buflen, blk_io_reply) != 0)
			return vop_fail(op, -EIO);
	}
	return IPC_SUSPEND;
}

/*
 * The disk's size came: the new offset as Linux's generic_file_llseek_size
 * with the size as both the end and the limit (SEEK_DATA and SEEK_HOLE
 * see no holes; past the end is -EINVAL, SEEK_DATA/HOLE there -ENXIO).
 */
static void
blk_seek_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	struct vfile *f = op->file;
	long st = rep_status(rep);
	int64_t off = (int64_t)op->w[1], size;
	uint64_t bytes;

	(void)srv;
	if (st < 0 || rep->len < sizeof(bytes)) {
		vop_answer(op, st < 0 ? st : -EIO, NULL);
		return;
	}
	memcpy(&bytes, rep->data, sizeof(bytes));
	size = bytes > INT64_MAX ? INT64_MAX : (int64_t)bytes;
	switch (op->w[2]) {
	case SEEK_CUR:
		if (off == 0) {
			vop_answer(op, (long)f->off, NULL);
			return;
		}
		off += (int64_t)f->off;
		break;
	case SEEK_END:
		off += size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if ((uint64_t)off >= (uint64_t)size) {
			vop_answer(op, -ENXIO, NULL);
			return;
		}
		if (op->w[2] == SEEK_HOLE)
			off = size;
		break;
	}
	if (off < 0 || off > size) {
		vop_answer(op, -EINVAL, NULL);
		return;
	}
	f->off = (uint64_t)off;
	vop_answer(op, off, NULL);
}

static void
blk_seek_start(struct vop *op, long err)
{
	uint64_t w[3] = { op->file->vn->node, FS_BLKGETSIZE64, 0 };

	(void)err;
	send_or_fail(op, op->file->vn->mnt, FS_IOCTL, w, 3, NULL, 0, blk_seek_reply);
}

/* VFS_SEEK of a device: a character device's offset stays 0 (Linux's memory devices). */
long
dev_seek(struct ipc_req *req, struct vfile *f)
{
	struct vop *op;

	if (!vfile_is_blk(f))
		return 0;	/* a terminal is the client's ESPIPE */
	if (req->msg.w[2] > SEEK_HOLE)
		return -EINVAL;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	op->other = vn_get(f->vn);
	return io_queue(op, f, blk_seek_start);
}

/* --- character devices --- */

/* Sends label with w for a new vop of req; the answer is dev_reply's. */
static long
dev_send(struct ipc_req *req, struct vfile *f, uint64_t label, uint64_t *w, const void *data,
    size_t len)
{
	struct vop *op = vop_new(req);
	struct dwait *d;
	struct ipc_msg msg;
	struct ipc_ext x;

	if (op == NULL)
		return -ENOMEM;
	op->other = vn_get(f->vn);		/* the node lives while we wait */
	if ((d = dwait_add(op, f->vn->mnt)) == NULL)
		return vop_fail(op, -ENOMEM);
	if (label == FS_READ || label == FS_WRITE)
		w[4] = d->id;
	memset(&msg, 0, sizeof(msg));
	memset(&x, 0, sizeof(x));
	msg.label = label;
	for (int i = 0; i < 5; i++)
		msg.w[i] = w[i];
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = len;
	if (ipc_server_send(&vfs_srv, f->vn->mnt->ep, &msg, &x, dev_reply, d) != 0) {
		dwait_del(d);
		return vop_fail(op, -EIO);
	}
	return IPC_SUSPEND;
}

long
dev_read(struct ipc_req *req, struct vfile *f)
{
	uint64_t w[5] = { f->vn->node, 0, req->msg.w[1],
	    (f->flags & VFS_O_NONBLOCK) ? FS_IO_NONBLOCK : 0, 0 };

	if (vfile_is_blk(f))
		return blk_io(req, f, false);
	if (req->msg.w[1] == 0)
		return 0;
	if (w[2] > IPC_BUF_MAX)
		w[2] = IPC_BUF_MAX;
	if (req->msg.w[2] != VFS_OFF_CURRENT && (int64_t)req->msg.w[2] >= 0)
		w[1] = req->msg.w[2];		/* pread: the device may use it (none does) */
	return dev_send(req, f, FS_READ, w, NULL, 0);
}

long
dev_write(struct ipc_req *req, struct vfile *f)
{
	uint64_t w[5] = { f->vn->node, 0, (f->flags & VFS_O_NONBLOCK) ? FS_IO_NONBLOCK : 0, 0, 0 };

	if (vfile_is_blk(f))
		return blk_io(req, f, true);
	if (req->len == 0)
		return 0;
	if (req->msg.w[2] != VFS_OFF_CURRENT && (int64_t)req->msg.w[2] >= 0)
		w[1] = req->msg.w[2];
	return dev_send(req, f, FS_WRITE, w, req->data, req->len);
}

long
dev_poll(struct ipc_req *req, struct vfile *f)
{
	uint64_t w[5] = { f->vn->node, req->msg.w[1], 0, 0, 0 };

	return dev_send(req, f, FS_POLL, w, NULL, 0);
}

/*
 * VFS_IOCTL: w0 = file, w1 = request, w2 = argument, w5 = TIOCSCTTY's
 * session (low half) and process group (high half), data = the
 * argument's bytes in. Devices only; anything else is -ENOTTY, as Linux.
 */
long
do_ioctl(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]);
	uint64_t w[5];

	(void)srv;
	if (f == NULL || f->closing || (f->flags & VFS_O_PATH))
		return -EBADF;
	if (!vfile_is_dev(f))
		return -ENOTTY;
	if (req->msg.w[1] == FS_IOC_CANCEL)
		return -ENOTTY;		/* ours to send, not a client's */
	w[0] = f->vn->node;
	w[1] = req->msg.w[1];
	w[2] = req->msg.w[2];
	w[3] = (uint32_t)req->msg.w[5];
	w[4] = (uint32_t)(req->msg.w[5] >> 32);
	return dev_send(req, f, FS_IOCTL, w, req->data, req->len);
}

static void
cancel_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	(void)srv;
	(void)ctx;
	(void)rep;		/* -ENOENT: the request was answered meanwhile */
}

/* VFS_CANCEL of a device request: 1 if one was tagged so (its answer will come). */
int
dev_cancel(uint64_t tag)
{
	for (struct dwait *d = dwaits; d != NULL; d = d->next) {
		struct ipc_msg msg;
		struct ipc_ext x;

		if (d->tag != tag || (d->op->label != VFS_READ && d->op->label != VFS_WRITE))
			continue;
		memset(&msg, 0, sizeof(msg));
		memset(&x, 0, sizeof(x));
		msg.label = FS_IOCTL;
		msg.w[0] = d->op->other->node;
		msg.w[1] = FS_IOC_CANCEL;
		msg.w[2] = d->id;
		ipc_server_send(&vfs_srv, d->mnt->ep, &msg, &x, cancel_reply, NULL);
		return 1;
	}
	return 0;
}

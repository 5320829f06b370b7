/*
 * open and close, and what moves a file's offset: read, write, seek,
 * getdents. Requests that move the offset queue one behind the other on
 * their file (io_queue), as Linux's f_pos lock orders them.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/name_client.h>
#include <lichen/proto/name.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "vfs.h"

/* --- open, close --- */

static void
open_trunc_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);

	(void)srv;
	if (st < 0) {
		vop_answer(op, st, NULL);
		return;
	}
	vop_fs_attr_out(op, rep, op->other);
	open_done(op, op->other, true);
}

void
open_done(struct vop *op, struct vnode *vn, bool checked)
{
	uint32_t flags = (uint32_t)op->w[1], acc = flags & VFS_O_ACCMODE;
	uint32_t type = vn->attr.mode & FS_IFMT;
	struct vfile *f;
	struct ipc_out out;
	int err;

	if (!checked) {
		if (type == FS_IFLNK && !(flags & VFS_O_PATH)) {
			vop_answer(op, -ELOOP, NULL);
			return;
		}
		if ((flags & VFS_O_DIRECTORY) && type != FS_IFDIR) {
			vop_answer(op, -ENOTDIR, NULL);
			return;
		}
		if (!(flags & VFS_O_PATH)) {
			if (type == FS_IFDIR && (acc != VFS_O_RDONLY || (flags & VFS_O_CREAT))) {
				vop_answer(op, -EISDIR, NULL);
				return;
			}
			if ((err = vn_permission(vn, op->cred, (acc != VFS_O_WRONLY ? 4 : 0) |
			    (acc != VFS_O_RDONLY ? 2 : 0) | ((flags & VFS_O_TRUNC) ? 2 : 0))) != 0) {
				vop_answer(op, err, NULL);
				return;
			}
			if (type == FS_IFCHR || type == FS_IFBLK || type == FS_IFSOCK) {
				/* Devices are devtmpfs's nodes; sockets open only by connect. */
				if (type == FS_IFSOCK || strcmp(vn->mnt->fstype, "devtmpfs") != 0) {
					vop_answer(op, -ENXIO, NULL);
					return;
				}
			}
			if ((flags & VFS_O_TRUNC) && type == FS_IFREG && acc != VFS_O_RDONLY &&
			    vn->attr.size != 0) {
				struct fs_setattr sa = { .valid = FS_SET_SIZE | FS_SET_MTIME |
				    FS_SET_CTIME, .size = 0 };
				uint64_t w[1] = { vn->node };
				long now = sys_info(SYSINFO_REALTIME, 0);

				if (now > 0) {
					sa.mtime.sec = sa.ctime.sec = now / 1000000000L;
					sa.mtime.nsec = sa.ctime.nsec = now % 1000000000L;
				}
				op->sa = sa;
				if (op->other != vn) {
					if (op->other != NULL)
						vn_put(op->other);
					op->other = vn_get(vn);
				}
				send_or_fail(op, vn->mnt, FS_SETATTR, w, 1, &op->sa, sizeof(op->sa),
				    open_trunc_reply);
				return;
			}
		}
	}
	if ((f = vfile_alloc(vn, flags & ~(VFS_O_CREAT | VFS_O_EXCL | VFS_O_TRUNC |
	    VFS_O_NOCTTY | VFS_O_CLOEXEC))) == NULL) {
		vop_answer(op, -ENFILE, NULL);
		return;
	}
	if (type == FS_IFIFO && !(flags & VFS_O_PATH)) {
		pipe_fifo_open(op, f);		/* it answers, now or when the other end opens */
		return;
	}
	memset(&out, 0, sizeof(out));
	out.w[1] = vfile_id(f);
	out.w[2] = vn->mnt->dev;
	out.data = &vn->attr;
	out.len = sizeof(vn->attr);
	vop_answer(op, 0, &out);
}

static void
open_walked(struct vop *op, long err)
{
	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	open_done(op, op->cur, false);
}

static void
open_create_found(struct vop *op, struct vnode *vn, long err)
{
	uint32_t flags = (uint32_t)op->w[1];

	if (err == -ENOENT) {
		if (op->must_dir) {
			vop_answer(op, -EISDIR, NULL);
			return;
		}
		create_last(op, FS_CREATE, FS_IFREG | ((uint32_t)op->w[2] & 07777), 0);
		return;
	}
	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (flags & VFS_O_EXCL) {
		vop_answer(op, -EEXIST, NULL);
		return;
	}
	if ((vn->attr.mode & FS_IFMT) == FS_IFLNK && !(flags & VFS_O_NOFOLLOW)) {
		/*
		 * O_CREAT on an existing symlink: follow it, from its directory.
		 * (Linux would also create a missing target; here it is -ENOENT.)
		 */
		op->parent_only = false;
		op->follow = true;
		memcpy(op->path, op->last, op->lastlen);
		op->len = op->lastlen;
		op->pos = 0;
		op->walked = open_walked;
		walk_step_from_here(op);
		return;
	}
	open_done(op, vn, false);
}

static void
open_parent_walked(struct vop *op, long err)
{
	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->lastlen == 0 || is_dot_or_dotdot(op)) {	/* "/", "dir/.." */
		op->parent_only = false;
		open_done(op, op->cur, false);
		return;
	}
	find_child(op, open_create_found);
}

long
do_open(struct ipc_server *srv, struct ipc_req *req)
{
	uint32_t flags = (uint32_t)req->msg.w[1];

	(void)srv;
	if ((flags & VFS_O_TMPFILE) == VFS_O_TMPFILE)
		return -EOPNOTSUPP;
	if (flags & VFS_O_CREAT)
		return start_walk(req, req->data, req->len, false, false, true,
		    open_parent_walked);
	return start_walk(req, req->data, req->len, false, !(flags & VFS_O_NOFOLLOW), false,
	    open_walked);
}

long
do_close(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]);

	(void)srv;
	if (f == NULL || f->closing)
		return -EBADF;
	vfile_free(f);
	return 0;
}

/* --- read, write, seek, getdents: one at a time per file's offset --- */

static struct vfile *
io_file(struct ipc_req *req, long *err)
{
	struct vfile *f = vfile_get(req->msg.w[0]);

	*err = 0;
	if (f == NULL || f->closing || (f->flags & VFS_O_PATH))
		*err = -EBADF;
	return f;
}

/* Runs op->walked now, or when the file's current request is done. */
long
io_queue(struct vop *op, struct vfile *f, vop_fn start)
{
	op->file = f;
	op->walked = start;
	if (f->busy) {
		struct vop **pp = &f->waiting;

		while (*pp != NULL)
			pp = &(*pp)->next;
		*pp = op;
		return IPC_SUSPEND;
	}
	f->busy = true;
	start(op, 0);
	return IPC_SUSPEND;
}

static void
read_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct ipc_out out;

	(void)srv;
	if (st < 0) {
		vop_answer(op, st, NULL);
		return;
	}
	if ((size_t)st > rep->len)
		st = (long)rep->len;
	if (op->w[2] == VFS_OFF_CURRENT)
		op->file->off += (uint64_t)st;
	memset(&out, 0, sizeof(out));
	out.data = rep->data;
	out.len = (size_t)st;
	vop_answer(op, st, &out);
}

static void
read_start(struct vop *op, long err)
{
	struct vfile *f = op->file;
	uint64_t w[3] = { f->vn->node, op->w[2] == VFS_OFF_CURRENT ? f->off : op->w[2],
	    op->w[1] };

	(void)err;
	send_or_fail(op, f->vn->mnt, FS_READ, w, 3, NULL, 0, read_reply);
}

long
do_read(struct ipc_server *srv, struct ipc_req *req)
{
	long err;
	struct vfile *f = io_file(req, &err);
	struct vop *op;

	(void)srv;
	if (err != 0)
		return err;
	if ((f->flags & VFS_O_ACCMODE) == VFS_O_WRONLY)
		return -EBADF;
	if (f->pipe != NULL)
		return pipe_read(req, f);
	if (vfile_is_dev(f))
		return dev_read(req, f);	/* no offset queue: it may wait long */
	if (vn_is_dir(f->vn))
		return -EISDIR;
	if (req->msg.w[1] > IPC_BUF_MAX)
		req->msg.w[1] = IPC_BUF_MAX;
	if (req->msg.w[1] == 0)
		return 0;
	if ((int64_t)req->msg.w[2] < 0 && req->msg.w[2] != VFS_OFF_CURRENT)
		return -EINVAL;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	if (req->msg.w[2] != VFS_OFF_CURRENT) {	/* pread: no offset to keep */
		op->file = NULL;
		op->u[0] = 0;
		{
			uint64_t w[3] = { f->vn->node, req->msg.w[2], req->msg.w[1] };

			op->other = vn_get(f->vn);
			op->file = NULL;
			if (vop_send(op, f->vn->mnt, FS_READ, w, 3, NULL, 0, read_reply) != 0)
				return vop_fail(op, -EIO);
		}
		return IPC_SUSPEND;
	}
	return io_queue(op, f, read_start);
}

static void
write_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct vnode *vn = op->other;

	(void)srv;
	if (st >= 0) {
		vn->attr.size = (int64_t)rep->msg.w[1];
		if (op->file != NULL)
			op->file->off = (op->file->flags & VFS_O_APPEND) ? rep->msg.w[1] :
			    op->file->off + (uint64_t)st;
	}
	vop_answer(op, st, NULL);
}

static void
write_start(struct vop *op, long err)
{
	struct vfile *f = op->file;
	uint64_t w[3] = { f->vn->node, f->off, (f->flags & VFS_O_APPEND) ? FS_WRITE_APPEND : 0 };

	(void)err;
	send_or_fail(op, f->vn->mnt, FS_WRITE, w, 3, op->buf, op->buflen, write_reply);
}

long
do_write(struct ipc_server *srv, struct ipc_req *req)
{
	long err;
	struct vfile *f = io_file(req, &err);
	struct vop *op;

	(void)srv;
	if (err != 0)
		return err;
	if ((f->flags & VFS_O_ACCMODE) == VFS_O_RDONLY)
		return -EBADF;
	if (f->pipe != NULL)
		return pipe_write(req, f);
	if (vfile_is_dev(f))
		return dev_write(req, f);
	if (req->len == 0)
		return 0;
	if ((int64_t)req->msg.w[2] < 0 && req->msg.w[2] != VFS_OFF_CURRENT)
		return -EINVAL;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	if ((op->buf = malloc(req->len)) == NULL)
		return vop_fail(op, -ENOMEM);
	memcpy(op->buf, req->data, req->len);
	op->buflen = req->len;
	op->other = vn_get(f->vn);
	if (req->msg.w[2] != VFS_OFF_CURRENT) {	/* pwrite (O_APPEND still appends, as Linux) */
		uint64_t w[3] = { f->vn->node, req->msg.w[2],
		    (f->flags & VFS_O_APPEND) ? FS_WRITE_APPEND : 0 };

		if (vop_send(op, f->vn->mnt, FS_WRITE, w, 3, op->buf, op->buflen,
		    write_reply) != 0)
			return vop_fail(op, -EIO);
		return IPC_SUSPEND;
	}
	return io_queue(op, f, write_start);
}

static void
seek_end_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	int64_t off;

	(void)srv;
	if (st < 0 || rep->len < sizeof(struct fs_attr)) {
		vop_answer(op, st < 0 ? st : -EIO, NULL);
		return;
	}
	vop_fs_attr_out(op, rep, op->other);
	off = op->other->attr.size;
	switch (op->w[2]) {
	case SEEK_END:
		off += (int64_t)op->w[1];
		break;
	case SEEK_DATA:		/* no holes reported: data up to the end */
		if ((int64_t)op->w[1] >= off) {
			vop_answer(op, -ENXIO, NULL);
			return;
		}
		off = (int64_t)op->w[1];
		break;
	case SEEK_HOLE:
		if ((int64_t)op->w[1] >= off) {
			vop_answer(op, -ENXIO, NULL);
			return;
		}
		break;
	}
	if (off < 0) {
		vop_answer(op, -EINVAL, NULL);
		return;
	}
	op->u[0] = (uint64_t)off;
	if (op->file != NULL)
		op->file->off = (uint64_t)off;
	vop_answer(op, off, NULL);
}

static void
seek_start(struct vop *op, long err)
{
	uint64_t w[1] = { op->file->vn->node };

	(void)err;
	send_or_fail(op, op->file->vn->mnt, FS_GETATTR, w, 1, NULL, 0, seek_end_reply);
}

long
do_seek(struct ipc_server *srv, struct ipc_req *req)
{
	long err;
	struct vfile *f = io_file(req, &err);
	int64_t off = (int64_t)req->msg.w[1];
	uint32_t type;
	struct vop *op;

	(void)srv;
	if (err != 0)
		return err;
	if (f->pipe != NULL)
		return -ESPIPE;
	if (vfile_is_dev(f))
		return dev_seek(req, f);	/* dev.c: 0, or a block device's offset */
	type = f->vn->attr.mode & FS_IFMT;
	switch (req->msg.w[2]) {
	case SEEK_SET:
		break;
	case SEEK_CUR:
		off += (int64_t)f->off;
		break;
	case SEEK_END:
	case SEEK_DATA:
	case SEEK_HOLE:
		if (type == FS_IFDIR)
			return -EINVAL;
		if ((op = vop_new(req)) == NULL)
			return -ENOMEM;
		op->other = vn_get(f->vn);
		return io_queue(op, f, seek_start);
	default:
		return -EINVAL;
	}
	if (off < 0)
		return -EINVAL;
	f->off = (uint64_t)off;
	return off;
}

static void
getdents_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct ipc_out out;
	size_t pos = 0;

	(void)srv;
	if (st < 0) {
		vop_answer(op, st, NULL);
		return;
	}
	if ((size_t)st > rep->len)
		st = (long)rep->len;
	/* The position after the last record is where the next call starts. */
	while (pos + 19 <= (size_t)st) {
		const struct fs_dirent *d = (const void *)((const char *)rep->data + pos);
		uint16_t reclen;
		int64_t off;

		memcpy(&reclen, &d->reclen, sizeof(reclen));
		memcpy(&off, &d->off, sizeof(off));
		if (reclen < 20 || pos + reclen > (size_t)st)
			break;
		op->file->off = (uint64_t)off;
		pos += reclen;
	}
	memset(&out, 0, sizeof(out));
	out.data = rep->data;
	out.len = pos;
	vop_answer(op, (long)pos, &out);
}

static void
getdents_start(struct vop *op, long err)
{
	struct vfile *f = op->file;
	uint64_t w[3] = { f->vn->node, f->off, op->w[1] };

	(void)err;
	send_or_fail(op, f->vn->mnt, FS_READDIR, w, 3, NULL, 0, getdents_reply);
}

long
do_getdents(struct ipc_server *srv, struct ipc_req *req)
{
	long err;
	struct vfile *f = io_file(req, &err);
	struct vop *op;

	(void)srv;
	if (err != 0)
		return err;
	if (!vn_is_dir(f->vn))
		return -ENOTDIR;
	if (req->msg.w[1] > IPC_BUF_MAX)
		req->msg.w[1] = IPC_BUF_MAX;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	return io_queue(op, f, getdents_start);
}

/*
 * The PROTO_VFS requests (lichen/proto/vfs.h). Each handler makes a
 * struct vop, starts its walk or its fs request and returns IPC_SUSPEND;
 * the continuations below carry it on and answer the token at the end.
 * The checks are Linux's (fs/namei.c, fs/open.c): the same errors in the
 * same order where a program could tell.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/name_client.h>
#include <lichen/proto/name.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "vfs.h"

#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2
#define SEEK_DATA	3
#define SEEK_HOLE	4
#define POLLIN		0x001
#define POLLOUT		0x004
#define POLLRDNORM	0x040
#define POLLWRNORM	0x100
#define MS_RDONLY	1u

extern handle_t vfs_name_ep;
static handle_t ready_ep;

static struct vop *
vop_new(struct ipc_req *req)
{
	struct vop *op = calloc(1, sizeof(*op));

	if (op == NULL)
		return NULL;
	op->token = req->msg.token;
	op->label = req->msg.label;
	memcpy(op->w, req->msg.w, sizeof(op->w));
	op->cred = req->msg.w[3];
	return op;
}

/* Gives op up before it was suspended: the loop answers err. */
static long
vop_fail(struct vop *op, long err)
{
	if (op->cur != NULL)
		vn_put(op->cur);
	if (op->root != NULL)
		vn_put(op->root);
	if (op->other != NULL)
		vn_put(op->other);
	free(op);
	return err;
}

static void
answer_attr(struct vop *op, const struct fs_attr *attr, struct vnode *vn)
{
	struct ipc_out out;

	memset(&out, 0, sizeof(out));
	out.w[2] = vn->mnt->dev;
	out.data = attr;
	out.len = sizeof(*attr);
	vop_answer(op, 0, &out);
}

/* An fs reply's status, LABEL_ERROR (the server is gone) as -EIO. */
static long
rep_status(const struct ipc_req *rep)
{
	if (rep->msg.label == LABEL_ERROR)
		return -EIO;
	return (long)rep->msg.w[0];
}

static void
send_or_fail(struct vop *op, struct vmount *m, uint64_t label, const uint64_t *w,
    unsigned nw, const void *data, size_t len, ipc_cont_fn fn)
{
	if (vop_send(op, m, label, w, nw, data, len, fn) != 0)
		vop_answer(op, -EIO, NULL);
}

/* --- one name in a directory, without following it --- */

typedef void (*found_fn)(struct vop *op, struct vnode *vn, long err);

static void
child_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	found_fn fn = (found_fn)(uintptr_t)op->u[3];
	long st = rep_status(rep);
	struct vnode *vn;

	(void)srv;
	if (st < 0) {
		fn(op, NULL, st);
		return;
	}
	if (rep->len < sizeof(struct fs_attr)) {
		fn(op, NULL, -EIO);
		return;
	}
	vn = vn_add(op->cur, op->last, op->lastlen, rep->msg.w[1], rep->data);
	fn(op, vn, vn == NULL ? -ENOMEM : 0);
}

/* op->last in op->cur: fn(op, vnode or NULL, 0 or -errno). */
static void
find_child(struct vop *op, found_fn fn)
{
	struct vnode *vn = vn_child(op->cur, op->last, op->lastlen);
	uint64_t w[1] = { op->cur->node };

	if (vn != NULL) {
		fn(op, vn, 0);
		return;
	}
	op->u[3] = (uint64_t)(uintptr_t)fn;
	if (vop_send(op, op->cur->mnt, FS_LOOKUP, w, 1, op->last, op->lastlen,
	    child_reply) != 0)
		fn(op, NULL, -EIO);
}

static bool
is_dot_or_dotdot(const struct vop *op)
{
	return (op->lastlen == 1 && op->last[0] == '.') ||
	    (op->lastlen == 2 && op->last[0] == '.' && op->last[1] == '.');
}

/* Starts a path request: the walk from w0/w4 over the data. */
static long
start_walk(struct ipc_req *req, const void *path, size_t len, bool empty_ok,
    bool follow, bool parent_only, vop_fn walked)
{
	struct vop *op = vop_new(req);
	int err;

	if (op == NULL)
		return -ENOMEM;
	if ((err = walk_setup(op, req->msg.w[0], req->msg.w[4], path, len, empty_ok)) != 0)
		return vop_fail(op, err);
	op->follow = follow;
	op->parent_only = parent_only && len > 0;
	op->walked = walked;
	walk_start(op);
	return IPC_SUSPEND;
}

/* --- open, close --- */

static void open_done(struct vop *op, struct vnode *vn, bool created);

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

static void
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
			if (type == FS_IFCHR || type == FS_IFBLK || type == FS_IFIFO ||
			    type == FS_IFSOCK) {
				/* Devices are devtmpfs's nodes; FIFOs come with vfs's pipes. */
				if (strcmp(vn->mnt->fstype, "devtmpfs") != 0) {
					vop_answer(op, type == FS_IFSOCK ? -ENXIO : -ENXIO, NULL);
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
create_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct vnode *vn;

	(void)srv;
	if (st < 0 || rep->len < sizeof(struct fs_attr)) {
		vop_answer(op, st < 0 ? st : -EIO, NULL);
		return;
	}
	if ((vn = vn_add(op->cur, op->last, op->lastlen, rep->msg.w[1], rep->data)) == NULL) {
		vop_answer(op, -ENOMEM, NULL);
		return;
	}
	op->cur->attr.mtime = op->cur->attr.ctime = vn->attr.mtime;
	if (op->label == VFS_OPEN) {
		open_done(op, vn, true);	/* a file we made: no permission check */
		return;
	}
	vop_answer(op, 0, NULL);
}

/* Creates op->last in op->cur (w1 = mode, w2 = rdev for MKNOD). */
static void
create_last(struct vop *op, uint64_t label, uint32_t mode, uint64_t rdev)
{
	uint64_t w[5] = { op->cur->node, mode, VFS_CRED_UID(op->cred), VFS_CRED_GID(op->cred),
	    rdev };
	int err;

	if ((err = vn_permission(op->cur, op->cred, 3)) != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	/* setgid directories give their group to what is made in them. */
	if (op->cur->attr.mode & 02000) {
		w[3] = op->cur->attr.gid;
		if (label == FS_MKDIR)
			w[1] |= 02000;
	}
	send_or_fail(op, op->cur->mnt, label, w, 5, op->last, op->lastlen, create_reply);
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

static long
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

static long
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
static long
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

static long
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
	send_or_fail(op, f->vn->mnt, FS_WRITE, w, 3, op->rest, op->restlen, write_reply);
}

static long
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
	if (req->len == 0)
		return 0;
	if ((int64_t)req->msg.w[2] < 0 && req->msg.w[2] != VFS_OFF_CURRENT)
		return -EINVAL;
	if (req->len > sizeof(op->rest))
		req->len = sizeof(op->rest);	/* a short write, as a pipe's */
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	memcpy(op->rest, req->data, req->len);
	op->restlen = req->len;
	op->other = vn_get(f->vn);
	if (req->msg.w[2] != VFS_OFF_CURRENT) {	/* pwrite (O_APPEND still appends, as Linux) */
		uint64_t w[3] = { f->vn->node, req->msg.w[2],
		    (f->flags & VFS_O_APPEND) ? FS_WRITE_APPEND : 0 };

		if (vop_send(op, f->vn->mnt, FS_WRITE, w, 3, op->rest, op->restlen,
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

static long
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

static long
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

/* --- stat, access --- */

static void
getattr_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);

	(void)srv;
	if (st < 0 || rep->len < sizeof(struct fs_attr)) {
		vop_answer(op, st < 0 ? st : -EIO, NULL);
		return;
	}
	vop_fs_attr_out(op, rep, op->cur);
	answer_attr(op, &op->cur->attr, op->cur);
}

static void
stat_walked(struct vop *op, long err)
{
	uint64_t w[1];

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	w[0] = op->cur->node;
	send_or_fail(op, op->cur->mnt, FS_GETATTR, w, 1, NULL, 0, getattr_reply);
}

static long
do_fstat(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]);
	struct vop *op;

	(void)srv;
	if (f == NULL || f->closing)
		return -EBADF;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	op->cur = vn_get(f->vn);
	stat_walked(op, 0);
	return IPC_SUSPEND;
}

static long
do_stat(struct ipc_server *srv, struct ipc_req *req)
{
	uint32_t flags = (uint32_t)req->msg.w[1];

	(void)srv;
	return start_walk(req, req->data, req->len, flags & VFS_AT_EMPTY_PATH,
	    !(flags & VFS_AT_SYMLINK_NOFOLLOW), false, stat_walked);
}

static void
access_walked(struct vop *op, long err)
{
	if (err == 0 && (op->w[1] & 7) != 0)
		err = vn_permission(op->cur, op->cred, (int)(op->w[1] & 7));
	vop_answer(op, err, NULL);
}

static long
do_access(struct ipc_server *srv, struct ipc_req *req)
{
	uint32_t flags = (uint32_t)req->msg.w[2];

	(void)srv;
	if (req->msg.w[1] & ~7UL)
		return -EINVAL;
	return start_walk(req, req->data, req->len, flags & VFS_AT_EMPTY_PATH,
	    !(flags & VFS_AT_SYMLINK_NOFOLLOW), false, access_walked);
}

/* --- making and removing names --- */

static void
make_found(struct vop *op, struct vnode *vn, long err)
{
	(void)vn;
	if (err == 0) {
		vop_answer(op, -EEXIST, NULL);
		return;
	}
	if (err != -ENOENT) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->label == VFS_MKDIR) {
		create_last(op, FS_MKDIR, (uint32_t)op->w[1] & 07777, 0);
	} else if (op->label == VFS_SYMLINK) {
		uint64_t w[4] = { op->cur->node, op->lastlen, VFS_CRED_UID(op->cred),
		    VFS_CRED_GID(op->cred) };
		int e = vn_permission(op->cur, op->cred, 3);

		if (e != 0) {
			vop_answer(op, e, NULL);
			return;
		}
		/* name then target, in rest */
		memmove(op->rest + op->lastlen, op->rest, op->restlen);
		memcpy(op->rest, op->last, op->lastlen);
		send_or_fail(op, op->cur->mnt, FS_SYMLINK, w, 4, op->rest,
		    op->lastlen + op->restlen, create_reply);
	} else {
		uint32_t mode = (uint32_t)op->w[1];

		if ((mode & FS_IFMT) == 0)
			mode |= FS_IFREG;
		if (op->must_dir) {
			vop_answer(op, -ENOENT, NULL);
			return;
		}
		create_last(op, FS_CREATE, mode, op->w[2]);
	}
}

static void
make_walked(struct vop *op, long err)
{
	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->lastlen == 0 || is_dot_or_dotdot(op)) {
		vop_answer(op, -EEXIST, NULL);
		return;
	}
	find_child(op, make_found);
}

static long
do_mkdir(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	return start_walk(req, req->data, req->len, false, false, true, make_walked);
}

static long
do_mknod(struct ipc_server *srv, struct ipc_req *req)
{
	uint32_t type = (uint32_t)req->msg.w[1] & FS_IFMT;

	(void)srv;
	if (type == FS_IFDIR || type == FS_IFLNK)
		return -EINVAL;
	if ((type == FS_IFCHR || type == FS_IFBLK) && VFS_CRED_UID(req->msg.w[3]) != 0)
		return -EPERM;
	return start_walk(req, req->data, req->len, false, false, true, make_walked);
}

static long
do_symlink(struct ipc_server *srv, struct ipc_req *req)
{
	size_t tlen = req->msg.w[1];
	struct vop *op;
	int err;

	(void)srv;
	if (tlen > req->len)
		return -EINVAL;
	if (tlen == 0)
		return -ENOENT;
	if (tlen >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	memcpy(op->rest, req->data, tlen);	/* the target, until make_found sends it */
	op->restlen = tlen;
	if ((err = walk_setup(op, req->msg.w[0], req->msg.w[4], (const char *)req->data + tlen,
	    req->len - tlen, false)) != 0)
		return vop_fail(op, err);
	op->parent_only = true;
	op->walked = make_walked;
	walk_start(op);
	return IPC_SUSPEND;
}

static void
unlink_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);

	(void)srv;
	if (st == 0 && op->other != NULL) {
		if (vn_is_dir(op->other) && op->cur->attr.nlink > 2)
			op->cur->attr.nlink--;
		vn_unhash(op->other);
	}
	vop_answer(op, st, NULL);
}

static void
unlink_found(struct vop *op, struct vnode *vn, long err)
{
	bool rmdir = op->w[1] & VFS_AT_REMOVEDIR;
	uint64_t w[1] = { op->cur->node };

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (rmdir && !vn_is_dir(vn)) {
		vop_answer(op, -ENOTDIR, NULL);
		return;
	}
	if (!rmdir && vn_is_dir(vn)) {
		vop_answer(op, -EISDIR, NULL);
		return;
	}
	if (!rmdir && op->must_dir) {
		vop_answer(op, -ENOTDIR, NULL);
		return;
	}
	if ((err = vn_may_delete(op->cur, vn, op->cred)) != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (vn->mounted != NULL) {
		vop_answer(op, -EBUSY, NULL);
		return;
	}
	op->other = vn_get(vn);
	send_or_fail(op, op->cur->mnt, rmdir ? FS_RMDIR : FS_UNLINK, w, 1, op->last,
	    op->lastlen, unlink_reply);
}

static void
unlink_walked(struct vop *op, long err)
{
	bool rmdir = op->w[1] & VFS_AT_REMOVEDIR;

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->lastlen == 0) {
		vop_answer(op, rmdir ? -EBUSY : -EISDIR, NULL);
		return;
	}
	if (is_dot_or_dotdot(op)) {
		vop_answer(op, !rmdir ? -EISDIR : op->lastlen == 1 ? -EINVAL : -ENOTEMPTY, NULL);
		return;
	}
	find_child(op, unlink_found);
}

static long
do_unlink(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	if (req->msg.w[1] & ~(uint64_t)VFS_AT_REMOVEDIR)
		return -EINVAL;
	return start_walk(req, req->data, req->len, false, false, true, unlink_walked);
}

static void
readlink_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct ipc_out out;

	(void)srv;
	if (st < 0) {
		vop_answer(op, st, NULL);
		return;
	}
	memset(&out, 0, sizeof(out));
	out.data = rep->data;
	out.len = rep->len;
	vop_answer(op, (long)rep->len, &out);
}

static void
readlink_walked(struct vop *op, long err)
{
	uint64_t w[1];

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if ((op->cur->attr.mode & FS_IFMT) != FS_IFLNK) {
		vop_answer(op, -EINVAL, NULL);
		return;
	}
	w[0] = op->cur->node;
	send_or_fail(op, op->cur->mnt, FS_READLINK, w, 1, NULL, 0, readlink_reply);
}

static long
do_readlink(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	return start_walk(req, req->data, req->len, true, false, false, readlink_walked);
}

/* --- rename and link: two walks --- */

static bool
is_ancestor(const struct vnode *a, const struct vnode *d)
{
	for (; d != NULL; d = d->parent)
		if (d == a)
			return true;
	return false;
}

static void
rename_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct vnode *src = (struct vnode *)(uintptr_t)op->u[1];

	(void)srv;
	if (st == 0) {
		struct vnode *victim = vn_child(op->cur, op->last, op->lastlen);

		if (op->label == VFS_LINK) {
			if (rep->len >= sizeof(struct fs_attr) &&
			    vn_add(op->cur, op->last, op->lastlen, rep->msg.w[1], rep->data) != NULL)
				memcpy(&src->attr, rep->data, sizeof(struct fs_attr));
		} else if (op->w[2] & FS_RENAME_EXCHANGE) {
			if (victim != NULL)
				vn_unhash(victim);
			vn_unhash(src);
		} else {
			if (victim != NULL && victim != src)
				vn_unhash(victim);
			vn_rename(src, op->cur, op->last, op->lastlen);
		}
	}
	vn_put(src);
	op->u[1] = 0;
	vop_answer(op, st, NULL);
}

static void
rename_target(struct vop *op, struct vnode *victim, long err)
{
	struct vnode *src = (struct vnode *)(uintptr_t)op->u[1];
	uint32_t flags = (uint32_t)op->w[2];
	char buf[2 * (FS_NAME_MAX + 1)];
	uint64_t w[4];

	if (op->label == VFS_LINK) {
		if (err == 0) {
			vop_answer(op, -EEXIST, NULL);
			return;
		}
		if (err != -ENOENT) {
			vop_answer(op, err, NULL);
			return;
		}
		if ((err = vn_permission(op->cur, op->cred, 3)) != 0) {
			vop_answer(op, err, NULL);
			return;
		}
		w[0] = src->node;
		w[1] = op->cur->node;
		send_or_fail(op, op->cur->mnt, FS_LINK, w, 2, op->last, op->lastlen, rename_reply);
		return;
	}
	if (err != 0 && err != -ENOENT) {
		vop_answer(op, err, NULL);
		return;
	}
	if (err == -ENOENT)
		victim = NULL;
	if (victim == NULL && (flags & FS_RENAME_EXCHANGE)) {
		vop_answer(op, -ENOENT, NULL);
		return;
	}
	if (victim != NULL && (flags & FS_RENAME_NOREPLACE)) {
		vop_answer(op, -EEXIST, NULL);
		return;
	}
	if (victim == src) {			/* the same file: nothing to do */
		vop_answer(op, 0, NULL);
		return;
	}
	if (victim != NULL) {
		if (victim->mounted != NULL || victim == op->root) {
			vop_answer(op, -EBUSY, NULL);
			return;
		}
		if (!(flags & FS_RENAME_EXCHANGE)) {
			if (vn_is_dir(src) && !vn_is_dir(victim)) {
				vop_answer(op, -ENOTDIR, NULL);
				return;
			}
			if (!vn_is_dir(src) && vn_is_dir(victim)) {
				vop_answer(op, -EISDIR, NULL);
				return;
			}
		}
		if ((err = vn_may_delete(op->cur, victim, op->cred)) != 0) {
			vop_answer(op, err, NULL);
			return;
		}
		if (vn_is_dir(victim) && is_ancestor(victim, op->other)) {
			vop_answer(op, -ENOTEMPTY, NULL);
			return;
		}
	} else if ((err = vn_permission(op->cur, op->cred, 3)) != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (vn_is_dir(src) && is_ancestor(src, op->cur)) {
		vop_answer(op, -EINVAL, NULL);
		return;
	}
	if (op->must_dir && !vn_is_dir(src)) {
		vop_answer(op, -ENOTDIR, NULL);
		return;
	}
	w[0] = op->other->node;
	w[1] = op->cur->node;
	w[2] = op->last2len;
	w[3] = flags;
	memcpy(buf, op->last2, op->last2len);
	memcpy(buf + op->last2len, op->last, op->lastlen);
	send_or_fail(op, op->cur->mnt, FS_RENAME, w, 4, buf, op->last2len + op->lastlen,
	    rename_reply);
}

static void
rename_new_walked(struct vop *op, long err)
{
	struct vnode *src = (struct vnode *)(uintptr_t)op->u[1];

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->cur->mnt != src->mnt) {
		vop_answer(op, -EXDEV, NULL);
		return;
	}
	if (op->lastlen == 0 || is_dot_or_dotdot(op)) {
		vop_answer(op, op->label == VFS_LINK ? -EEXIST : -EBUSY, NULL);
		return;
	}
	find_child(op, rename_target);
}

/* The source is found: now walk the new path from its own start. */
static void
rename_source(struct vop *op, struct vnode *vn, long err)
{
	struct vfile *d = vfile_get(op->w[1]);

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->label == VFS_RENAME) {
		if ((err = vn_may_delete(op->cur, vn, op->cred)) != 0) {
			vop_answer(op, err, NULL);
			return;
		}
		if (vn->mounted != NULL || vn == op->root) {
			vop_answer(op, -EBUSY, NULL);
			return;
		}
		if (op->must_dir && !vn_is_dir(vn)) {
			vop_answer(op, -ENOTDIR, NULL);
			return;
		}
	} else if (vn_is_dir(vn)) {
		vop_answer(op, -EPERM, NULL);
		return;
	}
	op->u[1] = (uint64_t)(uintptr_t)vn_get(vn);
	memcpy(op->last2, op->last, op->lastlen);
	op->last2len = op->lastlen;
	op->other = op->cur;			/* the old directory, held */
	op->cur = NULL;
	if (d == NULL && (op->restlen == 0 || op->rest[0] != '/')) {
		vop_answer(op, -EBADF, NULL);
		return;
	}
	memcpy(op->path, op->rest, op->restlen);
	op->len = op->restlen;
	op->pos = 0;
	op->cur = vn_get(d != NULL ? d->vn : op->root);
	op->parent_only = true;
	op->must_dir = false;
	op->follow = false;
	op->walked = rename_new_walked;
	walk_start(op);
}

static void
link_source_walked(struct vop *op, long err)
{
	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	/* The file itself: as rename_source wants it, its directory apart. */
	rename_source(op, op->cur, 0);
}

static void
rename_old_walked(struct vop *op, long err)
{
	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (op->lastlen == 0 || is_dot_or_dotdot(op)) {
		vop_answer(op, -EBUSY, NULL);
		return;
	}
	find_child(op, rename_source);
}

static long
do_rename(struct ipc_server *srv, struct ipc_req *req)
{
	size_t oldlen = req->msg.w[5];
	struct vop *op;
	bool link = req->msg.label == VFS_LINK;
	uint32_t flags = (uint32_t)req->msg.w[2];
	int err;

	(void)srv;
	if (oldlen > req->len)
		return -EINVAL;
	if (!link && ((flags & ~3u) || (flags == 3)))
		return -EINVAL;
	if (link && (flags & ~(uint32_t)(VFS_AT_SYMLINK_FOLLOW | VFS_AT_EMPTY_PATH)))
		return -EINVAL;
	if (req->len - oldlen >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	if (req->len - oldlen == 0)
		return -ENOENT;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	memcpy(op->rest, (const char *)req->data + oldlen, req->len - oldlen);
	op->restlen = req->len - oldlen;
	if ((err = walk_setup(op, req->msg.w[0], req->msg.w[4], req->data, oldlen,
	    link && (flags & VFS_AT_EMPTY_PATH))) != 0)
		return vop_fail(op, err);
	if (link) {
		op->follow = flags & VFS_AT_SYMLINK_FOLLOW;
		op->walked = link_source_walked;
	} else {
		op->parent_only = true;
		op->walked = rename_old_walked;
	}
	walk_start(op);
	return IPC_SUSPEND;
}

/* --- attributes --- */

static void
setattr_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);

	(void)srv;
	if (st >= 0)
		vop_fs_attr_out(op, rep, op->cur);
	vop_answer(op, st < 0 ? st : 0, NULL);
}

static void
fill_now(struct fs_time *t, const struct fs_time *now)
{
	if (t->nsec == VFS_UTIME_NOW)
		*t = *now;
}

static void
setattr_walked(struct vop *op, long err)
{
	struct fs_setattr *sa = &op->sa;
	struct vnode *vn = op->cur;
	uint32_t uid = VFS_CRED_UID(op->cred);
	bool owner = uid == 0 || uid == vn->attr.uid;
	struct fs_time now = { 0, 0 };
	long ns = sys_info(SYSINFO_REALTIME, 0);
	uint64_t w[1];

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (ns > 0) {
		now.sec = ns / 1000000000L;
		now.nsec = ns % 1000000000L;
	}
	if ((vn->mnt->flags & MS_RDONLY) && sa->valid != 0) {
		vop_answer(op, -EROFS, NULL);
		return;
	}
	if ((sa->valid & FS_SET_MODE) && !owner) {
		vop_answer(op, -EPERM, NULL);
		return;
	}
	if ((sa->valid & FS_SET_MODE) && uid != 0 && VFS_CRED_GID(op->cred) != vn->attr.gid)
		sa->mode &= ~02000u;		/* not in the group: setgid is dropped */
	if ((sa->valid & FS_SET_UID) && sa->uid != vn->attr.uid && uid != 0) {
		vop_answer(op, -EPERM, NULL);
		return;
	}
	if ((sa->valid & FS_SET_GID) && sa->gid != vn->attr.gid &&
	    (uid != 0 && (uid != vn->attr.uid || sa->gid != VFS_CRED_GID(op->cred)))) {
		vop_answer(op, -EPERM, NULL);
		return;
	}
	if (sa->valid & FS_SET_SIZE) {
		if (vn_is_dir(vn)) {
			vop_answer(op, -EISDIR, NULL);
			return;
		}
		if ((vn->attr.mode & FS_IFMT) != FS_IFREG) {
			vop_answer(op, -EINVAL, NULL);
			return;
		}
		if (sa->size < 0) {
			vop_answer(op, -EINVAL, NULL);
			return;
		}
		if (op->u[0] == 0 && (err = vn_permission(vn, op->cred, 2)) != 0) {
			vop_answer(op, err, NULL);
			return;
		}
		sa->valid |= FS_SET_MTIME;
		sa->mtime = now;
	}
	if (sa->valid & (FS_SET_ATIME | FS_SET_MTIME)) {
		bool both_now = (!(sa->valid & FS_SET_ATIME) || sa->atime.nsec == VFS_UTIME_NOW) &&
		    (!(sa->valid & FS_SET_MTIME) || sa->mtime.nsec == VFS_UTIME_NOW);

		if (!(sa->valid & FS_SET_SIZE) && !owner &&
		    (!both_now || vn_permission(vn, op->cred, 2) != 0)) {
			vop_answer(op, both_now ? -EACCES : -EPERM, NULL);
			return;
		}
		fill_now(&sa->atime, &now);
		fill_now(&sa->mtime, &now);
	}
	sa->valid |= FS_SET_CTIME;
	sa->ctime = now;
	w[0] = vn->node;
	send_or_fail(op, vn->mnt, FS_SETATTR, w, 1, sa, sizeof(*sa), setattr_reply);
}

static long
do_setattr(struct ipc_server *srv, struct ipc_req *req)
{
	size_t plen = req->msg.w[5];
	uint32_t flags = (uint32_t)req->msg.w[1];
	struct vop *op;
	int err;

	(void)srv;
	if (plen > req->len || req->len - plen != sizeof(struct fs_setattr))
		return -EINVAL;
	if (flags & ~(uint32_t)(VFS_AT_SYMLINK_NOFOLLOW | VFS_AT_EMPTY_PATH))
		return -EINVAL;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	memcpy(&op->sa, (const char *)req->data + plen, sizeof(op->sa));
	if ((err = walk_setup(op, req->msg.w[0], req->msg.w[4], req->data, plen,
	    flags & VFS_AT_EMPTY_PATH)) != 0)
		return vop_fail(op, err);
	op->follow = !(flags & VFS_AT_SYMLINK_NOFOLLOW);
	op->walked = setattr_walked;
	walk_start(op);
	return IPC_SUSPEND;
}

static long
do_ftruncate(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]);
	struct vop *op;

	(void)srv;
	if (f == NULL || f->closing || (f->flags & VFS_O_PATH))
		return -EBADF;
	if ((f->flags & VFS_O_ACCMODE) == VFS_O_RDONLY || (int64_t)req->msg.w[1] < 0)
		return -EINVAL;
	if ((f->vn->attr.mode & FS_IFMT) != FS_IFREG)
		return vn_is_dir(f->vn) ? -EISDIR : -EINVAL;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	op->cur = vn_get(f->vn);
	op->sa.valid = FS_SET_SIZE;
	op->sa.size = (int64_t)req->msg.w[1];
	op->u[0] = 1;				/* opened for writing: no permission check */
	op->cred = 0;
	setattr_walked(op, 0);
	return IPC_SUSPEND;
}

/* --- sync, statfs --- */

static void
sync_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);

	(void)srv;
	if (st < 0 && op->u[1] == 0)
		op->u[1] = (uint64_t)st;
	if (--op->u[0] == 0)
		vop_answer(op, op->label == VFS_SYNC ? 0 : (long)op->u[1], NULL);
}

static long
do_fsync(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]);
	struct vop *op;
	uint64_t w[1];

	(void)srv;
	if (f == NULL || f->closing || (f->flags & VFS_O_PATH))
		return -EBADF;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	op->u[0] = 1;
	w[0] = f->vn->node;
	if (vop_send(op, f->vn->mnt, FS_SYNC, w, 1, NULL, 0, sync_reply) != 0)
		return vop_fail(op, -EIO);
	return IPC_SUSPEND;
}

static long
do_sync(struct ipc_server *srv, struct ipc_req *req)
{
	struct vop *op;
	uint64_t w[1] = { 0 };

	(void)srv;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	op->u[0] = 1;				/* ours, dropped below */
	for (unsigned i = 0; i < VFS_NMOUNT; i++)
		if (vfs_mounts[i].used && vop_send(op, &vfs_mounts[i], FS_SYNC, w, 1, NULL, 0,
		    sync_reply) == 0)
			op->u[0]++;
	if (--op->u[0] == 0)
		vop_answer(op, 0, NULL);
	return IPC_SUSPEND;
}

static void
statfs_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct fs_statfs sf;
	struct ipc_out out;

	(void)srv;
	if (st < 0 || rep->len < sizeof(sf)) {
		vop_answer(op, st < 0 ? st : -EIO, NULL);
		return;
	}
	memcpy(&sf, rep->data, sizeof(sf));
	if (op->cur->mnt->flags & MS_RDONLY)
		sf.flags |= 1;			/* ST_RDONLY */
	memset(&out, 0, sizeof(out));
	out.w[1] = op->cur->mnt->dev;
	out.data = &sf;
	out.len = sizeof(sf);
	vop_answer(op, 0, &out);
}

static void
statfs_walked(struct vop *op, long err)
{
	uint64_t w[1];

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	w[0] = op->cur->node;
	send_or_fail(op, op->cur->mnt, FS_STATFS, w, 1, NULL, 0, statfs_reply);
}

static long
do_statfs(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	return start_walk(req, req->data, req->len, req->msg.w[1] & VFS_AT_EMPTY_PATH, true,
	    false, statfs_walked);
}

/* --- getpath: the names up to the root --- */

static long
do_getpath(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]), *r = vfile_get(req->msg.w[4]);
	static char buf[FS_PATH_MAX];
	size_t pos = sizeof(buf);
	struct vnode *vn;

	(void)srv;
	if (f == NULL || r == NULL)
		return -EBADF;
	for (vn = f->vn; vn != r->vn;) {
		size_t n;

		if (vn->parent == NULL) {	/* a filesystem's root */
			if (vn->mnt->covered == NULL)
				break;		/* the real root: outside the caller's */
			vn = vn->mnt->covered;
			continue;
		}
		if (vn->name == NULL)
			return -ENOENT;
		n = strlen(vn->name);
		if (n + 1 > pos)
			return -ENAMETOOLONG;
		pos -= n;
		memcpy(buf + pos, vn->name, n);
		buf[--pos] = '/';
		vn = vn->parent;
	}
	if (pos == sizeof(buf))
		buf[--pos] = '/';
	req->out.data = buf + pos;
	req->out.len = sizeof(buf) - pos;
	return (long)(sizeof(buf) - pos);
}

/* --- mount, umount --- */

static void
mount_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct vmount *m = (struct vmount *)(uintptr_t)op->u[0];
	struct vnode *root;

	(void)srv;
	if (st < 0 || rep->len < sizeof(struct fs_attr)) {
		handle_close(m->ep);
		m->used = false;
		vop_answer(op, st < 0 ? st : -EIO, NULL);
		return;
	}
	if ((root = vn_new_root(m, rep->msg.w[1], rep->data)) == NULL) {
		m->used = false;
		vop_answer(op, -ENOMEM, NULL);
		return;
	}
	m->root = root;
	m->covered = vn_get(op->cur);
	op->cur->mounted = m;
	vop_answer(op, 0, NULL);
}

static void
mount_walked(struct vop *op, long err)
{
	const char *source = op->rest, *fstype, *options;
	char name[NAME_LEN_MAX + 1];
	struct vmount *m;
	handle_t ep;
	uint64_t w[1] = { op->w[1] };
	size_t slen, dlen;

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	if (!vn_is_dir(op->cur)) {
		vop_answer(op, -ENOTDIR, NULL);
		return;
	}
	fstype = source + strlen(source) + 1;
	options = fstype + strlen(fstype) + 1;
	if (fmt_snprintf(name, sizeof(name), "fs/%s", fstype) >= (int)sizeof(name) ||
	    fstype[0] == '\0' || name_lookup(vfs_name_ep, name, &ep) != 0) {
		vop_answer(op, -ENODEV, NULL);
		return;
	}
	if ((m = mount_alloc()) == NULL) {
		handle_close(ep);
		vop_answer(op, -ENOMEM, NULL);
		return;
	}
	m->ep = ep;
	m->flags = (uint32_t)op->w[1] & MS_RDONLY;
	strlcpy(m->fstype, fstype, sizeof(m->fstype));
	strlcpy(m->source, source, sizeof(m->source));
	op->u[0] = (uint64_t)(uintptr_t)m;
	/* the server gets "source\0options" */
	slen = strlen(source) + 1;
	dlen = strlen(options);
	memmove(op->rest + slen, options, dlen);
	if (vop_send(op, m, FS_MOUNT, w, 1, op->rest, slen + dlen, mount_reply) != 0) {
		handle_close(ep);
		m->used = false;
		vop_answer(op, -EIO, NULL);
	}
}

static long
do_mount(struct ipc_server *srv, struct ipc_req *req)
{
	size_t tlen = req->msg.w[5], n = 0;
	struct vop *op;
	int err;

	(void)srv;
	if (VFS_CRED_UID(req->msg.w[3]) != 0)
		return -EPERM;
	if (tlen >= req->len || req->len - tlen - 1 >= FS_PATH_MAX)
		return -EINVAL;
	/* source, fstype, options: three NUL-terminated strings (the last may be bare) */
	for (size_t i = tlen + 1; i < req->len; i++)
		n += ((const char *)req->data)[i] == '\0';
	if (n < 2)
		return -EINVAL;
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	memcpy(op->rest, (const char *)req->data + tlen + 1, req->len - tlen - 1);
	op->rest[req->len - tlen - 1] = '\0';
	op->restlen = req->len - tlen - 1;
	if ((err = walk_setup(op, req->msg.w[0], req->msg.w[4], req->data, tlen, false)) != 0)
		return vop_fail(op, err);
	op->follow = true;
	op->walked = mount_walked;
	walk_start(op);
	return IPC_SUSPEND;
}

static void
umount_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct vop *op = ctx;
	long st = rep_status(rep);
	struct vmount *m = (struct vmount *)(uintptr_t)op->u[0];

	(void)srv;
	if (st == 0) {
		m->covered->mounted = NULL;
		vn_put(m->covered);
		m->root->fsrefs = 0;		/* the instance is gone with its nodes */
		vn_put(m->root);
		handle_close(m->ep);
		m->used = false;
	}
	vop_answer(op, st, NULL);
}

static void
umount_walked(struct vop *op, long err)
{
	struct vmount *m;
	uint64_t w[1];

	if (err != 0) {
		vop_answer(op, err, NULL);
		return;
	}
	m = op->cur->mnt;
	if (op->cur != m->root || m->covered == NULL) {
		vop_answer(op, -EINVAL, NULL);
		return;
	}
	if (m->nfiles > 0 || m->root->mounted != NULL) {
		vop_answer(op, -EBUSY, NULL);
		return;
	}
	for (unsigned i = 0; i < VFS_NMOUNT; i++)
		if (vfs_mounts[i].used && vfs_mounts[i].covered != NULL &&
		    vfs_mounts[i].covered->mnt == m) {
			vop_answer(op, -EBUSY, NULL);
			return;
		}
	op->u[0] = (uint64_t)(uintptr_t)m;
	w[0] = m->root->node;
	vn_drop_mount(m);		/* what is cached of it must not keep it busy */
	send_or_fail(op, m, FS_UMOUNT, w, 1, NULL, 0, umount_reply);
}

static long
do_umount(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	if (VFS_CRED_UID(req->msg.w[3]) != 0)
		return -EPERM;
	if (req->msg.w[1] & ~0xfUL)
		return -EINVAL;
	return start_walk(req, req->data, req->len, false, true, false, umount_walked);
}

/* --- poll, hello --- */

static long
do_poll(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]);

	(void)srv;
	if (f == NULL || f->closing)
		return -EBADF;
	/* Regular files and directories are always ready (Linux's default). */
	return (long)(req->msg.w[1] & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM));
}

static long
do_hello(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	if (req->nhandles < 1)
		return -EINVAL;
	if (ready_ep != HANDLE_NONE)
		handle_close(ready_ep);
	ready_ep = req->handles[0];
	req->handles[0] = HANDLE_NONE;
	return 0;
}

/*
 * Power-off: unmount everything, the last mounted first. Blocking calls
 * are right here: nothing may happen after this anyway.
 */
static bool shut_down;

static long
do_shutdown(struct ipc_server *srv, struct ipc_req *req)
{
	long first = 0;

	(void)srv;
	(void)req;
	if (shut_down)
		return 0;
	shut_down = true;
	for (int i = VFS_NMOUNT - 1; i >= 0; i--) {
		struct vmount *m = &vfs_mounts[i];
		struct ipc_msg msg;
		long r;

		if (!m->used || m->root == NULL)
			continue;
		vn_forget_mount(m);
		memset(&msg, 0, sizeof(msg));
		msg.label = FS_UMOUNT;
		msg.w[0] = m->root->node;
		r = ipc_call(m->ep, &msg, NULL);
		if (r == 0)
			r = (long)msg.w[0];
		if (r != 0 && first == 0) {
			printf("vfs: unmounting %s (%s) at power-off: error %ld\n", m->fstype,
			    m->source, r);
			first = r;
		}
	}
	return first;
}

/* The root directory as an open file, for a client's first walks. */
static long
do_root(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f;

	(void)srv;
	(void)req;
	if (vfs_mounts[0].root == NULL)
		return -ENOENT;
	if ((f = vfile_alloc(vfs_mounts[0].root, VFS_O_PATH | VFS_O_DIRECTORY)) == NULL)
		return -ENFILE;
	req->out.w[1] = vfile_id(f);
	return 0;
}

const struct ipc_handler vfs_handlers[] = {
	{ VFS_HELLO, do_hello },
	{ VFS_OPEN, do_open },
	{ VFS_CLOSE, do_close },
	{ VFS_READ, do_read },
	{ VFS_WRITE, do_write },
	{ VFS_SEEK, do_seek },
	{ VFS_GETDENTS, do_getdents },
	{ VFS_FSTAT, do_fstat },
	{ VFS_STAT, do_stat },
	{ VFS_ACCESS, do_access },
	{ VFS_MKNOD, do_mknod },
	{ VFS_MKDIR, do_mkdir },
	{ VFS_UNLINK, do_unlink },
	{ VFS_SYMLINK, do_symlink },
	{ VFS_READLINK, do_readlink },
	{ VFS_RENAME, do_rename },
	{ VFS_LINK, do_rename },
	{ VFS_SETATTR, do_setattr },
	{ VFS_FTRUNCATE, do_ftruncate },
	{ VFS_FSYNC, do_fsync },
	{ VFS_SYNC, do_sync },
	{ VFS_STATFS, do_statfs },
	{ VFS_GETPATH, do_getpath },
	{ VFS_MOUNT, do_mount },
	{ VFS_UMOUNT, do_umount },
	{ VFS_POLL, do_poll },
	{ VFS_ROOT, do_root },
	{ VFS_SHUTDOWN, do_shutdown },
};
const unsigned vfs_nhandlers = sizeof(vfs_handlers) / sizeof(vfs_handlers[0]);

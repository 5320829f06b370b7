/*
 * Attributes (setattr: chmod, chown, truncate, utimensat; ftruncate),
 * sync and statfs, getpath, mount and umount, poll and hello, shutdown
 * at power-off, and the root for a client's first walks.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/name_client.h>
#include <lichen/proto/name.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "vfs.h"

extern handle_t vfs_name_ep;

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

long
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

long
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

long
do_fsync(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]);
	struct vop *op;
	uint64_t w[1];

	(void)srv;
	if (f == NULL || f->closing || (f->flags & VFS_O_PATH))
		return -EBADF;
	if (f->pipe != NULL)
		return -EINVAL;			/* as Linux: nothing to sync */
	if ((op = vop_new(req)) == NULL)
		return -ENOMEM;
	op->u[0] = 1;
	w[0] = f->vn->node;
	if (vop_send(op, f->vn->mnt, FS_SYNC, w, 1, NULL, 0, sync_reply) != 0)
		return vop_fail(op, -EIO);
	return IPC_SUSPEND;
}

long
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

long
do_statfs(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	return start_walk(req, req->data, req->len, req->msg.w[1] & VFS_AT_EMPTY_PATH, true,
	    false, statfs_walked);
}

/* --- getpath: the names up to the root --- */

/*
 * vn's path up to stop (a directory; or the real root), built backwards
 * at the end of buf (cap bytes, no NUL): its start in *at and its
 * length, or -ENOENT (a name on the way is unlinked) / -ENAMETOOLONG.
 */
static long
vn_path(struct vnode *vn, const struct vnode *stop, char *buf, size_t cap, char **at)
{
	size_t pos = cap;

	while (vn != stop) {
		size_t n;

		if (vn->parent == NULL) {	/* a filesystem's root */
			if (vn->mnt->covered == NULL)
				break;		/* the real root: outside stop */
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
	if (pos == cap)
		buf[--pos] = '/';
	*at = buf + pos;
	return (long)(cap - pos);
}

long
do_getpath(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]), *r = vfile_get(req->msg.w[4]);
	static char buf[FS_PATH_MAX];
	char *at;
	long n;

	(void)srv;
	if (f == NULL || r == NULL)
		return -EBADF;
	if ((n = vn_path(f->vn, r->vn, buf, sizeof(buf), &at)) < 0)
		return n;
	req->out.data = at;
	req->out.len = (size_t)n;
	return n;
}

/* /proc/mounts' lines: a disk's source as its /dev node, "none" as the type. */
long
do_mounts(struct ipc_server *srv, struct ipc_req *req)
{
	static char out[IPC_BUF_MAX], buf[FS_PATH_MAX];
	size_t len = 0;

	(void)srv;
	for (int i = 0; i < VFS_NMOUNT; i++) {
		const struct vmount *m = &vfs_mounts[i];
		const char *src = m->source;
		char dev[80], *path = "/";
		int n;

		if (!m->used || m->root == NULL)
			continue;
		buf[sizeof(buf) - 1] = '\0';
		if (m->covered != NULL && vn_path(m->covered, NULL, buf, sizeof(buf) - 1, &path) < 0)
			continue;		/* mounted on what is gone */
		if (strncmp(src, "blk/", 4) == 0) {
			fmt_snprintf(dev, sizeof(dev), "/dev/%s", src + 4);
			src = dev;
		} else if (src[0] == '\0' || strcmp(src, "none") == 0) {
			src = m->fstype;
		}
		n = fmt_snprintf(out + len, sizeof(out) - len, "%s %s %s %s 0 0\n", src, path,
		    m->fstype, (m->flags & MS_RDONLY) ? "ro" : "rw");
		if (n < 0 || (size_t)n >= sizeof(out) - len)
			break;
		len += (size_t)n;
	}
	req->out.data = out;
	req->out.len = len;
	return (long)len;
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

long
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

long
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

long
do_poll(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]);

	(void)srv;
	if (f == NULL || f->closing)
		return -EBADF;
	if (f->pipe != NULL)
		return pipe_poll(req, f);
	if (vfile_is_dev(f))
		return dev_poll(req, f);
	/* Regular files and directories are always ready (Linux's default). */
	return (long)(req->msg.w[1] & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM));
}

long
do_hello(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	if (req->nhandles < 1)
		return -EINVAL;
	if (vfs_ready_ep != HANDLE_NONE)
		handle_close(vfs_ready_ep);
	vfs_ready_ep = req->handles[0];
	req->handles[0] = HANDLE_NONE;
	return 0;
}

/*
 * Power-off: unmount everything, the last mounted first. Blocking calls
 * are right here: nothing may happen after this anyway.
 */
static bool shut_down;

long
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
long
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

/*
 * handlers.c - PROTO_FS (lichen/proto/fs.h) for libipc's server loop:
 * each handler decodes one request, checking every word and length
 * against the message before the core sees it, calls the tmpfs_*
 * function of that operation and builds the reply. Words that must fit
 * 32 bits and do not, lengths past the data, reads beyond IPC_BUF_MAX
 * are -EINVAL; the core checks node ids and names.
 *
 * Host-built too: the unit tests send real messages to this table over
 * libipc's host transport.
 */
#include <lichen/errno.h>
#include <lichen/ipc_server.h>
#include <lichen/proto/fs.h>
#include <lichen/string.h>

#include "tmpfs.h"

#define FS(srv) ((struct tmpfs *)(srv)->ctx)

/* Replies point here; the loop copies them out before the next request. */
static char reply_buf[IPC_BUF_MAX]; /* READ's data, READDIR's records */
static struct fs_attr reply_attr;
static struct fs_statfs reply_statfs;

/* A reply that names a node: w1 = it, its attributes as data. */
static long
node_reply(struct ipc_req *req, int r)
{
	if (r < 0)
		return r;
	req->out.w[1] = reply_attr.ino;
	req->out.data = &reply_attr;
	req->out.len = sizeof(reply_attr);
	return 0;
}

static bool
fits32(uint64_t w)
{
	return w <= UINT32_MAX;
}

int (*tmpfs_mount_source)(struct tmpfs *fs, uint64_t root, const char *src, size_t len);

/*
 * "SOURCE\0OPTIONS" (trailing NULs are tolerated). The source is "" or
 * "none", or what tmpfs_mount_source fills the instance from.
 */
static long
do_mount(struct ipc_server *srv, struct ipc_req *req)
{
	const char *d = req->data, *nul = memchr(d, '\0', req->len), *opts = "";
	size_t olen = 0, slen = nul != NULL ? (size_t)(nul - d) : req->len;
	int r;

	if (nul != NULL) {
		opts = nul + 1;
		olen = req->len - (size_t)(opts - d);
		while (olen > 0 && opts[olen - 1] == '\0')
			olen--;
	}
	r = tmpfs_mount(FS(srv), opts, olen, req->msg.w[0], &reply_attr);
	if (r == 0 && slen > 0 && !(slen == 4 && memcmp(d, "none", 4) == 0)) {
		r = tmpfs_mount_source != NULL ?
		    tmpfs_mount_source(FS(srv), reply_attr.ino, d, slen) : -ENODEV;
		if (r != 0) {			/* the instance goes with what it holds */
			tmpfs_forget(FS(srv), reply_attr.ino, 1);
			tmpfs_umount(FS(srv), reply_attr.ino);
		} else {
			tmpfs_getattr(FS(srv), reply_attr.ino, &reply_attr);
		}
	}
	return node_reply(req, r);
}

static long
do_umount(struct ipc_server *srv, struct ipc_req *req)
{
	return tmpfs_umount(FS(srv), req->msg.w[0]);
}

static long
do_lookup(struct ipc_server *srv, struct ipc_req *req)
{
	return node_reply(req, tmpfs_lookup(FS(srv), req->msg.w[0], req->data,
				   req->len, &reply_attr));
}

static long
do_forget(struct ipc_server *srv, struct ipc_req *req)
{
	return tmpfs_forget(FS(srv), req->msg.w[0], req->msg.w[1]);
}

static long
do_getattr(struct ipc_server *srv, struct ipc_req *req)
{
	return node_reply(
	    req, tmpfs_getattr(FS(srv), req->msg.w[0], &reply_attr));
}

static long
do_setattr(struct ipc_server *srv, struct ipc_req *req)
{
	struct fs_setattr sa;

	if (req->len != sizeof(sa))
		return -EINVAL;
	memcpy(&sa, req->data, sizeof(sa)); /* the buffer need not be aligned */
	return node_reply(
	    req, tmpfs_setattr(FS(srv), req->msg.w[0], &sa, &reply_attr));
}

static long
do_read(struct ipc_server *srv, struct ipc_req *req)
{
	int64_t n;

	if (req->msg.w[2] > IPC_BUF_MAX)
		return -EINVAL;
	n = tmpfs_read(
	    FS(srv), req->msg.w[0], req->msg.w[1], reply_buf, req->msg.w[2]);
	if (n > 0) {
		req->out.data = reply_buf;
		req->out.len = (size_t)n;
	}
	return (long)n;
}

static long
do_write(struct ipc_server *srv, struct ipc_req *req)
{
	int64_t n, size;

	if (!fits32(req->msg.w[2]))
		return -EINVAL;
	n = tmpfs_write(FS(srv), req->msg.w[0], req->msg.w[1], req->data,
	    req->len, (unsigned)req->msg.w[2], &size);
	if (n >= 0)
		req->out.w[1] = (uint64_t)size;
	return (long)n;
}

/* More room than a reply holds is not an error: the reply is that full. */
static long
do_readdir(struct ipc_server *srv, struct ipc_req *req)
{
	size_t room =
	    req->msg.w[2] < IPC_BUF_MAX ? (size_t)req->msg.w[2] : IPC_BUF_MAX;
	int64_t n = tmpfs_readdir(
	    FS(srv), req->msg.w[0], req->msg.w[1], reply_buf, room);

	if (n > 0) {
		req->out.data = reply_buf;
		req->out.len = (size_t)n;
	}
	return (long)n;
}

static long
do_create(struct ipc_server *srv, struct ipc_req *req)
{
	const uint64_t *w = req->msg.w;

	if (!fits32(w[1]) || !fits32(w[2]) || !fits32(w[3]))
		return -EINVAL;
	return node_reply(req,
	    tmpfs_create(FS(srv), w[0], req->data, req->len, (uint32_t)w[1],
		(uint32_t)w[2], (uint32_t)w[3], w[4], &reply_attr));
}

static long
do_mkdir(struct ipc_server *srv, struct ipc_req *req)
{
	const uint64_t *w = req->msg.w;

	if (!fits32(w[1]) || !fits32(w[2]) || !fits32(w[3]))
		return -EINVAL;
	return node_reply(
	    req, tmpfs_mkdir(FS(srv), w[0], req->data, req->len, (uint32_t)w[1],
		     (uint32_t)w[2], (uint32_t)w[3], &reply_attr));
}

/* data: the name (w1 bytes), then the target. */
static long
do_symlink(struct ipc_server *srv, struct ipc_req *req)
{
	const uint64_t *w = req->msg.w;
	const char *d = req->data;

	if (w[1] > req->len || !fits32(w[2]) || !fits32(w[3]))
		return -EINVAL;
	return node_reply(req,
	    tmpfs_symlink(FS(srv), w[0], d, w[1], d + w[1], req->len - w[1],
		(uint32_t)w[2], (uint32_t)w[3], &reply_attr));
}

static long
do_readlink(struct ipc_server *srv, struct ipc_req *req)
{
	const char *target;
	int64_t n = tmpfs_readlink(FS(srv), req->msg.w[0], &target);

	if (n > 0) {
		req->out.data = target;
		req->out.len = (size_t)n;
	}
	return (long)n;
}

static long
do_link(struct ipc_server *srv, struct ipc_req *req)
{
	return node_reply(req, tmpfs_link(FS(srv), req->msg.w[0], req->msg.w[1],
				   req->data, req->len, &reply_attr));
}

static long
do_unlink(struct ipc_server *srv, struct ipc_req *req)
{
	return tmpfs_unlink(FS(srv), req->msg.w[0], req->data, req->len);
}

static long
do_rmdir(struct ipc_server *srv, struct ipc_req *req)
{
	return tmpfs_rmdir(FS(srv), req->msg.w[0], req->data, req->len);
}

/* data: the old name (w2 bytes), then the new one. */
static long
do_rename(struct ipc_server *srv, struct ipc_req *req)
{
	const uint64_t *w = req->msg.w;
	const char *d = req->data;

	if (w[2] > req->len || !fits32(w[3]))
		return -EINVAL;
	return tmpfs_rename(FS(srv), w[0], d, w[2], w[1], d + w[2],
	    req->len - w[2], (unsigned)w[3]);
}

static long
do_truncate(struct ipc_server *srv, struct ipc_req *req)
{
	return node_reply(req,
	    tmpfs_truncate(FS(srv), req->msg.w[0], req->msg.w[1], &reply_attr));
}

static long
do_statfs(struct ipc_server *srv, struct ipc_req *req)
{
	int r = tmpfs_statfs(FS(srv), req->msg.w[0], &reply_statfs);

	if (r == 0) {
		req->out.data = &reply_statfs;
		req->out.len = sizeof(reply_statfs);
	}
	return r;
}

static long
do_sync(struct ipc_server *srv, struct ipc_req *req)
{
	return tmpfs_sync(FS(srv), req->msg.w[0]);
}

static long
do_poll(struct ipc_server *srv, struct ipc_req *req)
{
	return (long)tmpfs_poll(FS(srv), req->msg.w[0], req->msg.w[1]);
}

static long
do_ioctl(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	(void)req;
	return -ENOTTY;
}

const struct ipc_handler tmpfs_handlers[] = {
    {FS_MOUNT, do_mount},
    {FS_UMOUNT, do_umount},
    {FS_LOOKUP, do_lookup},
    {FS_FORGET, do_forget},
    {FS_GETATTR, do_getattr},
    {FS_SETATTR, do_setattr},
    {FS_READ, do_read},
    {FS_WRITE, do_write},
    {FS_READDIR, do_readdir},
    {FS_CREATE, do_create},
    {FS_MKDIR, do_mkdir},
    {FS_SYMLINK, do_symlink},
    {FS_READLINK, do_readlink},
    {FS_LINK, do_link},
    {FS_UNLINK, do_unlink},
    {FS_RMDIR, do_rmdir},
    {FS_RENAME, do_rename},
    {FS_TRUNCATE, do_truncate},
    {FS_STATFS, do_statfs},
    {FS_SYNC, do_sync},
    {FS_POLL, do_poll},
    {FS_IOCTL, do_ioctl},
};
const unsigned tmpfs_nhandlers =
    sizeof(tmpfs_handlers) / sizeof(tmpfs_handlers[0]);

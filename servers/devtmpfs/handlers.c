/*
 * handlers.c - PROTO_FS (lichen/proto/fs.h) for devtmpfs: each handler
 * checks the request's words and lengths, then calls the tree
 * (devfs_core.c), answers a memory device itself (null, zero, full,
 * random, urandom), or hands a terminal request to console.c and a
 * disk's to disk.c. The tree is fixed (but for the disks disk.c finds),
 * so everything that would make or remove a name is -EPERM.
 */
#include <lichen/errno.h>
#include <lichen/ipc_server.h>
#include <lichen/proto/fs.h>
#include <lichen/string.h>

#include "console.h"
#include "devfs.h"
#include "disk.h"
#include "handlers.h"
#include "tty_core.h"

/* Replies point here; the loop copies them out before the next request. */
static uint8_t reply_buf[IPC_BUF_MAX];
static struct fs_attr reply_attr;
static struct fs_statfs reply_statfs;

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

/* The node a request names, as a device: a memory one, DK_TTY or DK_BLK. */
static int
dev_get(uint64_t id, struct dev_node **np)
{
	struct dev_node *n = devfs_node(id);

	if (n == NULL)
		return -ENOENT;
	if (n->kind == DK_DIR)
		return -EISDIR;
	if (n->kind == DK_LINK)
		return -EINVAL;
	if (n->kind == DK_TTY && !console_present())
		return -ENXIO;
	*np = n;
	return 0;
}

/* One instance, as Linux's devtmpfs: every mount is the same tree. */
static long
do_mount(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	return node_reply(req, devfs_getattr(DEVFS_ROOT, &reply_attr));
}

static long
do_umount(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	return req->msg.w[0] == DEVFS_ROOT ? 0 : -EINVAL;
}

/* An absent disk's name: looked for again in the name service first (disk.c). */
static long
do_lookup(struct ipc_server *srv, struct ipc_req *req)
{
	int r = devfs_lookup(req->msg.w[0], req->data, req->len, &reply_attr);
	struct dev_node *slot;

	(void)srv;
	if (r == -ENOENT && (slot = devfs_absent(req->msg.w[0], req->data, req->len)) != NULL &&
	    disk_lookup(req, slot) == IPC_SUSPEND)
		return IPC_SUSPEND;
	return node_reply(req, r);
}

/* Nodes are never freed: a reference given back changes nothing. */
static long
do_forget(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	return devfs_node(req->msg.w[0]) != NULL ? 0 : -ENOENT;
}

static long
do_getattr(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	return node_reply(req, devfs_getattr(req->msg.w[0], &reply_attr));
}

static long
do_setattr(struct ipc_server *srv, struct ipc_req *req)
{
	struct fs_setattr sa;

	(void)srv;
	if (req->len != sizeof(sa))
		return -EINVAL;
	memcpy(&sa, req->data, sizeof(sa));
	return node_reply(req, devfs_setattr(req->msg.w[0], &sa, &reply_attr));
}

static long
do_read(struct ipc_server *srv, struct ipc_req *req)
{
	size_t len = (size_t)req->msg.w[2];
	struct dev_node *n;
	int r;

	(void)srv;
	if (req->msg.w[2] > IPC_BUF_MAX)
		return -EINVAL;
	if ((r = dev_get(req->msg.w[0], &n)) != 0)
		return r;
	switch (n->kind) {
	case DK_NULL:
		return 0;
	case DK_ZERO:
	case DK_FULL:			/* /dev/full reads as zeros */
		memset(reply_buf, 0, len);
		break;
	case DK_RANDOM:
		rng_read(reply_buf, len);
		break;
	case DK_TTY:
		return console_read(req);
	case DK_BLK:
		return disk_read(req, n);
	default:
		return -EINVAL;
	}
	req->out.data = reply_buf;
	req->out.len = len;
	return (long)len;
}

static long
do_write(struct ipc_server *srv, struct ipc_req *req)
{
	struct dev_node *n;
	int r;

	(void)srv;
	if (req->msg.w[2] & ~(uint64_t)(FS_WRITE_APPEND | FS_IO_NONBLOCK))
		return -EINVAL;
	if ((r = dev_get(req->msg.w[0], &n)) != 0)
		return r;
	switch (n->kind) {
	case DK_NULL:
	case DK_ZERO:
		return (long)req->len;
	case DK_FULL:
		return -ENOSPC;
	case DK_RANDOM:			/* mixed in, credited nothing (as Linux) */
		rng_mix(req->data, req->len);
		return (long)req->len;
	case DK_TTY:
		return console_write(req);
	case DK_BLK:
		return disk_write(req, n);
	default:
		return -EINVAL;
	}
}

static long
do_readdir(struct ipc_server *srv, struct ipc_req *req)
{
	size_t room = req->msg.w[2] < IPC_BUF_MAX ? (size_t)req->msg.w[2] : IPC_BUF_MAX;
	int64_t n;

	(void)srv;
	/* Reading /dev from its start: disks registered since are looked for first. */
	if (req->msg.w[0] == DEVFS_ROOT && req->msg.w[1] == 0 && disk_readdir(req) == IPC_SUSPEND)
		return IPC_SUSPEND;
	n = devfs_readdir(req->msg.w[0], req->msg.w[1], (char *)reply_buf, room);
	if (n > 0) {
		req->out.data = reply_buf;
		req->out.len = (size_t)n;
	}
	return (long)n;
}

static long
do_readlink(struct ipc_server *srv, struct ipc_req *req)
{
	const char *target;
	int64_t n = devfs_readlink(req->msg.w[0], &target);

	(void)srv;
	if (n > 0) {
		req->out.data = target;
		req->out.len = (size_t)n;
	}
	return (long)n;
}

/* CREATE, MKDIR, SYMLINK, LINK, UNLINK, RMDIR, RENAME: the tree is fixed. */
static long
do_fixed(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	(void)req;
	return -EPERM;
}

static long
do_truncate(struct ipc_server *srv, struct ipc_req *req)
{
	struct fs_setattr sa = { .valid = FS_SET_SIZE, .size = (int64_t)req->msg.w[1] };

	(void)srv;
	return node_reply(req, devfs_setattr(req->msg.w[0], &sa, &reply_attr));
}

static long
do_statfs(struct ipc_server *srv, struct ipc_req *req)
{
	int r = devfs_statfs(req->msg.w[0], &reply_statfs);

	(void)srv;
	if (r == 0) {
		req->out.data = &reply_statfs;
		req->out.len = sizeof(reply_statfs);
	}
	return r;
}

/* A disk's node: its flush; 0 (sync(2)): every disk's; other nodes: nothing to do. */
static long
do_sync(struct ipc_server *srv, struct ipc_req *req)
{
	struct dev_node *n = devfs_node(req->msg.w[0]);

	(void)srv;
	if (req->msg.w[0] == 0)
		return disk_sync(req, NULL);
	if (n == NULL)
		return -ENOENT;
	return n->kind == DK_BLK ? disk_sync(req, n) : 0;
}

#define POLL_ALWAYS (TTY_POLLIN | TTY_POLLOUT | TTY_POLLRDNORM | TTY_POLLWRNORM)

static long
do_poll(struct ipc_server *srv, struct ipc_req *req)
{
	struct dev_node *n = devfs_node(req->msg.w[0]);

	(void)srv;
	if (n == NULL)
		return -ENOENT;
	if (n->kind == DK_TTY && console_present())
		return (long)console_poll((unsigned)req->msg.w[1]);
	return (long)(req->msg.w[1] & POLL_ALWAYS);	/* Linux's default */
}

static long
do_ioctl(struct ipc_server *srv, struct ipc_req *req)
{
	struct dev_node *n;
	int r;

	(void)srv;
	if ((r = dev_get(req->msg.w[0], &n)) != 0)
		return r == -EISDIR || r == -EINVAL ? -ENOTTY : r;
	if (n->kind == DK_BLK)
		return disk_ioctl(req, n);
	return n->kind == DK_TTY ? console_ioctl(req) : -ENOTTY;
}

static long
do_watch(struct ipc_server *srv, struct ipc_req *req)
{
	struct dev_node *n;
	int r;

	(void)srv;
	if ((r = dev_get(req->msg.w[0], &n)) != 0)
		return r;
	return n->kind == DK_TTY ? console_watch(req) : -ENOTTY;
}

/* The kernel's messages come with their cookies as badges and no token. */
static long
do_irq(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	if (req->msg.badge == CONSOLE_IRQ_COOKIE && req->msg.token == HANDLE_NONE &&
	    console_present())
		console_irq();
	return 0;
}

static long
do_timer(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	if (req->msg.badge == CONSOLE_TIMER_COOKIE && req->msg.token == HANDLE_NONE &&
	    console_present())
		console_timer();
	return 0;
}

const struct ipc_handler devtmpfs_handlers[] = {
	{ FS_MOUNT, do_mount },
	{ FS_UMOUNT, do_umount },
	{ FS_LOOKUP, do_lookup },
	{ FS_FORGET, do_forget },
	{ FS_GETATTR, do_getattr },
	{ FS_SETATTR, do_setattr },
	{ FS_READ, do_read },
	{ FS_WRITE, do_write },
	{ FS_READDIR, do_readdir },
	{ FS_CREATE, do_fixed },
	{ FS_MKDIR, do_fixed },
	{ FS_SYMLINK, do_fixed },
	{ FS_READLINK, do_readlink },
	{ FS_LINK, do_fixed },
	{ FS_UNLINK, do_fixed },
	{ FS_RMDIR, do_fixed },
	{ FS_RENAME, do_fixed },
	{ FS_TRUNCATE, do_truncate },
	{ FS_STATFS, do_statfs },
	{ FS_SYNC, do_sync },
	{ FS_POLL, do_poll },
	{ FS_IOCTL, do_ioctl },
	{ FS_TTY_WATCH, do_watch },
	{ LABEL_IRQ, do_irq },
	{ LABEL_TIMER, do_timer },
};
const unsigned devtmpfs_nhandlers = sizeof(devtmpfs_handlers) / sizeof(devtmpfs_handlers[0]);

/*
 * bootfs: the boot archive as a read-only filesystem (PROTO_FS,
 * lichen/proto/fs.h), served by init itself on its own endpoint and
 * registered as "fs/bootfs". It is what vfs mounts on / when there is no
 * root disk (the way Linux starts from its initramfs), and what the
 * servers and the first Linux programs are read from.
 *
 * A node is the offset of its entry's name in the archive plus
 * BOOTFS_NODE_BASE; the root, which has no entry, is BOOTFS_ROOT. Every
 * node id a request names is checked against the archive, so a stale or
 * forged one is -ENOENT, never a wild read. Anything that would write
 * is -EROFS.
 */
#include <lichen/cpio.h>
#include <lichen/errno.h>
#include <lichen/ipc_server.h>
#include <lichen/proto/fs.h>
#include <lichen/string.h>

#include "bootfs.h"

#define BOOTFS_ROOT		1u
#define BOOTFS_NODE_BASE	16u
#define RAMFS_MAGIC		0x858458f6
#define DT_DIR			4

static const char *archive;
static size_t archive_len;

void
bootfs_init(const void *base, size_t len)
{
	archive = base;
	archive_len = len;
}

/* The entry that node names: 1, or 0 (the root: e->name = ""), or -ENOENT. */
static int
node_entry(uint64_t node, struct cpio_entry *e)
{
	struct cpio_iter it;

	if (node == BOOTFS_ROOT) {
		memset(e, 0, sizeof(*e));
		e->name = "";
		e->mode = FS_IFDIR | 0755;
		return 0;
	}
	if (node < BOOTFS_NODE_BASE || node - BOOTFS_NODE_BASE >= archive_len)
		return -ENOENT;
	cpio_iter_init(&it, archive, archive_len);
	while (cpio_next(&it, e) == 1)
		if ((uint64_t)(e->name - archive) + BOOTFS_NODE_BASE == node)
			return 1;
	return -ENOENT;
}

static uint64_t
entry_node(const struct cpio_entry *e)
{
	return e->name[0] == '\0' ? BOOTFS_ROOT :
	    (uint64_t)(e->name - archive) + BOOTFS_NODE_BASE;
}

static void
entry_attr(const struct cpio_entry *e, struct fs_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = entry_node(e);
	a->mode = e->mode;
	a->nlink = (e->mode & FS_IFMT) == FS_IFDIR ? 2 : 1;
	a->size = (int64_t)e->size;
	a->blocks = (int64_t)((e->size + 511) / 512);
	a->blksize = 4096;
}

/* The reply for a node: w1 and its attributes as data (a static buffer). */
static long
reply_node(struct ipc_req *req, const struct cpio_entry *e)
{
	static struct fs_attr attr;

	entry_attr(e, &attr);
	req->out.w[1] = attr.ino;
	req->out.data = &attr;
	req->out.len = sizeof(attr);
	return 0;
}

static long
bootfs_mount(struct ipc_server *srv, struct ipc_req *req)
{
	struct cpio_entry root;

	(void)srv;
	node_entry(BOOTFS_ROOT, &root);
	return reply_node(req, &root);
}

static long
bootfs_lookup(struct ipc_server *srv, struct ipc_req *req)
{
	struct cpio_entry dir, e;
	char path[512];
	size_t dlen;
	int r;

	(void)srv;
	if ((r = node_entry(req->msg.w[0], &dir)) < 0)
		return r;
	if ((dir.mode & FS_IFMT) != FS_IFDIR)
		return -ENOTDIR;
	if (req->len == 0 || req->len > FS_NAME_MAX || memchr(req->data, '/', req->len) ||
	    memchr(req->data, '\0', req->len))
		return -EINVAL;
	dlen = strlen(dir.name);
	if (dlen + 1 + req->len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir.name, dlen);
	if (dlen > 0)
		path[dlen++] = '/';
	memcpy(path + dlen, req->data, req->len);
	path[dlen + req->len] = '\0';
	if (cpio_find(archive, archive_len, path, &e) != 1)
		return -ENOENT;
	return reply_node(req, &e);
}

static long
bootfs_getattr(struct ipc_server *srv, struct ipc_req *req)
{
	struct cpio_entry e;
	int r;

	(void)srv;
	if ((r = node_entry(req->msg.w[0], &e)) < 0)
		return r;
	return reply_node(req, &e);
}

static long
bootfs_read(struct ipc_server *srv, struct ipc_req *req)
{
	uint64_t off = req->msg.w[1], n = req->msg.w[2];
	struct cpio_entry e;
	int r;

	(void)srv;
	if ((r = node_entry(req->msg.w[0], &e)) < 0)
		return r;
	if ((e.mode & FS_IFMT) == FS_IFDIR)
		return -EISDIR;
	if ((e.mode & FS_IFMT) != FS_IFREG)
		return -EINVAL;
	if ((int64_t)off < 0)
		return -EINVAL;
	if (off >= e.size)
		return 0;
	if (n > IPC_BUF_MAX)
		n = IPC_BUF_MAX;
	if (n > e.size - off)
		n = e.size - off;
	req->out.data = (const char *)e.data + off;
	req->out.len = n;
	return (long)n;
}

static long
bootfs_readlink(struct ipc_server *srv, struct ipc_req *req)
{
	struct cpio_entry e;
	int r;

	(void)srv;
	if ((r = node_entry(req->msg.w[0], &e)) < 0)
		return r;
	if ((e.mode & FS_IFMT) != FS_IFLNK)
		return -EINVAL;
	req->out.data = e.data;
	req->out.len = e.size;
	return (long)e.size;
}

/*
 * Positions: 0 ".", 1 "..", then 2 + i for the archive's i-th entry
 * (when it is a child of the directory): stable, since nothing changes.
 */
static long
bootfs_readdir(struct ipc_server *srv, struct ipc_req *req)
{
	static char out[IPC_BUF_MAX];
	uint64_t pos = req->msg.w[1], room = req->msg.w[2], i = 2;
	struct cpio_entry dir, e, up;
	struct cpio_iter it;
	size_t used = 0, dlen, n;
	int r;

	(void)srv;
	if ((r = node_entry(req->msg.w[0], &dir)) < 0)
		return r;
	if ((dir.mode & FS_IFMT) != FS_IFDIR)
		return -ENOTDIR;
	if ((int64_t)pos < 0)
		return -EINVAL;
	if (room > sizeof(out))
		room = sizeof(out);
	dlen = strlen(dir.name);
	if (pos == 0) {
		if ((n = fs_dirent_put(out, room, entry_node(&dir), 1, DT_DIR, ".", 1)) == 0)
			return -EINVAL;
		used += n;
		pos = 1;
	}
	if (pos == 1) {
		char parent[512];
		const char *slash = strrchr(dir.name, '/');

		strlcpy(parent, dir.name, sizeof(parent));
		parent[slash != NULL ? (size_t)(slash - dir.name) : 0] = '\0';
		if (parent[0] == '\0' || cpio_find(archive, archive_len, parent, &up) != 1)
			node_entry(BOOTFS_ROOT, &up);
		if ((n = fs_dirent_put(out + used, room - used, entry_node(&up), 2, DT_DIR, "..",
		    2)) == 0)
			goto full;
		used += n;
		pos = 2;
	}
	cpio_iter_init(&it, archive, archive_len);
	for (; cpio_next(&it, &e) == 1; i++) {
		const char *rest;

		if (i < pos)
			continue;
		if (dlen > 0 && (strncmp(e.name, dir.name, dlen) != 0 || e.name[dlen] != '/'))
			continue;
		rest = dlen > 0 ? e.name + dlen + 1 : e.name;
		if (rest[0] == '\0' || strchr(rest, '/') != NULL || strcmp(rest, ".") == 0)
			continue;
		if ((n = fs_dirent_put(out + used, room - used, entry_node(&e), (int64_t)i + 1,
		    (uint8_t)((e.mode & FS_IFMT) >> 12), rest, strlen(rest))) == 0)
			goto full;
		used += n;
	}
	req->out.data = out;
	req->out.len = used;
	return (long)used;
full:
	if (used == 0)
		return -EINVAL;		/* room for not even one record */
	req->out.data = out;
	req->out.len = used;
	return (long)used;
}

static long
bootfs_statfs(struct ipc_server *srv, struct ipc_req *req)
{
	static struct fs_statfs sf;

	(void)srv;
	memset(&sf, 0, sizeof(sf));
	sf.type = RAMFS_MAGIC;
	sf.bsize = 4096;
	sf.blocks = (archive_len + 4095) / 4096;
	sf.namelen = 255;
	sf.frsize = 4096;
	sf.flags = 1;			/* ST_RDONLY */
	req->out.data = &sf;
	req->out.len = sizeof(sf);
	return 0;
}

static long
bootfs_ok(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	(void)req;
	return 0;
}

static long
bootfs_rofs(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	(void)req;
	return -EROFS;
}

static long
bootfs_poll(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	return (long)(req->msg.w[1] & 0x145);	/* POLLIN|POLLOUT|POLLRDNORM|POLLWRNORM */
}

static long
bootfs_ioctl(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	(void)req;
	return -ENOTTY;
}

const struct ipc_handler bootfs_handlers[] = {
	{ FS_MOUNT, bootfs_mount },
	{ FS_UMOUNT, bootfs_ok },
	{ FS_LOOKUP, bootfs_lookup },
	{ FS_FORGET, bootfs_ok },
	{ FS_GETATTR, bootfs_getattr },
	{ FS_SETATTR, bootfs_rofs },
	{ FS_READ, bootfs_read },
	{ FS_WRITE, bootfs_rofs },
	{ FS_READDIR, bootfs_readdir },
	{ FS_CREATE, bootfs_rofs },
	{ FS_MKDIR, bootfs_rofs },
	{ FS_SYMLINK, bootfs_rofs },
	{ FS_READLINK, bootfs_readlink },
	{ FS_LINK, bootfs_rofs },
	{ FS_UNLINK, bootfs_rofs },
	{ FS_RMDIR, bootfs_rofs },
	{ FS_RENAME, bootfs_rofs },
	{ FS_TRUNCATE, bootfs_rofs },
	{ FS_STATFS, bootfs_statfs },
	{ FS_SYNC, bootfs_ok },
	{ FS_POLL, bootfs_poll },
	{ FS_IOCTL, bootfs_ioctl },
};
const unsigned bootfs_nhandlers = sizeof(bootfs_handlers) / sizeof(bootfs_handlers[0]);

/*
 * fat32: the FAT32 core (fat_core.h, docs/fat32.md) as a PROTO_FS server
 * (lichen/proto/fs.h) over a PROTO_BLOCK disk (lichen/proto/block.h).
 *
 *   fat32 [BLOCKDEV]      e.g. fat32 blk/vda (the default)
 *
 * It registers "fs/fat32" at once; FS_MOUNT then finds the disk named by
 * its source (or BLOCKDEV), mounts it, and answers with the root. One
 * volume at a time (a second mount is -EBUSY). The core is synchronous:
 * each request is answered before the next is taken, and disk reads
 * and writes are calls to the block driver (which never waits on us).
 * Everything reaches the disk on FS_SYNC, FS_UMOUNT and when the core's
 * cache evicts; vfs syncs every filesystem before power-off.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/ipc_server.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/proto/block.h>
#include <lichen/proto/fs.h>
#include <lichen/proto/name.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "fat_core.h"

int main(int argc, char **argv);

_Static_assert(sizeof(struct fat_attr) == sizeof(struct fs_attr), "fat_attr is fs_attr");
_Static_assert(sizeof(struct fat_setattr) == sizeof(struct fs_setattr), "setattr layouts");
_Static_assert(sizeof(struct fat_statfs) == sizeof(struct fs_statfs), "statfs layouts");

static handle_t name_ep, disk = HANDLE_NONE;
static const char *default_dev = "blk/vda";
static struct fat_fs *fs;
static struct ipc_server srv;
static char rbuf[IPC_BUF_MAX + 1024];
static char out[IPC_BUF_MAX];
static struct fat_attr attr_out;

/* --- the disk --- */

static int
blk_rw(uint64_t label, uint64_t sector, uint32_t count, void *rbuf_, const void *sbuf)
{
	uint64_t bytes = (uint64_t)count * BLOCK_SECTOR;

	/* at most BLOCK_IO_MAX per request */
	for (uint64_t done = 0; done < bytes;) {
		uint64_t n = bytes - done < BLOCK_IO_MAX ? bytes - done : BLOCK_IO_MAX;
		struct ipc_msg m;
		struct ipc_ext x;
		long r;

		memset(&m, 0, sizeof(m));
		memset(&x, 0, sizeof(x));
		m.label = label;
		m.w[0] = sector + done / BLOCK_SECTOR;
		m.w[1] = n;
		if (sbuf != NULL) {
			x.sbuf = (uint64_t)(uintptr_t)((const char *)sbuf + done);
			x.slen = n;
		} else {
			x.rbuf = (uint64_t)(uintptr_t)((char *)rbuf_ + done);
			x.rcap = n;
		}
		if ((r = ipc_call(disk, &m, &x)) < 0)
			return -EIO;
		if ((long)m.w[0] < 0)
			return (int)(long)m.w[0];
		if (sbuf == NULL && x.rlen != n)
			return -EIO;
		done += n;
	}
	return 0;
}

static int
dev_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
	(void)ctx;
	return blk_rw(BLOCK_READ, sector, count, buf, NULL);
}

static int
dev_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
	(void)ctx;
	return blk_rw(BLOCK_WRITE, sector, count, NULL, buf);
}

static int
dev_flush(void *ctx)
{
	struct ipc_msg m;

	(void)ctx;
	memset(&m, 0, sizeof(m));
	m.label = BLOCK_FLUSH;
	if (ipc_call(disk, &m, NULL) < 0)
		return -EIO;
	return (int)(long)m.w[0];
}

static void
now(void *ctx, struct fat_time *t)
{
	long ns = sys_info(SYSINFO_REALTIME, 0);

	(void)ctx;
	t->sec = ns > 0 ? ns / 1000000000L : 0;
	t->nsec = ns > 0 ? ns % 1000000000L : 0;
}

static const struct fat_ops ops = { dev_read, dev_write, malloc, free, now, dev_flush };

/* --- requests --- */

static long
reply_attr(struct ipc_req *req, int r)
{
	if (r < 0)
		return r;
	req->out.w[1] = attr_out.ino;
	req->out.data = &attr_out;
	req->out.len = sizeof(attr_out);
	return 0;
}

/* The request's name (the whole data, or its first n bytes): -EINVAL if bad. */
static int
name_ok(const struct ipc_req *req, size_t n)
{
	if (n == 0 || n > req->len || req->truncated)
		return -EINVAL;
	if (n > FS_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(req->data, '/', n) != NULL || memchr(req->data, '\0', n) != NULL)
		return -EINVAL;
	return 0;
}

#define NEED_FS()	do { if (fs == NULL) return -ENODEV; } while (0)

static long
do_mount(struct ipc_server *s, struct ipc_req *req)
{
	char dev[NAME_LEN_MAX + 1];
	struct fat_params params = { 0, 1024 };
	const char *src = req->data;
	struct ipc_msg m;
	size_t n;
	int r;

	(void)s;
	if (fs != NULL)
		return -EBUSY;
	n = req->len > 0 ? strnlen(src, req->len) : 0;
	if (n == 0 || (n == 4 && memcmp(src, "none", 4) == 0))
		strlcpy(dev, default_dev, sizeof(dev));
	else if (n > NAME_LEN_MAX)
		return -ENAMETOOLONG;
	else {
		memcpy(dev, src, n);
		dev[n] = '\0';
		/* "/dev/vda" names the disk blk/vda, as on Linux */
		if (strncmp(dev, "/dev/", 5) == 0) {
			char tmp[NAME_LEN_MAX + 1];

			fmt_snprintf(tmp, sizeof(tmp), "blk/%s", dev + 5);
			strlcpy(dev, tmp, sizeof(dev));
		}
	}
	if (disk != HANDLE_NONE)
		handle_close(disk);
	disk = HANDLE_NONE;
	if (name_wait(name_ep, dev, &disk) != 0)
		return -ENXIO;
	memset(&m, 0, sizeof(m));
	m.label = BLOCK_INFO;
	if (ipc_call(disk, &m, NULL) == 0 && (long)m.w[0] == 0)
		params.dev_sectors = m.w[1];
	if ((r = fat_mount(&fs, &ops, NULL, &params)) != 0) {
		printf("fat32: cannot mount %s: error %d\n", dev, r);
		fs = NULL;
		return r;
	}
	if (fat_was_dirty(fs))
		printf("fat32: %s was not cleanly unmounted; run fsck.fat on it\n", dev);
	return reply_attr(req, fat_getattr(fs, FAT_ROOT_ID, &attr_out));
}

static long
do_umount(struct ipc_server *s, struct ipc_req *req)
{
	int r;

	(void)s;
	(void)req;
	NEED_FS();
	if (fat_busy(fs))
		return -EBUSY;
	if ((r = fat_umount(fs)) != 0)
		return r;
	fs = NULL;
	return 0;
}

static long
do_lookup(struct ipc_server *s, struct ipc_req *req)
{
	int r;

	(void)s;
	NEED_FS();
	if ((r = name_ok(req, req->len)) != 0)
		return r;
	return reply_attr(req, fat_lookup(fs, req->msg.w[0], req->data, req->len, &attr_out));
}

static long
do_forget(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	NEED_FS();
	return fat_forget(fs, req->msg.w[0], req->msg.w[1]);
}

static long
do_getattr(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	NEED_FS();
	return reply_attr(req, fat_getattr(fs, req->msg.w[0], &attr_out));
}

static long
do_setattr(struct ipc_server *s, struct ipc_req *req)
{
	struct fat_setattr sa;

	(void)s;
	NEED_FS();
	if (req->len != sizeof(sa))
		return -EINVAL;
	memcpy(&sa, req->data, sizeof(sa));
	return reply_attr(req, fat_setattr(fs, req->msg.w[0], &sa, &attr_out));
}

static long
do_read(struct ipc_server *s, struct ipc_req *req)
{
	uint64_t n = req->msg.w[2] < sizeof(out) ? req->msg.w[2] : sizeof(out);
	int64_t r;

	(void)s;
	NEED_FS();
	if ((int64_t)req->msg.w[1] < 0)
		return -EINVAL;
	r = fat_read(fs, req->msg.w[0], req->msg.w[1], out, n);
	if (r < 0)
		return (long)r;
	req->out.data = out;
	req->out.len = (size_t)r;
	return (long)r;
}

static long
do_write(struct ipc_server *s, struct ipc_req *req)
{
	uint64_t off = req->msg.w[1];
	int64_t r;
	int e;

	(void)s;
	NEED_FS();
	if (req->truncated)
		return -EINVAL;
	if (req->msg.w[2] & FS_WRITE_APPEND) {
		if ((e = fat_getattr(fs, req->msg.w[0], &attr_out)) != 0)
			return e;
		off = (uint64_t)attr_out.size;
	}
	if ((int64_t)off < 0)
		return -EINVAL;
	r = fat_write(fs, req->msg.w[0], off, req->data, req->len);
	if (r < 0)
		return (long)r;
	if ((e = fat_getattr(fs, req->msg.w[0], &attr_out)) != 0)
		return e;
	req->out.w[1] = (uint64_t)attr_out.size;
	return (long)r;
}

struct fill {
	size_t used, room;
	int stopped;			/* the next record did not fit */
};

static int
fill_one(void *arg, const char *name, size_t len, uint64_t ino, unsigned type,
    uint64_t next)
{
	struct fill *f = arg;
	size_t n = fs_dirent_put(out + f->used, f->room - f->used, ino, (int64_t)next,
	    (uint8_t)type, name, len);

	if (n == 0) {
		f->stopped = 1;
		return 1;
	}
	f->used += n;
	return 0;
}

static long
do_readdir(struct ipc_server *s, struct ipc_req *req)
{
	struct fill f = { 0, req->msg.w[2] < sizeof(out) ? req->msg.w[2] : sizeof(out), 0 };
	int r;

	(void)s;
	NEED_FS();
	r = fat_readdir(fs, req->msg.w[0], req->msg.w[1], fill_one, &f);
	if (r < 0)
		return r;
	if (f.used == 0 && f.stopped)
		return -EINVAL;			/* room for not even one record */
	req->out.data = out;
	req->out.len = f.used;
	return (long)f.used;
}

static long
do_create(struct ipc_server *s, struct ipc_req *req)
{
	uint32_t mode = (uint32_t)req->msg.w[1];
	int r;

	(void)s;
	NEED_FS();
	if ((r = name_ok(req, req->len)) != 0)
		return r;
	if (req->msg.label == FS_MKDIR)
		return reply_attr(req, fat_mkdir(fs, req->msg.w[0], req->data, req->len,
		    mode, &attr_out));
	if ((mode & FS_IFMT) != FS_IFREG)
		return -EPERM;			/* FAT holds no devices, FIFOs or sockets */
	return reply_attr(req, fat_create(fs, req->msg.w[0], req->data, req->len, mode,
	    &attr_out));
}

static long
do_remove(struct ipc_server *s, struct ipc_req *req)
{
	int r;

	(void)s;
	NEED_FS();
	if ((r = name_ok(req, req->len)) != 0)
		return r;
	if (req->msg.label == FS_RMDIR)
		return fat_rmdir(fs, req->msg.w[0], req->data, req->len);
	return fat_unlink(fs, req->msg.w[0], req->data, req->len);
}

static long
do_rename(struct ipc_server *s, struct ipc_req *req)
{
	size_t oldlen = req->msg.w[2];
	int r;

	(void)s;
	NEED_FS();
	if (oldlen >= req->len || (r = name_ok(req, oldlen)) != 0)
		return oldlen >= req->len ? -EINVAL : r;
	if (req->len - oldlen > FS_NAME_MAX)
		return -ENAMETOOLONG;
	return fat_rename(fs, req->msg.w[0], req->data, oldlen, req->msg.w[1],
	    (const char *)req->data + oldlen, req->len - oldlen, (unsigned)req->msg.w[3]);
}

static long
do_truncate(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	NEED_FS();
	return reply_attr(req, fat_truncate(fs, req->msg.w[0], req->msg.w[1], &attr_out));
}

static long
do_statfs(struct ipc_server *s, struct ipc_req *req)
{
	static struct fat_statfs st;
	int r;

	(void)s;
	NEED_FS();
	if ((r = fat_statfs(fs, &st)) != 0)
		return r;
	req->out.data = &st;
	req->out.len = sizeof(st);
	return 0;
}

static long
do_sync(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	(void)req;
	return fs != NULL ? fat_sync(fs) : 0;
}

static long
do_no_links(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	(void)req;
	return -EPERM;				/* FAT has no symlinks or hard links */
}

static long
do_readlink(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	(void)req;
	return -EINVAL;				/* nothing is a link */
}

static long
do_poll(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	return (long)(req->msg.w[1] & 0x145);
}

static long
do_ioctl(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	(void)req;
	return -ENOTTY;
}

static const struct ipc_handler handlers[] = {
	{ FS_MOUNT, do_mount },
	{ FS_UMOUNT, do_umount },
	{ FS_LOOKUP, do_lookup },
	{ FS_FORGET, do_forget },
	{ FS_GETATTR, do_getattr },
	{ FS_SETATTR, do_setattr },
	{ FS_READ, do_read },
	{ FS_WRITE, do_write },
	{ FS_READDIR, do_readdir },
	{ FS_CREATE, do_create },
	{ FS_MKDIR, do_create },
	{ FS_SYMLINK, do_no_links },
	{ FS_READLINK, do_readlink },
	{ FS_LINK, do_no_links },
	{ FS_UNLINK, do_remove },
	{ FS_RMDIR, do_remove },
	{ FS_RENAME, do_rename },
	{ FS_TRUNCATE, do_truncate },
	{ FS_STATFS, do_statfs },
	{ FS_SYNC, do_sync },
	{ FS_POLL, do_poll },
	{ FS_IOCTL, do_ioctl },
};

int
main(int argc, char **argv)
{
	long ep;

	name_ep = (handle_t)native_start_word(0);
	if (argc > 1)
		default_dev = argv[1];
	if ((ep = ep_create(IPC_DEPTH_MAX)) < 0) {
		printf("fat32: no endpoint: error %ld\n", ep);
		return 1;
	}
	ipc_server_init(&srv, (handle_t)ep, handlers, sizeof(handlers) / sizeof(handlers[0]),
	    NULL, 0, rbuf, sizeof(rbuf), NULL);
	if (name_register(name_ep, "fs/fat32", (handle_t)ep) != 0) {
		printf("fat32: cannot register fs/fat32\n");
		return 1;
	}
	return (int)ipc_server_run(&srv);
}

/*
 * A tmpfs instance that starts as a copy of another filesystem: mounted
 * with the source "copy:NAME" (NAME a filesystem server in the name
 * service, e.g. fs/bootfs), it is filled at mount time with that
 * server's whole tree: directories, files with their bytes, symlinks,
 * device nodes and FIFOs, with their modes, owners and times. The boot
 * archive becomes a writable root this way (image/bootfs/tmpfs-root.manifest).
 *
 * The source is read with blocking PROTO_FS calls: this runs before the
 * mount's answer, while vfs starts (nothing else waits on tmpfs yet).
 */
#include <lichen/errno.h>
#include <lichen/ipc_call.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "tmpfs.h"

#define COPY_DEPTH	32		/* directories within directories */

handle_t tmpfs_name_ep = HANDLE_NONE;

/* One request to the source; a source that is gone is -EIO. */
static long
call(handle_t ep, uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2, const void *data,
    size_t len, void *rbuf, size_t rcap, uint64_t *rw, size_t *rlen)
{
	long r = ipc_call_data(ep, label, (const uint64_t[]){ w0, w1, w2 }, 3, data, len, rbuf,
	    rcap, rw, rlen);

	return r == -EPIPE ? -EIO : r;
}

static void
forget(handle_t ep, uint64_t node)
{
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.label = FS_FORGET;
	m.w[0] = node;
	m.w[1] = 1;
	ipc_send(ep, &m, NULL);			/* no answer wanted */
}

static char piece[IPC_BUF_MAX];

/* One node of the source (src, with attributes a) as name in dir. */
static int copy_dir(struct tmpfs *fs, handle_t ep, uint64_t from, uint64_t to, int depth);

static int
copy_node(struct tmpfs *fs, handle_t ep, uint64_t src, const struct fs_attr *a, uint64_t dir,
    const char *name, size_t len, int depth)
{
	struct fs_setattr sa = { .valid = FS_SET_ATIME | FS_SET_MTIME, .atime = a->atime,
	    .mtime = a->mtime };
	struct fs_attr made;
	uint32_t type = a->mode & FS_IFMT;
	int64_t size;
	size_t rlen;
	long r;

	switch (type) {
	case FS_IFDIR:
		if ((r = tmpfs_mkdir(fs, dir, name, len, a->mode & 07777, a->uid, a->gid, &made)) != 0)
			return (int)r;
		r = copy_dir(fs, ep, src, made.ino, depth + 1);
		break;
	case FS_IFLNK:
		r = call(ep, FS_READLINK, src, 0, 0, NULL, 0, piece, FS_PATH_MAX - 1, NULL, &rlen);
		if (r < 0)
			return (int)r;
		if ((r = tmpfs_symlink(fs, dir, name, len, piece, rlen, a->uid, a->gid, &made)) != 0)
			return (int)r;
		break;
	default:
		if ((r = tmpfs_create(fs, dir, name, len, a->mode, a->uid, a->gid, a->rdev,
		    &made)) != 0)
			return (int)r;
		for (uint64_t off = 0; type == FS_IFREG && off < (uint64_t)a->size; off += (uint64_t)r) {
			r = call(ep, FS_READ, src, off, sizeof(piece), NULL, 0, piece, sizeof(piece),
			    NULL, &rlen);
			if (r <= 0)
				break;
			if ((uint64_t)r > rlen)
				r = (long)rlen;
			if (tmpfs_write(fs, made.ino, off, piece, (size_t)r, 0, &size) != r) {
				r = -ENOSPC;
				break;
			}
		}
		r = r < 0 ? r : 0;
		break;
	}
	if (r == 0 && type != FS_IFLNK)
		r = tmpfs_setattr(fs, made.ino, &sa, &made);
	tmpfs_forget(fs, made.ino, 1);
	return (int)r;
}

static int
copy_dir(struct tmpfs *fs, handle_t ep, uint64_t from, uint64_t to, int depth)
{
	char *buf = malloc(IPC_BUF_MAX);
	uint64_t pos = 0, rw[IPC_WORDS];
	struct fs_attr a;
	size_t rlen;
	long n, r = 0;

	if (buf == NULL)
		return -ENOMEM;
	if (depth > COPY_DEPTH) {
		free(buf);
		return -ELOOP;
	}
	while (r == 0 && (n = call(ep, FS_READDIR, from, pos, IPC_BUF_MAX, NULL, 0, buf,
	    IPC_BUF_MAX, NULL, &rlen)) > 0) {
		for (size_t at = 0; r == 0 && at + 19 < (size_t)n && at + 19 < rlen;) {
			struct fs_dirent d;
			const char *name = buf + at + 19;
			size_t len;

			memcpy(&d, buf + at, 19);
			if (d.reclen < 20 || at + d.reclen > (size_t)n) {
				r = -EIO;
				break;
			}
			len = strnlen(name, d.reclen - 19);
			pos = (uint64_t)d.off;
			at += d.reclen;
			if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
				continue;
			r = call(ep, FS_LOOKUP, from, 0, 0, name, len, &a, sizeof(a), rw, &rlen);
			if (r < 0 || rlen < sizeof(a)) {
				r = r < 0 ? r : -EIO;
				break;
			}
			r = copy_node(fs, ep, rw[1], &a, to, name, len, depth);
			forget(ep, rw[1]);
		}
	}
	free(buf);
	return r != 0 ? (int)r : n < 0 ? (int)n : 0;
}

/* handlers.c's hook: fill the new instance at root from "copy:NAME". */
static int
fill(struct tmpfs *fs, uint64_t root, const char *src, size_t len)
{
	char name[64];
	uint64_t rw[IPC_WORDS];
	struct fs_attr a;
	handle_t ep;
	long r;

	if (len < 6 || memcmp(src, "copy:", 5) != 0 || len - 5 >= sizeof(name))
		return -ENODEV;
	memcpy(name, src + 5, len - 5);
	name[len - 5] = '\0';
	if (tmpfs_name_ep == HANDLE_NONE || (r = name_lookup(tmpfs_name_ep, name, &ep)) != 0)
		return -ENODEV;
	r = call(ep, FS_MOUNT, 0, 0, 0, "none", 5, &a, sizeof(a), rw, NULL);
	if (r == 0) {
		r = copy_dir(fs, ep, rw[1], root, 0);
		call(ep, FS_UMOUNT, rw[1], 0, 0, NULL, 0, NULL, 0, NULL, NULL);
	}
	handle_close(ep);
	return (int)r;
}

void
tmpfs_fill_init(handle_t name_ep)
{
	tmpfs_name_ep = name_ep;
	tmpfs_mount_source = fill;
}

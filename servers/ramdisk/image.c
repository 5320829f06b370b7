/*
 * The ramdisk's first contents: a file read over PROTO_FS (ramdisk.h).
 * main.c points it at init's fs/bootfs, so the image is a file of the
 * boot archive; any PROTO_FS server would do.
 *
 * These are blocking calls, made before the ramdisk serves anyone (so no
 * client can wait on it), to a server that never waits on the ramdisk.
 * The root comes from FS_MOUNT, the protocol's one way to a root; it is
 * never unmounted, since bootfs is a single instance vfs mounts too
 * (and keeps nothing per mount).
 */
#include <lichen/errno.h>
#include <lichen/ipc_call.h>
#include <lichen/proto/fs.h>
#include <lichen/string.h>

#include "ramdisk.h"

/* One FS_READ's bytes; aligned, so its pages can be scanned a word at a time. */
static unsigned char piece[IPC_BUF_MAX] __attribute__((aligned(RAMDISK_PAGE)));

/* One request: the reply's status, its w1 in *w1, data in rbuf. */
static long
fs_call(handle_t fs, uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2,
    const void *sbuf, size_t slen, void *rbuf, size_t rcap, uint64_t *rlen,
    uint64_t *rw1)
{
	uint64_t rw[IPC_WORDS] = { 0 };
	size_t got = 0;
	long r = ipc_call_data(fs, label, (const uint64_t[]){ w0, w1, w2 }, 3, sbuf, slen, rbuf,
	    rcap, rw, &got);

	if (rlen != NULL)
		*rlen = got;
	if (rw1 != NULL)
		*rw1 = rw[1];
	return r;
}

/* A reply that names a node: its attributes must have come with it. */
static long
node_reply(long r, uint64_t rlen)
{
	if (r < 0)
		return r;
	return rlen == sizeof(struct fs_attr) ? 0 : -EIO;
}

/* Whether the n bytes at name are one name bootfs (any fs server) takes. */
static int
name_ok(const char *name, size_t n)
{
	return n > 0 && n <= FS_NAME_MAX && !(n == 1 && name[0] == '.') &&
	    !(n == 2 && name[0] == '.' && name[1] == '.');
}

long
image_open(handle_t fs, const char *path, uint64_t *node, uint64_t *size)
{
	static const char source[] = "none";	/* "SOURCE\0OPTIONS", both bare */
	struct fs_attr attr;
	uint64_t dir, next = 0, rlen = 0;
	int root = 1;				/* dir is the root: no reference to drop */
	long r;

	while (*path == '/')
		path++;
	if (*path == '\0')
		return -EINVAL;
	r = fs_call(fs, FS_MOUNT, 0, 0, 0, source, sizeof(source), &attr, sizeof(attr),
	    &rlen, &dir);
	if ((r = node_reply(r, rlen)) != 0)
		return r;
	for (;;) {
		const char *end = strchr(path, '/');
		size_t n = end != NULL ? (size_t)(end - path) : strlen(path);

		if (!name_ok(path, n))
			r = -EINVAL;
		else if ((attr.mode & FS_IFMT) != FS_IFDIR)
			r = -ENOTDIR;
		else
			r = node_reply(fs_call(fs, FS_LOOKUP, dir, 0, 0, path, n, &attr,
			    sizeof(attr), &rlen, &next), rlen);
		if (!root)
			image_close(fs, dir);	/* a directory on the way */
		if (r != 0)
			return r;
		dir = next;
		root = 0;
		if (end == NULL)
			break;
		path = end + 1;
	}
	if ((attr.mode & FS_IFMT) == FS_IFDIR)
		r = -EISDIR;
	else if ((attr.mode & FS_IFMT) != FS_IFREG)
		r = -ENODEV;
	if (r != 0 || attr.size < 0) {
		image_close(fs, dir);
		return r != 0 ? r : -EIO;
	}
	*node = dir;
	*size = (uint64_t)attr.size;
	return 0;
}

/* Whether the n bytes at p are all zero (n a multiple of 8, p aligned). */
static int
all_zero(const unsigned char *p, size_t n)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	uint64_t any = 0;

	for (size_t i = 0; i < n / 8; i++)
		any |= w[i];
	return any == 0;
}

long
image_read(handle_t fs, uint64_t node, uint64_t size, unsigned char *dst,
    uint64_t *stored)
{
	uint64_t off = 0, rlen;
	long r;

	*stored = 0;
	while (off < size) {
		uint64_t want = size - off < sizeof(piece) ? size - off : sizeof(piece);

		rlen = 0;
		r = fs_call(fs, FS_READ, node, off, want, NULL, 0, piece, sizeof(piece), &rlen,
		    NULL);
		if (r < 0)
			return r;
		if (r == 0 || (uint64_t)r > want || rlen != (uint64_t)r)
			return -EIO;	/* ended early, or more than asked */
		/*
		 * Page by page: dst's own pages while off stays a multiple of
		 * the piece (bootfs answers whole pieces). After a short read
		 * they are not, and skipping zeros is still right: dst holds
		 * zeros there already.
		 */
		memset(piece + r, 0, (size_t)(-(uint64_t)r & 7));	/* pad the tail */
		for (uint64_t p = 0; p < (uint64_t)r; p += RAMDISK_PAGE) {
			size_t n = (uint64_t)r - p < RAMDISK_PAGE ? (size_t)((uint64_t)r - p) :
			    RAMDISK_PAGE;

			if (all_zero(piece + p, (n + 7) & ~(size_t)7))
				continue;
			memcpy(dst + off + p, piece + p, n);
			*stored += n;
		}
		off += (uint64_t)r;
	}
	return 0;
}

void
image_close(handle_t fs, uint64_t node)
{
	fs_call(fs, FS_FORGET, node, 1, 0, NULL, 0, NULL, 0, NULL, NULL);
}

/*
 * The root tree until the vfs serves one (the vfs issue): the boot
 * archive read as a read-only filesystem, /dev with the devices that
 * need no driver (null, zero, full, console), and /proc (procfs.c: the
 * processes, the machine, linuxemu's own switch /proc/lichen/strace). Path walking follows
 * Linux: "." and "..", symbolic links (40 at most: ELOOP), ENOTDIR for a
 * file in the middle, ENAMETOOLONG; anything that would write is EROFS.
 *
 * A node is named by its canonical path without the leading "/" ("" is
 * the root), which is also its archive entry's name.
 */
#include <lichen/cpio.h>
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define S_IFMT_		0170000
#define S_IFDIR_	0040000
#define S_IFCHR_	0020000
#define S_IFLNK_	0120000
#define S_IFREG_	0100000

static const void *archive;
static uint64_t archive_len;

/* The devices of /dev: name, rdev (major << 8 | minor), what they are. */
static const struct {
	const char *name;
	uint32_t rdev;
	enum lnode_dev dev;
} devices[] = {
	{ "dev/console", (5 << 8) | 1, DEV_CONSOLE },
	{ "dev/full", (1 << 8) | 7, DEV_FULL },
	{ "dev/null", (1 << 8) | 3, DEV_NULL },
	{ "dev/zero", (1 << 8) | 5, DEV_ZERO },
};

/* Whose /proc/self the next walks see: the process whose exe this is (procfs.c). */
void
lx_rootfs_self(const char *exe)
{
	lx_procfs_self_exe(exe);
}

void
lx_rootfs_init(const void *base, uint64_t len)
{
	archive = base;
	archive_len = len;
}

/* The node named name (canonical, no leading "/"): 0, or -ENOENT. */
static int
node_find(const char *name, struct lnode *n)
{
	struct cpio_entry e;

	memset(n, 0, sizeof(*n));
	strlcpy(n->path, name, sizeof(n->path));
	if (name[0] == '\0' || strcmp(name, "dev") == 0) {
		n->mode = S_IFDIR_ | 0755;
		n->ino = name[0] == '\0' ? 2 : 3;
		return 0;
	}
	if (lx_procfs_is(name))
		return lx_procfs_find(name, n);
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (strcmp(name, devices[i].name) == 0) {
			n->mode = S_IFCHR_ | (devices[i].dev == DEV_CONSOLE ? 0600 : 0666);
			n->rdev = devices[i].rdev;
			n->dev = devices[i].dev;
			n->ino = 4 + i;
			return 0;
		}
	if (cpio_find(archive, archive_len, name, &e) != 1)
		return -ENOENT;
	n->mode = e.mode;
	n->data = e.data;
	n->size = e.size;
	n->ino = (uint64_t)(e.name - (const char *)archive) + 16;
	return 0;
}

/*
 * Walk path from the directory start (canonical): *n is what it names.
 * follow: a symbolic link in the last place is followed too. Returns 0,
 * or -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG.
 */
int
lx_rootfs_walk(const char *start, const char *path, int follow, struct lnode *n)
{
	static char todo[1024], cur[256], comp[256];
	int links = 0;
	long r;

	if (strlen(path) >= 4096)
		return -ENAMETOOLONG;
	if (path[0] == '/')
		cur[0] = '\0';
	else
		strlcpy(cur, start, sizeof(cur));
	if (strlen(path) >= sizeof(todo))
		return -ENAMETOOLONG;
	strlcpy(todo, path, sizeof(todo));
	if ((r = node_find(cur, n)) != 0)
		return (int)r;
	for (;;) {
		const char *p = todo, *end;
		size_t len;
		int last;

		while (*p == '/')
			p++;
		if (*p == '\0')
			return 0;
		if ((n->mode & S_IFMT_) != S_IFDIR_)
			return -ENOTDIR;
		for (end = p; *end != '\0' && *end != '/'; end++)
			;
		len = (size_t)(end - p);
		if (len > 255)
			return -ENAMETOOLONG;
		memcpy(comp, p, len);
		comp[len] = '\0';
		for (p = end; *p == '/'; p++)
			;
		last = *p == '\0';
		memmove(todo, p, strlen(p) + 1);
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			char *slash = strrchr(cur, '/');

			if (slash != NULL)
				*slash = '\0';
			else
				cur[0] = '\0';
			node_find(cur, n);
			continue;
		}
		{
			char next[256];

			if (fmt_snprintf(next, sizeof(next), "%s%s%s", cur, cur[0] ? "/" : "",
			    comp) >= (int)sizeof(next))
				return -ENAMETOOLONG;
			if ((r = node_find(next, n)) != 0)
				return (int)r;
			if ((n->mode & S_IFMT_) == S_IFLNK_ && (!last || follow)) {
				char target[256];

				if (++links > 40)
					return -ELOOP;
				if (n->size == 0 || n->size >= sizeof(target) ||
				    n->size + 1 + strlen(todo) >= sizeof(todo))
					return -ENAMETOOLONG;
				memcpy(target, n->data, n->size);
				target[n->size] = '\0';
				/* The rest of the walk goes on from the link's target. */
				fmt_snprintf(next, sizeof(next), "%s/%s", target, todo);
				strlcpy(todo, next, sizeof(todo));
				if (target[0] == '/')
					cur[0] = '\0';
				node_find(cur, n);
				continue;
			}
			strlcpy(cur, next, sizeof(cur));
		}
	}
}

/* The next entry of directory dir at or after *pos: 1 with its name and node, 0 at the end. */
int
lx_rootfs_readdir(const char *dir, uint64_t *pos, char *name, size_t cap, struct lnode *n)
{
	size_t dlen = strlen(dir);
	struct cpio_iter it;
	struct cpio_entry e;
	uint64_t i = 0;

	if (lx_procfs_is(dir))
		return lx_procfs_readdir(dir, pos, name, cap, n);
	/* 0: ".", 1: "..", 2: "dev", 3: "proc", 4.. the archive's, or /dev's. */
	for (;;) {
		uint64_t at = *pos;

		(*pos)++;
		if (at == 0 || at == 1) {
			strlcpy(name, at == 0 ? "." : "..", cap);
			node_find(dir, n);
			if (at == 1) {
				char up[256];
				char *slash;

				strlcpy(up, dir, sizeof(up));
				slash = strrchr(up, '/');
				if (slash != NULL)
					*slash = '\0';
				else
					up[0] = '\0';
				node_find(up, n);
			}
			return 1;
		}
		if (at == 2) {
			if (dlen == 0) {
				strlcpy(name, "dev", cap);
				node_find("dev", n);
				return 1;
			}
			continue;
		}
		if (at == 3 && dlen == 0) {
			strlcpy(name, "proc", cap);
			node_find("proc", n);
			return 1;
		}
		if (strcmp(dir, "dev") == 0) {
			if (at < 4)
				continue;
			if (at - 4 >= sizeof(devices) / sizeof(devices[0]))
				return 0;
			strlcpy(name, devices[at - 4].name + 4, cap);
			node_find(devices[at - 4].name, n);
			return 1;
		}
		cpio_iter_init(&it, archive, archive_len);
		for (i = 4; cpio_next(&it, &e) == 1; i++) {
			const char *rest;

			if (i < at)
				continue;
			if (dlen > 0 && (strncmp(e.name, dir, dlen) != 0 || e.name[dlen] != '/'))
				continue;
			rest = dlen > 0 ? e.name + dlen + 1 : e.name;
			if (rest[0] == '\0' || strchr(rest, '/') != NULL ||
			    (dlen == 0 && (strcmp(rest, "dev") == 0 || strcmp(rest, "proc") == 0)))
				continue;
			*pos = i + 1;
			strlcpy(name, rest, cap);
			node_find(e.name, n);
			return 1;
		}
		return 0;
	}
}

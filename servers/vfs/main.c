/*
 * vfs: the mounts named on the command line, then the loop.
 *
 *   vfs MOUNTPOINT FSTYPE SOURCE [MOUNTPOINT FSTYPE SOURCE ...]
 *
 * The first mount point must be "/". Each FSTYPE is the filesystem
 * server registered as "fs/FSTYPE" (vfs waits for it); SOURCE is what
 * its FS_MOUNT gets ("none" for tmpfs, "blk/vda" for fat32). Later mount
 * points must exist in what is mounted before them. Then vfs registers
 * itself as "vfs" and serves PROTO_VFS.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/ipc_call.h>
#include <lichen/name_client.h>
#include <lichen/proto/name.h>
#include <lichen/native.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "vfs.h"

int main(int argc, char **argv);

struct ipc_server vfs_srv;
handle_t vfs_name_ep;
static struct ipc_cont conts[4096];
static char buf[IPC_BUF_MAX + 4096];

/* A synchronous FS call, for start-up only (nobody is waiting on us yet). */
static long
fs_call(handle_t ep, uint64_t label, uint64_t w0, const void *data, size_t len,
    uint64_t *node, struct fs_attr *attr)
{
	uint64_t rw[IPC_WORDS];
	size_t rlen;
	long r = ipc_call_data(ep, label, &w0, 1, data, len, attr, sizeof(*attr), rw, &rlen);

	if (r < 0)
		return r;
	if (rlen < sizeof(*attr))
		return -EIO;
	*node = rw[1];
	return 0;
}

/* The directory at path (absolute), through what is mounted so far. */
static struct vnode *
find_dir(const char *path)
{
	struct vnode *vn = vfs_mounts[0].root;

	while (*path != '\0') {
		const char *e;
		struct vnode *child;
		struct fs_attr attr;
		uint64_t node;

		while (*path == '/')
			path++;
		if (*path == '\0')
			break;
		for (e = path; *e != '\0' && *e != '/'; e++)
			;
		while (vn->mounted != NULL)
			vn = vn->mounted->root;
		if ((child = vn_child(vn, path, (size_t)(e - path))) == NULL) {
			if (fs_call(vn->mnt->ep, FS_LOOKUP, vn->node, path, (size_t)(e - path),
			    &node, &attr) != 0 ||
			    (child = vn_add(vn, path, (size_t)(e - path), node, &attr)) == NULL)
				return NULL;
		}
		vn = child;
		path = e;
	}
	while (vn->mounted != NULL)
		vn = vn->mounted->root;
	return vn_is_dir(vn) ? vn : NULL;
}

static int
mount_one(const char *where, const char *fstype, const char *source)
{
	char name[NAME_LEN_MAX + 1], data[128];
	struct vmount *m;
	struct vnode *at = NULL;
	struct fs_attr attr;
	uint64_t node;
	handle_t ep;
	size_t n;
	long r;

	if (vfs_mounts[0].used && (at = find_dir(where)) == NULL) {
		printf("vfs: cannot mount %s on %s: no such directory\n", fstype, where);
		return -ENOENT;
	}
	fmt_snprintf(name, sizeof(name), "fs/%s", fstype);
	if ((r = name_wait(vfs_name_ep, name, &ep)) != 0) {
		printf("vfs: no filesystem server %s: error %ld\n", name, r);
		return (int)r;
	}
	n = (size_t)fmt_snprintf(data, sizeof(data), "%s", source) + 1;	/* no options */
	m = mount_alloc();
	if (m == NULL || (r = fs_call(ep, FS_MOUNT, 0, data, n, &node, &attr)) != 0 ||
	    (m->root = vn_new_root(m, node, &attr)) == NULL) {
		printf("vfs: mounting %s (%s) on %s failed: error %ld\n", fstype, source, where,
		    m == NULL ? -ENOMEM : r);
		if (m != NULL)
			m->used = false;
		handle_close(ep);
		return -EIO;
	}
	m->ep = ep;
	strlcpy(m->fstype, fstype, sizeof(m->fstype));
	strlcpy(m->source, source, sizeof(m->source));
	if (at != NULL) {
		m->covered = vn_get(at);
		at->mounted = m;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	long ep;

	vfs_name_ep = (handle_t)native_start_word(0);
	if (argc < 4 || (argc - 1) % 3 != 0 || strcmp(argv[1], "/") != 0) {
		printf("vfs: usage: vfs / FSTYPE SOURCE [MOUNTPOINT FSTYPE SOURCE ...]\n");
		return 1;
	}
	for (int i = 1; i + 2 < argc; i += 3)
		if (mount_one(argv[i], argv[i + 1], argv[i + 2]) != 0 && i == 1)
			return 1;
	if ((ep = ep_create(IPC_DEPTH_MAX)) < 0) {
		printf("vfs: no endpoint: error %ld\n", ep);
		return 1;
	}
	ipc_server_init(&vfs_srv, (handle_t)ep, vfs_handlers, vfs_nhandlers, conts,
	    sizeof(conts) / sizeof(conts[0]), buf, sizeof(buf), NULL);
	if (name_register(vfs_name_ep, "vfs", (handle_t)ep) != 0) {
		printf("vfs: cannot register\n");
		return 1;
	}
	return (int)ipc_server_run(&vfs_srv);
}

/*
 * vfs (docs/vfs.md): mounts, path resolution and open files, between
 * linuxemu (PROTO_VFS) and the filesystem servers (PROTO_FS).
 *
 *   node.c   vnodes (vfs's cache of the fs servers' nodes, by parent and
 *            name), mounts, open files, permissions
 *   dev.c    device files (devtmpfs): reads, writes, ioctls, polls, cancels,
 *            a block device's offset
 *   walk.c   path resolution: one component at a time, asking the fs
 *            server (FS_LOOKUP, FS_READLINK) without ever waiting
 *   req.c    what the requests share; open.c, names.c, attr.c the requests,
 *            table.c their table
 *   main.c   the mounts named on the command line, the loop
 *
 * Nothing in vfs blocks: a request that needs an fs server's answer is a
 * struct vop, alive from the request to its reply, whose continuation
 * runs when the answer comes.
 */
#ifndef VFS_H
#define VFS_H

#include <stdbool.h>
#include <stdint.h>
#include <lichen/ipc_server.h>
#include <lichen/proto/fs.h>
#include <lichen/proto/vfs.h>

#define VFS_NMOUNT	32
#define VFS_NFILE	4096		/* open files at once */
#define VFS_SYMLOOP	40		/* symlinks in one walk (Linux's MAXSYMLINKS) */
#define VFS_HASH	1024		/* vnode hash buckets */

/* Linux's values that vfs's requests use. */
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2
#define SEEK_DATA	3
#define SEEK_HOLE	4
#define POLLIN		0x001
#define POLLOUT		0x004
#define POLLERR		0x008
#define POLLHUP		0x010
#define POLLRDNORM	0x040
#define POLLWRNORM	0x100
#define MS_RDONLY	1u

struct vmount;
struct vpipe;

/* vfs's picture of one fs node. */
struct vnode {
	struct vmount *mnt;
	uint64_t node;			/* the fs server's id (st_ino) */
	struct fs_attr attr;		/* as last heard from the server */
	struct vnode *parent;		/* NULL for a filesystem's root */
	char *name;			/* its name in parent (heap), NULL once unlinked */
	struct vnode *hnext;		/* the (parent, name) hash chain */
	struct vnode *anext, *aprev;	/* every live vnode (umount, shutdown) */
	uint32_t refs;			/* children, files, ops in flight, mounts */
	uint32_t fsrefs;		/* references the fs server gave us */
	struct vmount *mounted;		/* a filesystem mounted here */
	char *link;			/* a symlink's target, once read */
	struct vpipe *pipe;		/* a FIFO's (or an anonymous pipe's) while open */
};

struct vmount {
	bool used;
	handle_t ep;			/* the fs server */
	uint64_t dev;			/* st_dev */
	struct vnode *root;
	struct vnode *covered;		/* where it is mounted; NULL for / */
	uint32_t flags;			/* MS_RDONLY ... */
	uint32_t nfiles;		/* open files in it (umount: -EBUSY) */
	char fstype[32], source[64];
};

/* An open file: what linuxemu's fds name. */
struct vfile {
	uint32_t gen;			/* 0: free */
	uint32_t flags;			/* O_* */
	struct vnode *vn;
	uint64_t off;			/* the offset, a directory's position */
	bool busy;			/* an offset-moving request is in flight */
	bool closing;			/* closed while busy: freed when it is not */
	struct vop *waiting;		/* requests queued behind it */
	struct vpipe *pipe;		/* an end of a pipe or FIFO (pipe.c) */
};

struct vop;
typedef void (*vop_fn)(struct vop *op, long err);

/* One request in flight. */
struct vop {
	handle_t token;
	uint64_t label;
	uint64_t w[IPC_WORDS];
	uint64_t cred;
	struct vfile *file;		/* the request's file, if any */
	struct vop *next;		/* a file's queue */
	/* The walk (walk.c). */
	struct vnode *root, *cur;	/* both held */
	char path[FS_PATH_MAX];
	size_t pos, len;
	int links;			/* symlinks followed */
	bool follow;			/* follow a symlink in the last component */
	bool parent_only;		/* stop at the last component's directory */
	bool must_dir;			/* the path ended in '/' */
	char last[FS_NAME_MAX + 1];	/* parent_only: the last component */
	size_t lastlen;
	vop_fn walked;			/* where the walk goes on */
	/* The second path (rename, link) and the op's own state. */
	struct vnode *other;		/* held */
	char last2[FS_NAME_MAX + 1];
	size_t last2len;
	char rest[FS_PATH_MAX];		/* the second path, until it is walked */
	size_t restlen;
	uint64_t u[4];			/* per-op scratch */
	void *buf;			/* a write's bytes (heap, freed with op) */
	size_t buflen;
	struct fs_setattr sa;
};

extern struct ipc_server vfs_srv;
extern struct vmount vfs_mounts[VFS_NMOUNT];

/* node.c */
struct vnode *vn_get(struct vnode *vn);
void vn_put(struct vnode *vn);
struct vnode *vn_child(struct vnode *dir, const char *name, size_t len);
struct vnode *vn_add(struct vnode *dir, const char *name, size_t len, uint64_t node,
    const struct fs_attr *attr);
void vn_unhash(struct vnode *vn);
int vn_rename(struct vnode *vn, struct vnode *dir, const char *name, size_t len);
struct vnode *vn_new_root(struct vmount *m, uint64_t node, const struct fs_attr *attr);
struct vnode *vn_new_anon(struct vmount *m, uint64_t node, const struct fs_attr *attr);
bool vn_is_dir(const struct vnode *vn);
int vn_permission(const struct vnode *vn, uint64_t cred, int mask);	/* mask: 4 r, 2 w, 1 x */
int vn_may_delete(const struct vnode *dir, const struct vnode *victim, uint64_t cred);
struct vmount *mount_alloc(void);
void vn_forget_mount(struct vmount *m);
void vn_drop_mount(struct vmount *m);
struct vfile *vfile_alloc(struct vnode *vn, uint32_t flags);
struct vfile *vfile_get(uint64_t id);
uint64_t vfile_id(const struct vfile *f);
void vfile_free(struct vfile *f);

/* pipe.c: pipes and FIFOs */
extern struct vmount vfs_pipefs;	/* anonymous pipes' nodes (no server) */
extern handle_t vfs_ready_ep;		/* VFS_HELLO's: where VFS_READY goes */
bool pipe_fifo_open(struct vop *op, struct vfile *f);	/* false: answered with an error */
void pipe_release(struct vfile *f);
long pipe_read(struct ipc_req *req, struct vfile *f);
long pipe_write(struct ipc_req *req, struct vfile *f);
long pipe_poll(struct ipc_req *req, struct vfile *f);

/* dev.c: devtmpfs's device files */
bool vfile_is_dev(const struct vfile *f);
long dev_read(struct ipc_req *req, struct vfile *f);
long dev_write(struct ipc_req *req, struct vfile *f);
long dev_poll(struct ipc_req *req, struct vfile *f);
long dev_seek(struct ipc_req *req, struct vfile *f);
long io_queue(struct vop *op, struct vfile *f, vop_fn start);	/* open.c: behind the offset */
int dev_cancel(uint64_t tag);			/* 1: a device request had that tag */

/* Answers op's token (status and out) and frees op and what it holds. */
void vop_answer(struct vop *op, long status, const struct ipc_out *out);
/* Sends an fs request for op; fn runs with the reply. 0 or -errno. */
long vop_send(struct vop *op, struct vmount *m, uint64_t label, const uint64_t *w,
    unsigned nw, const void *data, size_t len, ipc_cont_fn fn);
void vop_fs_attr_out(struct vop *op, struct ipc_req *rep, struct vnode *vn);

/* walk.c */
/*
 * Walks op->path[op->pos .. op->len) from op->cur; op->walked(op, err)
 * runs at the end with op->cur = the result (or its directory and
 * op->last when parent_only).
 */
void walk_start(struct vop *op);
/* Goes on walking op->path from op->pos at op->cur (a relative path). */
void walk_step_from_here(struct vop *op);
int walk_setup(struct vop *op, uint64_t dirfile, uint64_t rootfile, const void *path,
    size_t len, bool empty_ok);

/* req.c: what the request files share */
typedef void (*found_fn)(struct vop *op, struct vnode *vn, long err);
struct vop *vop_new(struct ipc_req *req);
long vop_fail(struct vop *op, long err);		/* before suspending: the loop answers */
void answer_attr(struct vop *op, const struct fs_attr *attr, struct vnode *vn);
long rep_status(const struct ipc_req *rep);		/* LABEL_ERROR as -EIO */
void send_or_fail(struct vop *op, struct vmount *m, uint64_t label, const uint64_t *w,
    unsigned nw, const void *data, size_t len, ipc_cont_fn fn);
void find_child(struct vop *op, found_fn fn);		/* op->last in op->cur */
bool is_dot_or_dotdot(const struct vop *op);
long start_walk(struct ipc_req *req, const void *path, size_t len, bool empty_ok,
    bool follow, bool parent_only, vop_fn walked);
void create_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep);
void create_last(struct vop *op, uint64_t label, uint32_t mode, uint64_t rdev);
void open_done(struct vop *op, struct vnode *vn, bool checked);	/* open.c */

/* The requests (open.c, names.c, attr.c) and their table (table.c). */
#define VFS_REQUESTS(X) \
	X(VFS_HELLO, do_hello) X(VFS_OPEN, do_open) X(VFS_CLOSE, do_close) \
	X(VFS_READ, do_read) X(VFS_WRITE, do_write) X(VFS_SEEK, do_seek) \
	X(VFS_GETDENTS, do_getdents) X(VFS_FSTAT, do_fstat) X(VFS_STAT, do_stat) \
	X(VFS_ACCESS, do_access) X(VFS_MKNOD, do_mknod) X(VFS_MKDIR, do_mkdir) \
	X(VFS_UNLINK, do_unlink) X(VFS_SYMLINK, do_symlink) X(VFS_READLINK, do_readlink) \
	X(VFS_RENAME, do_rename) X(VFS_LINK, do_rename) X(VFS_SETATTR, do_setattr) \
	X(VFS_FTRUNCATE, do_ftruncate) X(VFS_FSYNC, do_fsync) X(VFS_SYNC, do_sync) \
	X(VFS_STATFS, do_statfs) X(VFS_GETPATH, do_getpath) X(VFS_MOUNT, do_mount) \
	X(VFS_UMOUNT, do_umount) X(VFS_POLL, do_poll) X(VFS_ROOT, do_root) \
	X(VFS_SHUTDOWN, do_shutdown) X(VFS_PIPE, do_pipe) X(VFS_SETFL, do_setfl) \
	X(VFS_CANCEL, do_cancel) X(VFS_IOCTL, do_ioctl) X(VFS_MOUNTS, do_mounts)
#define VFS_DECL(label, fn) long fn(struct ipc_server *srv, struct ipc_req *req);
VFS_REQUESTS(VFS_DECL)
#undef VFS_DECL
extern const struct ipc_handler vfs_handlers[];
extern const unsigned vfs_nhandlers;

#endif

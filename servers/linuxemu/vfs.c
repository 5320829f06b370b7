/*
 * Files through vfs (DESIGN.md §6, lichen/proto/vfs.h), when linuxemu
 * runs under init with a vfs ("vfs mode"; docs/linuxemu.md). An fd names
 * an LF_VFS file holding a vfs file id; the working directory is one too
 * (an O_PATH file, shared by fork like any other).
 *
 * Every request goes out with a send whose reply comes back to our own
 * endpoint, tagged with a cookie naming the thread: the thread waits
 * (W_VFS) and linuxemu goes on serving everyone else; when the answer
 * arrives its continuation finishes the call (or sends the next part of
 * a long read). A thread that died meanwhile has a new sequence number,
 * so its answer is dropped (a file it had opened is closed again).
 *
 * /proc stays linuxemu's own (rootfs.c), and so does /dev unless
 * devtmpfs is mounted there (lx_vfs_dev: the first process's console
 * opened through vfs): an absolute path under them is not sent to vfs.
 * Only start-up, power-off and execve use blocking calls (vfs never
 * waits on us).
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/ipc_call.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/proto/vfs.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "linuxemu.h"

handle_t lx_vfs;			/* HANDLE_NONE: standalone, the archive is the root */
handle_t lx_name_ep = HANDLE_NONE;
int lx_vfs_dev;
static uint64_t vfs_root;		/* the root directory's file id */
static uint32_t seq[LX_NTHREAD];
char lx_vfs_path[FS_PATH_MAX];
char lx_vfs_data[LX_VFS_DATA];

#define AT_FDCWD_	(-100)
#define COOKIE_BIT	(UINT64_C(1) << 63)

/* --- blocking calls: start-up and execve --- */

static long
vfs_call(uint64_t label, const uint64_t *w, const void *data, size_t len, void *rbuf,
    size_t rcap, uint64_t *rw, size_t *rlen)
{
	return ipc_call_data(lx_vfs, label, w, 6, data, len, rbuf, rcap, rw, rlen);
}

long
lx_vfs_call(uint64_t label, const uint64_t *w, const void *data, size_t len, void *rbuf,
    size_t rcap, uint64_t *rw, size_t *rlen)
{
	return vfs_call(label, w, data, len, rbuf, rcap, rw, rlen);
}

/*
 * The first process's terminal: /dev/console opened read-write through
 * vfs (devtmpfs), or NULL if /dev is not devtmpfs's (then /dev stays
 * linuxemu's own and fds 0-2 its console).
 */
struct lfile *
lx_vfs_open_console(void)
{
	static const char path[] = "/dev/console";
	uint64_t w[6] = { vfs_root, VFS_O_RDWR | VFS_O_NOCTTY, 0, VFS_CRED(0, 0), vfs_root, 0 };
	uint64_t rw[IPC_WORDS];
	struct fs_attr attr;
	struct lfile *f;
	size_t rlen;

	if (lx_vfs == HANDLE_NONE || vfs_call(VFS_OPEN, w, path, sizeof(path) - 1, &attr,
	    sizeof(attr), rw, &rlen) != 0)
		return NULL;
	if (rlen < sizeof(attr) || (attr.mode & FS_IFMT) != FS_IFCHR ||
	    (f = lx_file_new(LF_VFS, VFS_O_RDWR)) == NULL) {
		w[0] = rw[1];
		vfs_call(VFS_CLOSE, w, NULL, 0, NULL, 0, NULL, NULL);
		return NULL;
	}
	f->vid = rw[1];
	f->vmode = attr.mode;
	f->vino = attr.ino;
	f->vrdev = attr.rdev;
	f->borrowed = 0;
	lx_vfs_dev = 1;
	return f;
}

int
lx_vfs_init(handle_t name_ep)
{
	uint64_t w[6] = { 0 }, rw[IPC_WORDS];
	long r;

	lx_name_ep = name_ep;
	if ((r = name_wait(name_ep, "vfs", &lx_vfs)) != 0)
		return (int)r;
	if ((r = vfs_call(VFS_ROOT, w, NULL, 0, NULL, 0, rw, NULL)) != 0)
		return (int)r;
	vfs_root = rw[1];
	return 0;
}

/* Before power-off: vfs unmounts everything (the disk is left clean). */
void
lx_vfs_shutdown(void)
{
	uint64_t w[6] = { 0 };

	lx_tty_drain();			/* the terminal's last output before the power goes */
	if (lx_vfs != HANDLE_NONE)
		vfs_call(VFS_SHUTDOWN, w, NULL, 0, NULL, 0, NULL, NULL);
}

/* A new process's working directory: the root. */
struct lfile *
lx_vfs_root_file(void)
{
	struct lfile *f = lx_file_new(LF_VFS, 010000000);	/* O_PATH */

	if (f != NULL) {
		f->vid = vfs_root;
		f->vmode = FS_IFDIR;
		f->borrowed = 1;		/* the root's id is ours: never closed */
	}
	return f;
}

void
lx_vfs_close(struct lfile *f)
{
	struct ipc_msg m;

	if (f->borrowed)
		return;
	memset(&m, 0, sizeof(m));
	m.label = VFS_CLOSE;
	m.w[0] = f->vid;
	ipc_send(lx_vfs, &m, NULL);		/* no answer wanted */
}

/*
 * Executables read lately, by (st_dev, st_ino, size, mtime): a shell that
 * runs an applet per line must not read BusyBox's 2 MB again each time.
 */
#define EXEC_CACHE	4

static struct exec_cached {
	uint64_t dev, ino, used;
	int64_t size;
	struct fs_time mtime;
	char *data;
	char canon[256];
} exec_cache[EXEC_CACHE];
static uint64_t exec_clock;

static struct exec_cached *
exec_cache_find(uint64_t dev, const struct fs_attr *a)
{
	struct exec_cached *victim = &exec_cache[0];

	for (int i = 0; i < EXEC_CACHE; i++) {
		struct exec_cached *c = &exec_cache[i];

		if (c->data != NULL && c->dev == dev && c->ino == a->ino && c->size == a->size &&
		    c->mtime.sec == a->mtime.sec && c->mtime.nsec == a->mtime.nsec) {
			c->used = ++exec_clock;
			return c;
		}
		if (c->used < victim->used)
			victim = c;
	}
	free(victim->data);
	memset(victim, 0, sizeof(*victim));
	return victim;				/* empty: the caller fills it */
}

/*
 * The whole regular file at path (absolute), for execve: 0 with its
 * bytes (valid until the next call) and its canonical path, or -errno
 * (EACCES for what is not a regular file, or with exec, one without an
 * execute bit).
 */
int
lx_vfs_read_file(const char *path, uint32_t cred_uid, const void **data, uint64_t *len,
    char *canon, size_t canon_cap, int exec)
{
	uint64_t w[6] = { vfs_root, VFS_O_RDONLY, 0, VFS_CRED(cred_uid, 0), vfs_root, 0 };
	uint64_t rw[IPC_WORDS], id, size, done = 0;
	struct exec_cached *c;
	struct fs_attr attr;
	size_t rlen;
	long r;

	r = vfs_call(VFS_OPEN, w, path, strlen(path), &attr, sizeof(attr), rw, &rlen);
	if (r < 0)
		return (int)r;
	id = rw[1];
	w[0] = id;
	if (rlen < sizeof(attr) || (attr.mode & FS_IFMT) != FS_IFREG ||
	    (exec && !(attr.mode & 0111))) {
		vfs_call(VFS_CLOSE, w, NULL, 0, NULL, 0, NULL, NULL);
		return rlen < sizeof(attr) ? -EIO : -EACCES;
	}
	c = exec_cache_find(rw[2], &attr);
	if (c->data != NULL) {
		vfs_call(VFS_CLOSE, w, NULL, 0, NULL, 0, NULL, NULL);
		goto found;
	}
	size = (uint64_t)attr.size;
	if ((c->data = malloc(size + 1)) == NULL) {
		vfs_call(VFS_CLOSE, w, NULL, 0, NULL, 0, NULL, NULL);
		return -ENOMEM;
	}
	while (done < size) {
		uint64_t n = size - done < IPC_BUF_MAX ? size - done : IPC_BUF_MAX;
		uint64_t rw2[6] = { id, n, done, 0, 0, 0 };

		r = vfs_call(VFS_READ, rw2, NULL, 0, c->data + done, n, NULL, &rlen);
		if (r <= 0)
			break;
		done += (uint64_t)r;
	}
	if (vfs_call(VFS_GETPATH, (uint64_t[6]){ id, 0, 0, 0, vfs_root, 0 }, NULL, 0,
	    c->canon, sizeof(c->canon) - 1, NULL, &rlen) > 0)
		c->canon[rlen] = '\0';
	else
		strlcpy(c->canon, path, sizeof(c->canon));
	vfs_call(VFS_CLOSE, w, NULL, 0, NULL, 0, NULL, NULL);
	if (r < 0 || done != size) {
		free(c->data);
		c->data = NULL;
		return r < 0 ? (int)r : -EIO;
	}
	c->dev = rw[2];
	c->ino = attr.ino;
	c->size = attr.size;
	c->mtime = attr.mtime;
	c->used = ++exec_clock;
found:
	if (canon != NULL)
		strlcpy(canon, c->canon, canon_cap);
	*data = c->data;
	*len = (uint64_t)c->size;
	return 0;
}

/* p's working directory as a path (execve of a relative path): 0 or -errno. */
int
lx_vfs_cwd_path(const struct lproc *p, char *out, size_t cap)
{
	uint64_t w[6] = { p->cwdf != NULL ? p->cwdf->vid : 0, 0, 0, 0, vfs_root, 0 };
	size_t rlen;
	long r;

	if (p->cwdf == NULL)
		return -ENOENT;
	r = vfs_call(VFS_GETPATH, w, NULL, 0, out, cap - 1, NULL, &rlen);

	if (r < 0)
		return (int)r;
	out[rlen] = '\0';
	return 0;
}

/* --- asynchronous requests --- */

static uint64_t
cookie_of(const struct lthread *t)
{
	int i = (int)(t - lx_threads);

	return COOKIE_BIT | (uint64_t)seq[i] << 16 | (uint64_t)i;
}

/* A thread slot is reused: answers meant for its old owner no longer match. */
void
lx_vfs_thread_new(struct lthread *t)
{
	seq[t - lx_threads]++;
}

/*
 * Sends label for t (w0-w5 as given; w3 and w4 are filled in: t's
 * credentials and root) and makes t wait for the answer, which done()
 * turns into the call's result. Returns LX_SUSPEND or -errno.
 */
long
lx_vfs_send(struct lthread *t, uint64_t label, uint64_t *w, const void *data, size_t len,
    lx_vfs_done_fn done)
{
	struct ipc_msg m;
	struct ipc_ext x;
	long r;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = label;
	w[3] = VFS_CRED(t->proc->euid, t->proc->egid);
	w[4] = vfs_root;
	for (int i = 0; i < 6; i++)
		m.w[i] = w[i];
	m.w[6] = cookie_of(t);			/* the tag VFS_CANCEL names */
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = len;
	x.reply_ep = lx_pers;
	x.cookie = cookie_of(t);
	if ((r = ipc_send(lx_vfs, &m, &x)) != 0)
		return r == -EAGAIN ? -EAGAIN : -EIO;
	t->vfs_done = done;
	t->wait = W_VFS;
	return LX_SUSPEND;
}

/*
 * t waits for vfs (W_VFS) and a signal came, or t goes: a request that
 * waits in vfs (a pipe's read or write, a FIFO's open) is answered now
 * (-EINTR or what it did), one that does not wait finishes anyway.
 */
void
lx_vfs_cancel(struct lthread *t)
{
	struct ipc_msg m;

	if (lx_vfs == HANDLE_NONE || t->wait != W_VFS)
		return;
	memset(&m, 0, sizeof(m));
	m.label = VFS_CANCEL;
	m.w[0] = cookie_of(t);
	ipc_send(lx_vfs, &m, NULL);
}

/* Once our endpoint exists: vfs tells it when pipes' readiness changes (VFS_READY). */
int
lx_vfs_hello(void)
{
	uint64_t w[6] = { 0 };
	struct ipc_msg m;
	struct ipc_ext x;
	long h, r;

	if (lx_vfs == HANDLE_NONE)
		return 0;
	if ((h = handle_dup(lx_pers, RIGHT_SEND | RIGHT_TRANSFER, LX_READY_BADGE)) < 0)
		return (int)h;
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = VFS_HELLO;
	for (int i = 0; i < 6; i++)
		m.w[i] = w[i];
	x.shandles[0] = (handle_t)h;
	x.nshandles = 1;
	if ((r = ipc_call(lx_vfs, &m, &x)) < 0)
		return (int)r;
	return (int)(long)m.w[0];
}

/* VFS_READY: what the ends of pipe w0 poll now (ppoll and select read it here). */
void
lx_vfs_ready(const struct ipc_msg *m)
{
	lx_files_pipe_ready(m->w[0], (uint16_t)m->w[1], (uint16_t)m->w[2]);
	lx_poll_wake();
}

int
lx_vfs_is_reply(const struct ipc_msg *m)
{
	return lx_vfs != HANDLE_NONE && (m->badge & COOKIE_BIT) && m->token == HANDLE_NONE &&
	    (IPC_PROTO(m->label) == PROTO_VFS || m->label == LABEL_ERROR);
}

void
lx_vfs_reply(const struct ipc_msg *m, const void *data, size_t len)
{
	unsigned i = (unsigned)(m->badge & 0xffff);
	struct lthread *t = i < LX_NTHREAD ? &lx_threads[i] : NULL;
	lx_vfs_done_fn done;
	long r;

	if (t == NULL || ((m->badge >> 16) & 0xffffffffu) != seq[i] || t->tid == 0 ||
	    t->wait != W_VFS || t->vfs_done == NULL) {
		/* Nobody waits for it any more; an open file would leak. */
		if (m->label == VFS_OPEN && (long)m->w[0] == 0) {
			struct lfile tmp = { .vid = m->w[1] };

			lx_vfs_close(&tmp);
		}
		return;
	}
	done = t->vfs_done;
	t->vfs_done = NULL;
	t->wait = W_NONE;
	r = m->label == LABEL_ERROR ? -EIO : done(t, m, data, len);
	if (r != LX_SUSPEND)
		lx_finish(t, r);
}

/* --- which paths go to vfs --- */

/*
 * Reads the path at upath: 1 if vfs answers for it, 0 if it is
 * linuxemu's own (/dev, /proc), or -errno.
 */
long
lx_vfs_read_path(struct lthread *t, uint64_t upath, size_t *len)
{
	long r = lx_read_string(t->proc, upath, lx_vfs_path, sizeof(lx_vfs_path));

	if (r < 0)
		return r;
	*len = (size_t)r;
	if ((!lx_vfs_dev && strncmp(lx_vfs_path, "/dev", 4) == 0 &&
	    (lx_vfs_path[4] == '\0' || lx_vfs_path[4] == '/')) ||
	    (strncmp(lx_vfs_path, "/proc", 5) == 0 && (lx_vfs_path[5] == '\0' || lx_vfs_path[5] == '/')))
		return 0;
	return 1;
}

/*
 * Whether vfs answers for the path at upath from dirfd: an absolute path
 * outside /dev and /proc, or a relative one from a directory in vfs (the
 * working directory may be linuxemu's own /dev: cwdf is NULL then).
 */
int
lx_vfs_claims(struct lthread *t, int dirfd, uint64_t upath)
{
	struct lfile *f;
	size_t len;
	long r;

	if (lx_vfs == HANDLE_NONE)
		return 0;
	if ((r = lx_vfs_read_path(t, upath, &len)) <= 0)
		return r < 0;			/* errors are vfs's to report */
	if (lx_vfs_path[0] == '/')
		return 1;
	if (dirfd == AT_FDCWD_)
		return t->proc->cwdf != NULL;
	f = lx_fd_get(t, (uint64_t)dirfd);
	return f == NULL || f->kind == LF_VFS;	/* a bad fd: vfs's EBADF too */
}

/* The directory a path starts at: dirfd's file id, or the cwd's. */
long
lx_vfs_start_dir(struct lthread *t, int dirfd, uint64_t *id)
{
	struct lfile *f;

	if (lx_vfs_path[0] == '/') {		/* first: the cwd may be linuxemu's own /proc */
		*id = 0;
		return 0;
	}
	if (dirfd == AT_FDCWD_) {
		if (t->proc->cwdf == NULL)
			return -ENOENT;		/* relative, from linuxemu's own tree: not vfs's */
		*id = t->proc->cwdf->vid;
		return 0;
	}
	if ((f = lx_fd_get(t, (uint64_t)dirfd)) == NULL)
		return -EBADF;
	if (f->kind != LF_VFS)
		return -ENOTDIR;
	*id = f->vid;
	return 0;
}

/* Reads a path and sends it: label with w1, w2, data = path then extra. */
long
lx_vfs_path_call(struct lthread *t, uint64_t label, int dirfd, uint64_t upath, uint64_t w1,
    uint64_t w2, const void *extra, size_t extralen, lx_vfs_done_fn done)
{
	uint64_t w[6] = { 0, w1, w2, 0, 0, 0 };
	size_t len;
	long r;

	if ((r = lx_vfs_read_path(t, upath, &len)) < 0)
		return r;
	if ((r = lx_vfs_start_dir(t, dirfd, &w[0])) != 0)
		return r;
	if (len + extralen > sizeof(lx_vfs_data))
		return -ENAMETOOLONG;
	memcpy(lx_vfs_data, lx_vfs_path, len);
	memcpy(lx_vfs_data + len, extra, extralen);
	w[5] = len;
	return lx_vfs_send(t, label, w, lx_vfs_data, len + extralen, done);
}

long
lx_vfs_done_status(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	(void)t;
	(void)data;
	(void)len;
	return (long)m->w[0] > 0 ? 0 : (long)m->w[0];
}

/* --- open --- */

static long
done_open(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	uint32_t flags = (uint32_t)t->a[2];
	struct fs_attr attr;
	struct lfile *f;
	long r = (long)m->w[0];

	if (r == -EINTR)
		return LX_RESTART;		/* a FIFO's open, interrupted */
	if (r < 0)
		return r;
	if (len < sizeof(attr) || (f = lx_file_new(LF_VFS, flags & (03 | 02000 | 04000 |
	    010000000))) == NULL) {
		struct lfile tmp = { .vid = m->w[1] };

		lx_vfs_close(&tmp);
		return len < sizeof(attr) ? -EIO : -ENFILE;
	}
	memcpy(&attr, data, sizeof(attr));
	f->vid = m->w[1];
	f->vmode = attr.mode;
	f->borrowed = 0;
	f->vpipe = m->w[3];			/* a FIFO's pipe, and how it polls */
	f->vrev = (uint16_t)m->w[4];
	f->vwev = (uint16_t)m->w[5];
	f->vino = attr.ino;
	f->vrdev = attr.rdev;
	if (lx_tty_is(f) && !(flags & VFS_O_PATH) && (r = lx_tty_opened(t, f, flags)) != 0) {
		lx_file_put(f);
		return r;
	}
	if (t->nr == 49 || t->nr == 50) {	/* chdir: the new working directory */
		lx_file_put(t->proc->cwdf);
		t->proc->cwdf = f;
		return 0;
	}
	r = lx_fd_open(t, f, (flags & 02000000) != 0);
	lx_file_put(f);
	return r;
}

long
lx_vfs_openat(struct lthread *t, const uint64_t *a)
{
	uint32_t flags = (uint32_t)a[2], mode = (uint32_t)a[3] & 07777 & ~t->proc->umask;

	return lx_vfs_path_call(t, VFS_OPEN, (int)a[0], a[1], flags, mode, NULL, 0, done_open);
}

static long
done_chdir(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	return done_open(t, m, data, len);
}

long
lx_vfs_chdir(struct lthread *t, const uint64_t *a)
{
	if (!lx_vfs_claims(t, AT_FDCWD_, a[0]))
		return 1;			/* linuxemu's own tree: path.c's */
	return lx_vfs_path_call(t, VFS_OPEN, AT_FDCWD_, a[0], VFS_O_PATH | VFS_O_DIRECTORY, 0, NULL, 0,
	    done_chdir);
}

long
lx_vfs_fchdir(struct lthread *t, struct lfile *f)
{
	if (f->kind == LF_NODE)
		return 1;			/* linuxemu's own tree: path.c's */
	if (f->kind != LF_VFS || (f->vmode & FS_IFMT) != FS_IFDIR)
		return -ENOTDIR;
	f->refs++;
	lx_file_put(t->proc->cwdf);
	t->proc->cwdf = f;
	return 0;
}

static long
done_getcwd(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	long r = (long)m->w[0];

	if (r < 0)
		return r;
	if (len + 1 > t->a[1])
		return -ERANGE;
	memcpy(lx_vfs_data, data, len);
	lx_vfs_data[len] = '\0';
	return lx_write(t->proc, t->a[0], lx_vfs_data, len + 1) != 0 ? -EFAULT : (long)len + 1;
}

long
lx_vfs_getcwd(struct lthread *t, const uint64_t *a)
{
	uint64_t w[6] = { 0, 0, 0, 0, 0, 0 };

	(void)a;
	if (t->proc->cwdf == NULL)
		return 1;			/* in linuxemu's own /dev: the path string */
	w[0] = t->proc->cwdf->vid;
	return lx_vfs_send(t, VFS_GETPATH, w, NULL, 0, done_getcwd);
}

/* --- offsets --- */

static long
done_value(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	(void)t;
	(void)data;
	(void)len;
	return (long)m->w[0];
}

long
lx_vfs_lseek(struct lthread *t, struct lfile *f, const uint64_t *a)
{
	uint64_t w[6] = { f->vid, a[1], a[2], 0, 0, 0 };

	return lx_vfs_send(t, VFS_SEEK, w, NULL, 0, done_value);
}

/* --- read and write: one piece of at most IPC_BUF_MAX per request --- */

long
lx_vfs_io(struct lthread *t, struct lfile *f, int writing, uint64_t off, const void *data,
    uint64_t len, lx_vfs_done_fn done)
{
	uint64_t w[6] = { f->vid, len, off, 0, 0, 0 };

	if (writing)
		return lx_vfs_send(t, VFS_WRITE, w, data, len, done);
	return lx_vfs_send(t, VFS_READ, w, NULL, 0, done);
}

/* --- pipes --- */

static long
done_pipe(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	uint32_t nonblock = (uint32_t)t->a[1] & 04000;
	struct lfile *ends[2] = { NULL, NULL };
	int32_t fds[2] = { -1, -1 };
	long r = (long)m->w[0];

	(void)data;
	(void)len;
	if (r < 0)
		return r;
	for (int i = 0; i < 2; i++) {
		if ((ends[i] = lx_file_new(LF_VFS, (uint32_t)i | nonblock)) == NULL) {
			struct lfile tmp = { .vid = m->w[1 + i] };

			lx_vfs_close(&tmp);
			continue;
		}
		ends[i]->vid = m->w[1 + i];
		ends[i]->vmode = FS_IFIFO | 0600;
		ends[i]->borrowed = 0;
		ends[i]->vpipe = m->w[3];
		ends[i]->vrev = (uint16_t)m->w[4];
		ends[i]->vwev = (uint16_t)m->w[5];
	}
	r = ends[0] == NULL || ends[1] == NULL ? -ENFILE : 0;
	for (int i = 0; i < 2 && r == 0; i++)
		if ((r = lx_fd_open(t, ends[i], (t->a[1] & 02000000) != 0)) >= 0) {
			fds[i] = (int32_t)r;
			r = 0;
		}
	if (r == 0 && lx_write(t->proc, t->a[0], fds, sizeof(fds)) != 0)
		r = -EFAULT;
	if (r < 0)				/* nothing stays open */
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				sys_close(t, (uint64_t[]){ (uint64_t)fds[i] });
	lx_file_put(ends[0]);			/* the table holds them now, or nobody does */
	lx_file_put(ends[1]);
	return r;
}

/* pipe2(fds, flags): vfs makes the pipe, its two ends become fds here. */
long
lx_vfs_pipe(struct lthread *t, const uint64_t *a)
{
	uint64_t w[6] = { 0, a[1] & (04000 | 0200000), 0, 0, 0, 0 };

	if (a[1] & ~(uint64_t)(02000000 | 04000 | 0200000))
		return -EINVAL;
	return lx_vfs_send(t, VFS_PIPE, w, NULL, 0, done_pipe);
}

static long
done_fionread(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	int32_t n = (int32_t)m->w[1];

	(void)data;
	(void)len;
	if ((long)m->w[0] < 0)
		return (long)m->w[0];
	return lx_write(t->proc, t->a[2], &n, sizeof(n)) != 0 ? -EFAULT : 0;
}

/* ioctl(FIONREAD) on a pipe or FIFO: the bytes in it. */
long
lx_vfs_fionread(struct lthread *t, struct lfile *f)
{
	uint64_t w[6] = { f->vid, 0, 0, 0, 0, 0 };

	return lx_vfs_send(t, VFS_POLL, w, NULL, 0, done_fionread);
}

static long
done_setfl(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	struct lfile *f = lx_fd_get(t, t->a[0]);

	(void)data;
	(void)len;
	if ((long)m->w[0] < 0)
		return (long)m->w[0];
	if (f != NULL)
		f->flags = (f->flags & ~(uint32_t)(02000 | 04000)) | ((uint32_t)t->a[2] & (02000 | 04000));
	return 0;
}

/* fcntl(F_SETFL): O_APPEND and O_NONBLOCK belong to vfs's open file. */
long
lx_vfs_setfl(struct lthread *t, struct lfile *f, uint64_t flags)
{
	uint64_t w[6] = { f->vid, flags & (02000 | 04000), 0, 0, 0, 0 };

	return lx_vfs_send(t, VFS_SETFL, w, NULL, 0, done_setfl);
}

/* --- block devices' ioctls (devtmpfs's disks: docs/devtmpfs.md) --- */

/* The bytes each one copies out (Linux's blkdev_ioctl); -1: not a block ioctl. */
static int
blk_out(uint32_t req)
{
	switch (req) {
	case 0x80081272: return 8;	/* BLKGETSIZE64 */
	case 0x1260: return 8;		/* BLKGETSIZE: unsigned long, 512-byte sectors */
	case 0x1268: return 4;		/* BLKSSZGET */
	case 0x127b: return 4;		/* BLKPBSZGET */
	case 0x80081270: return 4;	/* BLKBSZGET: put_int, whatever its _IOR says */
	case 0x125e: return 4;		/* BLKROGET */
	case 0x1261: return 0;		/* BLKFLSBUF */
	default: return -1;
	}
}

static long
done_blk_ioctl(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	int out = blk_out((uint32_t)t->a[1]);
	long r = (long)m->w[0];

	if (r < 0 || out <= 0)
		return r;
	if (len < (size_t)out)
		return -EIO;
	return lx_write(t->proc, t->a[2], data, (size_t)out) != 0 ? -EFAULT : r;
}

/* ioctl(fd, req, arg) on a block device in vfs: 1 if req is not one of them. */
long
lx_vfs_blk_ioctl(struct lthread *t, struct lfile *f, const uint64_t *a)
{
	uint64_t w[6] = { f->vid, (uint32_t)a[1], a[2], 0, 0, 0 };
	int out = blk_out((uint32_t)a[1]);

	if (out < 0)
		return 1;
	/* Linux checks the pointer only as it writes; a bad one is -EFAULT after the work. */
	return lx_vfs_send(t, VFS_IOCTL, w, NULL, 0, done_blk_ioctl);
}

/*
 * vfs's mount table as /proc/mounts lines into buf (cap bytes): its
 * length, or -errno. A blocking call, as exec's reads: vfs answers it
 * at once and never waits on us.
 */
long
lx_vfs_mounts(char *buf, size_t cap)
{
	uint64_t w[6] = { 0 };
	size_t rlen = 0;
	long r;

	if (lx_vfs == HANDLE_NONE)
		return -ENOENT;
	r = vfs_call(VFS_MOUNTS, w, NULL, 0, buf, cap, NULL, &rlen);
	return r < 0 ? r : (long)rlen;
}

/*
 * File descriptors: per-process tables (shared by CLONE_FILES) of open
 * files (shared by dup and fork), close-on-exec, and the calls on them.
 *
 * The only file there is yet is the console, which a process's first
 * fds 0-2 name: writes go to the kernel log; there is no input before
 * devtmpfs brings the tty, so a read waits (until a signal). The vfs
 * issue adds the files it serves as another kind.
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define O_ACCMODE_	3
#define O_RDWR_		2
#define O_APPEND_	02000
#define O_NONBLOCK_	04000
#define O_CLOEXEC_	02000000
#define ENOTTY_		25

static struct lfile files[LX_NFILE];
static struct lfiles tables[LX_NPROC];

static struct lfile *
file_new(enum lfile_kind kind, uint32_t flags)
{
	for (int i = 0; i < LX_NFILE; i++)
		if (files[i].refs == 0) {
			files[i].refs = 1;
			files[i].kind = kind;
			files[i].flags = flags;
			return &files[i];
		}
	return NULL;
}

static void
file_put(struct lfile *f)
{
	if (f != NULL && --f->refs == 0)
		f->kind = LF_FREE;
}

static struct lfiles *
table_alloc(void)
{
	for (int i = 0; i < LX_NPROC; i++)
		if (tables[i].refs == 0) {
			memset(&tables[i], 0, sizeof(tables[i]));
			tables[i].refs = 1;
			return &tables[i];
		}
	return NULL;
}

/* The first process's table: 0, 1 and 2 on one console file. */
struct lfiles *
lx_files_new(void)
{
	struct lfiles *t = table_alloc();
	struct lfile *con;

	if (t == NULL || (con = file_new(LF_CONSOLE, O_RDWR_)) == NULL)
		return NULL;
	for (int fd = 0; fd < 3; fd++)
		t->fd[fd] = con;
	con->refs = 3;
	return t;
}

struct lfiles *
lx_files_copy(const struct lfiles *from)
{
	struct lfiles *t = table_alloc();

	if (t == NULL)
		return NULL;
	for (int fd = 0; fd < LX_NOFILE; fd++)
		if ((t->fd[fd] = from->fd[fd]) != NULL) {
			t->fd[fd]->refs++;
			t->cloexec[fd] = from->cloexec[fd];
		}
	return t;
}

void
lx_files_put(struct lfiles *t)
{
	if (t == NULL || --t->refs > 0)
		return;
	for (int fd = 0; fd < LX_NOFILE; fd++)
		file_put(t->fd[fd]);
	memset(t, 0, sizeof(*t));
}

void
lx_files_exec(struct lfiles *t)
{
	for (int fd = 0; fd < LX_NOFILE; fd++)
		if (t->fd[fd] != NULL && t->cloexec[fd]) {
			file_put(t->fd[fd]);
			t->fd[fd] = NULL;
			t->cloexec[fd] = 0;
		}
}

static struct lfile *
fd_get(struct lthread *t, uint64_t fd)
{
	return fd < LX_NOFILE ? t->proc->files->fd[fd] : NULL;
}

int
lx_fd_is_open(struct lthread *t, uint64_t fd)
{
	return fd_get(t, fd) != NULL;
}

/* The lowest free fd at or above min (under RLIMIT_NOFILE), or -EMFILE. */
static int
fd_alloc(struct lthread *t, uint64_t min)
{
	uint64_t lim = t->proc->rlimit[7][0] < LX_NOFILE ? t->proc->rlimit[7][0] : LX_NOFILE;

	for (uint64_t fd = min; fd < lim; fd++)
		if (t->proc->files->fd[fd] == NULL)
			return (int)fd;
	return -EMFILE;
}

static void
fd_install(struct lthread *t, int fd, struct lfile *f, int cloexec)
{
	struct lfiles *tab = t->proc->files;

	file_put(tab->fd[fd]);
	tab->fd[fd] = f;
	tab->cloexec[fd] = (uint8_t)cloexec;
	f->refs++;
}

long
sys_close(struct lthread *t, const uint64_t *a)
{
	struct lfiles *tab = t->proc->files;

	if (fd_get(t, a[0]) == NULL)
		return -EBADF;
	file_put(tab->fd[a[0]]);
	tab->fd[a[0]] = NULL;
	tab->cloexec[a[0]] = 0;
	return 0;
}

/* close_range(first, last, flags): CLOSE_RANGE_CLOEXEC (4) marks instead. */
long
sys_close_range(struct lthread *t, const uint64_t *a)
{
	struct lfiles *tab = t->proc->files;

	if ((a[2] & ~6UL) || (uint32_t)a[0] > (uint32_t)a[1])
		return -EINVAL;
	for (uint64_t fd = a[0]; fd <= (uint32_t)a[1] && fd < LX_NOFILE; fd++) {
		if (tab->fd[fd] == NULL)
			continue;
		if (a[2] & 4) {
			tab->cloexec[fd] = 1;
		} else {
			file_put(tab->fd[fd]);
			tab->fd[fd] = NULL;
			tab->cloexec[fd] = 0;
		}
	}
	return 0;
}

long
sys_dup(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);
	int fd;

	if (f == NULL)
		return -EBADF;
	if ((fd = fd_alloc(t, 0)) < 0)
		return fd;
	fd_install(t, fd, f, 0);
	return fd;
}

long
sys_dup3(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);

	if (a[2] & ~(uint64_t)O_CLOEXEC_)
		return -EINVAL;
	if (f == NULL)
		return -EBADF;
	if (a[0] == a[1])
		return -EINVAL;
	if (a[1] >= LX_NOFILE || a[1] >= t->proc->rlimit[7][0])
		return -EBADF;
	fd_install(t, (int)a[1], f, (a[2] & O_CLOEXEC_) != 0);
	return (long)a[1];
}

#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC	1030

long
sys_fcntl(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);
	struct lfiles *tab = t->proc->files;
	int fd;

	if (f == NULL)
		return -EBADF;
	switch (a[1]) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a[2] >= t->proc->rlimit[7][0] || a[2] >= LX_NOFILE)
			return -EINVAL;
		if ((fd = fd_alloc(t, a[2])) < 0)
			return fd;
		fd_install(t, fd, f, a[1] == F_DUPFD_CLOEXEC);
		return fd;
	case F_GETFD:
		return tab->cloexec[a[0]];
	case F_SETFD:
		tab->cloexec[a[0]] = a[2] & 1;
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL:		/* only O_APPEND and O_NONBLOCK change (and O_ASYNC, O_DIRECT, O_NOATIME) */
		f->flags = (f->flags & ~(uint32_t)(O_APPEND_ | O_NONBLOCK_)) |
		    ((uint32_t)a[2] & (O_APPEND_ | O_NONBLOCK_));
		return 0;
	default:
		return -EINVAL;
	}
}

static char iobuf[4096];

/* Copy len bytes of the caller's memory at uva to the console. */
static long
console_write(struct lthread *t, uint64_t uva, uint64_t len)
{
	uint64_t done = 0;

	while (done < len) {
		uint64_t n = len - done < sizeof(iobuf) ? len - done : sizeof(iobuf);
		long r = lx_read(t->proc, uva + done, iobuf, n);

		if (r != 0)
			return done > 0 ? (long)done : r;
		log_write(iobuf, n);
		done += n;
	}
	return (long)done;
}

static long
file_write(struct lthread *t, struct lfile *f, uint64_t uva, uint64_t len)
{
	if ((f->flags & O_ACCMODE_) == 0)
		return -EBADF;
	return console_write(t, uva, len);
}

static long
file_read(struct lthread *t, struct lfile *f, uint64_t uva, uint64_t len)
{
	(void)uva;
	if ((f->flags & O_ACCMODE_) == 1)
		return -EBADF;
	if (len == 0)
		return 0;
	if (f->flags & O_NONBLOCK_)
		return -EAGAIN;
	t->wait = W_READ;	/* no console input yet: until a signal */
	return LX_SUSPEND;
}

long
sys_write(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);

	return f == NULL ? -EBADF : file_write(t, f, a[1], a[2]);
}

long
sys_read(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);

	return f == NULL ? -EBADF : file_read(t, f, a[1], a[2]);
}

struct iovec_ {
	uint64_t base, len;
};

#define IOV_MAX_	1024

static long
rw_vector(struct lthread *t, const uint64_t *a, int writing)
{
	struct lfile *f = fd_get(t, a[0]);
	struct iovec_ iov[64];
	long total = 0, r;

	if (f == NULL)
		return -EBADF;
	if (a[2] > IOV_MAX_)
		return -EINVAL;
	for (uint64_t i = 0; i < a[2]; i += 64) {
		uint64_t n = a[2] - i < 64 ? a[2] - i : 64;

		if ((r = lx_read(t->proc, a[1] + i * sizeof(iov[0]), iov, n * sizeof(iov[0]))) != 0)
			return total > 0 ? total : r;
		for (uint64_t k = 0; k < n; k++) {
			if ((int64_t)iov[k].len < 0)
				return -EINVAL;
			if (iov[k].len == 0)
				continue;
			r = writing ? file_write(t, f, iov[k].base, iov[k].len) :
			    file_read(t, f, iov[k].base, iov[k].len);
			if (r < 0)
				return total > 0 && r != LX_SUSPEND ? total : r;
			total += r;
			if ((uint64_t)r < iov[k].len)
				return total;
		}
	}
	return total;
}

long
sys_writev(struct lthread *t, const uint64_t *a)
{
	return rw_vector(t, a, 1);
}

long
sys_readv(struct lthread *t, const uint64_t *a)
{
	return rw_vector(t, a, 0);
}

/* The console is not seekable. */
long
sys_lseek(struct lthread *t, const uint64_t *a)
{
	return fd_get(t, a[0]) == NULL ? -EBADF : -ESPIPE;
}

long
sys_pread64(struct lthread *t, const uint64_t *a)
{
	return fd_get(t, a[0]) == NULL ? -EBADF : -ESPIPE;
}

long
sys_ioctl(struct lthread *t, const uint64_t *a)
{
	return fd_get(t, a[0]) == NULL ? -EBADF : -ENOTTY_;	/* no tty before devtmpfs */
}

struct stat_ {			/* asm-generic struct stat (aarch64) */
	uint64_t dev, ino;
	uint32_t mode, nlink, uid, gid;
	uint64_t rdev, pad1;
	int64_t size;
	int32_t blksize, pad2;
	int64_t blocks;
	int64_t atime, atime_nsec, mtime, mtime_nsec, ctime, ctime_nsec;
	uint32_t unused4, unused5;
};

/* What Linux says of /dev/console. */
static long
stat_file(struct lthread *t, struct lfile *f, uint64_t uva)
{
	struct stat_ st;

	(void)f;
	memset(&st, 0, sizeof(st));
	st.dev = 6;			/* devtmpfs */
	st.ino = 5;
	st.mode = 020000 | 0620;	/* S_IFCHR, rw--w---- */
	st.nlink = 1;
	st.gid = 5;			/* tty */
	st.rdev = (5 << 8) | 1;		/* makedev(5, 1) */
	st.blksize = 1024;
	return lx_write(t->proc, uva, &st, sizeof(st));
}

long
sys_fstat(struct lthread *t, const uint64_t *a)
{
	struct lfile *f = fd_get(t, a[0]);

	return f == NULL ? -EBADF : stat_file(t, f, a[1]);
}

/* newfstatat(dirfd, path, st, flags): "" with AT_EMPTY_PATH only, until the vfs. */
long
sys_newfstatat(struct lthread *t, const uint64_t *a)
{
	char c;
	long r = lx_read(t->proc, a[1], &c, 1);

	if (r != 0)
		return r;
	if (a[3] & ~0x1d00UL)
		return -EINVAL;		/* AT_SYMLINK_NOFOLLOW, NO_AUTOMOUNT, EMPTY_PATH, STATX_* */
	if (c != '\0')
		return -ENOENT;		/* no filesystem before the vfs issue */
	if (!(a[3] & 0x1000))
		return -ENOENT;
	return sys_fstat(t, (uint64_t[]){ a[0], a[2] });
}

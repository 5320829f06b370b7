/*
 * vfs on the host: its node cache, path walk and requests (servers/vfs:
 * node.c, walk.c, ops.c) serving PROTO_VFS in one thread, with tmpfs's
 * real handlers as the filesystem in another, over libipc's host
 * transport; the test is the client. What the walk must get right:
 * "." and "..", ".." at the root and out of a mount, symlinks (relative,
 * absolute, in the middle, loops: ELOOP), trailing slashes, long names
 * (ENAMETOOLONG), ENOTDIR, search permission for another uid, the cache
 * following renames and unlinks, getpath, and answers for every request
 * even when the filesystem fails. And pipes and FIFOs (pipe.c, on
 * pipe_ring.c): Linux's slot rules, requests that wait and what ends
 * them (the other end, VFS_CANCEL, a close), EOF, EPIPE, O_NONBLOCK,
 * FIFO opens waiting for their partner, and VFS_READY's news.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/proto/vfs.h>

#include "../../servers/tmpfs/tmpfs.h"
#include "../../servers/vfs/pipe_ring.h"
#include "../../servers/vfs/vfs.h"

/* What servers/vfs/main.c would define. */
struct ipc_server vfs_srv;
handle_t vfs_name_ep;

static struct ipc_cont conts[256];
static char vbuf[IPC_BUF_MAX + 4096], tbuf[IPC_BUF_MAX + 4096];
static struct ipc_server tsrv;
static handle_t vep, tep;
static pthread_t vthread, tthread;
static uint64_t root, cred;
static char rbuf[IPC_BUF_MAX];
static size_t rlen;
static uint64_t rw[IPC_WORDS];

/* The host has no real-time clock call: vfs and tmpfs ask for it. */
long
sys_info(unsigned what, uint64_t arg)
{
	(void)arg;
	return what == SYSINFO_REALTIME ? 1700000000L * 1000000000L : -ENOSYS;
}

static struct fs_time
realtime(void *ctx)
{
	(void)ctx;
	return (struct fs_time){ 1700000000, 0 };
}

static void *
run(void *srv)
{
	ipc_server_run(srv);
	return NULL;
}

static long
vcall(uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w5,
    const void *data, size_t len)
{
	struct ipc_msg m;
	struct ipc_ext x;
	long r;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = label;
	m.w[0] = w0;
	m.w[1] = w1;
	m.w[2] = w2;
	m.w[3] = cred;
	m.w[4] = root;
	m.w[5] = w5;
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = len;
	x.rbuf = (uint64_t)(uintptr_t)rbuf;
	x.rcap = sizeof(rbuf);
	if ((r = ipc_call(vep, &m, &x)) < 0)
		return r;
	memcpy(rw, m.w, sizeof(rw));
	rlen = x.rlen;
	return (long)m.w[0];
}

static long
vpath(uint64_t label, const char *path, uint64_t w1, uint64_t w2)
{
	return vcall(label, root, w1, w2, strlen(path), path, strlen(path));
}

static uint32_t
mode_of(const char *path, uint32_t flags)
{
	struct fs_attr a;

	if (vpath(VFS_STAT, path, flags, 0) != 0 || rlen < sizeof(a))
		return 0;
	memcpy(&a, rbuf, sizeof(a));
	return a.mode & FS_IFMT;
}

static long
symlink_(const char *target, const char *path)
{
	char d[256];

	snprintf(d, sizeof(d), "%s%s", target, path);
	return vcall(VFS_SYMLINK, root, strlen(target), 0, 0, d, strlen(d));
}

/* tmpfs on /, its first instance, the way vfs's main.c mounts it. */
static void
setup(void)
{
	struct tmpfs_params params = { .now = realtime };
	struct fs_attr attr;
	struct vmount *m;
	struct ipc_msg msg;
	struct ipc_ext x;
	struct tmpfs *fs = tmpfs_new(&params);

	ck_assert_ptr_nonnull(fs);
	tep = (handle_t)ep_create(0);
	vep = (handle_t)ep_create(0);
	ipc_server_init(&tsrv, tep, tmpfs_handlers, tmpfs_nhandlers, NULL, 0, tbuf,
	    sizeof(tbuf), fs);
	pthread_create(&tthread, NULL, run, &tsrv);
	memset(&msg, 0, sizeof(msg));
	memset(&x, 0, sizeof(x));
	msg.label = FS_MOUNT;
	x.sbuf = (uint64_t)(uintptr_t)"none";
	x.slen = 5;
	x.rbuf = (uint64_t)(uintptr_t)&attr;
	x.rcap = sizeof(attr);
	ck_assert_int_eq(ipc_call(tep, &msg, &x), 0);
	ck_assert_int_eq((long)msg.w[0], 0);
	m = mount_alloc();
	m->ep = tep;
	strcpy(m->fstype, "tmpfs");
	m->root = vn_new_root(m, msg.w[1], &attr);
	ipc_server_init(&vfs_srv, vep, vfs_handlers, vfs_nhandlers, conts, 256, vbuf,
	    sizeof(vbuf), NULL);
	pthread_create(&vthread, NULL, run, &vfs_srv);
	ck_assert_int_eq(vcall(VFS_ROOT, 0, 0, 0, 0, NULL, 0), 0);
	root = rw[1];
	cred = 0;
}

START_TEST(dots_and_slashes)
{
	setup();
	ck_assert_int_eq(vpath(VFS_MKDIR, "/a", 0755, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/a/b/", 0755, 0), 0);
	ck_assert_uint_eq(mode_of("/a/./b/../b//.", 0), FS_IFDIR);
	ck_assert_uint_eq(mode_of("/../../a", 0), FS_IFDIR);	/* ".." stops at the root */
	ck_assert_uint_eq(mode_of("//a///b", 0), FS_IFDIR);
	ck_assert_int_eq(vpath(VFS_STAT, "/a/nope/..", 0, 0), -ENOENT);
	ck_assert_int_eq(vpath(VFS_STAT, "", 0, 0), -ENOENT);
	ck_assert_int_eq(vcall(VFS_OPEN, root, VFS_O_CREAT | VFS_O_WRONLY, 0644, 0, "/a/f", 4) > 0 ||
	    vcall(VFS_OPEN, root, VFS_O_CREAT | VFS_O_WRONLY, 0644, 0, "/a/f", 4) == 0, 1);
	ck_assert_int_eq(vpath(VFS_STAT, "/a/f/", 0, 0), -ENOTDIR);
	ck_assert_int_eq(vpath(VFS_STAT, "/a/f/x", 0, 0), -ENOTDIR);
	ck_assert_int_eq(vpath(VFS_STAT, "/a/f/..", 0, 0), -ENOTDIR);
}
END_TEST

START_TEST(long_names)
{
	char name[300], path[5000];

	setup();
	memset(name, 'n', sizeof(name));
	name[0] = '/';
	name[256] = '\0';			/* 255 bytes after the slash: fits */
	ck_assert_int_eq(vpath(VFS_MKDIR, name, 0755, 0), 0);
	name[256] = 'n';
	name[257] = '\0';			/* 256: too long */
	ck_assert_int_eq(vpath(VFS_STAT, name, 0, 0), -ENAMETOOLONG);
	ck_assert_int_eq(vpath(VFS_MKDIR, name, 0755, 0), -ENAMETOOLONG);
	memset(path, '/', sizeof(path));	/* a whole path too long */
	ck_assert_int_eq(vcall(VFS_STAT, root, 0, 0, 0, path, sizeof(path)), -ENAMETOOLONG);
}
END_TEST

START_TEST(symlinks)
{
	setup();
	ck_assert_int_eq(vpath(VFS_MKDIR, "/d", 0755, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/d/e", 0755, 0), 0);
	ck_assert_int_eq(symlink_("d/e", "/rel"), 0);
	ck_assert_int_eq(symlink_("/d", "/abs"), 0);
	ck_assert_int_eq(symlink_("../..", "/d/e/up"), 0);
	ck_assert_int_eq(symlink_("self", "/self"), 0);
	ck_assert_int_eq(symlink_("b", "/a"), 0);
	ck_assert_int_eq(symlink_("a", "/b"), 0);
	ck_assert_uint_eq(mode_of("/rel", 0), FS_IFDIR);
	ck_assert_uint_eq(mode_of("/rel", VFS_AT_SYMLINK_NOFOLLOW), FS_IFLNK);
	ck_assert_uint_eq(mode_of("/rel/", VFS_AT_SYMLINK_NOFOLLOW), FS_IFDIR);	/* "/" follows */
	ck_assert_uint_eq(mode_of("/abs/e/up/d/e", 0), FS_IFDIR);
	ck_assert_uint_eq(mode_of("/rel/../e", 0), FS_IFDIR);	/* ".." of the target */
	ck_assert_int_eq(vpath(VFS_STAT, "/self", 0, 0), -ELOOP);
	ck_assert_int_eq(vpath(VFS_STAT, "/a/x", 0, 0), -ELOOP);
	ck_assert_uint_eq(mode_of("/self", VFS_AT_SYMLINK_NOFOLLOW), FS_IFLNK);
	ck_assert_int_eq(vpath(VFS_READLINK, "/rel", 0, 0), 3);
	ck_assert_int_eq(memcmp(rbuf, "d/e", 3), 0);
}
END_TEST

START_TEST(permissions)
{
	setup();
	ck_assert_int_eq(vpath(VFS_MKDIR, "/locked", 0700, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/locked/in", 0777, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/shared", 0755, 0), 0);
	cred = VFS_CRED(1000, 1000);
	ck_assert_int_eq(vpath(VFS_STAT, "/locked/in", 0, 0), -EACCES);	/* no search */
	ck_assert_int_eq(vpath(VFS_STAT, "/locked", 0, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/shared/mine", 0755, 0), -EACCES);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/mine", 0755, 0), 0);	/* tmpfs's / is 1777 */
	ck_assert_int_eq(vpath(VFS_ACCESS, "/shared", 2, 0), -EACCES);
	cred = 0;
	ck_assert_int_eq(vpath(VFS_STAT, "/locked/in", 0, 0), 0);
}
END_TEST

START_TEST(cache_follows_renames)
{
	long f;

	setup();
	ck_assert_int_eq(vpath(VFS_MKDIR, "/x", 0755, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/x/y", 0755, 0), 0);
	f = vcall(VFS_OPEN, root, VFS_O_RDONLY | VFS_O_DIRECTORY, 0, 0, "/x/y", 4);
	ck_assert_int_eq(f, 0);
	f = (long)rw[1];
	ck_assert_uint_eq(mode_of("/x/y", 0), FS_IFDIR);	/* cached now */
	ck_assert_int_eq(vcall(VFS_RENAME, root, root, 0, 2, "/x/z", 4), 0);
	ck_assert_int_eq(vpath(VFS_STAT, "/x/y", 0, 0), -ENOENT);
	ck_assert_uint_eq(mode_of("/z/y", 0), FS_IFDIR);
	ck_assert_int_eq(vcall(VFS_GETPATH, (uint64_t)f, 0, 0, 0, NULL, 0), 4);
	ck_assert_int_eq(memcmp(rbuf, "/z/y", 4), 0);		/* the open dir moved too */
	ck_assert_int_eq(vpath(VFS_UNLINK, "/z/y", VFS_AT_REMOVEDIR, 0), 0);
	ck_assert_int_eq(vcall(VFS_GETPATH, (uint64_t)f, 0, 0, 0, NULL, 0), -ENOENT);
	ck_assert_int_eq(vpath(VFS_STAT, "/z/y", 0, 0), -ENOENT);
	ck_assert_int_eq(vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(vcall(VFS_CLOSE, (uint64_t)f, 0, 0, 0, NULL, 0), -EBADF);
}
END_TEST

START_TEST(mounts)
{
	setup();
	ck_assert_int_eq(vpath(VFS_MKDIR, "/m", 0755, 0), 0);
	ck_assert_int_eq(vpath(VFS_MKDIR, "/m/under", 0755, 0), 0);
	/* mount(2) looks the filesystem up by name: no name service here. */
	vfs_name_ep = HANDLE_NONE;
	ck_assert_int_eq(vcall(VFS_MOUNT, root, 0, 0, 2, "/m\0none\0tmpfs\0", 14), -ENODEV);
	ck_assert_uint_eq(mode_of("/m/under", 0), FS_IFDIR);
	ck_assert_int_eq(vcall(VFS_UMOUNT, root, 0, 0, 2, "/m", 2), -EINVAL);	/* not a mount */
	cred = VFS_CRED(5, 5);
	ck_assert_int_eq(vcall(VFS_MOUNT, root, 0, 0, 2, "/m\0none\0tmpfs\0", 14), -EPERM);
}
END_TEST

START_TEST(bad_requests)
{
	setup();
	ck_assert_int_eq(vcall(VFS_READ, 12345, 10, VFS_OFF_CURRENT, 0, NULL, 0), -EBADF);
	ck_assert_int_eq(vcall(VFS_STAT, 999, 0, 0, 1, "x", 1), -EBADF);	/* bad dir id */
	ck_assert_int_eq(vcall(VFS_STAT, root, 0, 0, 3, "a\0b", 3), -EINVAL);	/* NUL */
	ck_assert_int_eq(vcall(VFS_SETATTR, root, 0, 0, 50, "/", 1), -EINVAL);	/* short */
	ck_assert_int_eq(vcall(VFS_RENAME, root, root, 0, 99, "/a/b", 4), -EINVAL);
	ck_assert_int_eq(vcall(VFS_SYMLINK, root, 99, 0, 0, "x", 1), -EINVAL);
	ck_assert_int_eq(vcall(IPC_LABEL(PROTO_VFS, 999), 0, 0, 0, 0, NULL, 0), -ENOSYS);
	ck_assert_int_eq(vpath(VFS_ACCESS, "/", 8, 0), -EINVAL);
	ck_assert_int_eq(vpath(VFS_STAT, "/", 0, 0), 0);		/* still serving */
}
END_TEST

/* --- pipe_ring: Linux's 16 page slots --- */

static long
mem_copy_out(void *ctx, uint64_t off, void *buf, size_t n)
{
	memcpy((char *)ctx + off, buf, n);
	return (long)n;
}

static long
mem_copy_in(void *ctx, uint64_t off, void *buf, size_t n)
{
	memcpy(buf, (const char *)ctx + off, n);
	return (long)n;
}

/* Copies in at most *(size_t *)ctx bytes in all: a bad address after them. */
static size_t fault_after;

static long
faulty_in(void *ctx, uint64_t off, void *buf, size_t n)
{
	(void)ctx;
	if (off >= fault_after)
		return -EFAULT;
	if (off + n > fault_after)
		n = fault_after - off;
	memset(buf, 'f', n);
	return (long)n;
}

static struct pipe_ring ring;
static char big[PIPE_RING_SIZE + 8192], out[PIPE_RING_SIZE + 8192];

START_TEST(ring_slots)
{
	size_t done = 0;

	pipe_ring_init(&ring);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + 3);
	ck_assert(pipe_ring_empty(&ring));
	/* 68 KiB into 64: the 16 slots fill, the rest waits. */
	ck_assert_int_eq(pipe_ring_write(&ring, PIPE_RING_SIZE + 4096, &done, mem_copy_in, big),
	    PIPE_FULL);
	ck_assert_uint_eq(done, PIPE_RING_SIZE);
	ck_assert(pipe_ring_full(&ring));
	/* One byte out: its slot is not free, so nothing more goes in. */
	ck_assert_int_eq(pipe_ring_read(&ring, 1, mem_copy_out, out), 1);
	ck_assert(pipe_ring_full(&ring));
	done = 0;
	ck_assert_int_eq(pipe_ring_write(&ring, 1, &done, mem_copy_in, big), PIPE_FULL);
	ck_assert_uint_eq(done, 0);
	/* The rest of the first page frees its slot; the bytes come in order. */
	ck_assert_int_eq(pipe_ring_read(&ring, 4095, mem_copy_out, out + 1), 4095);
	ck_assert(!pipe_ring_full(&ring));
	ck_assert_int_eq(memcmp(out, big, 4096), 0);
	ck_assert_uint_eq(pipe_ring_bytes(&ring), PIPE_RING_SIZE - 4096);
	/* A 4096-byte write takes the free slot whole (PIPE_BUF is atomic). */
	done = 0;
	ck_assert_int_eq(pipe_ring_write(&ring, 4096, &done, mem_copy_in, big + PIPE_RING_SIZE),
	    PIPE_WROTE);
	ck_assert(pipe_ring_full(&ring));
	ck_assert_int_eq(pipe_ring_read(&ring, sizeof(out), mem_copy_out, out), PIPE_RING_SIZE);
	ck_assert_int_eq(memcmp(out, big + 4096, PIPE_RING_SIZE), 0);
	ck_assert(pipe_ring_empty(&ring));
	ck_assert_int_eq(pipe_ring_read(&ring, 10, mem_copy_out, out), 0);
}
END_TEST

START_TEST(ring_merges_small_writes)
{
	size_t done;

	pipe_ring_init(&ring);
	/* 15 full pages and 4095 bytes: every slot used, the last one short. */
	done = 0;
	ck_assert_int_eq(pipe_ring_write(&ring, PIPE_RING_SIZE - 4096, &done, mem_copy_in, big),
	    PIPE_WROTE);
	done = 0;
	ck_assert_int_eq(pipe_ring_write(&ring, 4095, &done, mem_copy_in, big), PIPE_WROTE);
	ck_assert(pipe_ring_full(&ring));
	/* One byte tops the last slot up; a second finds no room at all. */
	done = 0;
	ck_assert_int_eq(pipe_ring_write(&ring, 1, &done, mem_copy_in, "x"), PIPE_WROTE);
	done = 0;
	ck_assert_int_eq(pipe_ring_write(&ring, 1, &done, mem_copy_in, "y"), PIPE_FULL);
	ck_assert_uint_eq(pipe_ring_bytes(&ring), PIPE_RING_SIZE);
	/* Small writes share a slot: 3 x 10 bytes after an empty ring take one. */
	pipe_ring_init(&ring);
	for (int i = 0; i < 3; i++) {
		done = 0;
		ck_assert_int_eq(pipe_ring_write(&ring, 10, &done, mem_copy_in, big), PIPE_WROTE);
	}
	ck_assert_uint_eq(ring.nbufs, 1);
	ck_assert_uint_eq(pipe_ring_bytes(&ring), 30);
}
END_TEST

START_TEST(ring_faults)
{
	size_t done = 0;

	pipe_ring_init(&ring);
	fault_after = 5000;			/* a bad address 5000 bytes in */
	ck_assert_int_eq(pipe_ring_write(&ring, 10000, &done, faulty_in, NULL), PIPE_FAULT);
	ck_assert_uint_eq(done, 5000);		/* what came before it counts */
	ck_assert_uint_eq(pipe_ring_bytes(&ring), 5000);
	fault_after = 0;
	done = 0;
	ck_assert_int_eq(pipe_ring_write(&ring, 100, &done, faulty_in, NULL), PIPE_FAULT);
	ck_assert_uint_eq(done, 0);
	ck_assert_uint_eq(pipe_ring_bytes(&ring), 5000);
}
END_TEST

/* --- pipes and FIFOs through vfs --- */

/* A request made from another thread: it may wait in vfs. */
struct call {
	pthread_t th;
	uint64_t label, w[7];
	char data[8192];
	size_t len;
	long r;
	uint64_t rw[IPC_WORDS];
	char rbuf[8192];
	size_t rlen;
	int finished;			/* its answer came (atomic) */
};

static void *
call_run(void *arg)
{
	struct call *c = arg;
	struct ipc_msg m;
	struct ipc_ext x;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = c->label;
	memcpy(m.w, c->w, sizeof(c->w));
	x.sbuf = (uint64_t)(uintptr_t)c->data;
	x.slen = c->len;
	x.rbuf = (uint64_t)(uintptr_t)c->rbuf;
	x.rcap = sizeof(c->rbuf);
	c->r = ipc_call(vep, &m, &x);
	if (c->r >= 0)
		c->r = (long)m.w[0];
	memcpy(c->rw, m.w, sizeof(c->rw));
	c->rlen = x.rlen;
	__atomic_store_n(&c->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void
call_start(struct call *c, uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2,
    uint64_t tag, const void *data, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->label = label;
	c->w[0] = w0;
	c->w[1] = w1;
	c->w[2] = w2;
	c->w[3] = cred;
	c->w[4] = root;
	c->w[5] = label == VFS_OPEN ? len : 0;
	c->w[6] = tag;
	if (len > 0)
		memcpy(c->data, data, len);
	c->len = len;
	pthread_create(&c->th, NULL, call_run, c);
}

static long
call_end(struct call *c)
{
	pthread_join(c->th, NULL);
	return c->r;
}

/* Does the call still wait in vfs? A request after it is answered first. */
static int
waits(struct call *c)
{
	usleep(20000);				/* c's request has reached vfs */
	vpath(VFS_STAT, "/", 0, 0);		/* vfs is one loop: c's turn has passed */
	usleep(5000);
	return !__atomic_load_n(&c->finished, __ATOMIC_ACQUIRE);
}

static handle_t ready;

static void
hello(void)
{
	struct ipc_msg m;
	struct ipc_ext x;

	ready = (handle_t)ep_create(IPC_DEPTH_MAX);
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = VFS_HELLO;
	x.shandles[0] = (handle_t)handle_dup(ready, RIGHT_SEND | RIGHT_TRANSFER, 0);
	x.nshandles = 1;
	ck_assert_int_eq(ipc_call(vep, &m, &x), 0);
	ck_assert_int_eq((long)m.w[0], 0);
}

/* The last VFS_READY queued so far for pipe id: 1 with its words, 0 if none came. */
static int
last_ready(uint64_t id, uint64_t *rev, uint64_t *wev)
{
	struct ipc_msg m;
	int found = 0;

	vpath(VFS_STAT, "/", 0, 0);		/* what vfs sent before this is queued */
	while (ipc_recv_poll(ready, &m, NULL) == 0) {
		ck_assert_uint_eq(m.label, VFS_READY);
		if (m.w[0] == id) {
			*rev = m.w[1];
			*wev = m.w[2];
			found = 1;
		}
	}
	return found;
}

START_TEST(pipe_basics)
{
	uint64_t r, w, id, rev, wev;
	struct fs_attr a;

	setup();
	hello();
	ck_assert_int_eq(vcall(VFS_PIPE, 0, 0, 0, 0, NULL, 0), 0);
	r = rw[1];
	w = rw[2];
	id = rw[3];
	ck_assert_uint_eq(rw[4], 0);			/* the reader: nothing yet */
	ck_assert_uint_eq(rw[5], POLLOUT | POLLWRNORM);
	ck_assert_int_eq(vcall(VFS_WRITE, w, 0, VFS_OFF_CURRENT, 0, "hello", 5), 5);
	ck_assert(last_ready(id, &rev, &wev));
	ck_assert_uint_eq(rev, POLLIN | POLLRDNORM);
	ck_assert_int_eq(vcall(VFS_POLL, r, POLLIN | POLLOUT, 0, 0, NULL, 0), POLLIN);
	ck_assert_uint_eq(rw[1], 5);			/* FIONREAD */
	ck_assert_int_eq(vcall(VFS_READ, r, 3, VFS_OFF_CURRENT, 0, NULL, 0), 3);
	ck_assert_int_eq(memcmp(rbuf, "hel", 3), 0);
	ck_assert_int_eq(vcall(VFS_READ, r, 100, VFS_OFF_CURRENT, 0, NULL, 0), 2);
	ck_assert_int_eq(memcmp(rbuf, "lo", 2), 0);
	ck_assert(last_ready(id, &rev, &wev));
	ck_assert_uint_eq(rev, 0);
	/* What a pipe refuses. */
	ck_assert_int_eq(vcall(VFS_SEEK, r, 0, 0, 0, NULL, 0), -ESPIPE);
	ck_assert_int_eq(vcall(VFS_READ, r, 10, 0, 0, NULL, 0), -ESPIPE);	/* pread */
	ck_assert_int_eq(vcall(VFS_WRITE, w, 0, 0, 0, "x", 1), -ESPIPE);	/* pwrite */
	ck_assert_int_eq(vcall(VFS_WRITE, r, 0, VFS_OFF_CURRENT, 0, "x", 1), -EBADF);
	ck_assert_int_eq(vcall(VFS_READ, w, 1, VFS_OFF_CURRENT, 0, NULL, 0), -EBADF);
	ck_assert_int_eq(vcall(VFS_FSYNC, w, 0, 0, 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(vcall(VFS_GETDENTS, r, 100, 0, 0, NULL, 0), -ENOTDIR);
	ck_assert_int_eq(vcall(VFS_PIPE, 0, VFS_O_APPEND, 0, 0, NULL, 0), -EINVAL);
	/* fstat: a FIFO of pipefs, the creator's. */
	cred = VFS_CRED(7, 8);
	ck_assert_int_eq(vcall(VFS_FSTAT, r, 0, 0, 0, NULL, 0), 0);
	ck_assert_uint_eq(rw[2], VFS_PIPE_DEV);
	memcpy(&a, rbuf, sizeof(a));
	ck_assert_uint_eq(a.mode, FS_IFIFO | 0600);
	ck_assert_uint_eq(a.ino, id);
	ck_assert_uint_eq(a.uid, 0);			/* made by uid 0 above */
	/* Writer gone: the rest, then EOF; reader gone: EPIPE with its flag. */
	ck_assert_int_eq(vcall(VFS_WRITE, w, 0, VFS_OFF_CURRENT, 0, "abc", 3), 3);
	ck_assert_int_eq(vcall(VFS_CLOSE, w, 0, 0, 0, NULL, 0), 0);
	ck_assert(last_ready(id, &rev, &wev));
	ck_assert_uint_eq(rev, POLLIN | POLLRDNORM | POLLHUP);
	ck_assert_int_eq(vcall(VFS_READ, r, 100, VFS_OFF_CURRENT, 0, NULL, 0), 3);
	ck_assert_int_eq(vcall(VFS_READ, r, 100, VFS_OFF_CURRENT, 0, NULL, 0), 0);
	ck_assert_int_eq(vcall(VFS_CLOSE, r, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(vcall(VFS_READ, r, 100, VFS_OFF_CURRENT, 0, NULL, 0), -EBADF);
	ck_assert_int_eq(vcall(VFS_PIPE, 0, 0, 0, 0, NULL, 0), 0);
	r = rw[1];
	w = rw[2];
	ck_assert_int_eq(vcall(VFS_CLOSE, r, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(vcall(VFS_WRITE, w, 0, VFS_OFF_CURRENT, 0, "x", 1), -EPIPE);
	ck_assert_uint_eq(rw[1], VFS_EPIPE);
	ck_assert_int_eq(vcall(VFS_POLL, w, POLLOUT, 0, 0, NULL, 0), POLLOUT | POLLERR);
}
END_TEST

START_TEST(pipe_waits)
{
	struct call c;
	uint64_t r, w;

	setup();
	ck_assert_int_eq(vcall(VFS_PIPE, 0, 0, 0, 0, NULL, 0), 0);
	r = rw[1];
	w = rw[2];
	/* A read of an empty pipe waits for a writer's bytes. */
	call_start(&c, VFS_READ, r, 100, VFS_OFF_CURRENT, 1, NULL, 0);
	ck_assert(waits(&c));
	ck_assert_int_eq(vcall(VFS_WRITE, w, 0, VFS_OFF_CURRENT, 0, "wake", 4), 4);
	ck_assert_int_eq(call_end(&c), 4);
	ck_assert_int_eq(memcmp(c.rbuf, "wake", 4), 0);
	/* ... and VFS_CANCEL ends it with -EINTR. */
	call_start(&c, VFS_READ, r, 100, VFS_OFF_CURRENT, 42, NULL, 0);
	ck_assert(waits(&c));
	ck_assert_int_eq(vcall(VFS_CANCEL, 41, 0, 0, 0, NULL, 0), 0);	/* another tag: nothing */
	ck_assert(waits(&c));
	ck_assert_int_eq(vcall(VFS_CANCEL, 42, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(call_end(&c), -EINTR);
	/* A write to a full pipe waits for room; cancelled, it tells what went in. */
	ck_assert_int_eq(vcall(VFS_WRITE, w, 0, VFS_OFF_CURRENT, 0, big, 65536), 65536);
	call_start(&c, VFS_WRITE, w, 0, VFS_OFF_CURRENT, 2, big, 8000);
	ck_assert(waits(&c));
	ck_assert_int_eq(vcall(VFS_READ, r, 4096, VFS_OFF_CURRENT, 0, NULL, 0), 4096);
	ck_assert(waits(&c));			/* 4096 in, 3904 to go */
	ck_assert_int_eq(vcall(VFS_CANCEL, 2, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(call_end(&c), 4096);
	/* The readers go while a write waits: its bytes so far and EPIPE. */
	call_start(&c, VFS_WRITE, w, 0, VFS_OFF_CURRENT, 3, big, 100);
	ck_assert(waits(&c));
	ck_assert_int_eq(vcall(VFS_CLOSE, r, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(call_end(&c), -EPIPE);
	ck_assert_uint_eq(c.rw[1], VFS_EPIPE);
	/* O_NONBLOCK: -EAGAIN instead of waiting, set by VFS_SETFL too. */
	ck_assert_int_eq(vcall(VFS_PIPE, 0, VFS_O_NONBLOCK, 0, 0, NULL, 0), 0);
	r = rw[1];
	w = rw[2];
	ck_assert_int_eq(vcall(VFS_READ, r, 10, VFS_OFF_CURRENT, 0, NULL, 0), -EAGAIN);
	ck_assert_int_eq(vcall(VFS_WRITE, w, 0, VFS_OFF_CURRENT, 0, big, 4000), 4000);
	/* A long write takes what fits: 15 fresh slots after the first. */
	ck_assert_int_eq(vcall(VFS_WRITE, w, 0, VFS_OFF_CURRENT, 0, big, 65536), 61440);
	ck_assert_int_eq(vcall(VFS_WRITE, w, 0, VFS_OFF_CURRENT, 0, "x", 1), -EAGAIN);
	ck_assert_int_eq(vcall(VFS_SETFL, r, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(vcall(VFS_SETFL, 99999, 0, 0, 0, NULL, 0), -EBADF);
	/* Closing the file a read waits on answers it. */
	ck_assert_int_eq(vcall(VFS_READ, r, 65536, VFS_OFF_CURRENT, 0, NULL, 0), 65440);
	call_start(&c, VFS_READ, r, 10, VFS_OFF_CURRENT, 4, NULL, 0);
	ck_assert(waits(&c));
	ck_assert_int_eq(vcall(VFS_CLOSE, r, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(call_end(&c), -EBADF);
	ck_assert_int_eq(vpath(VFS_STAT, "/", 0, 0), 0);	/* still serving */
}
END_TEST

START_TEST(fifos)
{
	struct call c;
	uint64_t r, w, rwf;

	setup();
	ck_assert_int_eq(vpath(VFS_MKNOD, "/f", FS_IFIFO | 0644, 0), 0);
	ck_assert_uint_eq(mode_of("/f", 0), FS_IFIFO);
	ck_assert_int_eq(vpath(VFS_OPEN, "/f", VFS_O_WRONLY | VFS_O_NONBLOCK, 0), -ENXIO);
	ck_assert_int_eq(vpath(VFS_OPEN, "/f", VFS_O_RDONLY | VFS_O_NONBLOCK, 0), 0);
	r = rw[1];
	ck_assert_uint_ne(rw[3], 0);			/* its pipe id */
	ck_assert_int_eq(vcall(VFS_READ, r, 10, VFS_OFF_CURRENT, 0, NULL, 0), 0);	/* no writer */
	ck_assert_int_eq(vpath(VFS_OPEN, "/f", VFS_O_WRONLY | VFS_O_NONBLOCK, 0), 0);
	w = rw[1];
	ck_assert_int_eq(vcall(VFS_WRITE, w, 0, VFS_OFF_CURRENT, 0, "fifo", 4), 4);
	ck_assert_int_eq(vcall(VFS_READ, r, 10, VFS_OFF_CURRENT, 0, NULL, 0), 4);
	ck_assert_int_eq(memcmp(rbuf, "fifo", 4), 0);
	ck_assert_int_eq(vcall(VFS_CLOSE, w, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(vcall(VFS_CLOSE, r, 0, 0, 0, NULL, 0), 0);
	/* A reader's open waits for a writer's, and the other way round. */
	call_start(&c, VFS_OPEN, root, VFS_O_RDONLY, 0, 5, "/f", 2);
	ck_assert(waits(&c));
	ck_assert_int_eq(vpath(VFS_OPEN, "/f", VFS_O_WRONLY, 0), 0);
	w = rw[1];
	ck_assert_int_eq(call_end(&c), 0);
	r = c.rw[1];
	ck_assert_int_eq(vcall(VFS_CLOSE, r, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(vcall(VFS_CLOSE, w, 0, 0, 0, NULL, 0), 0);
	call_start(&c, VFS_OPEN, root, VFS_O_WRONLY, 0, 6, "/f", 2);
	ck_assert(waits(&c));
	ck_assert_int_eq(vpath(VFS_OPEN, "/f", VFS_O_RDONLY | VFS_O_NONBLOCK, 0), 0);
	r = rw[1];
	ck_assert_int_eq(call_end(&c), 0);
	w = c.rw[1];
	ck_assert_int_eq(vcall(VFS_CLOSE, r, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(vcall(VFS_CLOSE, w, 0, 0, 0, NULL, 0), 0);
	/* A waiting open cancelled: -EINTR, and no end is left open. */
	call_start(&c, VFS_OPEN, root, VFS_O_RDONLY, 0, 7, "/f", 2);
	ck_assert(waits(&c));
	ck_assert_int_eq(vcall(VFS_CANCEL, 7, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(call_end(&c), -EINTR);
	ck_assert_int_eq(vpath(VFS_OPEN, "/f", VFS_O_WRONLY | VFS_O_NONBLOCK, 0), -ENXIO);
	/* O_RDWR never waits; the bytes go with the last end. */
	ck_assert_int_eq(vpath(VFS_OPEN, "/f", VFS_O_RDWR, 0), 0);
	rwf = rw[1];
	ck_assert_int_eq(vcall(VFS_WRITE, rwf, 0, VFS_OFF_CURRENT, 0, "kept?", 5), 5);
	ck_assert_int_eq(vcall(VFS_CLOSE, rwf, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(vpath(VFS_OPEN, "/f", VFS_O_RDWR | VFS_O_NONBLOCK, 0), 0);
	rwf = rw[1];
	ck_assert_int_eq(vcall(VFS_READ, rwf, 10, VFS_OFF_CURRENT, 0, NULL, 0), -EAGAIN);
	ck_assert_int_eq(vcall(VFS_CLOSE, rwf, 0, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(vpath(VFS_UNLINK, "/f", 0, 0), 0);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("vfs");
	TCase *tc = tcase_create("walk");

	tcase_add_test(tc, dots_and_slashes);
	tcase_add_test(tc, long_names);
	tcase_add_test(tc, symlinks);
	tcase_add_test(tc, permissions);
	tcase_add_test(tc, cache_follows_renames);
	tcase_add_test(tc, mounts);
	tcase_add_test(tc, bad_requests);
	suite_add_tcase(s, tc);
	tc = tcase_create("pipes");
	tcase_add_test(tc, ring_slots);
	tcase_add_test(tc, ring_merges_small_writes);
	tcase_add_test(tc, ring_faults);
	tcase_add_test(tc, pipe_basics);
	tcase_add_test(tc, pipe_waits);
	tcase_add_test(tc, fifos);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * devtmpfstest: devtmpfs through PROTO_FS, straight to its endpoint as
 * vfs will talk to it (devtmpfs-test.manifest starts devtmpfs as a
 * driver, then this). Every node's number, mode and owner as Linux's;
 * the directory, the symlinks; /dev/null, zero, full (-ENOSPC), random
 * and urandom (two reads differ); bad node ids, lengths, flags and
 * operations refused while the server keeps serving; and the console:
 * a write through the line discipline's output processing, termios and
 * winsize ioctls, a VTIME read answered by the timer, a waiting read
 * cancelled, FS_POLL, and FS_TTY_WATCH's SIGWINCH and readiness events.
 * The block devices: no disk at start, then a disk of our own (a
 * PROTO_BLOCK server in a thread, registered as blk/vdd after devtmpfs
 * started) found by the next lookup; reads and writes at odd offsets and
 * lengths against its memory, the end of the disk, the block ioctls and
 * flushes.
 */
#include <lichen/ipc_server.h>
#include <lichen/name_client.h>
#include <lichen/proto/block.h>
#include <lichen/proto/fs.h>

#include "nt.h"

const char *nt_name = "devtmpfstest";

int main(int argc, char **argv);

#define TCGETS		0x5401
#define TCSETS		0x5402
#define TCSETSW		0x5403
#define TCSBRK		0x5409
#define TCFLSH		0x540b
#define TIOCGWINSZ	0x5413
#define TIOCSWINSZ	0x5414
#define FIONREAD	0x541b
#define POLLIN		0x001
#define POLLOUT		0x004
#define ICANON		0x2u

static handle_t devfs;
static char rbuf[IPC_BUF_MAX];
static size_t rlen;
static uint64_t rw[IPC_WORDS];

static long
fcall(uint64_t label, uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3,
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
	m.w[3] = w3;
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = len;
	x.rbuf = (uint64_t)(uintptr_t)rbuf;
	x.rcap = sizeof(rbuf);
	if ((r = ipc_call(devfs, &m, &x)) < 0)
		return r;
	memcpy(rw, m.w, sizeof(rw));
	rlen = x.rlen;
	return (long)m.w[0];
}

static uint64_t
lookup(const char *name, struct fs_attr *a)
{
	long r = fcall(FS_LOOKUP, 1, 0, 0, 0, name, strlen(name));

	CHECK(r == 0 && rlen == sizeof(*a), "lookup %s: %ld", name, r);
	if (r != 0)
		return 0;
	memcpy(a, rbuf, sizeof(*a));
	return rw[1];
}

struct want {
	const char *name;
	uint32_t mode, gid;
	uint64_t rdev;
};

static void
test_tree(void)
{
	static const struct want wants[] = {
		{ "null", 020666, 0, 1 << 8 | 3 }, { "zero", 020666, 0, 1 << 8 | 5 },
		{ "full", 020666, 0, 1 << 8 | 7 }, { "random", 020666, 0, 1 << 8 | 8 },
		{ "urandom", 020666, 0, 1 << 8 | 9 }, { "tty", 020666, 5, 5 << 8 | 0 },
		{ "console", 020600, 0, 5 << 8 | 1 }, { "ttyAMA0", 020620, 5, 204 << 8 | 64 },
		{ "fd", 0120777, 0, 0 }, { "stdin", 0120777, 0, 0 },
		{ "stdout", 0120777, 0, 0 }, { "stderr", 0120777, 0, 0 },
		{ "pts", 040755, 0, 0 },
	};
	struct fs_attr a, g;
	uint64_t ino;

	CHECK_EQ(fcall(FS_MOUNT, 0, 0, 0, 0, "none", 5), 0);
	CHECK_EQ(rw[1], 1);
	memcpy(&a, rbuf, sizeof(a));
	CHECK_EQ(a.mode, 040755);
	for (unsigned i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct want *w = &wants[i];

		if ((ino = lookup(w->name, &a)) == 0)
			continue;
		CHECK(a.mode == w->mode && a.uid == 0 && a.gid == w->gid && a.rdev == w->rdev,
		    "%s: mode %o gid %u rdev %lx", w->name, a.mode, a.gid, a.rdev);
		CHECK_EQ(fcall(FS_GETATTR, ino, 0, 0, 0, NULL, 0), 0);
		memcpy(&g, rbuf, sizeof(g));
		CHECK(g.ino == ino && g.mode == a.mode && g.rdev == a.rdev, "%s getattr", w->name);
		if ((a.mode & FS_IFMT) == FS_IFLNK) {
			long n = fcall(FS_READLINK, ino, 0, 0, 0, NULL, 0);

			CHECK(n >= 13 && memcmp(rbuf, "/proc/self/fd", 13) == 0, "%s readlink %ld",
			    w->name, n);
		}
	}
	/* the directory: ".", "..", then the 13 names */
	{
		long n = fcall(FS_READDIR, 1, 0, 4096, 0, NULL, 0);
		unsigned count = 0;

		for (long off = 0; n > 0 && off < n; count++) {
			struct fs_dirent d;

			memcpy(&d, rbuf + off, 19);
			off += d.reclen;
		}
		CHECK_EQ(count, 15);
		CHECK_EQ(fcall(FS_STATFS, 1, 0, 0, 0, NULL, 0), 0);
	}
}

static void
test_memory_devices(void)
{
	struct fs_attr a;
	uint64_t null = lookup("null", &a), zero = lookup("zero", &a);
	uint64_t full = lookup("full", &a), urandom = lookup("urandom", &a);
	uint64_t random = lookup("random", &a);
	char first[64];
	long n;
	int zeros = 1;

	CHECK_EQ(fcall(FS_READ, null, 0, 100, 0, NULL, 0), 0);
	CHECK_EQ(fcall(FS_WRITE, null, 0, 0, 0, "abc", 3), 3);
	memset(rbuf, 0x55, 4096);
	CHECK_EQ(fcall(FS_READ, zero, 0, 4096, 0, NULL, 0), 4096);
	for (int i = 0; i < 4096; i++)
		zeros &= rbuf[i] == 0;
	CHECK(zeros && rlen == 4096, "/dev/zero reads zeros");
	CHECK_EQ(fcall(FS_READ, zero, 0, IPC_BUF_MAX, 0, NULL, 0), (long)IPC_BUF_MAX);
	CHECK_EQ(fcall(FS_WRITE, zero, 0, 0, 0, "abc", 3), 3);
	CHECK_EQ(fcall(FS_WRITE, full, 0, 0, 0, "abc", 3), -ENOSPC);
	CHECK_EQ(fcall(FS_READ, full, 0, 10, 0, NULL, 0), 10);
	CHECK_EQ(fcall(FS_READ, urandom, 0, 64, 0, NULL, 0), 64);
	memcpy(first, rbuf, 64);
	CHECK_EQ(fcall(FS_READ, urandom, 0, 64, 0, NULL, 0), 64);
	CHECK(memcmp(first, rbuf, 64) != 0, "two urandom reads differ");
	n = fcall(FS_READ, random, 0, 16, 0, NULL, 0);
	CHECK(n == 16 && memcmp(first, rbuf, 16) != 0, "random: %ld", n);
	CHECK_EQ(fcall(FS_WRITE, random, 0, 0, 0, "more entropy", 12), 12);
	CHECK_EQ(fcall(FS_IOCTL, null, TCGETS, 0, 0, NULL, 0), -ENOTTY);
	CHECK_EQ(fcall(FS_POLL, null, POLLIN | POLLOUT, 0, 0, NULL, 0), POLLIN | POLLOUT);
}

static void
test_bad_requests(void)
{
	struct fs_attr a;
	uint64_t zero = lookup("zero", &a), fd = lookup("fd", &a);
	struct fs_setattr sa;

	CHECK_EQ(fcall(FS_GETATTR, 0, 0, 0, 0, NULL, 0), -ENOENT);
	CHECK_EQ(fcall(FS_GETATTR, 9999, 0, 0, 0, NULL, 0), -ENOENT);
	CHECK_EQ(fcall(FS_GETATTR, UINT64_MAX, 0, 0, 0, NULL, 0), -ENOENT);
	CHECK_EQ(fcall(FS_READ, 9999, 0, 10, 0, NULL, 0), -ENOENT);
	CHECK_EQ(fcall(FS_WRITE, 0, 0, 0, 0, "x", 1), -ENOENT);
	CHECK_EQ(fcall(FS_READ, zero, 0, IPC_BUF_MAX + 1, 0, NULL, 0), -EINVAL);
	CHECK_EQ(fcall(FS_READ, zero, 0, UINT64_MAX, 0, NULL, 0), -EINVAL);
	CHECK_EQ(fcall(FS_WRITE, zero, 0, 0x80, 0, "x", 1), -EINVAL);
	CHECK_EQ(fcall(FS_READ, 1, 0, 10, 0, NULL, 0), -EISDIR);
	CHECK_EQ(fcall(FS_READ, fd, 0, 10, 0, NULL, 0), -EINVAL);
	CHECK_EQ(fcall(FS_LOOKUP, zero, 0, 0, 0, "x", 1), -ENOTDIR);
	CHECK_EQ(fcall(FS_LOOKUP, 1, 0, 0, 0, "a/b", 3), -EINVAL);
	CHECK_EQ(fcall(FS_LOOKUP, 1, 0, 0, 0, NULL, 0), -EINVAL);
	CHECK_EQ(fcall(FS_LOOKUP, 1, 0, 0, 0, "nosuch", 6), -ENOENT);
	CHECK_EQ(fcall(FS_READDIR, zero, 0, 4096, 0, NULL, 0), -ENOTDIR);
	CHECK_EQ(fcall(FS_READDIR, 1, 0, 8, 0, NULL, 0), -EINVAL);
	CHECK_EQ(fcall(FS_READLINK, zero, 0, 0, 0, NULL, 0), -EINVAL);
	CHECK_EQ(fcall(FS_SETATTR, zero, 0, 0, 0, "short", 5), -EINVAL);
	memset(&sa, 0, sizeof(sa));
	sa.valid = FS_SET_SIZE;
	CHECK_EQ(fcall(FS_SETATTR, zero, 0, 0, 0, &sa, sizeof(sa)), -EINVAL);
	CHECK_EQ(fcall(FS_TRUNCATE, zero, 0, 0, 0, NULL, 0), -EINVAL);
	sa.valid = FS_SET_MODE | FS_SET_UID;
	sa.mode = 0640;
	sa.uid = 7;
	CHECK_EQ(fcall(FS_SETATTR, zero, 0, 0, 0, &sa, sizeof(sa)), 0);
	memcpy(&a, rbuf, sizeof(a));
	CHECK(a.mode == 020640 && a.uid == 7, "chmod/chown: %o %u", a.mode, a.uid);
	sa.mode = 0666;
	sa.uid = 0;
	CHECK_EQ(fcall(FS_SETATTR, zero, 0, 0, 0, &sa, sizeof(sa)), 0);
	CHECK_EQ(fcall(FS_CREATE, 1, 020666, 0, 0, "new", 3), -EPERM);
	CHECK_EQ(fcall(FS_UNLINK, 1, 0, 0, 0, "null", 4), -EPERM);
	CHECK_EQ(fcall(IPC_LABEL(PROTO_FS, 0x77), 1, 0, 0, 0, NULL, 0), -ENOSYS);
	CHECK_EQ(fcall(FS_TTY_WATCH, zero, 0, 0, 0, NULL, 0), -ENOTTY);
	/* Still serving. */
	CHECK_EQ(fcall(FS_GETATTR, 1, 0, 0, 0, NULL, 0), 0);
}

/* A send to devtmpfs whose reply comes to ep, tagged with cookie. */
static long
fsend(handle_t ep, uint64_t cookie, uint64_t label, uint64_t w0, uint64_t w2,
    uint64_t w3, uint64_t w4)
{
	struct ipc_msg m;
	struct ipc_ext x;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = label;
	m.w[0] = w0;
	m.w[2] = w2;
	m.w[3] = w3;
	m.w[4] = w4;
	x.reply_ep = ep;
	x.cookie = cookie;
	return ipc_send(devfs, &m, &x);
}

/* The next message on ep (waits); its label, words in m. */
static uint64_t
next(handle_t ep, struct ipc_msg *m)
{
	struct ipc_ext x;

	memset(&x, 0, sizeof(x));
	x.rbuf = (uint64_t)(uintptr_t)rbuf;
	x.rcap = sizeof(rbuf);
	if (ipc_recv(ep, m, &x) != 0)
		return 0;
	if (m->token != HANDLE_NONE)
		handle_close(m->token);
	return m->label;
}

static void
test_console(void)
{
	static const char hello[] = "devtmpfstest: hello from the console\n";
	struct tty_termios { uint32_t iflag, oflag, cflag, lflag; uint8_t line, cc[19]; } tio, raw;
	uint16_t ws[4] = { 24, 80, 0, 0 };
	struct fs_attr a;
	uint64_t con = lookup("console", &a), tty = lookup("ttyAMA0", &a);
	struct ipc_msg m;
	uint64_t t0;
	long ep, r;
	int got_winch = 0, got_ready = 0;

	CHECK_EQ(fcall(FS_WRITE, con, 0, 0, 0, hello, sizeof(hello) - 1), (long)sizeof(hello) - 1);
	CHECK_EQ(fcall(FS_IOCTL, con, TCGETS, 0, 0, NULL, 0), 0);
	CHECK_EQ(rlen, 36);
	memcpy(&tio, rbuf, sizeof(tio));
	CHECK(tio.iflag == 0x500 && tio.oflag == 5 && tio.cflag == 0x4bf && tio.lflag == 0x8a3b &&
	    tio.cc[0] == 3 && tio.cc[6] == 1, "default termios %x %x %x %x", tio.iflag, tio.oflag,
	    tio.cflag, tio.lflag);
	CHECK_EQ(fcall(FS_IOCTL, con, TCSETS, 0, 0, &tio, 35), -EINVAL);
	CHECK_EQ(fcall(FS_IOCTL, con, FIONREAD, 0, 0, NULL, 0), 0);
	CHECK_EQ(rlen, 4);
	CHECK_EQ(fcall(FS_IOCTL, con, TCFLSH, 7, 0, NULL, 0), -EINVAL);
	CHECK_EQ(fcall(FS_IOCTL, con, TCFLSH, 0, 0, NULL, 0), 0);
	CHECK_EQ(fcall(FS_IOCTL, con, 0x1234, 0, 0, NULL, 0), -ENOTTY);
	CHECK_EQ(fcall(FS_IOCTL, con, TCSBRK, 1, 0, NULL, 0), 0);	/* tcdrain */
	CHECK_EQ(fcall(FS_IOCTL, con, TCSETSW, 0, 0, &tio, sizeof(tio)), 0);
	r = fcall(FS_POLL, con, POLLIN | POLLOUT, 0, 0, NULL, 0);
	CHECK(r == POLLOUT, "poll: %lx", r);
	/* Nonblocking, nothing typed: -EAGAIN. */
	CHECK_EQ(fcall(FS_READ, tty, 0, 10, FS_IO_NONBLOCK, NULL, 0), -EAGAIN);
	/* Raw, VMIN 0 VTIME 0: 0 at once; VTIME 3: 0 after 0.3 s, from the timer. */
	raw = tio;
	raw.lflag &= ~ICANON;
	raw.cc[6] = 0;
	raw.cc[5] = 0;
	CHECK_EQ(fcall(FS_IOCTL, tty, TCSETS, 0, 0, &raw, sizeof(raw)), 0);
	CHECK_EQ(fcall(FS_READ, tty, 0, 10, 0, NULL, 0), 0);
	raw.cc[5] = 3;
	CHECK_EQ(fcall(FS_IOCTL, tty, TCSETS, 0, 0, &raw, sizeof(raw)), 0);
	t0 = clock_get();
	CHECK_EQ(fcall(FS_READ, tty, 0, 10, 0, NULL, 0), 0);
	t0 = clock_get() - t0;
	CHECK(t0 >= 290000000 && t0 < 2000000000, "VTIME 3 read took %lu ns", t0);
	CHECK_EQ(fcall(FS_IOCTL, tty, TCSETS, 0, 0, &tio, sizeof(tio)), 0);
	/* Events and a cancelled read, on an endpoint of our own. */
	if ((ep = ep_create(16)) < 0) {
		CHECK(0, "ep_create %ld", ep);
		return;
	}
	{
		struct ipc_msg wm;
		struct ipc_ext x;
		long h = handle_dup((handle_t)ep, RIGHT_SEND | RIGHT_TRANSFER, 0x77);

		memset(&wm, 0, sizeof(wm));
		memset(&x, 0, sizeof(x));
		wm.label = FS_TTY_WATCH;
		wm.w[0] = con;
		x.shandles[0] = (handle_t)h;
		x.nshandles = 1;
		CHECK_EQ(ipc_call(devfs, &wm, &x), 0);
		CHECK_EQ(wm.w[0], 0);
		if (wm.w[0] != 0)
			return;			/* no events would come */
	}
	CHECK_EQ(fcall(FS_IOCTL, con, TIOCSWINSZ, 0, 0, ws, 7), -EINVAL);
	CHECK_EQ(fcall(FS_IOCTL, con, TIOCSWINSZ, 0, 0, ws, sizeof(ws)), 0);
	CHECK_EQ(fcall(FS_IOCTL, con, TIOCGWINSZ, 0, 0, NULL, 0), 0);
	CHECK(rlen == 8 && memcmp(rbuf, ws, 8) == 0, "winsize back");
	while (!(got_winch && got_ready)) {
		uint64_t l = next((handle_t)ep, &m);

		if (l == FS_TTY_SIGNAL) {
			CHECK(m.w[0] == 28 && m.w[1] == (204 << 8 | 64) && m.badge == 0x77,
			    "SIGWINCH: %lu %lx", m.w[0], m.w[1]);
			got_winch = 1;
		} else if (l == FS_TTY_READY) {
			CHECK(m.w[0] & POLLOUT, "ready: %lx", m.w[0]);
			got_ready = 1;
		} else {
			CHECK(0, "unexpected label %lx", l);
			break;
		}
	}
	/* A canonical read waits for a line; cancelled, it ends -EINTR. */
	CHECK_EQ(fsend((handle_t)ep, 0x1234, FS_READ, tty, 100, 0, 99), 0);
	CHECK_EQ(fcall(FS_IOCTL, tty, FS_IOC_CANCEL, 98, 0, NULL, 0), -ENOENT);
	CHECK_EQ(fcall(FS_IOCTL, tty, FS_IOC_CANCEL, 99, 0, NULL, 0), 0);
	CHECK_EQ(next((handle_t)ep, &m), FS_READ);
	CHECK(m.badge == 0x1234 && (long)m.w[0] == -EINTR, "cancelled read: %lx %ld", m.badge,
	    (long)m.w[0]);
	handle_close((handle_t)ep);
	/* After the watcher is gone, the server still answers. */
	CHECK_EQ(fcall(FS_IOCTL, con, TIOCSWINSZ, 0, 0, (uint16_t[4]){ 25, 80, 0, 0 }, 8), 0);
	CHECK_EQ(fcall(FS_GETATTR, con, 0, 0, 0, NULL, 0), 0);
}

/*
 * `devtmpfstest typing` (tests/qemu/tty_test.py types into the serial
 * line): a canonical line read with its erase echoed, ^C reported to the
 * watcher as SIGINT, then a raw read of VMIN 3 bytes.
 */
static void
test_typing(void)
{
	struct tty_termios { uint32_t iflag, oflag, cflag, lflag; uint8_t line, cc[19]; } tio;
	static const char prompt[] = "devtmpfstest: type a line\n";
	struct fs_attr a;
	uint64_t tty = lookup("ttyAMA0", &a);
	struct ipc_msg wm, m;
	struct ipc_ext x;
	long ep = ep_create(16), n;

	CHECK(ep >= 0, "ep_create %ld", ep);
	memset(&wm, 0, sizeof(wm));
	memset(&x, 0, sizeof(x));
	wm.label = FS_TTY_WATCH;
	wm.w[0] = tty;
	x.shandles[0] = (handle_t)handle_dup((handle_t)ep, RIGHT_SEND | RIGHT_TRANSFER, 5);
	x.nshandles = 1;
	CHECK_EQ(ipc_call(devfs, &wm, &x), 0);
	CHECK_EQ(fcall(FS_WRITE, tty, 0, 0, 0, prompt, sizeof(prompt) - 1), (long)sizeof(prompt) - 1);
	n = fcall(FS_READ, tty, 0, 100, 0, NULL, 0);
	CHECK(n == 12 && memcmp(rbuf, "hello world\n", 12) == 0, "line: %ld", n);
	printf("devtmpfstest: read %ld bytes: '%.*s'\n", n, n > 0 ? (int)n - 1 : 0, rbuf);
	do {
		CHECK(next((handle_t)ep, &m) != 0, "recv");
	} while (m.label == FS_TTY_READY);
	CHECK(m.label == FS_TTY_SIGNAL && m.w[0] == 2, "^C: %lx %lu", m.label, m.w[0]);
	printf("devtmpfstest: signal %lu from the terminal\n", m.w[0]);
	CHECK_EQ(fcall(FS_IOCTL, tty, TCGETS, 0, 0, NULL, 0), 0);
	memcpy(&tio, rbuf, sizeof(tio));
	tio.lflag &= ~(ICANON | 0x8u);		/* raw, no echo */
	tio.cc[6] = 3;
	tio.cc[5] = 0;
	CHECK_EQ(fcall(FS_IOCTL, tty, TCSETS, 0, 0, &tio, sizeof(tio)), 0);
	printf("devtmpfstest: raw\n");
	n = fcall(FS_READ, tty, 0, 100, 0, NULL, 0);
	CHECK(n == 3 && memcmp(rbuf, "abc", 3) == 0, "raw read: %ld", n);
	printf("devtmpfstest: raw read %ld bytes: '%.*s'\n", n, n > 0 ? (int)n : 0, rbuf);
	handle_close((handle_t)ep);
}

/* --- a disk of our own: 64 sectors in memory, served from a thread --- */

#define FD_SECTORS	64u
#define FD_BYTES	(FD_SECTORS * BLOCK_SECTOR)

static uint8_t fdisk[FD_BYTES];
static unsigned fd_flushes;
static struct ipc_server fd_srv;
static char fd_buf[IPC_BUF_MAX];

static long
fd_info(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	req->out.w[1] = FD_SECTORS;
	req->out.w[2] = BLOCK_SECTOR;
	req->out.w[3] = BLOCK_F_FLUSH;
	return 0;
}

static long
fd_read(struct ipc_server *srv, struct ipc_req *req)
{
	long r = block_range_check(req->msg.w[0], req->msg.w[1], FD_SECTORS);

	(void)srv;
	if (r != 0)
		return r;
	req->out.data = fdisk + req->msg.w[0] * BLOCK_SECTOR;
	req->out.len = (size_t)req->msg.w[1];
	return (long)req->msg.w[1];
}

static long
fd_write(struct ipc_server *srv, struct ipc_req *req)
{
	long r = block_range_check(req->msg.w[0], req->len, FD_SECTORS);

	(void)srv;
	if (r != 0)
		return r;
	memcpy(fdisk + req->msg.w[0] * BLOCK_SECTOR, req->data, req->len);
	return (long)req->len;
}

static long
fd_flush(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	(void)req;
	fd_flushes++;
	return 0;
}

static const struct ipc_handler fd_handlers[] = {
	{ BLOCK_INFO, fd_info }, { BLOCK_READ, fd_read },
	{ BLOCK_WRITE, fd_write }, { BLOCK_FLUSH, fd_flush },
};

static void
fd_serve(uint64_t arg)
{
	(void)arg;
	ipc_server_run(&fd_srv);
}

static long
ioctl_word(uint64_t node, uint32_t req, uint64_t *val)
{
	long r = fcall(FS_IOCTL, node, req, 0, 0, NULL, 0);

	*val = 0;
	if (r == 0 && rlen >= 4)
		memcpy(val, rbuf, rlen >= 8 ? 8 : 4);
	return r;
}

static void
test_disks(handle_t name_ep)
{
	static const char *absent[] = { "vda", "vdb", "vdd", "ram0", "ram7" };
	struct fs_attr a;
	uint64_t vdd, v;
	long ep, n;
	unsigned fl;

	/* no disk in devtmpfs-test.manifest: no node, lookups and readdir say so */
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		CHECK_EQ(fcall(FS_LOOKUP, 1, 0, 0, 0, absent[i], strlen(absent[i])), -ENOENT);
	for (unsigned i = 0; i < FD_BYTES; i++)
		fdisk[i] = (uint8_t)(i * 7 + i / 512 + 3);
	if ((ep = ep_create(64)) < 0) {
		CHECK(0, "ep_create %ld", ep);
		return;
	}
	ipc_server_init(&fd_srv, (handle_t)ep, fd_handlers, 4, NULL, 0, fd_buf, sizeof(fd_buf),
	    NULL);
	CHECK(nt_thread(fd_serve, 0, -1) >= 0, "the disk's thread");
	CHECK_EQ(name_register(name_ep, "blk/vdd", (handle_t)ep), 0);
	/* registered after devtmpfs started: the lookup finds it */
	if ((vdd = lookup("vdd", &a)) == 0)
		return;
	CHECK(a.mode == 060660 && a.uid == 0 && a.gid == 6 && a.rdev == (254u << 8 | 48) &&
	    a.size == 0, "vdd: mode %o gid %u rdev %lx size %ld", a.mode, a.gid, a.rdev, a.size);
	n = fcall(FS_READDIR, 1, 0, 4096, 0, NULL, 0);
	{
		bool seen = false;

		for (long off = 0; n > 0 && off < n;) {
			struct fs_dirent d;

			memcpy(&d, rbuf + off, 19);
			if (strcmp(rbuf + off + 19, "vdd") == 0)
				seen = d.ino == vdd && d.type == (FS_IFBLK >> 12);
			off += d.reclen;
		}
		CHECK(seen, "readdir lists vdd (%ld)", n);
	}
	/* reads: odd offsets and lengths, one past the 64 KiB piece, the end */
	CHECK_EQ(fcall(FS_READ, vdd, 1001, 37, 0, NULL, 0), 37);
	CHECK(memcmp(rbuf, fdisk + 1001, 37) == 0, "read 37 at 1001");
	CHECK_EQ(fcall(FS_READ, vdd, 100, IPC_BUF_MAX, 0, NULL, 0), (long)FD_BYTES - 100);
	CHECK(memcmp(rbuf, fdisk + 100, FD_BYTES - 100) == 0, "read to the end from 100");
	CHECK_EQ(fcall(FS_READ, vdd, FD_BYTES - 3, 10, 0, NULL, 0), 3);
	CHECK_EQ(fcall(FS_READ, vdd, FD_BYTES, 10, 0, NULL, 0), 0);
	CHECK_EQ(fcall(FS_READ, vdd, UINT64_MAX - 5, 10, 0, NULL, 0), 0);
	CHECK_EQ(fcall(FS_READ, vdd, 0, IPC_BUF_MAX + 1, 0, NULL, 0), -EINVAL);
	/* writes: inside one sector, across three with both ends partial, aligned */
	{
		uint8_t before[FD_BYTES], big[1000];

		memcpy(before, fdisk, FD_BYTES);
		CHECK_EQ(fcall(FS_WRITE, vdd, 510, 0, 0, "ABCDE", 5), 5);
		CHECK_EQ(rw[1], 0);
		memcpy(before + 510, "ABCDE", 5);
		CHECK_EQ(fcall(FS_WRITE, vdd, 2049, 0, 0, "xy", 2), 2);
		memcpy(before + 2049, "xy", 2);
		for (unsigned i = 0; i < sizeof(big); i++)
			big[i] = (uint8_t)(0xa5 ^ i);
		CHECK_EQ(fcall(FS_WRITE, vdd, 300, 0, 0, big, sizeof(big)), 1000);
		memcpy(before + 300, big, sizeof(big));
		CHECK_EQ(fcall(FS_WRITE, vdd, 4096, 0, 0, big, 512), 512);
		memcpy(before + 4096, big, 512);
		CHECK_EQ(fcall(FS_WRITE, vdd, FD_BYTES - 4, 0, 0, "0123456789", 10), 4);
		memcpy(before + FD_BYTES - 4, "0123", 4);
		CHECK(memcmp(before, fdisk, FD_BYTES) == 0, "the disk holds the writes, nothing else");
		CHECK_EQ(fcall(FS_READ, vdd, 300, 1000, 0, NULL, 0), 1000);
		CHECK(memcmp(rbuf, big, 1000) == 0, "read back");
	}
	CHECK_EQ(fcall(FS_WRITE, vdd, FD_BYTES, 0, 0, "x", 1), -ENOSPC);
	CHECK_EQ(fcall(FS_WRITE, vdd, 0, FS_WRITE_APPEND, 0, "x", 1), -ENOSPC);
	CHECK_EQ(fcall(FS_WRITE, vdd, 0, 0x80, 0, "x", 1), -EINVAL);
	/* the ioctls, Linux's numbers */
	CHECK_EQ(ioctl_word(vdd, FS_BLKGETSIZE64, &v), 0);
	CHECK_EQ(v, FD_BYTES);
	CHECK_EQ(ioctl_word(vdd, FS_BLKGETSIZE, &v), 0);
	CHECK_EQ(v, FD_SECTORS);
	CHECK_EQ(ioctl_word(vdd, FS_BLKSSZGET, &v), 0);
	CHECK_EQ(v, 512);
	CHECK_EQ(ioctl_word(vdd, FS_BLKPBSZGET, &v), 0);
	CHECK_EQ(v, 512);
	CHECK_EQ(ioctl_word(vdd, FS_BLKBSZGET, &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(ioctl_word(vdd, FS_BLKROGET, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(fcall(FS_IOCTL, vdd, 0x5401, 0, 0, NULL, 0), -ENOTTY);	/* TCGETS */
	/* flushes: BLKFLSBUF, fsync of the node, sync of everything */
	fl = fd_flushes;
	CHECK_EQ(fcall(FS_IOCTL, vdd, FS_BLKFLSBUF, 0, 0, NULL, 0), 0);
	CHECK_EQ(fcall(FS_SYNC, vdd, 0, 0, 0, NULL, 0), 0);
	CHECK_EQ(fcall(FS_SYNC, 0, 0, 0, 0, NULL, 0), 0);
	CHECK_EQ(fd_flushes - fl, 3);
	/* still serving */
	CHECK_EQ(fcall(FS_READ, vdd, 0, 512, 0, NULL, 0), 512);
	CHECK_EQ(fcall(FS_POLL, vdd, POLLIN | POLLOUT, 0, 0, NULL, 0), POLLIN | POLLOUT);
}

int
main(int argc, char **argv)
{
	handle_t name_ep = (handle_t)native_start_word(0);
	long r;

	if ((r = name_wait(name_ep, "fs/devtmpfs", &devfs)) != 0) {
		printf("devtmpfstest: no fs/devtmpfs: error %ld\n", r);
		return 1;
	}
	if (argc > 1 && strcmp(argv[1], "typing") == 0) {
		test_typing();
		return nt_summary();
	}
	test_tree();
	test_memory_devices();
	test_bad_requests();
	test_disks(name_ep);
	test_console();
	return nt_summary();
}

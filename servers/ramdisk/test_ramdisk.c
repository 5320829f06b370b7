/*
 * test_ramdisk.c - the ramdisk's core (servers/ramdisk: ramdisk_core.c,
 * image.c) on the host. PROTO_BLOCK through the server loop over the
 * host transport: INFO, reads and writes on the disk's bytes (neighbours
 * untouched), every refusal of proto/block.h in its order, read-only
 * disks, requests without a token; and images read from a fake PROTO_FS
 * server in another thread: paths walked a name at a time, references
 * given back, zero pages never written, short pieces, files that end
 * early or fail, and what is not a regular file.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <lichen/errno.h>
#include <lichen/ipc_host.h>
#include <lichen/ipc_server.h>
#include <lichen/proto/block.h>
#include <lichen/proto/fs.h>

#include "ramdisk.h"
#include "unit.h"

/* --- PROTO_BLOCK --- */

#define DISK_SECTORS	1024u

static unsigned char disk_bytes[DISK_SECTORS * 512];
static struct ramdisk disk;
static struct ipc_server srv;
static char srvbuf[BLOCK_IO_MAX];
static handle_t sep, cep;		/* the server's endpoint, the client's */
static unsigned base_handles;
static unsigned char ans_buf[BLOCK_IO_MAX];
static uint64_t ans_len;

static long
do_block(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	return ramdisk_request(&disk, req);
}

static const struct ipc_handler handlers[] = {
	{ BLOCK_INFO, do_block }, { BLOCK_READ, do_block },
	{ BLOCK_WRITE, do_block }, { BLOCK_FLUSH, do_block },
};

/* Sector s holds s, 64 times, as blk_test.py's disks do (| mark). */
static void
fill(void *buf, uint64_t first, unsigned n, uint64_t mark)
{
	for (unsigned s = 0; s < n; s++)
		for (unsigned i = 0; i < 64; i++)
			memcpy((char *)buf + s * 512 + i * 8, &(uint64_t){ mark | (first + s) }, 8);
}

static int
pattern_ok(const void *buf, uint64_t first, unsigned n, uint64_t mark)
{
	static unsigned char want[BLOCK_IO_MAX];

	fill(want, first, n, mark);
	return memcmp(buf, want, n * 512) == 0;
}

static void
setup_flags(uint32_t flags)
{
	base_handles = ipc_host_live_handles();
	fill(disk_bytes, 0, DISK_SECTORS, 0);
	memset(&disk, 0, sizeof(disk));
	disk.bytes = disk_bytes;
	disk.sectors = DISK_SECTORS;
	disk.flags = flags;
	sep = (handle_t)ep_create(IPC_DEPTH_MAX);
	cep = (handle_t)ep_create(IPC_DEPTH_MAX);
	ipc_server_init(&srv, sep, handlers, 4, NULL, 0, srvbuf, sizeof(srvbuf), NULL);
}

static void
setup(void)
{
	setup_flags(0);
}

static void
teardown(void)
{
	handle_close(sep);
	handle_close(cep);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
}

/* Sends one request answered to cep (token or not); data for a write. */
static void
send_req(uint64_t label, uint64_t w0, uint64_t w1, const void *data, size_t len,
    int with_token)
{
	struct ipc_msg m;
	struct ipc_ext x;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = label;
	m.w[0] = w0;
	m.w[1] = w1;
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = len;
	if (with_token) {
		x.reply_ep = cep;
		x.cookie = 77;
	}
	ck_assert_int_eq(ipc_send(sep, &m, with_token ? &x : (len ? &x : NULL)), 0);
}

/* One request served: its status, words in *m (if given), data in ans_buf. */
static long
request_m(uint64_t label, uint64_t w0, uint64_t w1, const void *data, size_t len,
    struct ipc_msg *out)
{
	struct ipc_msg m;
	struct ipc_ext x;

	send_req(label, w0, w1, data, len, 1);
	ck_assert_int_eq(ipc_server_poll(&srv), 1);
	memset(&x, 0, sizeof(x));
	x.rbuf = (uint64_t)(uintptr_t)ans_buf;
	x.rcap = sizeof(ans_buf);
	ck_assert_int_eq(ipc_recv_poll(cep, &m, &x), 0);
	ans_len = x.rlen;
	ck_assert_uint_eq(m.badge, 77);
	ck_assert_uint_eq(m.label, label);
	if (out != NULL)
		*out = m;
	if ((long)m.w[0] < 0)
		ck_assert_uint_eq(ans_len, 0);	/* an error carries no data */
	return (long)m.w[0];
}

static long
request(uint64_t label, uint64_t w0, uint64_t w1, const void *data, size_t len)
{
	return request_m(label, w0, w1, data, len, NULL);
}

static int
read_ok(uint64_t first, unsigned n, uint64_t mark)
{
	memset(ans_buf, 0xee, sizeof(ans_buf));
	return request(BLOCK_READ, first, n * 512, NULL, 0) == (long)n * 512 &&
	    ans_len == n * 512 && pattern_ok(ans_buf, first, n, mark);
}

#define MARK	UINT64_C(0x5752495454454e00)	/* "WRITTEN" | sector */

START_TEST(info_read_write_flush)
{
	static unsigned char w[BLOCK_IO_MAX];
	struct ipc_msg m;

	ck_assert_int_eq(request_m(BLOCK_INFO, 0, 0, NULL, 0, &m), 0);
	ck_assert_uint_eq(m.w[1], DISK_SECTORS);
	ck_assert_uint_eq(m.w[2], 512);
	ck_assert_uint_eq(m.w[3], 0);		/* read-write, no write cache */
	ck_assert(read_ok(0, 1, 0));
	ck_assert(read_ok(3, 5, 0));
	ck_assert(read_ok(100, BLOCK_IO_MAX / 512, 0));
	ck_assert(read_ok(DISK_SECTORS - 1, 1, 0));
	ck_assert(read_ok(DISK_SECTORS - 128, 128, 0));
	fill(w, 10, 8, MARK);
	ck_assert_int_eq(request(BLOCK_WRITE, 10, 0, w, 8 * 512), 8 * 512);
	fill(w, 500, 128, MARK);
	ck_assert_int_eq(request(BLOCK_WRITE, 500, 0, w, sizeof(w)), (long)sizeof(w));
	fill(w, DISK_SECTORS - 1, 1, MARK);
	ck_assert_int_eq(request(BLOCK_WRITE, DISK_SECTORS - 1, 0, w, 512), 512);
	ck_assert_int_eq(request(BLOCK_FLUSH, 0, 0, NULL, 0), 0);
	/* the bytes themselves, and the neighbours as they were */
	ck_assert(pattern_ok(disk_bytes + 10 * 512, 10, 8, MARK));
	ck_assert(read_ok(10, 8, MARK));
	ck_assert(read_ok(9, 1, 0) && read_ok(18, 1, 0));
	ck_assert(read_ok(500, 128, MARK));
	ck_assert(read_ok(499, 1, 0) && read_ok(628, 1, 0));
	ck_assert(read_ok(DISK_SECTORS - 1, 1, MARK));
	ck_assert(read_ok(DISK_SECTORS - 2, 1, 0));
	ck_assert_uint_eq(disk.stats.writes, 3);
	ck_assert_uint_eq(disk.stats.flushes, 1);
	ck_assert_uint_eq(disk.stats.refused, 0);
}
END_TEST

START_TEST(refusals)
{
	static unsigned char big[BLOCK_IO_MAX];
	const uint64_t n = DISK_SECTORS;

	/* lengths */
	ck_assert_int_eq(request(BLOCK_READ, 0, 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, 0, 100, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, 0, 513, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, 0, BLOCK_IO_MAX + 512, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, 0, UINT64_C(1) << 40, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_WRITE, 0, 0, big, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_WRITE, 0, 0, big, 100), -EINVAL);
	ck_assert_int_eq(request(BLOCK_WRITE, 0, 0, big, 1000), -EINVAL);
	/* ranges: at the end, across it, overflowing */
	ck_assert_int_eq(request(BLOCK_READ, n, 512, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, n - 1, 1024, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, ~UINT64_C(0), 512, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, ~UINT64_C(0) - 1, 4096, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_WRITE, n, 0, big, 512), -EINVAL);
	ck_assert_int_eq(request(BLOCK_WRITE, n - 3, 0, big, 4096), -EINVAL);
	ck_assert_int_eq(request(BLOCK_WRITE, UINT64_C(1) << 55, 0, big, 512), -EINVAL);
	ck_assert_uint_eq(disk.stats.refused, 15);
	/* an unknown operation: the loop's answer */
	ck_assert_int_eq(request(IPC_LABEL(PROTO_BLOCK, 99), 0, 0, NULL, 0), -ENOSYS);
	/* no token: nothing done, nobody answered */
	memset(big, 0xab, 512);
	send_req(BLOCK_WRITE, 0, 0, big, 512, 0);
	send_req(BLOCK_READ, 0, 512, NULL, 0, 0);
	ck_assert_int_eq(ipc_server_poll(&srv), 2);
	ck_assert_int_eq(ipc_recv_poll(cep, &(struct ipc_msg){ 0 }, NULL), -EAGAIN);
	ck_assert_uint_eq(disk.stats.refused, 17);
	/* the disk is as it was, and still served */
	fill(big, 0, DISK_SECTORS < 128 ? DISK_SECTORS : 128, 0);
	ck_assert_int_eq(memcmp(disk_bytes, big, sizeof(big)), 0);
	ck_assert(read_ok(42, 2, 0));
	ck_assert_uint_eq(disk.stats.writes, 0);
}
END_TEST

START_TEST(read_only)
{
	unsigned char w[512];
	struct ipc_msg m;

	teardown();
	setup_flags(BLOCK_F_READONLY);
	ck_assert_int_eq(request_m(BLOCK_INFO, 0, 0, NULL, 0, &m), 0);
	ck_assert_uint_eq(m.w[3], BLOCK_F_READONLY);
	ck_assert(read_ok(0, 1, 0) && read_ok(DISK_SECTORS - 8, 8, 0));
	fill(w, 0, 1, MARK);
	ck_assert_int_eq(request(BLOCK_WRITE, 0, 0, w, 512), -EROFS);
	/* the range is checked before read-only */
	ck_assert_int_eq(request(BLOCK_WRITE, DISK_SECTORS, 0, w, 512), -EINVAL);
	ck_assert_int_eq(request(BLOCK_WRITE, 0, 0, w, 100), -EINVAL);
	ck_assert_int_eq(request(BLOCK_FLUSH, 0, 0, NULL, 0), 0);
	ck_assert(read_ok(0, 1, 0));
}
END_TEST

/* --- images over a fake PROTO_FS server --- */

enum { N_ROOT = 1, N_DIR, N_IMG, N_DEV, N_SHORT, N_FAILS, N_NODES };

#define IMG_SIZE	(4u * 65536u + 3u * 512u)	/* pieces and a tail */
#define SHORT_SIZE	100000u				/* says; gives 70000 */

static unsigned char img[IMG_SIZE];
static struct ipc_server fs_srv;
static char fs_buf[4096];
static handle_t fs_ep;
static pthread_t fs_thread;
static long refs[N_NODES];		/* references the fake has given out */
static uint64_t read_max;		/* the most one FS_READ answers */
static unsigned mounts;

static const struct {
	uint64_t parent;
	const char *name;
	uint32_t mode;
	uint64_t size;
} nodes[N_NODES] = {
	[N_ROOT] = { 0, "", FS_IFDIR | 0755, 0 },
	[N_DIR] = { N_ROOT, "d", FS_IFDIR | 0755, 0 },
	[N_IMG] = { N_DIR, "root.img", FS_IFREG | 0644, IMG_SIZE },
	[N_DEV] = { N_ROOT, "dev", FS_IFCHR | 0600, 0 },
	[N_SHORT] = { N_ROOT, "short.img", FS_IFREG | 0644, SHORT_SIZE },
	[N_FAILS] = { N_ROOT, "fails.img", FS_IFREG | 0644, 3 * 65536 },	/* -EIO after one piece */
};

static long
reply_node(struct ipc_req *req, uint64_t node)
{
	static struct fs_attr a;

	memset(&a, 0, sizeof(a));
	a.ino = node;
	a.mode = nodes[node].mode;
	a.size = (int64_t)nodes[node].size;
	refs[node]++;
	req->out.w[1] = node;
	req->out.data = &a;
	req->out.len = sizeof(a);
	return 0;
}

static long
fake_mount(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	mounts++;
	return reply_node(req, N_ROOT);
}

static long
fake_lookup(struct ipc_server *s, struct ipc_req *req)
{
	uint64_t dir = req->msg.w[0];

	(void)s;
	ck_assert(dir > 0 && dir < N_NODES && refs[dir] > 0);	/* held while asked */
	if ((nodes[dir].mode & FS_IFMT) != FS_IFDIR)
		return -ENOTDIR;
	if (req->len == 0 || memchr(req->data, '/', req->len) != NULL)
		return -EINVAL;
	for (uint64_t n = N_ROOT + 1; n < N_NODES; n++)
		if (nodes[n].parent == dir && strlen(nodes[n].name) == req->len &&
		    memcmp(nodes[n].name, req->data, req->len) == 0)
			return reply_node(req, n);
	return -ENOENT;
}

static long
fake_forget(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	ck_assert(req->msg.w[0] > 0 && req->msg.w[0] < N_NODES);
	refs[req->msg.w[0]] -= (long)req->msg.w[1];
	return 0;
}

static long
fake_read(struct ipc_server *s, struct ipc_req *req)
{
	uint64_t node = req->msg.w[0], off = req->msg.w[1], n = req->msg.w[2];
	uint64_t size = node == N_SHORT ? 70000 : nodes[node].size;

	(void)s;
	ck_assert(node == N_IMG || node == N_SHORT || node == N_FAILS);
	ck_assert(refs[node] > 0);
	if (node == N_FAILS && off > 0)
		return -EIO;
	if (off >= size)
		return 0;
	n = n < read_max ? n : read_max;
	n = n < size - off ? n : size - off;
	req->out.data = node == N_IMG ? img + off : img;
	req->out.len = n;
	return (long)n;
}

static long
fake_stop(struct ipc_server *s, struct ipc_req *req)
{
	(void)req;
	ipc_server_stop(s, 0);
	return 0;
}

static const struct ipc_handler fs_handlers[] = {
	{ FS_MOUNT, fake_mount }, { FS_LOOKUP, fake_lookup }, { FS_FORGET, fake_forget },
	{ FS_READ, fake_read }, { FS_SYNC, fake_stop },
};

static void *
fs_run(void *s)
{
	ipc_server_run(s);
	return NULL;
}

/* Bytes here and there, in 4 pages; the rest zeros. */
static const uint64_t img_marks[] = { 17, 5 * 4096 + 4095, 40 * 4096 + 2000, IMG_SIZE - 1 };

static void
fs_setup(void)
{
	base_handles = ipc_host_live_handles();
	memset(img, 0, sizeof(img));
	for (unsigned i = 0; i < sizeof(img_marks) / sizeof(img_marks[0]); i++)
		img[img_marks[i]] = (unsigned char)(0x11 * (i + 1));
	memset(refs, 0, sizeof(refs));
	mounts = 0;
	read_max = IPC_BUF_MAX;
	fs_ep = (handle_t)ep_create(IPC_DEPTH_MAX);
	ipc_server_init(&fs_srv, fs_ep, fs_handlers, sizeof(fs_handlers) / sizeof(fs_handlers[0]),
	    NULL, 0, fs_buf, sizeof(fs_buf), NULL);
	pthread_create(&fs_thread, NULL, fs_run, &fs_srv);
}

static void
fs_teardown(void)
{
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.label = FS_SYNC;
	ck_assert_int_eq(ipc_call(fs_ep, &m, NULL), 0);
	pthread_join(fs_thread, NULL);
	handle_close(fs_ep);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
}

/* Every reference given back but the root's (mounts: never unmounted). */
static void
refs_back(void)
{
	ck_assert_int_eq(refs[N_ROOT], (long)mounts);
	for (unsigned n = N_ROOT + 1; n < N_NODES; n++)
		ck_assert_msg(refs[n] == 0, "node %u: %ld references kept", n, refs[n]);
}

static unsigned char *
zeroed(size_t n)
{
	unsigned char *p = aligned_alloc(RAMDISK_PAGE, (n + RAMDISK_PAGE - 1) /
	    RAMDISK_PAGE * RAMDISK_PAGE);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, (n + RAMDISK_PAGE - 1) / RAMDISK_PAGE * RAMDISK_PAGE);
	return p;
}

/* Reads path whole with pieces of at most max: checks bytes and stored. */
static void
read_image(const char *path, uint64_t max, uint64_t want_stored)
{
	uint64_t node = 0, size = 0, stored = 99;
	unsigned char *dst = zeroed(IMG_SIZE);

	read_max = max;
	ck_assert_int_eq(image_open(fs_ep, path, &node, &size), 0);
	ck_assert_uint_eq(node, N_IMG);
	ck_assert_uint_eq(size, IMG_SIZE);
	ck_assert_int_eq(image_read(fs_ep, node, size, dst, &stored), 0);
	ck_assert_int_eq(memcmp(dst, img, IMG_SIZE), 0);
	ck_assert_uint_eq(stored, want_stored);
	image_close(fs_ep, node);
	free(dst);
	refs_back();
}

START_TEST(image_whole_and_sparse)
{
	fs_setup();
	/* 4 pages hold a byte each: only they are written */
	read_image("d/root.img", IPC_BUF_MAX, 3 * RAMDISK_PAGE + IMG_SIZE % RAMDISK_PAGE);
	read_image("/d/root.img", IPC_BUF_MAX, 3 * RAMDISK_PAGE + IMG_SIZE % RAMDISK_PAGE);
	/* short pieces: offsets off the pages; the bytes are still right */
	read_image("d/root.img", 1000, 3 * 1000 + IMG_SIZE % 1000);
	read_image("d/root.img", 512, 4 * 512);
	fs_teardown();
}
END_TEST

START_TEST(image_bad_paths)
{
	uint64_t node = 0, size = 0;

	fs_setup();
	ck_assert_int_eq(image_open(fs_ep, "", &node, &size), -EINVAL);
	ck_assert_int_eq(image_open(fs_ep, "///", &node, &size), -EINVAL);
	ck_assert_int_eq(image_open(fs_ep, "d//root.img", &node, &size), -EINVAL);
	ck_assert_int_eq(image_open(fs_ep, "d/./root.img", &node, &size), -EINVAL);
	ck_assert_int_eq(image_open(fs_ep, "d/../d/root.img", &node, &size), -EINVAL);
	ck_assert_int_eq(image_open(fs_ep, "d/root.img/", &node, &size), -EINVAL);
	ck_assert_int_eq(image_open(fs_ep, "nosuch.img", &node, &size), -ENOENT);
	ck_assert_int_eq(image_open(fs_ep, "d/nosuch/root.img", &node, &size), -ENOENT);
	ck_assert_int_eq(image_open(fs_ep, "d", &node, &size), -EISDIR);
	ck_assert_int_eq(image_open(fs_ep, "dev", &node, &size), -ENODEV);
	ck_assert_int_eq(image_open(fs_ep, "d/root.img/x", &node, &size), -ENOTDIR);
	ck_assert_int_eq(image_open(fs_ep, "dev/x", &node, &size), -ENOTDIR);
	refs_back();
	fs_teardown();
}
END_TEST

START_TEST(image_ends_early_or_fails)
{
	uint64_t node = 0, size = 0, stored = 0;
	unsigned char *dst = zeroed(3 * 65536);

	fs_setup();
	ck_assert_int_eq(image_open(fs_ep, "short.img", &node, &size), 0);
	ck_assert_uint_eq(size, SHORT_SIZE);
	ck_assert_int_eq(image_read(fs_ep, node, size, dst, &stored), -EIO);
	image_close(fs_ep, node);
	ck_assert_int_eq(image_open(fs_ep, "fails.img", &node, &size), 0);
	ck_assert_int_eq(image_read(fs_ep, node, size, dst, &stored), -EIO);
	image_close(fs_ep, node);
	refs_back();
	free(dst);
	fs_teardown();
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("ramdisk");
	TCase *tc = tcase_create("block");
	TCase *ti = tcase_create("image");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, info_read_write_flush);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, read_only);
	suite_add_tcase(s, tc);
	tcase_add_test(ti, image_whole_and_sparse);
	tcase_add_test(ti, image_bad_paths);
	tcase_add_test(ti, image_ends_early_or_fails);
	suite_add_tcase(s, ti);
	return s;
}

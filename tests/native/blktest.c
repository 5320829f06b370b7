/*
 * blktest: the virtio-blk driver through PROTO_BLOCK (docs/block.md),
 * started by init from virtio-blk-test.manifest after the driver. The host
 * (tests/qemu/blk_test.py) made the disks: every 512-byte sector holds
 * its own number, 64 times as a little-endian uint64; vdb is read-only.
 *
 *   blktest SECTORS_VDA [SECTORS_VDB]
 *
 * Checks BLOCK_INFO against the sizes, reads (one sector, 64 KiB, the
 * last, many at once so the driver's slots overflow into its queue),
 * writes sectors the host checks after poweroff (WRITTEN below), flushes,
 * and bad requests: lengths, ranges, read-only, unknown operations,
 * requests without a token; the server keeps serving after each.
 */
#include <stdbool.h>
#include <lichen/name_client.h>
#include <lichen/proto/block.h>

#include "nt.h"

const char *nt_name = "blktest";

int main(int argc, char **argv);

/* What the host finds written (blk_test.py --expect-written). */
#define WRITTEN_MARK	0x5752495454454e00UL	/* "WRITTEN" | sector */
#define W1_SECTOR	10u			/* 8 sectors */
#define W2_SECTOR	1000u			/* 128 sectors: 64 KiB */

static unsigned char io[BLOCK_IO_MAX + 4096];
static handle_t vda;
static uint64_t nsectors;

static uint64_t
parse_u64(const char *s)
{
	uint64_t v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

/* One request: the reply's status; words in *m, data (rlen bytes) in rbuf. */
static long
call(handle_t h, uint64_t label, uint64_t w0, uint64_t w1, const void *sbuf,
    size_t slen, void *rbuf, size_t rcap, uint64_t *rlen, struct ipc_msg *m)
{
	struct ipc_msg mm;
	struct ipc_ext x;
	long r;

	if (m == NULL)
		m = &mm;
	memset(m, 0, sizeof(*m));
	memset(&x, 0, sizeof(x));
	m->label = label;
	m->w[0] = w0;
	m->w[1] = w1;
	x.sbuf = (uint64_t)(uintptr_t)sbuf;
	x.slen = slen;
	x.rbuf = (uint64_t)(uintptr_t)rbuf;
	x.rcap = rcap;
	if ((r = ipc_call(h, m, &x)) != 0)
		return r;
	if (rlen != NULL)
		*rlen = x.rlen;
	if (m->label != label)
		return -1000;		/* the protocol says: the request's label */
	return (long)m->w[0];
}

/* Whether buf holds the host's pattern for n sectors from first. */
static bool
pattern_ok(const void *buf, uint64_t first, unsigned n, uint64_t mark)
{
	const uint64_t *p = buf;

	for (unsigned s = 0; s < n; s++)
		for (unsigned i = 0; i < 64; i++)
			if (p[s * 64 + i] != (mark | (first + s)))
				return false;
	return true;
}

static void
fill(void *buf, uint64_t first, unsigned n, uint64_t mark)
{
	uint64_t *p = buf;

	for (unsigned s = 0; s < n; s++)
		for (unsigned i = 0; i < 64; i++)
			p[s * 64 + i] = mark | (first + s);
}

static bool
read_ok(handle_t h, uint64_t first, unsigned n, uint64_t mark)
{
	uint64_t rlen = 0;
	long r;

	memset(io, 0xee, n * 512);
	r = call(h, BLOCK_READ, first, n * 512, NULL, 0, io, sizeof(io), &rlen, NULL);
	return r == (long)n * 512 && rlen == n * 512 && pattern_ok(io, first, n, mark);
}

static void
test_info_and_reads(void)
{
	struct ipc_msg m;

	CHECK_EQ(call(vda, BLOCK_INFO, 0, 0, NULL, 0, NULL, 0, NULL, &m), 0);
	CHECK(m.w[1] == nsectors && m.w[2] == 512 && !(m.w[3] & BLOCK_F_READONLY),
	    "info: %lu sectors, %lu-byte blocks, flags 0x%lx", m.w[1], m.w[2], m.w[3]);
	CHECK(read_ok(vda, 0, 1, 0), "sector 0");
	CHECK(read_ok(vda, 3, 5, 0), "sectors 3-7");
	CHECK(read_ok(vda, 100, BLOCK_IO_MAX / 512, 0), "64 KiB at sector 100");
	CHECK(read_ok(vda, nsectors - 1, 1, 0), "the last sector");
	CHECK(read_ok(vda, nsectors - 128, 128, 0), "the last 64 KiB");
}

/*
 * Many reads at once, answered to our own endpoint in any order: more
 * than the driver's 16 slots, so some wait in its queue.
 */
#define INFLIGHT	40u
static unsigned char many[INFLIGHT][8 * 512];

static void
test_in_flight(void)
{
	long ep = ep_create(INFLIGHT + 8);
	unsigned sent = 0, got = 0, bad = 0, seen[INFLIGHT] = { 0 };
	struct ipc_msg m;
	struct ipc_ext x;

	for (unsigned i = 0; i < INFLIGHT; i++) {
		memset(&m, 0, sizeof(m));
		memset(&x, 0, sizeof(x));
		m.label = BLOCK_READ;
		m.w[0] = 7 * i;
		m.w[1] = sizeof(many[i]);
		x.reply_ep = (handle_t)ep;
		x.cookie = i + 1;
		sent += ipc_send(vda, &m, &x) == 0;
	}
	CHECK_EQ(sent, INFLIGHT);
	while (got < sent) {
		unsigned i;

		memset(&x, 0, sizeof(x));
		x.rbuf = (uint64_t)(uintptr_t)io;
		x.rcap = sizeof(io);
		if (ipc_recv((handle_t)ep, &m, &x) != 0)
			break;
		got++;
		i = (unsigned)m.badge - 1;
		if (i >= INFLIGHT || seen[i]++ || m.label != BLOCK_READ ||
		    m.w[0] != sizeof(many[i]) || x.rlen != sizeof(many[i]) ||
		    !pattern_ok(io, 7 * i, 8, 0))
			bad++;
	}
	CHECK(got == INFLIGHT && bad == 0, "%u answers, %u wrong", got, bad);
	handle_close((handle_t)ep);
}

static void
test_writes(void)
{
	static unsigned char w[BLOCK_IO_MAX];

	fill(w, W1_SECTOR, 8, WRITTEN_MARK);
	CHECK_EQ(call(vda, BLOCK_WRITE, W1_SECTOR, 0, w, 8 * 512, NULL, 0, NULL, NULL),
	    8 * 512);
	fill(w, W2_SECTOR, 128, WRITTEN_MARK);
	CHECK_EQ(call(vda, BLOCK_WRITE, W2_SECTOR, 0, w, sizeof(w), NULL, 0, NULL, NULL),
	    (long)sizeof(w));
	fill(w, nsectors - 1, 1, WRITTEN_MARK);
	CHECK_EQ(call(vda, BLOCK_WRITE, nsectors - 1, 0, w, 512, NULL, 0, NULL, NULL), 512);
	CHECK_EQ(call(vda, BLOCK_FLUSH, 0, 0, NULL, 0, NULL, 0, NULL, NULL), 0);
	/* read back: what was written, and the neighbours as they were */
	CHECK(read_ok(vda, W1_SECTOR, 8, WRITTEN_MARK), "written sectors 10-17");
	CHECK(read_ok(vda, W1_SECTOR - 1, 1, 0) && read_ok(vda, W1_SECTOR + 8, 1, 0),
	    "sectors 9 and 18 untouched");
	CHECK(read_ok(vda, W2_SECTOR, 128, WRITTEN_MARK), "written 64 KiB at 1000");
	CHECK(read_ok(vda, nsectors - 1, 1, WRITTEN_MARK), "written last sector");
	CHECK(read_ok(vda, nsectors - 2, 1, 0), "the one before it untouched");
}

static void
test_bad_requests(void)
{
	struct ipc_msg m;
	static unsigned char big[BLOCK_IO_MAX + 512];

	/* lengths */
	CHECK_EQ(call(vda, BLOCK_READ, 0, 0, NULL, 0, io, sizeof(io), NULL, NULL), -EINVAL);
	CHECK_EQ(call(vda, BLOCK_READ, 0, 100, NULL, 0, io, sizeof(io), NULL, NULL), -EINVAL);
	CHECK_EQ(call(vda, BLOCK_READ, 0, 513, NULL, 0, io, sizeof(io), NULL, NULL), -EINVAL);
	CHECK_EQ(call(vda, BLOCK_READ, 0, BLOCK_IO_MAX + 512, NULL, 0, io, sizeof(io), NULL,
	    NULL), -EINVAL);
	CHECK_EQ(call(vda, BLOCK_READ, 0, 1UL << 40, NULL, 0, io, sizeof(io), NULL, NULL),
	    -EINVAL);
	CHECK_EQ(call(vda, BLOCK_WRITE, 0, 0, big, 0, NULL, 0, NULL, NULL), -EINVAL);
	CHECK_EQ(call(vda, BLOCK_WRITE, 0, 0, big, 100, NULL, 0, NULL, NULL), -EINVAL);
	/* over IPC_BUF_MAX: the kernel refuses to send it at all */
	CHECK_EQ(call(vda, BLOCK_WRITE, 0, 0, big, sizeof(big), NULL, 0, NULL, NULL),
	    -EMSGSIZE);
	/* ranges: at the end, across it, overflowing */
	CHECK_EQ(call(vda, BLOCK_READ, nsectors, 512, NULL, 0, io, sizeof(io), NULL, NULL),
	    -EINVAL);
	CHECK_EQ(call(vda, BLOCK_READ, nsectors - 1, 1024, NULL, 0, io, sizeof(io), NULL,
	    NULL), -EINVAL);
	CHECK_EQ(call(vda, BLOCK_READ, ~0UL, 512, NULL, 0, io, sizeof(io), NULL, NULL),
	    -EINVAL);
	CHECK_EQ(call(vda, BLOCK_READ, ~0UL - 1, 4096, NULL, 0, io, sizeof(io), NULL, NULL),
	    -EINVAL);
	CHECK_EQ(call(vda, BLOCK_WRITE, nsectors, 0, big, 512, NULL, 0, NULL, NULL), -EINVAL);
	CHECK_EQ(call(vda, BLOCK_WRITE, nsectors - 3, 0, big, 4096, NULL, 0, NULL, NULL),
	    -EINVAL);
	/* an unknown operation; a request nobody can be answered for */
	CHECK_EQ(call(vda, IPC_LABEL(PROTO_BLOCK, 99), 0, 0, NULL, 0, NULL, 0, NULL, NULL),
	    -ENOSYS);
	memset(&m, 0, sizeof(m));
	m.label = BLOCK_READ;
	m.w[1] = 512;
	CHECK_EQ(ipc_send(vda, &m, NULL), 0);
	/* a reply buffer too small: the answer is cut, its length says so */
	{
		uint64_t rlen = 0;

		CHECK_EQ(call(vda, BLOCK_READ, 0, 4096, NULL, 0, io, 512, &rlen, NULL), 4096);
		CHECK(rlen == 4096 && pattern_ok(io, 0, 1, 0), "truncated read: rlen %lu", rlen);
	}
	/* and it still serves */
	CHECK(read_ok(vda, 42, 2, 0), "sectors 42-43 after the bad requests");
}

static void
test_readonly(uint64_t sectors)
{
	handle_t vdb;
	struct ipc_msg m;

	CHECK_EQ(name_wait((handle_t)native_start_word(0), "blk/vdb", &vdb), 0);
	CHECK_EQ(call(vdb, BLOCK_INFO, 0, 0, NULL, 0, NULL, 0, NULL, &m), 0);
	CHECK(m.w[1] == sectors && (m.w[3] & BLOCK_F_READONLY),
	    "vdb info: %lu sectors, flags 0x%lx", m.w[1], m.w[3]);
	CHECK(read_ok(vdb, 0, 1, 0) && read_ok(vdb, sectors - 8, 8, 0), "vdb reads");
	fill(io, 0, 1, WRITTEN_MARK);
	CHECK_EQ(call(vdb, BLOCK_WRITE, 0, 0, io, 512, NULL, 0, NULL, NULL), -EROFS);
	CHECK_EQ(call(vdb, BLOCK_WRITE, sectors, 0, io, 512, NULL, 0, NULL, NULL), -EINVAL);
	CHECK_EQ(call(vdb, BLOCK_FLUSH, 0, 0, NULL, 0, NULL, 0, NULL, NULL), 0);
	CHECK(read_ok(vdb, 0, 1, 0), "vdb sector 0 unchanged");
}

int
main(int argc, char **argv)
{
	handle_t names = (handle_t)native_start_word(0);

	if (argc < 2) {
		printf("usage: blktest SECTORS_VDA [SECTORS_VDB]\n");
		return 2;
	}
	nsectors = parse_u64(argv[1]);
	CHECK_EQ(name_wait(names, "blk/vda", &vda), 0);
	test_info_and_reads();
	test_in_flight();
	test_bad_requests();
	test_writes();
	if (argc > 2)
		test_readonly(parse_u64(argv[2]));
	return nt_summary();
}

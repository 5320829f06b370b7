/*
 * test_virtio_blk.c - the virtio-blk driver's core (servers/virtio-blk:
 * virtq.c, blk_core.c) on the host: the split virtqueue against a fake
 * device that works on the same memory (physical = virtual here), and
 * PROTO_BLOCK through the server loop over the host transport: INFO,
 * reads and writes reaching the fake disk's bytes, every refusal of
 * proto/block.h, chains as the spec lays them out, many requests in
 * flight with the FIFO behind the slots (in order, bounded), device
 * errors, and a failed device answering everything -EIO.
 */
#include <stdlib.h>
#include <string.h>

#include <lichen/errno.h>
#include <lichen/ipc_host.h>
#include <lichen/ipc_server.h>
#include <lichen/proto/block.h>

#include "blk.h"
#include "unit.h"

/* --- a fake device over the queue's memory --- */

#define DISK_SECTORS	2048u

static unsigned char *dma;
static unsigned char disk_bytes[DISK_SECTORS * 512];
static uint16_t dev_avail;		/* avail entries the device has taken */
static unsigned notifies, dev_requests;
static int fail_next;			/* the next request gets VIRTIO_BLK_S_IOERR */
static uint32_t last_types[8];

static void *
pa_ptr(uint64_t pa)
{
	return (void *)(uintptr_t)pa;	/* blk_disk_init was given pa = va */
}

/* Does what a virtio-blk device does with each new chain; at most max. */
static unsigned
dev_run(struct blk_disk *d, unsigned max)
{
	struct virtq *q = &d->q;
	unsigned done = 0;

	while (dev_avail != q->avail->idx && done < max) {
		uint16_t head = q->avail->ring[dev_avail++ % q->size], i = head;
		volatile struct virtq_desc *h = &q->desc[i], *data = NULL, *st;
		struct virtio_blk_hdr *hdr = pa_ptr(h->addr);
		uint8_t status = VIRTIO_BLK_S_OK;

		ck_assert_uint_eq(h->len, sizeof(*hdr));
		ck_assert(h->flags == VIRTQ_DESC_F_NEXT);
		st = &q->desc[h->next];
		if (hdr->type != VIRTIO_BLK_T_FLUSH) {
			data = st;
			ck_assert(data->flags & VIRTQ_DESC_F_NEXT);
			ck_assert_uint_eq(!!(data->flags & VIRTQ_DESC_F_WRITE),
			    hdr->type == VIRTIO_BLK_T_IN);
			ck_assert_uint_eq(data->len % 512, 0);
			ck_assert_uint_le(hdr->sector + data->len / 512, DISK_SECTORS);
			st = &q->desc[data->next];
		}
		ck_assert_uint_eq(st->len, 1);
		ck_assert(st->flags == VIRTQ_DESC_F_WRITE);
		last_types[dev_requests++ % 8] = hdr->type;
		if (fail_next) {
			fail_next = 0;
			status = VIRTIO_BLK_S_IOERR;
		} else if (hdr->type == VIRTIO_BLK_T_IN) {
			memcpy(pa_ptr(data->addr), disk_bytes + hdr->sector * 512, data->len);
		} else if (hdr->type == VIRTIO_BLK_T_OUT) {
			memcpy(disk_bytes + hdr->sector * 512, pa_ptr(data->addr), data->len);
		}
		*(volatile uint8_t *)pa_ptr(st->addr) = status;
		q->used->ring[q->used->idx % q->size].id = head;
		q->used->ring[q->used->idx % q->size].len = 1 +
		    (hdr->type == VIRTIO_BLK_T_IN ? data->len : 0);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		q->used->idx++;
		done++;
	}
	return done;
}

static void
notify(struct blk_disk *d)
{
	(void)d;
	notifies++;
}

/* --- the server and a client over the host transport --- */

static struct blk_disk disk;
static struct ipc_server srv;
static char srvbuf[BLOCK_IO_MAX];
static handle_t sep, cep;		/* the server's endpoint, the client's */
static unsigned base_handles;

static long
do_block(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	return blk_request(&disk, req);
}

static const struct ipc_handler handlers[] = {
	{ BLOCK_INFO, do_block }, { BLOCK_READ, do_block },
	{ BLOCK_WRITE, do_block }, { BLOCK_FLUSH, do_block },
};

static void
fill_disk(void)
{
	for (unsigned s = 0; s < DISK_SECTORS; s++)
		for (unsigned i = 0; i < 64; i++)
			memcpy(disk_bytes + s * 512 + i * 8, &(uint64_t){ s }, 8);
}

static void
setup_flags(uint32_t flags)
{
	base_handles = ipc_host_live_handles();
	dma = aligned_alloc(4096, blk_dma_bytes());
	ck_assert_ptr_nonnull(dma);
	memset(dma, 0, blk_dma_bytes());
	blk_disk_init(&disk, dma, (uint64_t)(uintptr_t)dma);
	disk.sectors = DISK_SECTORS;
	disk.block_size = 512;
	disk.flags = flags;
	disk.notify = notify;
	dev_avail = 0;
	notifies = dev_requests = 0;
	fail_next = 0;
	fill_disk();
	sep = (handle_t)ep_create(IPC_DEPTH_MAX);
	cep = (handle_t)ep_create(IPC_DEPTH_MAX);
	ipc_server_init(&srv, sep, handlers, 4, NULL, 0, srvbuf, sizeof(srvbuf), NULL);
}

static void
setup(void)
{
	setup_flags(BLOCK_F_FLUSH);
}

static void
teardown(void)
{
	handle_close(sep);
	handle_close(cep);
	free(dma);
}

/* Sends a request whose answer comes to cep with badge = cookie. */
static void
send_req(uint64_t label, uint64_t w0, uint64_t w1, const void *data, size_t len,
    uint64_t cookie)
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
	x.reply_ep = cep;
	x.cookie = cookie;
	ck_assert_int_eq(ipc_send(sep, &m, &x), 0);
}

static unsigned char ans_buf[BLOCK_IO_MAX];
static uint64_t ans_len;

/* The next answer: 0 and *m (its data in ans_buf), or -EAGAIN. */
static long
answer(struct ipc_msg *m)
{
	struct ipc_ext x;
	long r;

	memset(&x, 0, sizeof(x));
	x.rbuf = (uint64_t)(uintptr_t)ans_buf;
	x.rcap = sizeof(ans_buf);
	r = ipc_recv_poll(cep, m, &x);
	ans_len = x.rlen;
	return r;
}

/* Serves what is queued, lets the device finish it, completes. */
static void
cycle(void)
{
	ck_assert_int_ge(ipc_server_poll(&srv), 0);
	while (dev_run(&disk, ~0u) > 0)
		blk_complete(&disk);
}

/* One request through everything: its status; data in ans_buf. */
static long
request(uint64_t label, uint64_t w0, uint64_t w1, const void *data, size_t len)
{
	struct ipc_msg m;

	send_req(label, w0, w1, data, len, 77);
	cycle();
	ck_assert_int_eq(answer(&m), 0);
	ck_assert_uint_eq(m.badge, 77);
	ck_assert_uint_eq(m.label, label);
	return (long)m.w[0];
}

static bool
sectors_are(const void *buf, uint64_t first, unsigned n, uint64_t mark)
{
	const unsigned char *p = buf;

	for (unsigned s = 0; s < n; s++)
		for (unsigned i = 0; i < 64; i++) {
			uint64_t v;

			memcpy(&v, p + s * 512 + i * 8, 8);
			if (v != (mark | (first + s)))
				return false;
		}
	return true;
}

/* --- the virtqueue alone --- */

START_TEST(virtq_layout_and_wrap)
{
	static unsigned char mem[8192] __attribute__((aligned(4096)));
	struct virtq q;
	uint32_t head, len;

	ck_assert_uint_le(virtq_bytes(64), sizeof(mem));
	virtq_init(&q, 64, mem, 0x40000000);
	ck_assert_uint_eq(q.desc_pa, 0x40000000);
	ck_assert_uint_eq(q.avail_pa % VIRTQ_ALIGN, 0);
	ck_assert_uint_eq(q.used_pa % VIRTQ_ALIGN, 0);
	ck_assert_uint_ge(q.avail_pa, q.desc_pa + 16 * 64);
	ck_assert_uint_ge(q.used_pa, q.avail_pa + 4 + 2 * 64 + 2);
	ck_assert_uint_ge(0x40000000 + virtq_bytes(64), q.used_pa + 4 + 8 * 64 + 2);
	ck_assert(!virtq_next_used(&q, &head, &len));
	/* Through the 16-bit wrap of both indices. */
	q.avail_idx = 65530;
	q.avail->idx = 65530;
	q.last_used = 65530;
	q.used->idx = 65530;
	for (unsigned n = 0; n < 20; n++) {
		uint16_t at = q.avail_idx;

		virtq_desc_set(&q, n % 64, 0x1000 * n, 512, VIRTQ_DESC_F_WRITE, 0);
		virtq_publish(&q, (uint16_t)(n % 64));
		ck_assert_uint_eq(q.avail->idx, (uint16_t)(at + 1));
		ck_assert_uint_eq(q.avail->ring[at % 64], n % 64);
		ck_assert_uint_eq(q.desc[n % 64].addr, 0x1000 * n);
		q.used->ring[q.used->idx % 64].id = n % 64;
		q.used->ring[q.used->idx % 64].len = n;
		q.used->idx++;
		ck_assert(virtq_next_used(&q, &head, &len));
		ck_assert_uint_eq(head, n % 64);
		ck_assert_uint_eq(len, n);
		ck_assert(!virtq_next_used(&q, &head, &len));
	}
	ck_assert_uint_eq(q.avail_idx, (uint16_t)(65530 + 20));
}
END_TEST

/* --- requests --- */

START_TEST(info_read_write_flush)
{
	struct ipc_msg m;
	static unsigned char w[BLOCK_IO_MAX];

	send_req(BLOCK_INFO, 0, 0, NULL, 0, 1);
	cycle();
	ck_assert_int_eq(answer(&m), 0);
	ck_assert_uint_eq(m.w[0], 0);
	ck_assert_uint_eq(m.w[1], DISK_SECTORS);
	ck_assert_uint_eq(m.w[2], 512);
	ck_assert_uint_eq(m.w[3], BLOCK_F_FLUSH);
	ck_assert_uint_eq(notifies, 0);		/* the device was not asked */

	ck_assert_int_eq(request(BLOCK_READ, 5, 1024, NULL, 0), 1024);
	ck_assert_uint_eq(ans_len, 1024);
	ck_assert(sectors_are(ans_buf, 5, 2, 0));
	ck_assert_int_eq(request(BLOCK_READ, DISK_SECTORS - 128, BLOCK_IO_MAX, NULL, 0),
	    BLOCK_IO_MAX);
	ck_assert(sectors_are(ans_buf, DISK_SECTORS - 128, 128, 0));

	for (unsigned s = 0; s < 128; s++)
		for (unsigned i = 0; i < 64; i++)
			memcpy(w + s * 512 + i * 8, &(uint64_t){ 0xab00000000UL | (300 + s) }, 8);
	ck_assert_int_eq(request(BLOCK_WRITE, 300, 0, w, sizeof(w)), sizeof(w));
	ck_assert_uint_eq(ans_len, 0);		/* a write's answer has no data */
	ck_assert(sectors_are(disk_bytes + 300 * 512, 300, 128, 0xab00000000UL));
	ck_assert(sectors_are(disk_bytes + 299 * 512, 299, 1, 0));
	ck_assert(sectors_are(disk_bytes + 428 * 512, 428, 1, 0));
	ck_assert_int_eq(request(BLOCK_READ, 300, 512, NULL, 0), 512);
	ck_assert(sectors_are(ans_buf, 300, 1, 0xab00000000UL));

	ck_assert_int_eq(request(BLOCK_FLUSH, 0, 0, NULL, 0), 0);
	ck_assert_uint_eq(last_types[(dev_requests - 1) % 8], VIRTIO_BLK_T_FLUSH);
	ck_assert_uint_eq(disk.stats.reads, 3);
	ck_assert_uint_eq(disk.stats.writes, 1);
	ck_assert_uint_eq(disk.stats.flushes, 1);
	ck_assert_uint_eq(disk.nbusy, 0);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles + 2);	/* no token left */
}
END_TEST

START_TEST(refusals)
{
	static unsigned char w[BLOCK_IO_MAX];
	struct ipc_msg m;

	ck_assert_int_eq(request(BLOCK_READ, 0, 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, 0, 100, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, 0, 513, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, 0, BLOCK_IO_MAX + 512, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, 0, 1ULL << 41, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, DISK_SECTORS, 512, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, DISK_SECTORS - 1, 1024, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, ~0ULL, 512, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_READ, ~0ULL - 3, 4096, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_WRITE, 0, 0, NULL, 0), -EINVAL);
	ck_assert_int_eq(request(BLOCK_WRITE, 0, 0, w, 511), -EINVAL);
	ck_assert_int_eq(request(BLOCK_WRITE, DISK_SECTORS - 1, 0, w, 1024), -EINVAL);
	ck_assert_uint_eq(ans_len, 0);
	ck_assert_uint_eq(dev_requests, 0);		/* none reached the device */
	ck_assert_uint_eq(disk.stats.refused, 12);
	/* No token: dropped, nothing answered, nothing kept. */
	memset(&m, 0, sizeof(m));
	m.label = BLOCK_READ;
	m.w[1] = 512;
	ck_assert_int_eq(ipc_send(sep, &m, NULL), 0);
	cycle();
	ck_assert_int_eq(answer(&m), -EAGAIN);
	ck_assert_uint_eq(dev_requests, 0);
	ck_assert_int_eq(request(BLOCK_READ, 0, 512, NULL, 0), 512);	/* still serving */
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles + 2);
}
END_TEST

START_TEST(read_only)
{
	static unsigned char w[512];
	struct ipc_msg m;

	teardown();
	setup_flags(BLOCK_F_READONLY);
	send_req(BLOCK_INFO, 0, 0, NULL, 0, 1);
	cycle();
	ck_assert_int_eq(answer(&m), 0);
	ck_assert_uint_eq(m.w[3], BLOCK_F_READONLY);
	ck_assert_int_eq(request(BLOCK_WRITE, 0, 0, w, sizeof(w)), -EROFS);
	/* a bad range is still -EINVAL: lengths and ranges come first */
	ck_assert_int_eq(request(BLOCK_WRITE, DISK_SECTORS, 0, w, sizeof(w)), -EINVAL);
	ck_assert_int_eq(request(BLOCK_FLUSH, 0, 0, NULL, 0), 0);
	ck_assert_int_eq(request(BLOCK_READ, 1, 512, NULL, 0), 512);
	ck_assert(sectors_are(ans_buf, 1, 1, 0));
	ck_assert_uint_eq(dev_requests, 1);		/* only the read */
	ck_assert(sectors_are(disk_bytes, 0, 1, 0));
}
END_TEST

/* More than the slots at once: 16 in the device, the rest in order behind. */
START_TEST(many_in_flight)
{
	struct ipc_msg m;
	unsigned n = 40, got = 0;
	uint64_t order[40];

	for (unsigned i = 0; i < n; i++)
		send_req(BLOCK_READ, 10 * i, 4096, NULL, 0, 100 + i);
	ck_assert_int_eq(ipc_server_poll(&srv), (long)n);
	ck_assert_uint_eq(disk.nbusy, BLK_SLOTS_MAX);
	ck_assert_uint_eq(disk.nwaiting, n - BLK_SLOTS_MAX);
	ck_assert_uint_eq(notifies, BLK_SLOTS_MAX);
	ck_assert_int_eq(answer(&m), -EAGAIN);	/* nothing until the device is done */
	/* The device finishes a few at a time; waiting ones take their slots. */
	while (got < n) {
		ck_assert_uint_gt(dev_run(&disk, 5), 0);
		blk_complete(&disk);
		while (answer(&m) == 0) {
			unsigned i = (unsigned)(m.badge - 100);

			ck_assert_uint_lt(i, n);
			ck_assert_int_eq((long)m.w[0], 4096);
			ck_assert(sectors_are(ans_buf, 10 * i, 8, 0));
			order[got++] = i;
		}
		ck_assert_uint_le(disk.nbusy, BLK_SLOTS_MAX);
	}
	for (unsigned i = 0; i < n; i++)
		ck_assert_uint_eq(order[i], i);	/* this device finishes in order */
	ck_assert_uint_eq(disk.stats.waited, n - BLK_SLOTS_MAX);
	ck_assert_uint_eq(disk.stats.max_busy, BLK_SLOTS_MAX);
	ck_assert_uint_eq(disk.nbusy + disk.nwaiting, 0);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles + 2);
}
END_TEST

/* A write waiting in the FIFO keeps its own bytes. */
START_TEST(waiting_writes_keep_their_data)
{
	static unsigned char w[4096];
	struct ipc_msg m;

	for (unsigned i = 0; i < BLK_SLOTS_MAX + 4; i++) {
		memset(w, 0x10 + i, sizeof(w));
		send_req(BLOCK_WRITE, 8 * i, 0, w, sizeof(w), 200 + i);
	}
	ck_assert_int_eq(ipc_server_poll(&srv), BLK_SLOTS_MAX + 4);
	ck_assert_uint_eq(disk.nwaiting, 4);
	cycle();
	for (unsigned i = 0; i < BLK_SLOTS_MAX + 4; i++) {
		ck_assert_int_eq(answer(&m), 0);
		ck_assert_int_eq((long)m.w[0], 4096);
		for (unsigned b = 0; b < 4096; b++)
			quick_assert(disk_bytes[8 * i * 512 + b] == 0x10 + i);
	}
}
END_TEST

/* BLOCK_QUEUE_MAX waiting, then -EAGAIN; all the others still answered. */
START_TEST(the_queue_is_bounded)
{
	struct ipc_msg m;
	unsigned n = BLK_SLOTS_MAX + BLOCK_QUEUE_MAX, answered = 0, again = 0;

	for (unsigned i = 0; i < n + 3; i++)
		send_req(BLOCK_READ, i % 1000, 512, NULL, 0, 1000 + i);
	ck_assert_int_eq(ipc_server_poll(&srv), n + 3);
	ck_assert_uint_eq(disk.nwaiting, BLOCK_QUEUE_MAX);
	for (unsigned i = 0; i < 3; i++) {		/* the refused, at once */
		ck_assert_int_eq(answer(&m), 0);
		ck_assert_int_eq((long)m.w[0], -EAGAIN);
		ck_assert_uint_ge(m.badge, 1000 + n);
	}
	while (dev_run(&disk, ~0u) > 0)
		blk_complete(&disk);
	while (answer(&m) == 0) {
		answered += (long)m.w[0] == 512;
		again += (long)m.w[0] == -EAGAIN;
	}
	ck_assert_uint_eq(answered, n);
	ck_assert_uint_eq(again, 0);
}
END_TEST

START_TEST(device_errors)
{
	struct ipc_msg m;

	fail_next = 1;
	ck_assert_int_eq(request(BLOCK_READ, 0, 512, NULL, 0), -EIO);
	ck_assert_uint_eq(ans_len, 0);			/* no data with an error */
	ck_assert_uint_eq(disk.stats.errors, 1);
	ck_assert_int_eq(request(BLOCK_READ, 0, 512, NULL, 0), 512);	/* the next is fine */
	/* A device that fails: everything in it and waiting, then every new one. */
	for (unsigned i = 0; i < BLK_SLOTS_MAX + 2; i++)
		send_req(BLOCK_READ, i, 512, NULL, 0, 300 + i);
	ck_assert_int_ge(ipc_server_poll(&srv), 0);
	blk_fail_all(&disk);
	for (unsigned i = 0; i < BLK_SLOTS_MAX + 2; i++) {
		ck_assert_int_eq(answer(&m), 0);
		ck_assert_int_eq((long)m.w[0], -EIO);
	}
	ck_assert_uint_eq(disk.nbusy + disk.nwaiting, 0);
	ck_assert_int_eq(request(BLOCK_READ, 0, 512, NULL, 0), -EIO);
	ck_assert_int_eq(request(BLOCK_INFO, 0, 0, NULL, 0), 0);	/* it still says what it was */
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles + 2);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("virtio-blk");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, virtq_layout_and_wrap);
	tcase_add_test(tc, info_read_write_flush);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, read_only);
	tcase_add_test(tc, many_in_flight);
	tcase_add_test(tc, waiting_writes_keep_their_data);
	tcase_add_test(tc, the_queue_is_bounded);
	tcase_add_test(tc, device_errors);
	suite_add_tcase(s, tc);
	return s;
}

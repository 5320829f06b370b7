/*
 * PROTO_BLOCK on one virtio-blk disk (blk.h, docs/block.md). A request is
 * checked first (lengths, the range, read-only), then either answered at
 * once (INFO, refusals, FLUSH where there is nothing to flush) or put in
 * a free slot as a three-descriptor chain and published; its token waits
 * in the slot until the device puts the chain in the used ring
 * (blk_complete, from the interrupt). With every slot busy, it waits in
 * a FIFO of at most BLOCK_QUEUE_MAX, so the server never blocks and no
 * client is refused while the device has work it will finish.
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#ifdef LK_HOST
#include <stdlib.h>
#else
#include <lichen/rt.h>
#endif

#include "blk.h"

/* The DMA layout: the queue, a page of headers and status bytes, the data. */
#define PAGE		4096u
#define HDR_STRIDE	32u	/* a header (16 bytes), then the status byte */

static size_t
ring_bytes(void)
{
	return (virtq_bytes(BLK_QUEUE_SIZE) + PAGE - 1) / PAGE * PAGE;
}

_Static_assert(BLK_SLOTS_MAX * HDR_STRIDE <= PAGE, "the headers fit one page");

size_t
blk_dma_bytes(void)
{
	return ring_bytes() + PAGE + (size_t)BLK_SLOTS_MAX * BLOCK_IO_MAX;
}

void
blk_disk_init(struct blk_disk *d, void *dma, uint64_t pa)
{
	char *m = dma;
	size_t hdrs = ring_bytes(), data = hdrs + PAGE;

	memset(d, 0, sizeof(*d));
	virtq_init(&d->q, BLK_QUEUE_SIZE, m, pa);
	d->nslots = BLK_SLOTS_MAX;
	for (unsigned i = 0; i < d->nslots; i++) {
		struct blk_slot *s = &d->slot[i];
		size_t h = hdrs + i * HDR_STRIDE, b = data + (size_t)i * BLOCK_IO_MAX;

		s->hdr = (struct virtio_blk_hdr *)(m + h);
		s->hdr_pa = pa + h;
		s->status = (volatile uint8_t *)(m + h + sizeof(struct virtio_blk_hdr));
		s->status_pa = s->hdr_pa + sizeof(struct virtio_blk_hdr);
		s->data = m + b;
		s->data_pa = pa + b;
	}
}

/* --- into the device --- */

static struct blk_slot *
slot_free(struct blk_disk *d)
{
	for (unsigned i = 0; i < d->nslots; i++)
		if (d->slot[i].token == HANDLE_NONE)
			return &d->slot[i];
	return NULL;
}

/*
 * Fills slot s with the request and publishes its chain: header (device
 * reads), data (device writes for a read, reads for a write; none for a
 * flush), status (device writes).
 */
static void
slot_start(struct blk_disk *d, struct blk_slot *s, handle_t token,
    uint64_t label, uint64_t sector, uint32_t len, const void *wdata)
{
	unsigned i = (unsigned)(s - d->slot), h = i * BLK_DESCS;
	uint16_t status_desc = (uint16_t)(h + 1);

	s->token = token;
	s->label = label;
	s->len = len;
	s->hdr->reserved = 0;
	s->hdr->sector = sector;
	*s->status = 0xff;		/* not a status the device gives */
	if (label == BLOCK_FLUSH) {
		s->hdr->type = VIRTIO_BLK_T_FLUSH;
		s->hdr->sector = 0;
	} else {
		s->hdr->type = label == BLOCK_READ ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT;
		if (wdata != NULL)
			memcpy(s->data, wdata, len);
		status_desc = (uint16_t)(h + 2);
		virtq_desc_set(&d->q, h + 1, s->data_pa, len, VIRTQ_DESC_F_NEXT |
		    (label == BLOCK_READ ? VIRTQ_DESC_F_WRITE : 0), status_desc);
	}
	virtq_desc_set(&d->q, h, s->hdr_pa, sizeof(*s->hdr), VIRTQ_DESC_F_NEXT,
	    (uint16_t)(h + 1));
	virtq_desc_set(&d->q, status_desc, s->status_pa, 1, VIRTQ_DESC_F_WRITE, 0);
	virtq_publish(&d->q, (uint16_t)h);
	if (++d->nbusy > d->stats.max_busy)
		d->stats.max_busy = d->nbusy;
	d->notify(d);
}

/* Keeps a request for later: IPC_SUSPEND, or -EAGAIN/-ENOMEM. */
static long
wait_add(struct blk_disk *d, struct ipc_req *req, uint64_t sector, uint32_t len)
{
	size_t keep = req->msg.label == BLOCK_WRITE ? len : 0;
	struct blk_wait *w;

	if (d->nwaiting >= BLOCK_QUEUE_MAX)
		return -EAGAIN;
	if ((w = malloc(sizeof(*w) + keep)) == NULL)
		return -EAGAIN;
	w->next = NULL;
	w->token = req->msg.token;
	w->label = req->msg.label;
	w->sector = sector;
	w->len = len;
	if (keep > 0)
		memcpy(w->data, req->data, keep);
	if (d->wait_tail != NULL)
		d->wait_tail->next = w;
	else
		d->wait_head = w;
	d->wait_tail = w;
	d->nwaiting++;
	d->stats.waited++;
	return IPC_SUSPEND;
}

/* Moves waiting requests into free slots, oldest first. */
static void
wait_drain(struct blk_disk *d)
{
	struct blk_slot *s;
	struct blk_wait *w;

	while ((w = d->wait_head) != NULL && (s = slot_free(d)) != NULL) {
		d->wait_head = w->next;
		if (d->wait_head == NULL)
			d->wait_tail = NULL;
		d->nwaiting--;
		slot_start(d, s, w->token, w->label, w->sector, w->len,
		    w->label == BLOCK_WRITE ? w->data : NULL);
		free(w);
	}
}

/* --- requests --- */

static long
do_info(struct blk_disk *d, struct ipc_req *req)
{
	req->out.w[1] = d->sectors;
	req->out.w[2] = d->block_size;
	req->out.w[3] = d->flags;
	return 0;
}

/* The checks of proto/block.h, in its order: 0 or the refusal. */
static long
check(struct blk_disk *d, struct ipc_req *req, uint64_t *sector, uint32_t *len)
{
	uint64_t label = req->msg.label, n = label == BLOCK_WRITE ? req->len :
	    label == BLOCK_READ ? req->msg.w[1] : 0;
	long r;

	if (req->msg.token == HANDLE_NONE)
		return -EINVAL;		/* no one to answer: dropped */
	*sector = req->msg.w[0];
	*len = (uint32_t)n;
	if (label != BLOCK_FLUSH &&
	    (r = block_range_check(*sector, n, d->sectors)) != 0)
		return r;
	if (label == BLOCK_WRITE && (d->flags & BLOCK_F_READONLY))
		return -EROFS;
	if (d->broken)
		return -EIO;
	return 0;
}

long
blk_request(struct blk_disk *d, struct ipc_req *req)
{
	uint64_t label = req->msg.label, sector;
	struct blk_slot *s;
	uint32_t len;
	long r;

	if (label == BLOCK_INFO)
		return do_info(d, req);
	if ((r = check(d, req, &sector, &len)) != 0) {
		d->stats.refused++;
		return r;
	}
	/* Nothing to flush: a read-only disk, or one without a write cache. */
	if (label == BLOCK_FLUSH && !(d->flags & BLOCK_F_FLUSH)) {
		d->stats.flushes++;
		return 0;
	}
	if (d->nwaiting > 0 || (s = slot_free(d)) == NULL)
		return wait_add(d, req, sector, len);	/* behind the others: in order */
	slot_start(d, s, req->msg.token, label, sector, len,
	    label == BLOCK_WRITE ? req->data : NULL);
	return IPC_SUSPEND;
}

/* --- out of the device --- */

static void
slot_answer(struct blk_disk *d, struct blk_slot *s)
{
	struct ipc_out out;
	uint8_t st = *s->status;
	long status = st == VIRTIO_BLK_S_OK ? (long)s->len : -EIO;

	memset(&out, 0, sizeof(out));
	if (st == VIRTIO_BLK_S_OK && s->label == BLOCK_READ) {
		out.data = s->data;
		out.len = s->len;
	}
	if (s->label == BLOCK_FLUSH && status >= 0)
		status = 0;
	if (status < 0)
		d->stats.errors++;
	else if (s->label == BLOCK_READ)
		d->stats.reads++;
	else if (s->label == BLOCK_WRITE)
		d->stats.writes++;
	else
		d->stats.flushes++;
	ipc_answer(s->token, s->label, status, &out);	/* a gone client is fine */
	s->token = HANDLE_NONE;
	d->nbusy--;
}

void
blk_complete(struct blk_disk *d)
{
	uint32_t head, len;

	while (virtq_next_used(&d->q, &head, &len)) {
		unsigned i = head / BLK_DESCS;

		/* A head we never published would be a device bug: skip it. */
		if (head % BLK_DESCS != 0 || i >= d->nslots ||
		    d->slot[i].token == HANDLE_NONE)
			continue;
		slot_answer(d, &d->slot[i]);
	}
	wait_drain(d);
}

void
blk_fail_all(struct blk_disk *d)
{
	struct blk_wait *w;

	d->broken = true;
	for (unsigned i = 0; i < d->nslots; i++) {
		struct blk_slot *s = &d->slot[i];

		if (s->token != HANDLE_NONE) {
			ipc_answer(s->token, s->label, -EIO, NULL);
			s->token = HANDLE_NONE;
			d->stats.errors++;
		}
	}
	d->nbusy = 0;
	while ((w = d->wait_head) != NULL) {
		d->wait_head = w->next;
		ipc_answer(w->token, w->label, -EIO, NULL);
		d->stats.errors++;
		free(w);
	}
	d->wait_tail = NULL;
	d->nwaiting = 0;
}

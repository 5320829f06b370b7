/*
 * PROTO_BLOCK on a disk held in memory (ramdisk.h, docs/block.md). A
 * request is checked first, in proto/block.h's order (a reply token,
 * the length, the range, read-only), then done at once: a READ answers
 * with the bytes themselves (the reply copies them out of d->bytes), a
 * WRITE copies the request's data in, a FLUSH has nothing to do since
 * every write answered is already in the memory the next read sees.
 * Nothing waits, so no request is ever queued or refused -EAGAIN.
 */
#include <lichen/errno.h>
#include <lichen/string.h>

#include "ramdisk.h"

static long
do_info(struct ramdisk *d, struct ipc_req *req)
{
	req->out.w[1] = d->sectors;
	req->out.w[2] = BLOCK_SECTOR;
	req->out.w[3] = d->flags;
	return 0;
}

/* The checks of proto/block.h, in its order: 0 or the refusal. */
static long
check(const struct ramdisk *d, const struct ipc_req *req)
{
	uint64_t label = req->msg.label;
	uint64_t n = label == BLOCK_WRITE ? req->len : req->msg.w[1];
	long r;

	if (req->msg.token == HANDLE_NONE)
		return -EINVAL;		/* no one to answer: dropped */
	if (label == BLOCK_FLUSH)
		return 0;
	if ((r = block_range_check(req->msg.w[0], n, d->sectors)) != 0)
		return r;
	if (label == BLOCK_WRITE && (d->flags & BLOCK_F_READONLY))
		return -EROFS;
	return 0;
}

long
ramdisk_request(struct ramdisk *d, struct ipc_req *req)
{
	uint64_t label = req->msg.label;
	unsigned char *at;
	long r;

	if (label == BLOCK_INFO)
		return do_info(d, req);
	if ((r = check(d, req)) != 0) {
		d->stats.refused++;
		return r;
	}
	if (label == BLOCK_FLUSH) {
		d->stats.flushes++;
		return 0;
	}
	at = d->bytes + req->msg.w[0] * BLOCK_SECTOR;	/* in range: checked */
	if (label == BLOCK_READ) {
		req->out.data = at;
		req->out.len = req->msg.w[1];
		d->stats.reads++;
		return (long)req->msg.w[1];
	}
	memcpy(at, req->data, req->len);
	d->stats.writes++;
	return (long)req->len;
}

/*
 * disk.c - /dev's block devices (disk.h, docs/devtmpfs.md).
 *
 * Finding disks: every slot of the tree (vda..vdh, ram0..ram7) is looked
 * up in init's name service as blk/NAME with NAME_LOOKUP, then asked
 * BLOCK_INFO; a disk that answers becomes a node (devfs_attach). This
 * happens at start, and again for the slots still absent whenever a
 * lookup names one or the root is read from its start, the request
 * waiting for the answers: so a disk whose server started after
 * devtmpfs appears the next time anyone looks. NAME_WAIT would need
 * sixteen of init's 32 waiting places for ever; a lookup needs none.
 *
 * I/O: a read or write at any byte offset and length becomes the whole
 * sectors that cover it (the span), in at most two PROTO_BLOCK requests
 * of up to BLOCK_IO_MAX; a write whose ends are not on sector
 * boundaries reads those sectors first (read-modify-write). One request
 * of a disk (a struct bio) is worked on at a time and the others wait in
 * order behind it, so two writes sharing a sector never interleave their
 * reads and writes of it. Each step is a send whose answer runs a
 * continuation; the client's token is answered at the end.
 */
#include <lichen/errno.h>
#include <lichen/ipc_server.h>
#include <lichen/name_client.h>
#include <lichen/proto/block.h>
#include <lichen/proto/fs.h>
#include <lichen/proto/name.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "disk.h"

#define NWAITERS	32u		/* lookups and readdirs waiting for probes */
#define BIO_MAX		64u		/* disk requests at once, all disks */
#define PAGE_BYTES	4096u

struct bio;

struct disk {
	handle_t ep;			/* the block server's disk; HANDLE_NONE: not found */
	uint64_t nsectors;		/* BLOCK_INFO's */
	uint32_t lbs, flags;
	bool probing;			/* a NAME_LOOKUP or BLOCK_INFO in flight */
	struct bio *head, *tail;	/* head is being worked on */
};

enum bio_kind { BIO_READ, BIO_WRITE, BIO_FLUSH };

/* FS_SYNC of every disk: answered when the last flush is. */
struct flushgrp {
	handle_t token;
	unsigned left;
	long status;
};

struct bio {
	struct bio *next;
	struct disk *d;
	enum bio_kind kind;
	handle_t token;
	uint64_t label;			/* the answer's */
	uint64_t first;			/* the span's first sector */
	size_t head;			/* bytes of that sector before the offset */
	size_t len;			/* the caller's bytes */
	size_t span;			/* the sectors covering them, in bytes */
	size_t done;			/* bytes of the span read or written */
	unsigned rmw;			/* a write's ends to read first: 1 first, 2 last */
	uint8_t *buf;			/* the span, then (a write) the caller's bytes */
	struct flushgrp *grp;
};

struct waiter {
	handle_t token;
	uint64_t label;
	uint64_t w[3];
	struct dev_node *slot;		/* a lookup's; NULL: a readdir */
};

static struct ipc_server *dsrv;
static handle_t names_ep = HANDLE_NONE;
static struct disk disks[DEVFS_NDISKS];
static unsigned probing;
static struct waiter waiters[NWAITERS];
static unsigned nwaiters;
static unsigned nbios;
static uint8_t dirbuf[IPC_BUF_MAX];
static union {
	uint64_t u64;
	int32_t i32;
} ioctl_out;

static uint64_t
disk_bytes(const struct disk *d)
{
	return d->nsectors * BLOCK_SECTOR;
}

static struct disk *
disk_of(const struct dev_node *n)
{
	return &disks[n->disk];
}

/* --- finding disks --- */

static void
answer_waiter(struct waiter *w)
{
	struct ipc_out out;
	struct fs_attr attr;

	memset(&out, 0, sizeof(out));
	if (w->slot != NULL) {
		if (w->slot->absent) {
			ipc_answer(w->token, w->label, -ENOENT, NULL);
			return;
		}
		attr = w->slot->attr;
		out.w[1] = attr.ino;
		out.data = &attr;
		out.len = sizeof(attr);
		ipc_answer(w->token, w->label, 0, &out);
		return;
	}
	{
		size_t room = w->w[2] < sizeof(dirbuf) ? (size_t)w->w[2] : sizeof(dirbuf);
		int64_t n = devfs_readdir(w->w[0], w->w[1], (char *)dirbuf, room);

		out.data = dirbuf;
		out.len = n > 0 ? (size_t)n : 0;
		ipc_answer(w->token, w->label, (long)n, n > 0 ? &out : NULL);
	}
}

static void
probe_done(struct disk *d)
{
	d->probing = false;
	if (--probing > 0)
		return;
	for (unsigned i = 0; i < nwaiters; i++)
		answer_waiter(&waiters[i]);
	nwaiters = 0;
}

static void
forget_disk(struct disk *d)
{
	if (d->ep != HANDLE_NONE)
		handle_close(d->ep);
	d->ep = HANDLE_NONE;
}

static void
info_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct disk *d = ctx;

	(void)srv;
	if (rep->msg.label == BLOCK_INFO && rep->msg.w[0] == 0 && rep->msg.w[1] > 0 &&
	    rep->msg.w[1] <= UINT64_MAX / BLOCK_SECTOR) {
		d->nsectors = rep->msg.w[1];
		d->lbs = rep->msg.w[2] >= BLOCK_SECTOR && rep->msg.w[2] <= 65536 ?
		    (uint32_t)rep->msg.w[2] : BLOCK_SECTOR;
		d->flags = (uint32_t)rep->msg.w[3];
		devfs_attach(devfs_disk((unsigned)(d - disks)));
	} else {
		forget_disk(d);
	}
	probe_done(d);
}

static void
name_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct disk *d = ctx;
	struct ipc_msg m;
	struct ipc_ext x;

	if (name_reply_take(rep, &d->ep) != 0) {
		d->ep = HANDLE_NONE;
		probe_done(d);
		return;
	}
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = BLOCK_INFO;
	if (ipc_server_send(srv, d->ep, &m, &x, info_reply, d) != 0) {
		forget_disk(d);
		probe_done(d);
	}
}

static void
probe(unsigned i)
{
	struct dev_node *n = devfs_disk(i);
	struct disk *d = &disks[i];
	char name[NAME_LEN_MAX + 1];
	size_t len = strlen(BLOCK_NAME_PREFIX);
	struct ipc_msg m;
	struct ipc_ext x;

	if (!n->absent || d->probing || names_ep == HANDLE_NONE)
		return;
	memcpy(name, BLOCK_NAME_PREFIX, len);
	memcpy(name + len, n->name, strlen(n->name));
	len += strlen(n->name);
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = NAME_LOOKUP;
	x.sbuf = (uint64_t)(uintptr_t)name;
	x.slen = len;
	if (ipc_server_send(dsrv, names_ep, &m, &x, name_reply, d) == 0) {
		d->probing = true;
		probing++;
	}
}

static void
probe_all(void)
{
	for (unsigned i = 0; i < DEVFS_NDISKS; i++)
		probe(i);
}

void
disk_init(struct ipc_server *srv, handle_t names)
{
	dsrv = srv;
	names_ep = names;
	for (unsigned i = 0; i < DEVFS_NDISKS; i++)
		disks[i].ep = HANDLE_NONE;
	probe_all();
}

static long
wait_probes(struct ipc_req *req, struct dev_node *slot)
{
	struct waiter *w;

	probe_all();
	if (probing == 0 || nwaiters == NWAITERS)
		return 1;
	w = &waiters[nwaiters++];
	w->token = req->msg.token;
	w->label = req->msg.label;
	w->w[0] = req->msg.w[0];
	w->w[1] = req->msg.w[1];
	w->w[2] = req->msg.w[2];
	w->slot = slot;
	return IPC_SUSPEND;
}

long
disk_lookup(struct ipc_req *req, struct dev_node *slot)
{
	return wait_probes(req, slot);
}

long
disk_readdir(struct ipc_req *req)
{
	return wait_probes(req, NULL);
}

/* --- requests to a disk --- */

static void bio_next(struct bio *b);

/* Answers b's client, frees b and starts the next request of its disk. */
static void
bio_finish(struct bio *b, long st)
{
	struct disk *d = b->d;
	struct ipc_out out;

	memset(&out, 0, sizeof(out));
	if (b->grp != NULL) {
		if (st < 0 && b->grp->status == 0)
			b->grp->status = st;
		if (--b->grp->left == 0) {
			ipc_answer(b->grp->token, FS_SYNC, b->grp->status, NULL);
			free(b->grp);
		}
	} else if (st >= 0 && b->kind == BIO_READ) {
		out.data = b->buf + b->head;
		out.len = b->len;
		ipc_answer(b->token, b->label, (long)b->len, &out);
	} else if (st >= 0 && b->kind == BIO_WRITE) {
		out.w[1] = 0;			/* the node's st_size: 0, as Linux */
		ipc_answer(b->token, b->label, (long)b->len, &out);
	} else {
		ipc_answer(b->token, b->label, st < 0 ? st : 0, NULL);
	}
	d->head = b->next;
	if (d->head == NULL)
		d->tail = NULL;
	free(b->buf);
	free(b);
	nbios--;
	if (d->head != NULL)
		bio_next(d->head);
}

/* The block server's errors as a file's: its own checks are ours, done already. */
static long
block_status(const struct ipc_req *rep, size_t want_data)
{
	long st;

	if (rep->msg.label == LABEL_ERROR)
		return -EIO;
	st = (long)rep->msg.w[0];
	if (st == -EROFS)
		return -EPERM;
	if (st < 0)
		return st == -EAGAIN || st == -ENOMEM ? st : -EIO;
	if (want_data > 0 && (rep->len < want_data || (size_t)st != want_data))
		return -EIO;
	return st;
}

/* The sector of the span at byte pos, and the bytes of the next piece from there. */
static size_t
piece(const struct bio *b)
{
	size_t left = b->span - b->done;

	return left < BLOCK_IO_MAX ? left : BLOCK_IO_MAX;
}

static void
bio_reply(struct ipc_server *srv, void *ctx, struct ipc_req *rep)
{
	struct bio *b = ctx;
	long st;

	(void)srv;
	switch (b->kind) {
	case BIO_FLUSH:
		bio_finish(b, block_status(rep, 0));
		return;
	case BIO_READ:
		if ((st = block_status(rep, piece(b))) < 0) {
			bio_finish(b, st);
			return;
		}
		memcpy(b->buf + b->done, rep->data, (size_t)st);
		b->done += (size_t)st;
		break;
	case BIO_WRITE:
		if (b->rmw != 0) {		/* one end sector read */
			size_t at = (b->rmw & 1) ? 0 : b->span - BLOCK_SECTOR;

			if ((st = block_status(rep, BLOCK_SECTOR)) < 0) {
				bio_finish(b, st);
				return;
			}
			memcpy(b->buf + at, rep->data, BLOCK_SECTOR);
			b->rmw &= (b->rmw & 1) ? ~1u : ~2u;
			if (b->rmw == 0)	/* both ends in: the caller's bytes over them */
				memcpy(b->buf + b->head, b->buf + b->span, b->len);
			break;
		}
		if ((st = block_status(rep, 0)) < 0) {
			bio_finish(b, st);
			return;
		}
		b->done += piece(b);
		break;
	}
	bio_next(b);
}

static void
bio_send(struct bio *b, uint64_t label, uint64_t sector, size_t len, const void *data)
{
	struct ipc_msg m;
	struct ipc_ext x;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = label;
	m.w[0] = sector;
	m.w[1] = len;
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = data != NULL ? len : 0;
	if (ipc_server_send(dsrv, b->d->ep, &m, &x, bio_reply, b) != 0)
		bio_finish(b, -EIO);
}

/* The next step of b, the head of its disk's queue. */
static void
bio_next(struct bio *b)
{
	switch (b->kind) {
	case BIO_FLUSH:
		bio_send(b, BLOCK_FLUSH, 0, 0, NULL);
		return;
	case BIO_READ:
		if (b->done == b->span)
			bio_finish(b, 0);
		else
			bio_send(b, BLOCK_READ, b->first + b->done / BLOCK_SECTOR, piece(b), NULL);
		return;
	case BIO_WRITE:
		if (b->rmw & 1)
			bio_send(b, BLOCK_READ, b->first, BLOCK_SECTOR, NULL);
		else if (b->rmw & 2)
			bio_send(b, BLOCK_READ, b->first + b->span / BLOCK_SECTOR - 1, BLOCK_SECTOR,
			    NULL);
		else if (b->done == b->span)
			bio_finish(b, 0);
		else
			bio_send(b, BLOCK_WRITE, b->first + b->done / BLOCK_SECTOR, piece(b),
			    b->buf + b->done);
		return;
	}
}

static struct bio *
bio_new(struct disk *d, enum bio_kind kind, struct ipc_req *req)
{
	struct bio *b;

	if (nbios == BIO_MAX || (b = malloc(sizeof(*b))) == NULL)
		return NULL;
	memset(b, 0, sizeof(*b));
	b->d = d;
	b->kind = kind;
	b->token = req != NULL ? req->msg.token : HANDLE_NONE;
	b->label = req != NULL ? req->msg.label : 0;
	nbios++;
	return b;
}

static void
bio_free(struct bio *b)
{
	free(b->buf);
	free(b);
	nbios--;
}

/* Queues b on its disk, starting it if the disk is idle: IPC_SUSPEND. */
static long
bio_queue(struct bio *b)
{
	struct disk *d = b->d;

	b->next = NULL;
	if (d->tail != NULL) {
		d->tail->next = b;
		d->tail = b;
		return IPC_SUSPEND;
	}
	d->head = d->tail = b;
	bio_next(b);
	return IPC_SUSPEND;
}

/* The span of len bytes at off: b's first, head, len, span and buffer (extra more). */
static int
bio_span(struct bio *b, uint64_t off, size_t len, size_t extra)
{
	b->first = off / BLOCK_SECTOR;
	b->head = (size_t)(off % BLOCK_SECTOR);
	b->len = len;
	b->span = (b->head + len + BLOCK_SECTOR - 1) / BLOCK_SECTOR * BLOCK_SECTOR;
	return (b->buf = malloc(b->span + extra)) == NULL ? -ENOMEM : 0;
}

/* FS_READ: w1 = offset, w2 = bytes (vfs's checked: at most IPC_BUF_MAX). */
long
disk_read(struct ipc_req *req, struct dev_node *n)
{
	struct disk *d = disk_of(n);
	uint64_t off = req->msg.w[1], size = disk_bytes(d);
	size_t len = (size_t)req->msg.w[2];
	struct bio *b;

	if (len == 0 || off >= size)
		return 0;			/* at or past the end: nothing, as Linux */
	if (len > size - off)
		len = (size_t)(size - off);
	if ((b = bio_new(d, BIO_READ, req)) == NULL)
		return -EAGAIN;
	if (bio_span(b, off, len, 0) != 0) {
		bio_free(b);
		return -ENOMEM;
	}
	return bio_queue(b);
}

/*
 * FS_WRITE: w1 = offset, data. Linux's blkdev_write_iter: a read-only
 * disk -EPERM, at or past the end -ENOSPC (O_APPEND writes there), a
 * write that crosses the end is cut short.
 */
long
disk_write(struct ipc_req *req, struct dev_node *n)
{
	struct disk *d = disk_of(n);
	uint64_t off = req->msg.w[1], size = disk_bytes(d);
	size_t len = req->len;
	struct bio *b;

	if (d->flags & BLOCK_F_READONLY)
		return -EPERM;
	if (len == 0)
		return 0;
	if ((req->msg.w[2] & FS_WRITE_APPEND) || off >= size)
		return -ENOSPC;
	if (req->truncated)
		return -EINVAL;
	if (len > size - off)
		len = (size_t)(size - off);
	if ((b = bio_new(d, BIO_WRITE, req)) == NULL)
		return -EAGAIN;
	if (bio_span(b, off, len, len) != 0) {
		bio_free(b);
		return -ENOMEM;
	}
	memcpy(b->buf + b->span, req->data, len);
	if (b->head != 0)
		b->rmw |= 1;
	if ((b->head + len) % BLOCK_SECTOR != 0 && !(b->span == BLOCK_SECTOR && b->head != 0))
		b->rmw |= 2;
	if (b->rmw == 0)
		memcpy(b->buf, b->buf + b->span, len);
	return bio_queue(b);
}

/* FS_SYNC: a disk's flush; n NULL: every disk's, answered after the last. */
long
disk_sync(struct ipc_req *req, struct dev_node *n)
{
	struct flushgrp *g;
	struct bio *b;

	if (n != NULL) {
		if ((b = bio_new(disk_of(n), BIO_FLUSH, req)) == NULL)
			return -EAGAIN;
		return bio_queue(b);
	}
	if ((g = malloc(sizeof(*g))) == NULL)
		return -ENOMEM;
	g->token = req->msg.token;
	g->left = 1;			/* ours, until every flush is queued */
	g->status = 0;
	for (unsigned i = 0; i < DEVFS_NDISKS; i++) {
		if (disks[i].ep == HANDLE_NONE || devfs_disk(i)->absent)
			continue;
		if ((b = bio_new(&disks[i], BIO_FLUSH, NULL)) == NULL) {
			g->status = -EAGAIN;
			break;
		}
		b->grp = g;
		g->left++;
		bio_queue(b);
	}
	if (--g->left > 0)
		return IPC_SUSPEND;
	{
		long st = g->status;

		free(g);
		return st;
	}
}

/* Linux's set_init_blocksize: the logical block size doubled while it divides the size. */
static int32_t
soft_block_size(const struct disk *d)
{
	uint64_t bsize = d->lbs;

	while (bsize < PAGE_BYTES && (disk_bytes(d) & bsize) == 0)
		bsize <<= 1;
	return (int32_t)bsize;
}

/* FS_IOCTL: the block ioctls; the reply's data is what Linux copies out. */
long
disk_ioctl(struct ipc_req *req, struct dev_node *n)
{
	struct disk *d = disk_of(n);
	struct bio *b;

	req->out.data = &ioctl_out;
	switch ((uint32_t)req->msg.w[1]) {
	case FS_BLKGETSIZE64:
		ioctl_out.u64 = disk_bytes(d);
		req->out.len = 8;
		return 0;
	case FS_BLKGETSIZE:
		ioctl_out.u64 = d->nsectors;
		req->out.len = 8;
		return 0;
	case FS_BLKSSZGET:
	case FS_BLKPBSZGET:		/* PROTO_BLOCK knows one block size */
		ioctl_out.i32 = (int32_t)d->lbs;
		req->out.len = 4;
		return 0;
	case FS_BLKBSZGET:
		ioctl_out.i32 = soft_block_size(d);
		req->out.len = 4;
		return 0;
	case FS_BLKROGET:
		ioctl_out.i32 = (d->flags & BLOCK_F_READONLY) ? 1 : 0;
		req->out.len = 4;
		return 0;
	case FS_BLKFLSBUF:			/* no cache here: the disk's own is flushed */
		req->out.data = NULL;
		if ((b = bio_new(d, BIO_FLUSH, req)) == NULL)
			return -EAGAIN;
		return bio_queue(b);
	default:
		req->out.data = NULL;
		return -ENOTTY;
	}
}

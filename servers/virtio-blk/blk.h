/*
 * virtio-blk's host-testable core (docs/block.md):
 *   blk_core.c  PROTO_BLOCK requests on one disk: checked, turned into
 *               virtio-blk request chains in request slots, answered
 *               when the device puts them in the used ring; requests
 *               beyond the slots wait in a FIFO
 *   virtq.c     the split virtqueue
 * The rest is the machine's: mmio.c (the virtio-mmio transport: reset,
 * features, the queue, notify, interrupts) and main.c (finding disks,
 * their DMA memory and interrupts, names, the loop).
 *
 * One thread owns everything here: the server loop's.
 */
#ifndef BLK_H
#define BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lichen/ipc_server.h>
#include <lichen/proto/block.h>

#include "virtio.h"
#include "virtq.h"

#define BLK_SLOTS_MAX	16u	/* requests in the device at once, per disk */
#define BLK_DESCS	3u	/* per request: header, data, status */
#define BLK_QUEUE_SIZE	64u	/* a power of 2 (the rings' indices wrap at 2^16) */

_Static_assert(BLK_SLOTS_MAX * BLK_DESCS <= BLK_QUEUE_SIZE, "every slot has its descriptors");
_Static_assert((BLK_QUEUE_SIZE & (BLK_QUEUE_SIZE - 1)) == 0, "a power of 2");

/* One request in the device. Its descriptors are slot * BLK_DESCS + 0..2. */
struct blk_slot {
	handle_t token;			/* HANDLE_NONE while the slot is free */
	uint64_t label;			/* the request's, for the answer */
	uint32_t len;			/* data bytes */
	struct virtio_blk_hdr *hdr;	/* DMA: the header ... */
	volatile uint8_t *status;	/* ... and the status byte the device writes */
	uint64_t hdr_pa, status_pa;
	void *data;			/* DMA: BLOCK_IO_MAX bytes */
	uint64_t data_pa;
};

/* A request waiting for a slot (a write keeps its bytes). */
struct blk_wait {
	struct blk_wait *next;
	handle_t token;
	uint64_t label;
	uint64_t sector;
	uint32_t len;
	unsigned char data[];		/* len bytes for a write */
};

struct blk_stats {
	uint64_t reads, writes, flushes;	/* answered 0 or more */
	uint64_t refused;			/* answered before the device saw them */
	uint64_t errors;			/* the device said no: -EIO */
	uint64_t waited;			/* went through the FIFO */
	unsigned max_busy;			/* slots in use at once, at most */
};

struct blk_disk {
	char name[8];			/* "vda" */
	uint64_t sectors;		/* 512-byte sectors */
	uint32_t block_size;		/* the device's logical block size */
	uint32_t flags;			/* BLOCK_F_* */
	bool broken;			/* the device failed: everything is -EIO */
	struct virtq q;
	struct blk_slot slot[BLK_SLOTS_MAX];
	unsigned nslots, nbusy;
	struct blk_wait *wait_head, *wait_tail;
	unsigned nwaiting;
	/* The transport: tell the device the avail ring moved. */
	void (*notify)(struct blk_disk *d);
	void *transport;
	struct blk_stats stats;
};

/* Bytes of DMA memory a disk needs: the queue, headers, slot buffers. */
size_t blk_dma_bytes(void);

/*
 * Lays d's queue and slots out over dma (zeroed, blk_dma_bytes long, at
 * physical address pa). The caller fills in sectors, block_size, flags,
 * name, notify and transport, and gives the transport d->q.
 */
void blk_disk_init(struct blk_disk *d, void *dma, uint64_t pa);

/*
 * A PROTO_BLOCK request from the server loop: its status (INFO, or a
 * refusal), or IPC_SUSPEND when the answer waits for the device (the
 * disk keeps the token).
 */
long blk_request(struct blk_disk *d, struct ipc_req *req);

/*
 * The device has used buffers (its interrupt): answer every finished
 * request and start waiting ones in the slots they leave.
 */
void blk_complete(struct blk_disk *d);

/* The device is gone: answer everything in it and waiting with -EIO. */
void blk_fail_all(struct blk_disk *d);

#endif

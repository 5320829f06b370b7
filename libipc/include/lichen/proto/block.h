/*
 * PROTO_BLOCK: a block device (docs/block.md). A disk is a run of
 * BLOCK_SECTOR = 512-byte sectors, numbered from 0, whatever its own
 * logical block size; every transfer is whole sectors. Drivers register
 * each disk with init's name service as "blk/vda", "blk/vdb", ... (the
 * virtio-blk server, servers/virtio-blk).
 *
 * Every request is a send with a reply token (ipc_call, or ipc_send with
 * a reply endpoint: a driver keeps many in flight and answers each when
 * the device has finished it, in any order). The reply has the request's
 * label and w0 = status (>= 0, or a negative errno).
 *
 *   BLOCK_INFO   Reply: w0 = 0, w1 = the size in sectors, w2 = the
 *                device's logical block size in bytes (512, 4096...: a
 *                transfer that is not a multiple of it may cost a
 *                read-modify-write in the device), w3 = BLOCK_F_* flags.
 *   BLOCK_READ   w0 = the first sector, w1 = bytes. Reply: w0 = bytes
 *                read (all of them), data = the bytes.
 *   BLOCK_WRITE  w0 = the first sector, data = the bytes. Reply: w0 =
 *                bytes written (all of them).
 *   BLOCK_FLUSH  Reply: w0 = 0 once every write answered before the
 *                flush was sent is on the medium (writes still in flight
 *                are not covered).
 *
 * Errors, checked in this order, before the device sees anything:
 *   -EINVAL  a length (READ's w1, WRITE's data) that is 0, not a multiple
 *            of 512, or over BLOCK_IO_MAX (= IPC_BUF_MAX; a larger WRITE
 *            cannot even be sent: the kernel refuses it, -EMSGSIZE);
 *            a range that does not lie inside the disk (first sector
 *            + length beyond its end, overflow included); a request
 *            without a reply token (it is dropped).
 *   -EROFS   a WRITE to a read-only disk (BLOCK_F_READONLY). FLUSH on
 *            one succeeds: there is nothing to flush.
 *   -EAGAIN  the driver has too many requests waiting (BLOCK_QUEUE_MAX
 *            beyond those in the device): try again after some answers.
 *   -EIO     the device failed the request (or stopped working).
 *   -ENOSYS  an unknown operation (the server loop's answer).
 * A reply that reports an error carries no data.
 */
#ifndef LICHEN_PROTO_BLOCK_H
#define LICHEN_PROTO_BLOCK_H

#include <stdint.h>
#include <lichen/errno.h>
#include <lichen/ipc.h>
#include <lichen/proto/protocols.h>

#define BLOCK_SECTOR		512u
#define BLOCK_IO_MAX		IPC_BUF_MAX	/* bytes in one READ or WRITE */
#define BLOCK_QUEUE_MAX		256u	/* requests a driver keeps waiting */

/* BLOCK_INFO's w3 */
#define BLOCK_F_READONLY	0x1u	/* writes answer -EROFS */
#define BLOCK_F_FLUSH		0x2u	/* the device has a write cache FLUSH empties */

enum block_op {
	BLOCK_OP_INFO = 1,
	BLOCK_OP_READ = 2,
	BLOCK_OP_WRITE = 3,
	BLOCK_OP_FLUSH = 4,
};

#define BLOCK_INFO	IPC_LABEL(PROTO_BLOCK, BLOCK_OP_INFO)
#define BLOCK_READ	IPC_LABEL(PROTO_BLOCK, BLOCK_OP_READ)
#define BLOCK_WRITE	IPC_LABEL(PROTO_BLOCK, BLOCK_OP_WRITE)
#define BLOCK_FLUSH	IPC_LABEL(PROTO_BLOCK, BLOCK_OP_FLUSH)

/* The name prefix drivers register disks under ("blk/vda"). */
#define BLOCK_NAME_PREFIX	"blk/"

_Static_assert(BLOCK_IO_MAX % BLOCK_SECTOR == 0, "whole sectors fit one message");

/*
 * Whether a transfer of len bytes at sector first fits a disk of
 * nsectors: 0, or -EINVAL. Both sides may check.
 */
static inline long
block_range_check(uint64_t first, uint64_t len, uint64_t nsectors)
{
	uint64_t n = len / BLOCK_SECTOR;

	if (len == 0 || len % BLOCK_SECTOR != 0 || len > BLOCK_IO_MAX)
		return -EINVAL;
	if (first >= nsectors || n > nsectors - first)
		return -EINVAL;
	return 0;
}

#endif

/*
 * ramdisk's host-testable core (docs/block.md, "The ramdisk"):
 *   ramdisk_core.c  PROTO_BLOCK on a disk that is memory: every request
 *                   checked as proto/block.h orders it, then answered at
 *                   once from (or into) the bytes
 *   image.c         the disk's first contents: a file read over PROTO_FS
 *                   (init's fs/bootfs, the boot archive), storing only
 *                   the pages that are not all zeros
 * main.c is the machine's: arguments, the memory, the name, the loop.
 *
 * One thread owns everything here: the server loop's.
 */
#ifndef RAMDISK_H
#define RAMDISK_H

#include <stdint.h>
#include <lichen/ipc_server.h>
#include <lichen/proto/block.h>

#define RAMDISK_PAGE	4096u	/* image.c stores whole pages, or none */

struct ramdisk_stats {
	uint64_t reads, writes, flushes;	/* answered with success */
	uint64_t refused;			/* answered with an error */
};

struct ramdisk {
	unsigned char *bytes;		/* sectors * BLOCK_SECTOR of them */
	uint64_t sectors;
	uint32_t flags;			/* BLOCK_F_READONLY or 0: never a write cache */
	struct ramdisk_stats stats;
};

/*
 * A PROTO_BLOCK request from the server loop: its status, with a READ's
 * data pointing into d->bytes (the loop's reply copies it out). Never
 * IPC_SUSPEND: memory answers at once.
 */
long ramdisk_request(struct ramdisk *d, struct ipc_req *req);

/*
 * The file at path (components separated by '/', relative to the root;
 * no "." or "..") on the PROTO_FS server fs: its node (one reference,
 * given back by image_close) and size. 0, or the server's -errno;
 * -EINVAL for a bad path, -EISDIR/-ENODEV for what is not a regular file.
 */
long image_open(handle_t fs, const char *path, uint64_t *node, uint64_t *size);

/*
 * Reads size bytes of node into dst, which must hold zeros already
 * (demand-zero memory): a page (RAMDISK_PAGE, from dst) whose bytes are
 * all zero is not written, so it never gets a frame of its own.
 * *stored = the bytes written (those of the other pages). 0, the server's -errno, or
 * -EIO if the file ends early.
 */
long image_read(handle_t fs, uint64_t node, uint64_t size, unsigned char *dst,
    uint64_t *stored);

/* Gives the node's reference back. */
void image_close(handle_t fs, uint64_t node);

#endif

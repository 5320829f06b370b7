/*
 * The protocol numbers: the one list. A label is IPC_LABEL(PROTO_x, op)
 * (lichen/ipc.h); protocol 0 is the kernel's. Each protocol has its own
 * header next to this one with its operations and message layouts
 * (docs/libipc.md, "Adding a protocol").
 */
#ifndef LICHEN_PROTO_PROTOCOLS_H
#define LICHEN_PROTO_PROTOCOLS_H

/*	PROTO_KERNEL	0	   lichen/ipc.h: what the kernel posts */
#define PROTO_NAME	1u	/* proto/name.h: init's name service */
#define PROTO_TEST	2u	/* proto/test.h: echo and sum, for IPC tests */
#define PROTO_VFS	3u	/* proto/vfs.h: vfs, for linuxemu */
#define PROTO_FS	4u	/* proto/fs.h: every filesystem server, for vfs */
#define PROTO_BLOCK	5u	/* proto/block.h: block devices (virtio-blk) */
/*	6-15		   reserved for the servers to come (devices) */

#endif

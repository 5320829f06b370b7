/*
 * disk.h - the block devices of /dev (disk.c, docs/devtmpfs.md): the
 * disks of init's name service (blk/vda..vdh, blk/ram0..ram7) as the
 * tree's DK_BLK nodes, their reads and writes at any byte offset and
 * length as PROTO_BLOCK requests, flushes and the block ioctls. Every
 * request that needs a disk or the name service keeps its token
 * (IPC_SUSPEND) and is answered from a continuation: devtmpfs never
 * waits.
 */
#ifndef DISK_H
#define DISK_H

#include <stdint.h>
#include <lichen/ipc_server.h>

#include "devfs.h"

/* Looks every slot's name up (no waiting: the answers come to srv). */
void disk_init(struct ipc_server *srv, handle_t names);

/*
 * FS_LOOKUP of an absent slot, FS_READDIR from position 0 of the root:
 * every absent slot's name is looked up again and the request answered
 * when all are back (a disk registered since appears). IPC_SUSPEND, or
 * 1: nothing to look up, answer now.
 */
long disk_lookup(struct ipc_req *req, struct dev_node *slot);
long disk_readdir(struct ipc_req *req);

/* FS_READ, FS_WRITE, FS_IOCTL on a DK_BLK node; FS_SYNC (n NULL: every disk). */
long disk_read(struct ipc_req *req, struct dev_node *n);
long disk_write(struct ipc_req *req, struct dev_node *n);
long disk_ioctl(struct ipc_req *req, struct dev_node *n);
long disk_sync(struct ipc_req *req, struct dev_node *n);

#endif

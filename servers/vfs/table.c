/*
 * The PROTO_VFS handler table (lichen/proto/vfs.h): request label ->
 * handler (req.c says where each lives).
 */
#include "vfs.h"

#define VFS_ENTRY(label, fn) { label, fn },
const struct ipc_handler vfs_handlers[] = {
	VFS_REQUESTS(VFS_ENTRY)
};
const unsigned vfs_nhandlers = sizeof(vfs_handlers) / sizeof(vfs_handlers[0]);

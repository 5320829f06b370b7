/*
 * tmpfs.h - the tmpfs server's PROTO_FS handler table (handlers.c), for
 * main.c's loop and the protocol tests. The loop's context (srv->ctx)
 * is the struct tmpfs of tmpfs_core.h that the handlers serve.
 */
#ifndef LICHEN_TMPFS_H
#define LICHEN_TMPFS_H

#include <lichen/ipc_server.h>

#include "tmpfs_core.h"

#define TMPFS_NAME "fs/tmpfs" /* its name in init's name service */

extern const struct ipc_handler tmpfs_handlers[];
extern const unsigned tmpfs_nhandlers;

/*
 * FS_MOUNT with a source other than "" or "none": this fills the new
 * instance at root from it (fill.c: "copy:NAME"), 0 or -errno (the
 * mount then fails). NULL (the host tests): such a source is -ENODEV.
 */
extern int (*tmpfs_mount_source)(struct tmpfs *fs, uint64_t root, const char *src, size_t len);
void tmpfs_fill_init(handle_t name_ep);		/* fill.c: sets the hook */

#endif

/*
 * bootfs (bootfs.c): the boot archive as a read-only PROTO_FS
 * filesystem, served on init's endpoint as "fs/bootfs".
 */
#ifndef BOOTFS_H
#define BOOTFS_H

#include <stddef.h>
#include <lichen/ipc_server.h>

void bootfs_init(const void *archive, size_t len);

extern const struct ipc_handler bootfs_handlers[];
extern const unsigned bootfs_nhandlers;

#endif

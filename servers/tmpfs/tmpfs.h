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

#endif

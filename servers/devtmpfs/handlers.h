/*
 * handlers.h - devtmpfs's PROTO_FS handler table (handlers.c), with the
 * kernel's interrupt and timer messages for the console.
 */
#ifndef HANDLERS_H
#define HANDLERS_H

#include <lichen/ipc_server.h>

extern const struct ipc_handler devtmpfs_handlers[];
extern const unsigned devtmpfs_nhandlers;

#endif

/*
 * Client stubs for PROTO_NAME, init's name service (lichen/proto/name.h;
 * libipc/src/name_client.c). name_ep is the send handle every server gets
 * as its first start word. Each returns 0 or a negative errno: the
 * service's status, the kernel's (-EPIPE: the service is gone), or
 * -EINVAL / -ENAMETOOLONG for a name that cannot be sent, -EIO for an
 * answer that breaks the protocol.
 */
#ifndef LICHEN_NAME_CLIENT_H
#define LICHEN_NAME_CLIENT_H

#include <lichen/ipc.h>
#include <lichen/ipc_server.h>

/*
 * Registers name for ep. The service gets a new handle to ep with
 * NAME_EP_RIGHTS (and ep's badge); the caller keeps ep.
 */
long name_register(handle_t name_ep, const char *name, handle_t ep);

/* *out = a send handle to name's endpoint; -ENOENT if none. */
long name_lookup(handle_t name_ep, const char *name, handle_t *out);

/* As name_lookup, but blocks until name is registered. */
long name_wait(handle_t name_ep, const char *name, handle_t *out);

/*
 * NAME_WAIT from a server loop, without blocking it: fn(ctx) runs with
 * the reply; name_reply_take() gets the status and the handle out of it.
 */
long name_wait_async(struct ipc_server *srv, handle_t name_ep,
    const char *name, ipc_cont_fn fn, void *ctx);
long name_reply_take(struct ipc_req *rep, handle_t *out);

#endif

/*
 * A blocking call with its words and buffers spelled out, for clients
 * that wait for the answer (start-up, exec's reads, a mount being
 * filled): libipc/src/call.c.
 */
#ifndef LICHEN_IPC_CALL_H
#define LICHEN_IPC_CALL_H

#include <stddef.h>
#include <stdint.h>
#include <lichen/ipc.h>

/*
 * Calls ep with label, the nw words of w (the others 0) and len bytes of
 * data; the reply's words go to rw (IPC_WORDS of them; may be NULL), its
 * data to rbuf (rcap bytes), the bytes received to *rlen (may be NULL).
 * Returns the reply's w0 (its status), the call's own error, or -EPIPE
 * when the server is gone (LABEL_ERROR).
 */
long ipc_call_data(handle_t ep, uint64_t label, const uint64_t *w, unsigned nw,
    const void *data, size_t len, void *rbuf, size_t rcap, uint64_t *rw, size_t *rlen);

#endif

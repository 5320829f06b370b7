/*
 * What the host transport (libipc/host/transport.c) adds to the native
 * calls of lichen/native.h: posting the kernel's own messages, and
 * counters for leak checks. Host builds only (unit tests).
 *
 * The transport is one process's worth of the kernel's IPC, call for
 * call as kernel/endpoint.c does it: one handle table shared by every
 * thread, endpoints with bounded queues, one-shot reply tokens, handles
 * moved with messages, badges. docs/libipc.md lists where it differs.
 */
#ifndef LICHEN_IPC_HOST_H
#define LICHEN_IPC_HOST_H

#include <lichen/native.h>

/*
 * The handle table's size, as a process's in the kernel. Handle values
 * are libkernel's (<lichen/handle.h>): a generation and a slot.
 */
#define IPC_HOST_HANDLES	4096u

/*
 * Posts m to ep as the kernel would post LABEL_NOTIFY/IRQ/TIMER/EXIT:
 * label, words and badge as given, no token, outside the queue's depth.
 * ep needs no rights. 0, -EBADF, or -EPIPE if ep has no receiver.
 */
long ipc_host_post(handle_t ep, const struct ipc_msg *m);

/* Handles in the table, and objects alive (endpoints, reply tokens). */
unsigned ipc_host_live_handles(void);
unsigned ipc_host_live_objects(void);

#endif

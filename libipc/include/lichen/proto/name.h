/*
 * PROTO_NAME: init's name service. Every server is started with a send
 * handle to it (its first start word); servers register their endpoints
 * under names and find each other's (docs/init.md).
 *
 * A name is 1..NAME_LEN_MAX bytes of printable ASCII other than space,
 * sent as the whole out-of-line buffer (no NUL). Every request is a call
 * (it carries a reply token); every reply has the request's label and
 * w0 = status.
 *
 *   NAME_REGISTER  data: the name; handles[0]: an endpoint handle with
 *                  RIGHT_SEND|RIGHT_TRANSFER (and nothing more: it is
 *                  handed out to every client that looks the name up).
 *                  reply: 0, -EEXIST (taken), -EINVAL (bad name or no
 *                  endpoint), -ENOSPC (table full).
 *   NAME_LOOKUP    data: the name.
 *                  reply: 0 and handles[0]: a send handle to the
 *                  endpoint (RIGHT_SEND|RIGHT_TRANSFER), or -ENOENT.
 *   NAME_WAIT      as NAME_LOOKUP, but if the name is not registered yet
 *                  the reply waits until it is (a deferred reply);
 *                  -ENOSPC when too many are waiting already.
 */
#ifndef LICHEN_PROTO_NAME_H
#define LICHEN_PROTO_NAME_H

#include <stddef.h>
#include <lichen/ipc.h>
#include <lichen/proto/protocols.h>

#define NAME_LEN_MAX	63u

enum name_op {
	NAME_OP_REGISTER = 1,
	NAME_OP_LOOKUP = 2,
	NAME_OP_WAIT = 3,
};

#define NAME_REGISTER	IPC_LABEL(PROTO_NAME, NAME_OP_REGISTER)
#define NAME_LOOKUP	IPC_LABEL(PROTO_NAME, NAME_OP_LOOKUP)
#define NAME_WAIT	IPC_LABEL(PROTO_NAME, NAME_OP_WAIT)

/* The rights a registered endpoint handle carries, and each lookup's. */
#define NAME_EP_RIGHTS	(RIGHT_SEND | RIGHT_TRANSFER)

_Static_assert(NAME_LEN_MAX <= IPC_BUF_MAX, "a name fits one message");

/* Whether s[0..n) is a valid name (both sides check). */
static inline int
name_is_valid(const char *s, size_t n)
{
	if (n == 0 || n > NAME_LEN_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return 0;
	return 1;
}

#endif

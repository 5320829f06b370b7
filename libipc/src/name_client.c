/*
 * PROTO_NAME client stubs (lichen/name_client.h): the requests of
 * lichen/proto/name.h as calls, and NAME_WAIT as a continuation for
 * servers.
 */
#include <lichen/errno.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/proto/name.h>
#include <lichen/string.h>

static long
name_check(const char *name, size_t *len)
{
	size_t n = strnlen(name, NAME_LEN_MAX + 1);

	if (n > NAME_LEN_MAX)
		return -ENAMETOOLONG;
	if (!name_is_valid(name, n))
		return -EINVAL;
	*len = n;
	return 0;
}

/* Whether h still names the object with this koid (we still hold it). */
static int
still_holds(handle_t h, uint64_t koid)
{
	struct handle_info hi;

	return handle_info(h, &hi) == 0 && hi.koid == koid;
}

/*
 * One request of the name protocol as a call: name as the data, send
 * (if not HANDLE_NONE) moved with it. The status, with *out = the
 * handle the reply carried when out is not NULL and the status is 0.
 */
static long
name_call(handle_t name_ep, uint64_t label, const char *name, handle_t send,
    handle_t *out)
{
	struct handle_info hi = { 0 };
	struct ipc_msg m;
	struct ipc_ext x;
	size_t len;
	long r;

	if ((r = name_check(name, &len)) != 0)
		return r;
	if (send != HANDLE_NONE && (r = handle_info(send, &hi)) != 0)
		return r;
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = label;
	x.sbuf = (uint64_t)(uintptr_t)name;
	x.slen = len;
	if (send != HANDLE_NONE) {
		x.shandles[0] = send;
		x.nshandles = 1;
	}
	r = ipc_call(name_ep, &m, &x);
	if (r < 0) {
		/* A refused send moved nothing; a lost reply did. */
		if (send != HANDLE_NONE && still_holds(send, hi.koid))
			handle_close(send);
		return r;
	}
	r = m.label == label ? (long)m.w[0] : -EIO;
	if (r == 0 && out != NULL) {
		if (x.nrhandles == 0)
			r = -EIO;
		else
			*out = x.rhandles[0];
	}
	for (unsigned i = 0; i < x.nrhandles && i < IPC_HANDLES; i++)
		if (r != 0 || out == NULL || i > 0)
			handle_close(x.rhandles[i]);
	return r;
}

long
name_register(handle_t name_ep, const char *name, handle_t ep)
{
	size_t len;
	long r, dup;

	if ((r = name_check(name, &len)) != 0)
		return r;
	dup = handle_dup(ep, NAME_EP_RIGHTS, 0);
	if (dup < 0)
		return dup;
	return name_call(name_ep, NAME_REGISTER, name, (handle_t)dup, NULL);
}

long
name_lookup(handle_t name_ep, const char *name, handle_t *out)
{
	return name_call(name_ep, NAME_LOOKUP, name, HANDLE_NONE, out);
}

long
name_wait(handle_t name_ep, const char *name, handle_t *out)
{
	return name_call(name_ep, NAME_WAIT, name, HANDLE_NONE, out);
}

long
name_wait_async(struct ipc_server *srv, handle_t name_ep, const char *name,
    ipc_cont_fn fn, void *ctx)
{
	struct ipc_msg m;
	struct ipc_ext x;
	size_t len;
	long r;

	if ((r = name_check(name, &len)) != 0)
		return r;
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = NAME_WAIT;
	x.sbuf = (uint64_t)(uintptr_t)name;
	x.slen = len;
	return ipc_server_send(srv, name_ep, &m, &x, fn, ctx);
}

long
name_reply_take(struct ipc_req *rep, handle_t *out)
{
	long r;

	if (rep->msg.label == LABEL_ERROR)
		return (long)rep->msg.w[0];
	if (rep->msg.label != NAME_WAIT && rep->msg.label != NAME_LOOKUP)
		return -EIO;
	r = (long)rep->msg.w[0];
	if (r == 0 && (rep->nhandles == 0 || rep->handles[0] == HANDLE_NONE))
		r = -EIO;
	if (r == 0) {
		*out = rep->handles[0];
		rep->handles[0] = HANDLE_NONE;
	}
	return r;
}

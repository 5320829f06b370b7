/*
 * The name service (PROTO_NAME, lichen/proto/name.h): a fixed table of
 * names, each holding a send handle to a server's endpoint, and a fixed
 * table of NAME_WAIT requests whose replies wait for their name. Each
 * lookup hands out a new handle (a dup), so clients can never take the
 * table's own. Called by init's handlers (init_core.c) with one received
 * request each; nothing blocks.
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "init_core.h"

void
names_init(struct names *ns)
{
	memset(ns, 0, sizeof(*ns));
}

/* The request's name, NUL-terminated in out: 0 or -EINVAL. */
static long
req_name(const struct ipc_req *req, char out[NAME_LEN_MAX + 1])
{
	if (!name_is_valid(req->data, req->len))
		return -EINVAL;
	memcpy(out, req->data, req->len);
	out[req->len] = '\0';
	return 0;
}

static struct name_entry *
find(struct names *ns, const char *name)
{
	for (unsigned i = 0; i < NAMES_MAX; i++)
		if (ns->e[i].name[0] != '\0' && strcmp(ns->e[i].name, name) == 0)
			return &ns->e[i];
	return NULL;
}

/* A new handle to e's endpoint into out's handles: 0 or -errno. */
static long
hand_out(const struct name_entry *e, struct ipc_out *out)
{
	long h = handle_dup(e->ep, NAME_EP_RIGHTS, 0);

	if (h < 0)
		return h;
	out->handles[0] = (handle_t)h;
	out->nhandles = 1;
	return 0;
}

/*
 * The endpoint handle a NAME_REGISTER carries, with exactly
 * NAME_EP_RIGHTS: taken out of req, or HANDLE_NONE (-EINVAL in *err).
 */
static handle_t
take_endpoint(struct ipc_req *req, long *err)
{
	struct handle_info hi;
	handle_t h;
	long d;

	*err = -EINVAL;
	if (req->nhandles == 0 || handle_info(req->handles[0], &hi) != 0 ||
	    hi.type != OBJ_ENDPOINT ||
	    (hi.rights & NAME_EP_RIGHTS) != NAME_EP_RIGHTS)
		return HANDLE_NONE;
	h = req->handles[0];
	if (hi.rights != NAME_EP_RIGHTS) {
		/* More than it should: keep only what is handed out. */
		d = handle_dup(h, NAME_EP_RIGHTS, 0);
		if (d < 0) {
			*err = d;
			return HANDLE_NONE;
		}
		h = (handle_t)d;	/* the loop closes the original */
	} else {
		req->handles[0] = HANDLE_NONE;
	}
	*err = 0;
	return h;
}

/* Answers every NAME_WAIT for e's name. */
static void
wake_waiters(struct names *ns, const struct name_entry *e)
{
	for (unsigned i = 0; i < NAME_WAITERS_MAX; i++) {
		struct name_waiter *w = &ns->w[i];
		struct ipc_out out;
		long r;

		if (w->name[0] == '\0' || strcmp(w->name, e->name) != 0)
			continue;
		memset(&out, 0, sizeof(out));
		r = hand_out(e, &out);
		if (ipc_answer(w->token, NAME_WAIT, r, r == 0 ? &out : NULL) != 0 &&
		    out.nhandles > 0)
			handle_close(out.handles[0]);
		w->name[0] = '\0';
		ns->nwaiting--;
	}
}

long
names_do_register(struct names *ns, struct ipc_req *req)
{
	char name[NAME_LEN_MAX + 1];
	struct name_entry *e = NULL;
	handle_t ep;
	long err;

	if ((err = req_name(req, name)) != 0)
		return err;
	if (find(ns, name) != NULL)
		return -EEXIST;
	for (unsigned i = 0; i < NAMES_MAX && e == NULL; i++)
		if (ns->e[i].name[0] == '\0')
			e = &ns->e[i];
	if (e == NULL)
		return -ENOSPC;
	if ((ep = take_endpoint(req, &err)) == HANDLE_NONE)
		return err;
	memcpy(e->name, name, sizeof(name));
	e->ep = ep;
	e->owner = req->msg.badge;
	ns->n++;
	wake_waiters(ns, e);
	return 0;
}

long
names_do_lookup(struct names *ns, struct ipc_req *req)
{
	char name[NAME_LEN_MAX + 1];
	struct name_entry *e;
	long err;

	if ((err = req_name(req, name)) != 0)
		return err;
	if ((e = find(ns, name)) == NULL)
		return -ENOENT;
	return hand_out(e, &req->out);
}

long
names_do_wait(struct names *ns, struct ipc_req *req)
{
	char name[NAME_LEN_MAX + 1];
	struct name_entry *e;
	long err;

	if ((err = req_name(req, name)) != 0)
		return err;
	if ((e = find(ns, name)) != NULL)
		return hand_out(e, &req->out);
	if (req->msg.token == HANDLE_NONE)
		return -EINVAL;		/* nobody to answer later */
	for (unsigned i = 0; i < NAME_WAITERS_MAX; i++) {
		struct name_waiter *w = &ns->w[i];

		if (w->name[0] == '\0') {
			memcpy(w->name, name, sizeof(name));
			w->token = req->msg.token;
			ns->nwaiting++;
			return IPC_SUSPEND;
		}
	}
	return -ENOSPC;
}

unsigned
names_drop_owner(struct names *ns, uint64_t owner)
{
	unsigned n = 0;

	for (unsigned i = 0; i < NAMES_MAX; i++) {
		struct name_entry *e = &ns->e[i];

		if (e->name[0] != '\0' && e->owner == owner) {
			handle_close(e->ep);
			e->name[0] = '\0';
			e->ep = HANDLE_NONE;
			ns->n--;
			n++;
		}
	}
	return n;
}

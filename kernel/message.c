/*
 * Messages inside the kernel (kmsg.h): their out-of-line buffers, what
 * they own, and the two copies every message gets at most — from the
 * sender's registers and memory into a struct kmsg, and from there into
 * the receiver, in the receiver's own context. Used by endpoint.c.
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#include <arch/memlayout.h>
#include <arch/trap.h>
#include <endpoint.h>
#include <kernel.h>
#include <pmm.h>
#include <process.h>
#include <thread.h>
#include <uaccess.h>

/* --- out-of-line buffers: the heap up to 2 KiB, whole pages above --- */

static unsigned
buf_order(size_t len)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) < len)
		order++;
	return order;
}

static void *
ipc_buf_alloc(size_t len)
{
	uint64_t pa;

	if (len <= 2048)
		return kmem_alloc(len);
	pa = page_alloc(buf_order(len), PAGE_USE_KERNEL);
	return pa != 0 ? hal_phys_to_virt(pa) : NULL;
}

static void
ipc_buf_free(void *buf, size_t len)
{
	if (buf == NULL)
		return;
	if (len <= 2048)
		kmem_free(buf);
	else
		page_free((uint64_t)buf - PAGE_OFFSET, buf_order(len), PAGE_USE_KERNEL);
}

/* --- messages --- */

void
kmsg_release(struct kmsg *m)
{
	ipc_buf_free(m->buf, m->len);
	m->buf = NULL;
	for (uint32_t i = 0; i < m->nh; i++) {
		kobj_rights_hold(m->h[i].obj, m->h[i].rights, -1);
		kobj_put(m->h[i].obj);
	}
	m->nh = 0;
	if (m->reply != NULL) {
		kobj_put(&m->reply->obj);	/* unanswered: the caller hears -EPIPE */
		m->reply = NULL;
	}
}

void
kmsg_clear(struct kmsg *m)
{
	list_init(&m->link);
	m->badge = 0;
	m->reply = NULL;
	m->buf = NULL;
	m->len = 0;
	m->nh = 0;
	m->source = NULL;
	m->status = 0;
	m->counted = false;
}

/* A queued sender's message, on the heap. */
struct kmsg *
kmsg_dup(const struct kmsg *m)
{
	struct kmsg *q = kmem_alloc(sizeof(*q));

	if (q != NULL)
		kmsg_copy(q, m);
	return q;
}

/* Copy m's contents into dst (a thread's slot); heap messages are freed. */
void
kmsg_take(struct kmsg *m, struct kmsg *dst)
{
	if (m->source != NULL) {
		event_take(m, dst);
		return;
	}
	kmsg_copy(dst, m);
	kmem_free(m);
}

/* --- between user registers and messages --- */

int
read_ext(uint64_t xp, struct ipc_ext *x)
{
	if (xp == 0) {		/* only what the sending side reads */
		x->sbuf = x->slen = 0;
		x->nshandles = 0;
		x->reply_ep = HANDLE_NONE;
		x->cookie = 0;
		return 0;
	}
	return copy_from_user(x, uva(xp), sizeof(*x));
}

/*
 * The sender's message from its registers and ext: copy the data, take
 * references to the handles (still in the sender's table; moved on
 * success by msg_commit).
 */
int
msg_from_user(struct process *p, const struct trap_frame *tf,
    const struct ipc_ext *x, struct kmsg *m)
{
	int err;

	kmsg_clear(m);
	m->label = tf->x[1];
	for (int i = 0; i < 6; i++)
		m->w[i] = tf->x[2 + i];
	m->w[6] = tf->x[9];
	m->w[7] = tf->x[10];
	if (x->slen > IPC_BUF_MAX)
		return -EMSGSIZE;
	if (x->nshandles > IPC_HANDLES)
		return -EINVAL;
	if (x->slen > 0) {
		m->buf = ipc_buf_alloc(x->slen);
		if (m->buf == NULL)
			return -ENOMEM;
		m->len = (uint32_t)x->slen;
		if (copy_from_user(m->buf, uva(x->sbuf), x->slen) != 0) {
			err = -EFAULT;
			goto fail;
		}
	}
	for (uint32_t i = 0; i < x->nshandles; i++) {
		struct kmsg_handle *h = &m->h[i];

		for (uint32_t j = 0; j < i; j++)
			if (x->shandles[j] == x->shandles[i]) {
				err = -EINVAL;
				goto fail;
			}
		err = process_handle_get(p, x->shandles[i], OBJ_NONE, RIGHT_TRANSFER,
		    &h->obj, &h->rights, &h->badge);
		if (err != 0)
			goto fail;
		kobj_rights_hold(h->obj, h->rights, +1);
		m->nh++;
	}
	return 0;
fail:
	kmsg_release(m);
	return err;
}

/*
 * A receive right may not travel on its own endpoint: queued there, it
 * would keep the endpoint alive with nobody left to receive.
 */
int
check_own_recv(const struct kmsg *m, const struct endpoint *ep)
{
	for (uint32_t i = 0; i < m->nh; i++)
		if (m->h[i].obj == &ep->obj && (m->h[i].rights & RIGHT_RECV))
			return -EINVAL;
	return 0;
}

/* The send succeeded: the handles it carries leave the sender's table. */
void
msg_commit(struct process *p, const struct ipc_ext *x)
{
	for (uint32_t i = 0; i < x->nshandles; i++)
		process_handle_close(p, x->shandles[i]);
}

/*
 * Hand m (in the caller's slot) to the calling thread: registers, data,
 * handles, token. The message is consumed whatever happens.
 */
long
msg_to_user(struct process *p, struct trap_frame *tf, uint64_t xp,
    struct kmsg *m)
{
	struct ipc_ext x;
	long err = 0, token = 0;

	tf->x[1] = m->label;
	for (int i = 0; i < 6; i++)
		tf->x[2 + i] = m->w[i];
	tf->x[9] = m->w[6];
	tf->x[10] = m->w[7];
	tf->x[11] = m->badge;
	x.nrhandles = 0;
	if (xp != 0 && (err = read_ext(xp, &x)) == 0) {
		uint64_t n = m->len < x.rcap ? m->len : x.rcap;

		x.rlen = m->len;
		x.nrhandles = 0;
		if (n > 0 && copy_to_user(uva(x.rbuf), m->buf, n) != 0)
			err = -EFAULT;
		for (uint32_t i = 0; err == 0 && i < m->nh; i++) {
			long h = process_handle_add(p, m->h[i].obj, m->h[i].rights,
			    m->h[i].badge);

			if (h > 0)
				x.rhandles[x.nrhandles++] = (handle_t)h;
		}
		if (err == 0 && copy_to_user(uva(xp + offsetof(struct ipc_ext, rlen)),
		    &x.rlen, sizeof(x) - offsetof(struct ipc_ext, rlen)) != 0)
			err = -EFAULT;
	}
	/* Tokens can only move, never be copied: one-shot for real. */
	if (err == 0 && m->reply != NULL &&
	    (token = process_handle_add(p, &m->reply->obj, RIGHT_TRANSFER, 0)) < 0)
		err = token, token = 0;
	if (err != 0)		/* what the program cannot know of, it does not keep */
		for (uint32_t i = 0; i < x.nrhandles; i++)
			process_handle_close(p, x.rhandles[i]);
	tf->x[12] = (uint64_t)token;
	kmsg_release(m);	/* an uninstalled token answers -EPIPE */
	return err;
}


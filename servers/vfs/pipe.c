/*
 * Pipes and FIFOs, with Linux's semantics (pipe(7), fifo(7)).
 *
 * A pipe is a 64 KiB ring (pipe_ring.c) and the requests waiting on it:
 * reads of an empty pipe, writes that found no free slot, and a FIFO's
 * opens waiting for the other end. Each keeps its client's reply token
 * and is answered when the pipe moves (progress), or when its client
 * cancels it (VFS_CANCEL: a signal) or closes its file. An anonymous
 * pipe's node belongs to no filesystem (vfs_pipefs: its attributes are
 * vfs's own); a FIFO's pipe hangs on its vnode while some end is open.
 *
 * Whenever what a reader or a writer would poll changes, the client
 * hears it (VFS_READY) before the replies of the request that changed
 * it, so linuxemu's ppoll and select need not ask.
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "pipe_ring.h"
#include "vfs.h"

struct vmount vfs_pipefs = { .ep = HANDLE_NONE, .dev = VFS_PIPE_DEV, .fstype = "pipefs" };
handle_t vfs_ready_ep = HANDLE_NONE;

/* A request waiting on a pipe. */
struct pwait {
	struct pwait *next;
	handle_t token;
	uint64_t label, tag;		/* tag: the client's w6, for VFS_CANCEL */
	struct vfile *file;
	size_t want;			/* a read: bytes asked */
	uint8_t *data;			/* a write: its bytes (heap), len of them, done in */
	size_t len, done;
	struct vop *open;		/* a FIFO open: its request, answered with file */
	uint32_t partner;		/* ... when the other end's open count moves past this */
};

struct vpipe {
	struct pipe_ring ring;
	struct vnode *vn;		/* held by the files */
	uint64_t id;			/* VFS_READY's name; an anonymous pipe's st_ino */
	int readers, writers;		/* open ends */
	uint32_t ropens, wopens;	/* opens of each end ever (a FIFO open waits on them) */
	struct pwait *reads, *writes, *opens;
	uint64_t sent;			/* the events last sent with VFS_READY */
	struct vpipe *next, *prev;	/* every pipe (VFS_CANCEL looks through them) */
};

static struct vpipe *pipes;
static uint64_t next_id = 1000;
static uint8_t rbuf[IPC_BUF_MAX];

/* --- a pipe's life --- */

static struct vpipe *
vpipe_new(struct vnode *vn)
{
	struct vpipe *p = malloc(sizeof(*p));

	if (p == NULL)
		return NULL;
	memset(p, 0, sizeof(*p));
	pipe_ring_init(&p->ring);
	p->vn = vn;
	p->id = next_id++;
	p->sent = UINT64_MAX;
	p->next = pipes;
	if (pipes != NULL)
		pipes->prev = p;
	pipes = p;
	vn->pipe = p;
	return p;
}

static void
vpipe_free(struct vpipe *p)
{
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		pipes = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	p->vn->pipe = NULL;		/* a FIFO's data goes with its last end */
	free(p);
}

static bool
reads_end(const struct vfile *f)
{
	return (f->flags & VFS_O_ACCMODE) != VFS_O_WRONLY;
}

static bool
writes_end(const struct vfile *f)
{
	return (f->flags & VFS_O_ACCMODE) != VFS_O_RDONLY;
}

/* What a reader and a writer poll now. */
static uint64_t
reader_events(const struct vpipe *p)
{
	return (pipe_ring_empty(&p->ring) ? 0 : POLLIN | POLLRDNORM) |
	    (p->writers == 0 ? POLLHUP : 0);
}

static uint64_t
writer_events(const struct vpipe *p)
{
	return (pipe_ring_full(&p->ring) ? 0 : POLLOUT | POLLWRNORM) |
	    (p->readers == 0 ? POLLERR : 0);
}

/* VFS_READY, if the events changed since the client last heard. */
static void
tell_ready(struct vpipe *p)
{
	uint64_t now = reader_events(p) | writer_events(p) << 16;
	struct ipc_msg m;

	if (now == p->sent || vfs_ready_ep == HANDLE_NONE)
		return;
	memset(&m, 0, sizeof(m));
	m.label = VFS_READY;
	m.w[0] = p->id;
	m.w[1] = reader_events(p);
	m.w[2] = writer_events(p);
	/* Not heard (its queue is full): told again with the next change. */
	p->sent = ipc_send(vfs_ready_ep, &m, NULL) == 0 ? now : UINT64_MAX;
}

/* The words a VFS_OPEN or VFS_PIPE reply carries about a pipe. */
static void
pipe_words(const struct vpipe *p, struct ipc_out *out)
{
	out->w[3] = p->id;
	out->w[4] = reader_events(p);
	out->w[5] = writer_events(p);
}

/* --- answering what waits --- */

static void
unlink_wait(struct pwait **list, struct pwait *w)
{
	for (struct pwait **pp = list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			return;
		}
}

/* Answers a waiting read or write (status, and a read's data) and frees it. */
static void
answer_io(struct pwait *w, long status, const void *data, size_t len, uint64_t flags)
{
	struct ipc_out out;

	memset(&out, 0, sizeof(out));
	out.data = data;
	out.len = len;
	out.w[1] = flags;
	ipc_answer(w->token, w->label, status, &out);
	free(w->data);
	free(w);
}

static long
copy_out(void *ctx, uint64_t off, void *buf, size_t n)
{
	memcpy((uint8_t *)ctx + off, buf, n);
	return (long)n;
}

static long
copy_in(void *ctx, uint64_t off, void *buf, size_t n)
{
	memcpy(buf, (const uint8_t *)ctx + off, n);
	return (long)n;
}

/*
 * The pipe moved (bytes in or out, an end opened or closed): every
 * waiting request that can finish now does, the first in line first.
 * The client hears the new events before the answers.
 */
static void
progress(struct vpipe *p)
{
	struct pwait *done = NULL, **tail = &done;
	bool moved = true;

	while (moved) {
		moved = false;
		while (p->reads != NULL && (!pipe_ring_empty(&p->ring) || p->writers == 0)) {
			struct pwait *w = p->reads;

			p->reads = w->next;
			w->next = NULL;
			if (!pipe_ring_empty(&p->ring)) {
				/* Its bytes wait in a buffer of their own until the answer. */
				long n;

				if ((w->data = malloc(w->want)) == NULL) {
					w->len = (size_t)-ENOMEM;
				} else {
					n = pipe_ring_read(&p->ring, w->want, copy_out, w->data);
					w->len = (size_t)n;
					moved = true;
				}
			} else {
				w->len = 0;		/* end of file */
			}
			*tail = w;
			tail = &w->next;
		}
		while (p->writes != NULL) {
			struct pwait *w = p->writes;
			size_t before = w->done;

			if (p->readers > 0 && pipe_ring_write(&p->ring, w->len, &w->done,
			    copy_in, w->data) == PIPE_FULL) {
				if (w->done != before)
					moved = true;	/* readers may wait for it */
				break;			/* the rest when a reader makes room */
			}
			moved = true;
			p->writes = w->next;
			w->next = NULL;
			*tail = w;
			tail = &w->next;
		}
	}
	tell_ready(p);
	while (done != NULL) {
		struct pwait *w = done;

		done = w->next;
		if (w->label == VFS_READ) {
			long n = (long)w->len;

			answer_io(w, n, n > 0 ? w->data : NULL, n > 0 ? (size_t)n : 0, 0);
		} else if (w->done == w->len) {
			answer_io(w, (long)w->done, NULL, 0, 0);
		} else {			/* the readers went: SIGPIPE */
			answer_io(w, w->done > 0 ? (long)w->done : -EPIPE, NULL, 0, VFS_EPIPE);
		}
	}
}

/* A FIFO open answered with its file, or an error (the file then goes). */
static void
answer_open(struct vop *op, struct vfile *f, long err)
{
	struct ipc_out out;

	if (err != 0) {
		vfile_free(f);
		vop_answer(op, err, NULL);
		return;
	}
	memset(&out, 0, sizeof(out));
	out.w[1] = vfile_id(f);
	out.w[2] = f->vn->mnt->dev;
	pipe_words(f->pipe, &out);
	out.data = &f->vn->attr;
	out.len = sizeof(f->vn->attr);
	vop_answer(op, 0, &out);
}

/* FIFO opens whose other end has opened since they began waiting. */
static void
wake_opens(struct vpipe *p)
{
	struct pwait **pp = &p->opens;

	while (*pp != NULL) {
		struct pwait *w = *pp;
		uint32_t now = reads_end(w->file) ? p->wopens : p->ropens;

		if (now == w->partner) {
			pp = &w->next;
			continue;
		}
		*pp = w->next;
		answer_open(w->open, w->file, 0);
		free(w);
	}
}

/* --- the requests --- */

static struct pwait *
wait_new(struct ipc_req *req, struct vfile *f)
{
	struct pwait *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->token = req->msg.token;
	w->label = req->msg.label;
	w->tag = req->msg.w[6];
	w->file = f;
	return w;
}

static void
append(struct pwait **list, struct pwait *w)
{
	while (*list != NULL)
		list = &(*list)->next;
	*list = w;
}

/* pipe2: two files on a new anonymous pipe. */
long
do_pipe(struct ipc_server *srv, struct ipc_req *req)
{
	uint64_t flags = req->msg.w[1];
	uint64_t cred = req->msg.w[3];
	struct fs_attr attr;
	struct vnode *vn;
	struct vfile *r, *w;
	struct vpipe *p;
	long now = sys_info(SYSINFO_REALTIME, 0);

	(void)srv;
	if (flags & ~(uint64_t)(VFS_O_NONBLOCK | VFS_O_DIRECT))
		return -EINVAL;
	memset(&attr, 0, sizeof(attr));
	attr.ino = next_id;
	attr.mode = FS_IFIFO | 0600;
	attr.nlink = 1;
	attr.uid = VFS_CRED_UID(cred);
	attr.gid = VFS_CRED_GID(cred);
	attr.blksize = PIPE_RING_PAGE;
	if (now > 0) {
		attr.atime.sec = now / 1000000000L;
		attr.atime.nsec = now % 1000000000L;
		attr.mtime = attr.ctime = attr.atime;
	}
	if ((vn = vn_new_anon(&vfs_pipefs, attr.ino, &attr)) == NULL)
		return -ENFILE;
	if ((p = vpipe_new(vn)) == NULL) {
		vn_get(vn);
		vn_put(vn);
		return -ENFILE;
	}
	r = vfile_alloc(vn, VFS_O_RDONLY | (uint32_t)flags);
	w = r == NULL ? NULL : vfile_alloc(vn, VFS_O_WRONLY | (uint32_t)flags);
	if (w == NULL) {
		if (r != NULL)
			vfile_free(r);
		else
			vn_get(vn), vn_put(vn);
		vpipe_free(p);
		return -ENFILE;
	}
	r->pipe = w->pipe = p;
	p->readers = p->writers = 1;
	p->ropens = p->wopens = 1;
	p->sent = reader_events(p) | writer_events(p) << 16;	/* the reply says it */
	req->out.w[1] = vfile_id(r);
	req->out.w[2] = vfile_id(w);
	pipe_words(p, &req->out);
	return 0;
}

/*
 * A FIFO's open (open.c has made f): f joins its pipe, and the open waits
 * for the other end where Linux's does. False if it was answered with an
 * error.
 */
bool
pipe_fifo_open(struct vop *op, struct vfile *f)
{
	struct vnode *vn = f->vn;
	struct vpipe *p = vn->pipe;
	bool nonblock = (f->flags & VFS_O_NONBLOCK) != 0;
	struct pwait *w;

	if (p == NULL && (p = vpipe_new(vn)) == NULL) {
		answer_open(op, f, -ENOMEM);
		return false;
	}
	if ((f->flags & VFS_O_ACCMODE) == VFS_O_WRONLY && nonblock && p->readers == 0) {
		if (p->writers == 0 && p->opens == NULL)
			vpipe_free(p);
		answer_open(op, f, -ENXIO);
		return false;
	}
	f->pipe = p;
	if (reads_end(f))
		p->readers++, p->ropens++;
	if (writes_end(f))
		p->writers++, p->wopens++;
	wake_opens(p);
	progress(p);			/* a writer may wait on readers no more... */
	if ((f->flags & VFS_O_ACCMODE) == VFS_O_RDWR || nonblock ||
	    (reads_end(f) ? p->writers : p->readers) > 0) {
		answer_open(op, f, 0);
		return true;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		answer_open(op, f, -ENOMEM);
		return false;
	}
	w->token = HANDLE_NONE;		/* op holds it */
	w->label = VFS_OPEN;
	w->tag = op->w[6];
	w->file = f;
	w->open = op;
	w->partner = reads_end(f) ? p->wopens : p->ropens;
	append(&p->opens, w);
	return true;
}

long
pipe_read(struct ipc_req *req, struct vfile *f)
{
	struct vpipe *p = f->pipe;
	size_t want = req->msg.w[1] < IPC_BUF_MAX ? req->msg.w[1] : IPC_BUF_MAX;
	struct pwait *w;
	long n;

	if (req->msg.w[2] != VFS_OFF_CURRENT)
		return -ESPIPE;
	if (want == 0)
		return 0;
	if (p->reads == NULL && !pipe_ring_empty(&p->ring)) {
		n = pipe_ring_read(&p->ring, want, copy_out, rbuf);
		req->out.data = rbuf;
		req->out.len = (size_t)n;
		progress(p);		/* writers waiting for room */
		return n;
	}
	if (p->writers == 0 && p->reads == NULL)
		return 0;		/* end of file */
	if (f->flags & VFS_O_NONBLOCK)
		return -EAGAIN;
	if ((w = wait_new(req, f)) == NULL)
		return -ENOMEM;
	w->want = want;
	append(&p->reads, w);
	return IPC_SUSPEND;
}

long
pipe_write(struct ipc_req *req, struct vfile *f)
{
	struct vpipe *p = f->pipe;
	size_t done = 0;
	struct pwait *w;

	if (req->msg.w[2] != VFS_OFF_CURRENT)
		return -ESPIPE;
	if (req->len == 0)
		return 0;
	if (p->readers == 0) {
		req->out.w[1] = VFS_EPIPE;
		return -EPIPE;
	}
	if (p->writes == NULL) {
		if (pipe_ring_write(&p->ring, req->len, &done, copy_in, (void *)req->data) ==
		    PIPE_WROTE) {
			progress(p);
			return (long)req->len;
		}
		if (f->flags & VFS_O_NONBLOCK) {
			if (done > 0)
				progress(p);
			return done > 0 ? (long)done : -EAGAIN;
		}
	} else if (f->flags & VFS_O_NONBLOCK) {
		return -EAGAIN;
	}
	if ((w = wait_new(req, f)) == NULL || (w->data = malloc(req->len)) == NULL) {
		free(w);
		if (done > 0)
			progress(p);
		return done > 0 ? (long)done : -ENOMEM;
	}
	memcpy(w->data, req->data, req->len);
	w->len = req->len;
	w->done = done;
	append(&p->writes, w);
	if (done > 0)
		progress(p);		/* readers waiting for what went in */
	return IPC_SUSPEND;
}

long
pipe_poll(struct ipc_req *req, struct vfile *f)
{
	struct vpipe *p = f->pipe;
	uint64_t ev = 0;

	if (reads_end(f))
		ev |= reader_events(p);
	if (writes_end(f))
		ev |= writer_events(p);
	req->out.w[1] = pipe_ring_bytes(&p->ring);
	return (long)(ev & (req->msg.w[1] | POLLERR | POLLHUP));
}

/*
 * Answers w (cancelled or its file closed) with err, or what it did
 * already. True if p went with it (an open that was its last end).
 */
static bool
give_up(struct vpipe *p, struct pwait *w, long err)
{
	if (w->open != NULL) {
		struct vfile *f = w->file;
		bool gone = false;

		if (reads_end(f))
			p->readers--;
		if (writes_end(f))
			p->writers--;
		f->pipe = NULL;
		if (p->readers == 0 && p->writers == 0 && p->opens == NULL) {
			vpipe_free(p);	/* while f still holds its node */
			gone = true;
		}
		answer_open(w->open, f, err);
		free(w);
		return gone;
	}
	if (w->label == VFS_WRITE && w->done > 0)
		err = (long)w->done;
	answer_io(w, err, NULL, 0, 0);
	return false;
}

/* The last reference to an end closes: what waits on it is answered, the other end moves. */
void
pipe_release(struct vfile *f)
{
	struct vpipe *p = f->pipe;
	struct pwait *lists[2] = { p->reads, p->writes };

	p->reads = p->writes = NULL;
	for (int i = 0; i < 2; i++)
		while (lists[i] != NULL) {
			struct pwait *w = lists[i];

			lists[i] = w->next;
			if (w->file == f) {
				give_up(p, w, -EBADF);
			} else {
				w->next = NULL;
				append(i == 0 ? &p->reads : &p->writes, w);
			}
		}
	f->pipe = NULL;
	if (reads_end(f))
		p->readers--;
	if (writes_end(f))
		p->writers--;
	if (p->readers == 0 && p->writers == 0 && p->opens == NULL) {
		vpipe_free(p);
		return;
	}
	progress(p);			/* end of file for readers, EPIPE for writers */
}

/* fcntl(F_SETFL): the open file's O_APPEND and O_NONBLOCK. */
long
do_setfl(struct ipc_server *srv, struct ipc_req *req)
{
	struct vfile *f = vfile_get(req->msg.w[0]);
	uint32_t mask = VFS_O_APPEND | VFS_O_NONBLOCK;

	(void)srv;
	if (f == NULL || f->closing)
		return -EBADF;
	f->flags = (f->flags & ~mask) | ((uint32_t)req->msg.w[1] & mask);
	return 0;
}

/* A signal for the client thread whose request is tagged w0: it stops waiting. */
long
do_cancel(struct ipc_server *srv, struct ipc_req *req)
{
	uint64_t tag = req->msg.w[0];

	(void)srv;
	for (struct vpipe *p = pipes; p != NULL; p = p->next) {
		struct pwait **lists[3] = { &p->reads, &p->writes, &p->opens };

		for (int i = 0; i < 3; i++)
			for (struct pwait *w = *lists[i]; w != NULL; w = w->next)
				if (w->tag == tag) {
					unlink_wait(lists[i], w);
					if (!give_up(p, w, -EINTR))
						progress(p);
					return 0;
				}
	}
	dev_cancel(tag);
	return 0;
}

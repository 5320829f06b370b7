/* A pipe's 16 page slots (pipe_ring.h). */
#include "pipe_ring.h"

void
pipe_ring_init(struct pipe_ring *r)
{
	r->first = r->nbufs = 0;
}

size_t
pipe_ring_bytes(const struct pipe_ring *r)
{
	size_t n = 0;

	for (unsigned i = 0; i < r->nbufs; i++)
		n += r->buf[(r->first + i) % PIPE_RING_SLOTS].len;
	return n;
}

bool
pipe_ring_empty(const struct pipe_ring *r)
{
	return r->nbufs == 0;
}

bool
pipe_ring_full(const struct pipe_ring *r)
{
	return r->nbufs == PIPE_RING_SLOTS;
}

long
pipe_ring_read(struct pipe_ring *r, size_t n, pipe_copy_fn out, void *ctx)
{
	size_t done = 0;

	while (done < n && r->nbufs > 0) {
		unsigned slot = r->first;
		size_t k = n - done < r->buf[slot].len ? n - done : r->buf[slot].len;
		long c = out(ctx, done, r->page[slot] + r->buf[slot].off, k);

		if (c < 0)
			return done > 0 ? (long)done : c;
		done += (size_t)c;
		r->buf[slot].off += (uint16_t)c;
		r->buf[slot].len -= (uint16_t)c;
		if (r->buf[slot].len == 0) {		/* the slot is free again */
			r->first = (r->first + 1) % PIPE_RING_SLOTS;
			r->nbufs--;
		}
		if ((size_t)c < k)
			break;
	}
	return (long)done;
}

enum pipe_write_result
pipe_ring_write(struct pipe_ring *r, size_t total, size_t *done, pipe_copy_fn in, void *ctx)
{
	size_t chars = total % PIPE_RING_PAGE;

	/* The sub-page remainder tops up the last slot, if all of it fits. */
	if (*done == 0 && chars != 0 && r->nbufs > 0) {
		unsigned last = (r->first + r->nbufs - 1) % PIPE_RING_SLOTS;

		if (r->buf[last].off + r->buf[last].len + chars <= PIPE_RING_PAGE) {
			long c = in(ctx, 0, r->page[last] + r->buf[last].off + r->buf[last].len, chars);

			if (c < 0)
				return PIPE_FAULT;
			r->buf[last].len += (uint16_t)c;
			*done = (size_t)c;
			if ((size_t)c < chars)
				return PIPE_FAULT;
		}
	}
	while (*done < total) {
		size_t k = total - *done < PIPE_RING_PAGE ? total - *done : PIPE_RING_PAGE;
		unsigned slot;
		long c;

		if (r->nbufs == PIPE_RING_SLOTS)
			return PIPE_FULL;
		slot = (r->first + r->nbufs) % PIPE_RING_SLOTS;
		if ((c = in(ctx, *done, r->page[slot], k)) <= 0)
			return PIPE_FAULT;
		r->buf[slot].off = 0;
		r->buf[slot].len = (uint16_t)c;
		r->nbufs++;
		*done += (size_t)c;
		if ((size_t)c < k)
			return PIPE_FAULT;
	}
	return PIPE_WROTE;
}

/*
 * A pipe's buffer as Linux lays it out, because what fits when shows
 * through the API: 16 page-sized slots (64 KiB). A write first tops up
 * the last slot with its sub-page remainder if all of it fits there,
 * then fills fresh slots while one is free. So a write of at most
 * PIPE_BUF (a page) goes in whole or not at all, and a full pipe with
 * one byte read out still takes nothing (its slot is not free yet).
 *
 * No IPC and no allocation: vfs's pipes and FIFOs (pipe.c) and
 * linuxemu's own pipes (when it runs without vfs) drive it, and
 * tests/unit/test_pipe.c drives it on the host. The copy callbacks let
 * a caller move bytes to or from memory that may fault part-way.
 */
#ifndef PIPE_RING_H
#define PIPE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PIPE_RING_SLOTS	16
#define PIPE_RING_PAGE	4096		/* PIPE_BUF */
#define PIPE_RING_SIZE	(PIPE_RING_SLOTS * PIPE_RING_PAGE)

struct pipe_ring {
	unsigned first, nbufs;		/* slots first .. first + nbufs (mod SLOTS) */
	struct {
		uint16_t off, len;
	} buf[PIPE_RING_SLOTS];
	uint8_t page[PIPE_RING_SLOTS][PIPE_RING_PAGE];
};

/*
 * Moves n bytes between buf and the caller's memory at offset off of
 * its request: the bytes moved, fewer only at a bad address (negative:
 * none could be).
 */
typedef long (*pipe_copy_fn)(void *ctx, uint64_t off, void *buf, size_t n);

enum pipe_write_result {
	PIPE_WROTE,			/* all of it is in */
	PIPE_FULL,			/* no free slot: wait for a reader, or stop */
	PIPE_FAULT,			/* a copy stopped short: *done says how far */
};

void pipe_ring_init(struct pipe_ring *r);
size_t pipe_ring_bytes(const struct pipe_ring *r);
bool pipe_ring_empty(const struct pipe_ring *r);
bool pipe_ring_full(const struct pipe_ring *r);	/* no free slot */

/*
 * Reads up to n bytes into the caller's memory (copy out): the bytes
 * read (0 when empty), or the copy's error if it moved nothing.
 */
long pipe_ring_read(struct pipe_ring *r, size_t n, pipe_copy_fn out, void *ctx);

/*
 * Goes on with a write of total bytes of which *done are in already
 * (0 at its start: then the remainder may top up the last slot), copying
 * them in from the caller's memory. *done grows by what went in.
 */
enum pipe_write_result pipe_ring_write(struct pipe_ring *r, size_t total, size_t *done,
    pipe_copy_fn in, void *ctx);

#endif

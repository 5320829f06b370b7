/*
 * bitmap.h - bit arrays stored in uint64_t words.
 *
 * Bit i lives in word i / 64 at position i % 64.  A bitmap of nbits bits
 * occupies BITMAP_WORDS(nbits) words; the bits past nbits in the last word
 * are never read as part of the map, so callers need not keep them clear.
 * Searches return nbits when they find nothing.  No locking, no atomics:
 * the owner of the bitmap serialises access.
 */
#ifndef LICHEN_BITMAP_H
#define LICHEN_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BITMAP_BITS_PER_WORD 64
#define BITMAP_WORDS(nbits)                                                    \
	(((nbits) + BITMAP_BITS_PER_WORD - 1) / BITMAP_BITS_PER_WORD)

static inline void
bitmap_set(uint64_t *bm, size_t bit)
{
	bm[bit / 64] |= UINT64_C(1) << (bit % 64);
}

static inline void
bitmap_clear(uint64_t *bm, size_t bit)
{
	bm[bit / 64] &= ~(UINT64_C(1) << (bit % 64));
}

static inline bool
bitmap_test(const uint64_t *bm, size_t bit)
{
	return (bm[bit / 64] >> (bit % 64)) & 1;
}

/* Set (clear) bits [start, start + count). */
void bitmap_set_range(uint64_t *bm, size_t start, size_t count);
void bitmap_clear_range(uint64_t *bm, size_t start, size_t count);

/* The lowest set (clear) bit at or after start, or nbits if none. */
size_t bitmap_find_next_set(const uint64_t *bm, size_t nbits, size_t start);
size_t bitmap_find_next_zero(const uint64_t *bm, size_t nbits, size_t start);

static inline size_t
bitmap_find_first_set(const uint64_t *bm, size_t nbits)
{
	return bitmap_find_next_set(bm, nbits, 0);
}

static inline size_t
bitmap_find_first_zero(const uint64_t *bm, size_t nbits)
{
	return bitmap_find_next_zero(bm, nbits, 0);
}

/* The number of set bits among the first nbits. */
size_t bitmap_count(const uint64_t *bm, size_t nbits);

/*
 * The start of the lowest run of count clear bits that fits below nbits,
 * or nbits if there is none.  A count of 0 fits at 0.
 */
size_t bitmap_find_zero_area(const uint64_t *bm, size_t nbits, size_t count);

#endif /* LICHEN_BITMAP_H */

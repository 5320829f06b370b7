/*
 * bitmap.c - range updates and searches over uint64_t-word bitmaps.
 *
 * The single-bit operations are inline in <lichen/bitmap.h>.  Everything
 * here works a word at a time and masks the partial words at either end,
 * so bits past nbits in the last word never leak into a result.
 */
#include <lichen/bitmap.h>

/* Bits [lo, hi) of one word; 0 <= lo < hi <= 64. */
static uint64_t
word_mask(size_t lo, size_t hi)
{
	uint64_t below_hi = hi == 64 ? ~UINT64_C(0) : (UINT64_C(1) << hi) - 1;

	return below_hi & (~UINT64_C(0) << lo);
}

static void
update_range(uint64_t *bm, size_t start, size_t count, bool set)
{
	size_t end = start + count;

	while (start < end) {
		size_t w = start / 64, base = w * 64;
		size_t hi = end - base < 64 ? end - base : 64;
		uint64_t m = word_mask(start - base, hi);

		if (set)
			bm[w] |= m;
		else
			bm[w] &= ~m;
		start = base + hi;
	}
}

void
bitmap_set_range(uint64_t *bm, size_t start, size_t count)
{
	update_range(bm, start, count, true);
}

void
bitmap_clear_range(uint64_t *bm, size_t start, size_t count)
{
	update_range(bm, start, count, false);
}

/*
 * The lowest bit at or after start whose value differs from the bits of
 * flip (0 finds set bits, all-ones finds clear bits), or nbits.
 */
static size_t
find_next(const uint64_t *bm, size_t nbits, size_t start, uint64_t flip)
{
	size_t w, nwords = BITMAP_WORDS(nbits);
	uint64_t word;

	if (start >= nbits)
		return nbits;
	w = start / 64;
	word = (bm[w] ^ flip) & (~UINT64_C(0) << (start % 64));
	while (word == 0) {
		if (++w == nwords)
			return nbits;
		word = bm[w] ^ flip;
	}
	start = w * 64 + (size_t)__builtin_ctzll(word);
	return start < nbits ? start : nbits;
}

size_t
bitmap_find_next_set(const uint64_t *bm, size_t nbits, size_t start)
{
	return find_next(bm, nbits, start, 0);
}

size_t
bitmap_find_next_zero(const uint64_t *bm, size_t nbits, size_t start)
{
	return find_next(bm, nbits, start, ~UINT64_C(0));
}

/*
 * Bit count without __builtin_popcountll, which the kernel's
 * -mgeneral-regs-only build would turn into a call into libgcc.
 */
static size_t
popcount64(uint64_t x)
{
	x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
	x = (x & UINT64_C(0x3333333333333333)) +
	    ((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (size_t)((x * UINT64_C(0x0101010101010101)) >> 56);
}

size_t
bitmap_count(const uint64_t *bm, size_t nbits)
{
	size_t w, full = nbits / 64, n = 0;

	for (w = 0; w < full; w++)
		n += popcount64(bm[w]);
	if (nbits % 64 != 0)
		n += popcount64(bm[full] & word_mask(0, nbits % 64));
	return n;
}

size_t
bitmap_find_zero_area(const uint64_t *bm, size_t nbits, size_t count)
{
	size_t start, blocker;

	if (count == 0)
		return 0;
	start = bitmap_find_next_zero(bm, nbits, 0);
	while (start < nbits && count <= nbits - start) {
		/* Any set bit inside [start, start + count) ends this run. */
		blocker = bitmap_find_next_set(bm, start + count, start);
		if (blocker == start + count)
			return start;
		start = bitmap_find_next_zero(bm, nbits, blocker + 1);
	}
	return nbits;
}

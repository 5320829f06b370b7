/*
 * asid.c - generational ASID allocation; see <lichen/asid.h>.
 */
#include <lichen/asid.h>
#include <lichen/string.h>

void
asid_space_init(struct asid_space *s, unsigned bits)
{
	LK_NAME(memset)(s, 0, sizeof(*s));
	s->bits = bits;
	s->generation = 1;
	s->next = 1;
	bitmap_set(s->used, 0);		/* ASID 0 is the kernel's */
}

static uint64_t
asid_generation(const struct asid_space *s, uint64_t ctx)
{
	return ctx >> s->bits;
}

/* Start a new generation, keeping the ASIDs of the active contexts. */
static void
asid_rollover(struct asid_space *s, uint64_t *const *active, size_t nactive)
{
	size_t n = 1UL << s->bits;

	bitmap_clear_range(s->used, 0, n);
	bitmap_set(s->used, 0);
	s->generation++;
	s->rollovers++;
	s->next = 1;
	for (size_t i = 0; i < nactive; i++) {
		unsigned a = asid_of(s, *active[i]);

		if (*active[i] == 0 || a == 0)
			continue;
		bitmap_set(s->used, a);
		*active[i] = s->generation << s->bits | a;
	}
}

bool
asid_get(struct asid_space *s, uint64_t *ctx, uint64_t *const *active,
    size_t nactive)
{
	size_t n = 1UL << s->bits;
	size_t a;
	bool flushed = false;

	if (*ctx != 0 && asid_generation(s, *ctx) == s->generation)
		return false;
	a = bitmap_find_next_zero(s->used, n, s->next);
	if (a == n)
		a = bitmap_find_next_zero(s->used, n, 1);
	if (a == n) {
		asid_rollover(s, active, nactive);
		flushed = true;
		/* An active context may be the one asking: it is current now. */
		if (*ctx != 0 && asid_generation(s, *ctx) == s->generation)
			return true;
		a = bitmap_find_next_zero(s->used, n, 1);
		if (a == n)
			return true;	/* cannot happen: nactive < 2^bits - 1 */
	}
	bitmap_set(s->used, a);
	s->next = a + 1 < n ? a + 1 : 1;
	*ctx = s->generation << s->bits | a;
	return flushed;
}

void
asid_put(struct asid_space *s, uint64_t ctx)
{
	if (ctx != 0 && asid_generation(s, ctx) == s->generation &&
	    asid_of(s, ctx) != 0)
		bitmap_clear(s->used, asid_of(s, ctx));
}

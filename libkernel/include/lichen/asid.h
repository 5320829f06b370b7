/*
 * <lichen/asid.h> - handing out address-space identifiers (ASIDs) with
 * generations, so an address space keeps its TLB entries across switches
 * and the TLB is flushed only when the ASIDs run out.
 *
 * Each address space holds a context word: generation << bits | asid (0 =
 * never had one). asid_get keeps the ASID while the context's generation
 * is current; otherwise it allocates a new one. When none is free the
 * allocator starts a new generation (all ASIDs free again except 0, which
 * the kernel keeps, and those the caller marks reserved for address spaces
 * still live on some CPU) and tells the caller to flush the whole TLB.
 * The caller serialises calls (one lock for the allocator).
 */
#ifndef LICHEN_ASID_H
#define LICHEN_ASID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lichen/bitmap.h>

#define ASID_MAX_BITS	16

struct asid_space {
	unsigned bits;		/* 8 or 16 (ID_AA64MMFR0_EL1.ASIDBits) */
	uint64_t generation;	/* starts at 1 */
	size_t next;		/* where the search for a free ASID starts */
	uint64_t used[BITMAP_WORDS(1UL << ASID_MAX_BITS)];
	uint64_t rollovers;
};

/* Set up for bits-wide ASIDs (1..16; the kernel passes 8 or 16). */
void asid_space_init(struct asid_space *s, unsigned bits);

/*
 * Make *ctx valid for the current generation. Returns true when a new
 * generation began: the caller must then flush every TLB entry (all ASIDs)
 * before running with the result. active[0..nactive) are the contexts
 * running on CPUs now (fewer than 2^bits - 1 of them); a rollover keeps
 * their ASIDs and moves them to the new generation.
 */
bool asid_get(struct asid_space *s, uint64_t *ctx, uint64_t *const *active,
    size_t nactive);

/* An address space went away: its ASID may be reused in this generation. */
void asid_put(struct asid_space *s, uint64_t ctx);

/* The ASID part of a context word. */
static inline unsigned
asid_of(const struct asid_space *s, uint64_t ctx)
{
	return (unsigned)(ctx & ((1UL << s->bits) - 1));
}

#endif /* LICHEN_ASID_H */

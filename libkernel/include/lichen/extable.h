/*
 * <lichen/extable.h> - the exception-fixup table: pairs of (address of an
 * instruction that may fault on a user pointer, address to resume at).
 * The kernel's linker script gathers the pairs from every object into one
 * section; extable_sort puts them in order once at boot and the fault
 * handler asks extable_search whether a faulting PC has a fixup.
 */
#ifndef LICHEN_EXTABLE_H
#define LICHEN_EXTABLE_H

#include <stddef.h>
#include <stdint.h>

struct extable_entry {
	uint64_t insn;
	uint64_t fixup;
};

/* Sort by insn (insertion sort: the table is small and nearly sorted). */
void extable_sort(struct extable_entry *t, size_t n);

/* The fixup address for insn in the sorted table t, or 0 if there is none. */
uint64_t extable_search(const struct extable_entry *t, size_t n, uint64_t insn);

#endif /* LICHEN_EXTABLE_H */

/*
 * extable.c - sorting and searching the exception-fixup table; see
 * <lichen/extable.h>.
 */
#include <lichen/extable.h>

void
extable_sort(struct extable_entry *t, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct extable_entry e = t[i];
		size_t j = i;

		for (; j > 0 && t[j - 1].insn > e.insn; j--)
			t[j] = t[j - 1];
		t[j] = e;
	}
}

uint64_t
extable_search(const struct extable_entry *t, size_t n, uint64_t insn)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t[mid].insn == insn)
			return t[mid].fixup;
		if (t[mid].insn < insn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

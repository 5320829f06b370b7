/*
 * Kernel symbol names for backtraces. The table is generated from the
 * linked kernel by scripts/gensyms.py (a second link embeds it; see
 * kernel/meson.build): addresses sorted ascending, each with an offset
 * into one string blob.
 */
#include <lichen/fmt.h>
#include <kernel.h>

extern const uint64_t ksym_count;
extern const uint64_t ksym_addrs[];
extern const uint32_t ksym_name_offs[];
extern const char ksym_names[];
extern char _text[], _etext[];

const char *
ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksym_count;

	if (ksym_count == 0 || addr < ksym_addrs[0] || addr >= (uint64_t)_etext)
		return NULL;
	/* The last symbol at or below addr. */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ksym_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksym_addrs[lo];
	return &ksym_names[ksym_name_offs[lo]];
}

const char *
ksym_format(uint64_t addr)
{
	static char buf[96];
	uint64_t off;
	const char *name = ksym_lookup(addr, &off);

	if (name == NULL)
		return "?";
	fmt_snprintf(buf, sizeof(buf), "%s+0x%lx", name, off);
	return buf;
}

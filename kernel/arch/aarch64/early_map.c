/*
 * The boot page tables, built with the MMU off by boot.S before it turns
 * the MMU on. Runs at the image's physical address: see kpgtable.c for the
 * rules that makes necessary.
 *
 * TTBR1 gets the image at KIMAGE_VBASE, its linear-map alias, the device
 * tree and the early console; TTBR0 gets an identity map of the image, used
 * only for the instructions between "MMU on" and the jump to the high half.
 * The rest of RAM is mapped in C once the device tree has said where it is.
 */
#include <stdint.h>
#include <arch/early.h>
#include <arch/memlayout.h>
#include <arch/kpgtable.h>
#include <dt.h>
#include <libfdt.h>

#define FDT_HEADER_SIZE	sizeof(struct fdt_header)

extern char _text[], _etext[], _erodata[], _end[];

static uint64_t
page_round_up(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/*
 * Map the image at va (as linked, or its linear-map alias) section by
 * section, W^X: text read-only and executable, rodata read-only, data and
 * .bss read-write and never executed. The linker script page-aligns the
 * section boundaries.
 */
static int
early_map_image(uint64_t root, uint64_t va, uint64_t image_pa)
{
	uint64_t text = (uint64_t)(_etext - _text);
	uint64_t rodata = (uint64_t)(_erodata - _etext);
	uint64_t data = page_round_up((uint64_t)(_end - _erodata));

	return kpt_map(root, va, image_pa, text, KPT_TEXT) ||
	    kpt_map(root, va + text, image_pa + text, rodata, KPT_RODATA) ||
	    kpt_map(root, va + text + rodata, image_pa + text + rodata, data,
	    KPT_DATA);
}

static uint32_t
be32(const volatile uint32_t *p)
{
	return __builtin_bswap32(*p);
}

/*
 * Map the device tree blob: its totalsize if it looks like one, else (or
 * if smaller) enough for the kernel to read the header and report it.
 */
static int
early_map_dtb(uint64_t ttbr1, uint64_t dtb_pa)
{
	const volatile uint32_t *hdr = (const volatile uint32_t *)dtb_pa;
	uint64_t start, end, size = FDT_HEADER_SIZE;

	if (dtb_pa == 0 || (dtb_pa & 7) != 0)
		return 0;
	if (be32(&hdr[0]) == FDT_MAGIC && be32(&hdr[1]) <= DT_MAX_SIZE &&
	    be32(&hdr[1]) > size)
		size = be32(&hdr[1]);
	start = dtb_pa & ~(PAGE_SIZE - 1);
	end = page_round_up(dtb_pa + size);
	return kpt_map(ttbr1, PAGE_OFFSET + start, start, end - start, KPT_DATA);
}

struct early_tables
early_map(uint64_t image_pa, uint64_t dtb_pa)
{
	struct early_tables t;
	uint64_t size = page_round_up((uint64_t)(_end - _text));

	t.ttbr1 = kpt_alloc_root();
	t.ttbr0 = kpt_alloc_root();
	if (t.ttbr0 == 0 || t.ttbr1 == 0 ||
	    early_map_image(t.ttbr1, KIMAGE_VBASE, image_pa) ||
	    early_map_image(t.ttbr1, PAGE_OFFSET + image_pa, image_pa) ||
	    kpt_map(t.ttbr0, image_pa, image_pa, size, KPT_TEXT) ||
	    early_map_dtb(t.ttbr1, dtb_pa) ||
	    kpt_map(t.ttbr1, PAGE_OFFSET + EARLYCON_PL011_PA, EARLYCON_PL011_PA,
	    PAGE_SIZE, KPT_DEVICE))
		t.ttbr0 = t.ttbr1 = 0;	/* boot.S reports it and powers off */
	return t;
}

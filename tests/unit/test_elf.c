/*
 * test_elf.c - <lichen/elf.h> against images built here from a spec (an
 * ELF header and its program headers): a static executable and a static
 * PIE, each rejection reason in turn, every truncation, random
 * corruption; then against real files when there are some (the build's
 * init, passed in LICHEN_TEST_ELF, and an arm64 /bin/busybox), compared
 * with what readelf(1) says. The build runs this test under ASan and
 * UBSan, and every parse reads from an exact-size copy, so a read past
 * the end fails it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lichen/compiler.h>
#include <lichen/elf.h>
#include <lichen/errno.h>

#include "unit.h"

#define PAGE	ELF_PAGE_SIZE
#define MAX_PH	24
#define IMG_LEN 0x1200
#define TEXT_VA UINT64_C(0x400000)
#define DATA_VA UINT64_C(0x411000)
#define RX	(ELF_PF_R | ELF_PF_X)
#define RW	(ELF_PF_R | ELF_PF_W)

/* An image to build: its ELF header, program headers and file length. */
struct spec {
	struct elf64_ehdr eh;
	struct elf64_phdr ph[MAX_PH];
	size_t len;
};

static struct elf64_phdr
phdr(uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr,
    uint64_t filesz, uint64_t memsz, uint64_t align)
{
	return (struct elf64_phdr){.p_type = type,
	    .p_flags = flags,
	    .p_offset = offset,
	    .p_vaddr = vaddr,
	    .p_paddr = vaddr,
	    .p_filesz = filesz,
	    .p_memsz = memsz,
	    .p_align = align};
}

static void
spec_header(struct spec *sp, uint16_t type, uint64_t entry, unsigned nph)
{
	static const uint8_t ident[ELF_EI_NIDENT] = {
	    0x7f, 'E', 'L', 'F', ELF_CLASS64, ELF_DATA2LSB, ELF_EV_CURRENT};

	memset(sp, 0, sizeof(*sp));
	memcpy(sp->eh.e_ident, ident, sizeof(ident));
	sp->eh.e_type = type;
	sp->eh.e_machine = ELF_EM_AARCH64;
	sp->eh.e_version = ELF_EV_CURRENT;
	sp->eh.e_entry = entry;
	sp->eh.e_phoff = sizeof(struct elf64_ehdr);
	sp->eh.e_ehsize = sizeof(struct elf64_ehdr);
	sp->eh.e_phentsize = sizeof(struct elf64_phdr);
	sp->eh.e_phnum = (uint16_t)nph;
	sp->len = IMG_LEN;
}

/*
 * A static executable as ld lays one out: text (with the headers) at
 * 0x400000, data and bss at 0x411000 holding the TLS image, a
 * non-executable stack.
 */
static void
spec_exec(struct spec *sp)
{
	spec_header(sp, ELF_ET_EXEC, TEXT_VA + 0x100, 4);
	sp->ph[0] = phdr(ELF_PT_LOAD, RX, 0, TEXT_VA, 0x1000, 0x1000, PAGE);
	sp->ph[1] = phdr(ELF_PT_LOAD, RW, 0x1000, DATA_VA, 0x100, 0x2000, PAGE);
	sp->ph[2] = phdr(ELF_PT_TLS, ELF_PF_R, 0x1000, DATA_VA, 0x10, 0x40, 16);
	sp->ph[3] = phdr(ELF_PT_GNU_STACK, RW, 0, 0, 0, 0, 16);
}

/* A static PIE: linked at 0, its own PT_PHDR, entry in the text. */
static void
spec_pie(struct spec *sp)
{
	spec_header(sp, ELF_ET_DYN, 0x180, 5);
	sp->ph[0] = phdr(ELF_PT_PHDR, ELF_PF_R, 64, 64, 5 * 56, 5 * 56, 8);
	sp->ph[1] = phdr(ELF_PT_LOAD, RX, 0, 0, 0x1000, 0x1000, 0x10000);
	sp->ph[2] =
	    phdr(ELF_PT_LOAD, RW, 0x1000, 0x11000, 0x200, 0x800, 0x10000);
	sp->ph[3] = phdr(ELF_PT_DYNAMIC, RW, 0x1100, 0x11100, 0x100, 0x100, 8);
	sp->ph[4] = phdr(ELF_PT_GNU_STACK, RW, 0, 0, 0, 0, 16);
}

/*
 * The spec's bytes in a buffer of exactly sp->len (the caller frees it):
 * headers where e_phoff says, as far as they fit, a pattern elsewhere.
 */
static uint8_t *
build(const struct spec *sp)
{
	uint8_t *buf = malloc(sp->len ? sp->len : 1);
	size_t phlen = (size_t)sp->eh.e_phnum * sizeof(struct elf64_phdr);

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < sp->len; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	memcpy(buf, &sp->eh, sp->len < 64 ? sp->len : 64);
	if (sp->eh.e_phoff < sp->len) {
		size_t room = sp->len - sp->eh.e_phoff;

		if (phlen > sizeof(sp->ph))
			phlen = sizeof(sp->ph);
		memcpy(
		    buf + sp->eh.e_phoff, sp->ph, phlen < room ? phlen : room);
	}
	return buf;
}

static int
parse_spec(const struct spec *sp, struct elf_image *img)
{
	uint8_t *buf = build(sp);
	int r = elf_parse(buf, sp->len, ELF_EM_AARCH64, img);

	free(buf);
	return r;
}

static void
expect_rejected(const struct spec *sp, const char *why)
{
	struct elf_image img;
	int r = parse_spec(sp, &img);

	ck_assert_msg(r == -ENOEXEC, "%s: got %d, not -ENOEXEC", why, r);
}

static void
expect_parsed(const struct spec *sp, struct elf_image *img, const char *why)
{
	int r = parse_spec(sp, img);

	ck_assert_msg(r == 0, "%s: got %d, not 0", why, r);
}

static void
assert_seg(const struct elf_seg *s, uint64_t vaddr, uint64_t memsz,
    uint64_t offset, uint64_t filesz, uint32_t prot)
{
	ck_assert_uint_eq(s->vaddr, vaddr);
	ck_assert_uint_eq(s->memsz, memsz);
	ck_assert_uint_eq(s->offset, offset);
	ck_assert_uint_eq(s->filesz, filesz);
	ck_assert_uint_eq(s->prot, prot);
}

START_TEST(static_executable)
{
	struct elf_image img;
	struct spec sp;
	uint64_t start, end;

	spec_exec(&sp);
	expect_parsed(&sp, &img, "exec");
	ck_assert_uint_eq(img.type, ELF_ET_EXEC);
	ck_assert_uint_eq(img.entry, TEXT_VA + 0x100);
	ck_assert_uint_eq(
	    img.phdr_vaddr, TEXT_VA + 64); /* from the text load */
	ck_assert_uint_eq(img.phnum, 4);
	ck_assert_uint_eq(img.phentsize, 56);
	ck_assert_uint_eq(img.nseg, 2);
	assert_seg(
	    &img.seg[0], TEXT_VA, 0x1000, 0, 0x1000, ELF_PROT_R | ELF_PROT_X);
	assert_seg(&img.seg[1], DATA_VA, 0x2000, 0x1000, 0x100,
	    ELF_PROT_R | ELF_PROT_W);
	ck_assert_uint_eq(img.lo, TEXT_VA);
	ck_assert_uint_eq(img.hi, DATA_VA + 0x2000);
	ck_assert_uint_eq(img.tls_vaddr, DATA_VA);
	ck_assert_uint_eq(img.tls_memsz, 0x40);
	ck_assert_uint_eq(img.tls_filesz, 0x10);
	ck_assert_uint_eq(img.tls_align, 16);
	ck_assert_int_eq(img.has_interp, 0);
	ck_assert_uint_eq(img.stack_prot, ELF_PROT_R | ELF_PROT_W);
	elf_segment_page_range(&img.seg[1], &start, &end);
	ck_assert_uint_eq(start, DATA_VA);
	ck_assert_uint_eq(end, DATA_VA + 0x2000);
}
END_TEST

START_TEST(static_pie)
{
	struct elf_image img;
	struct spec sp;

	spec_pie(&sp);
	expect_parsed(&sp, &img, "pie");
	ck_assert_uint_eq(img.type, ELF_ET_DYN);
	ck_assert_uint_eq(img.entry, 0x180);
	ck_assert_uint_eq(img.phdr_vaddr, 64); /* PT_PHDR */
	ck_assert_uint_eq(img.nseg, 2);
	assert_seg(&img.seg[0], 0, 0x1000, 0, 0x1000, ELF_PROT_R | ELF_PROT_X);
	assert_seg(&img.seg[1], 0x11000, 0x800, 0x1000, 0x200,
	    ELF_PROT_R | ELF_PROT_W);
	ck_assert_uint_eq(img.lo, 0);
	ck_assert_uint_eq(img.hi, 0x12000);
	ck_assert_uint_eq(img.tls_memsz, 0);
	ck_assert_uint_eq(img.tls_align, 0);
	ck_assert_int_eq(img.has_interp, 0);

	/* ET_DYN: anywhere in [lo, hi) is accepted, even a hole. */
	sp.eh.e_entry = 0x11fff;
	expect_parsed(&sp, &img, "pie entry at hi - 1");
	sp.eh.e_entry = 0x5000;
	expect_parsed(&sp, &img, "pie entry between the loads");
	sp.eh.e_entry = 0x12000;
	expect_rejected(&sp, "pie entry at hi");
	/* A PT_INTERP is reported; refusing it is the caller's business. */
	spec_pie(&sp);
	sp.ph[3].p_type = ELF_PT_INTERP;
	expect_parsed(&sp, &img, "pie with interp");
	ck_assert_int_eq(img.has_interp, 1);
}
END_TEST

START_TEST(bad_identification)
{
	struct elf_image img;
	struct spec sp;
	uint8_t *buf;

	for (int i = 0; i < 4; i++) {
		spec_exec(&sp);
		sp.eh.e_ident[i] ^= 0x20;
		expect_rejected(&sp, "magic");
	}
	spec_exec(&sp);
	sp.eh.e_ident[ELF_EI_CLASS] = 1; /* ELFCLASS32 */
	expect_rejected(&sp, "class 32");
	spec_exec(&sp);
	sp.eh.e_ident[ELF_EI_DATA] = 2; /* big-endian */
	expect_rejected(&sp, "big-endian");
	spec_exec(&sp);
	sp.eh.e_ident[ELF_EI_VERSION] = 0;
	expect_rejected(&sp, "ident version");
	spec_exec(&sp);
	sp.eh.e_version = 2;
	expect_rejected(&sp, "e_version");
	spec_exec(&sp);
	sp.eh.e_type = 1; /* ET_REL */
	expect_rejected(&sp, "ET_REL");
	sp.eh.e_type = 4; /* ET_CORE */
	expect_rejected(&sp, "ET_CORE");

	/* The machine must be the one asked for. */
	spec_exec(&sp);
	sp.eh.e_machine = ELF_EM_X86_64;
	expect_rejected(&sp, "x86_64");
	buf = build(&sp);
	ck_assert_int_eq(elf_parse(buf, sp.len, ELF_EM_X86_64, &img), 0);
	ck_assert_int_eq(
	    elf_parse(buf, sp.len, ELF_EM_AARCH64, &img), -ENOEXEC);
	free(buf);

	/* The OS/ABI byte (busybox has 3, GNU) is not looked at. */
	spec_exec(&sp);
	sp.eh.e_ident[7] = 3;
	expect_parsed(&sp, &img, "osabi");
}
END_TEST

START_TEST(bad_program_header_table)
{
	struct elf_image img;
	struct spec sp;

	spec_exec(&sp);
	sp.eh.e_phentsize = 64;
	expect_rejected(&sp, "phentsize 64");
	sp.eh.e_phentsize = 32;
	expect_rejected(&sp, "phentsize 32");
	spec_exec(&sp);
	sp.eh.e_phnum = 0;
	expect_rejected(&sp, "no program headers");
	spec_exec(&sp);
	sp.eh.e_phnum = 0xffff;
	sp.len = 64 + 0xffff * 56; /* the table would fit */
	expect_rejected(&sp, "PN_XNUM");
	/* The table's end exactly at the end of the file, then one past. */
	spec_exec(&sp);
	sp.eh.e_phoff = IMG_LEN - 4 * 56;
	sp.ph[0].p_offset = 0;
	expect_parsed(&sp, &img, "table at the end");
	ck_assert_uint_eq(img.phdr_vaddr, 0); /* not in a load */
	sp.eh.e_phoff = IMG_LEN - 4 * 56 + 1;
	expect_rejected(&sp, "table one past the end");
	sp.eh.e_phoff = IMG_LEN;
	expect_rejected(&sp, "table at the end of the file");
	sp.eh.e_phoff = UINT64_MAX - 55;
	expect_rejected(&sp, "phoff wrapping");
	sp.eh.e_phoff = UINT64_MAX;
	expect_rejected(&sp, "phoff max");
	/* Only non-load headers, or only empty loads. */
	spec_exec(&sp);
	sp.ph[0].p_type = ELF_PT_NOTE;
	sp.ph[1].p_type = ELF_PT_NULL;
	expect_rejected(&sp, "no PT_LOAD");
	spec_exec(&sp);
	sp.eh.e_phnum = 2;
	sp.ph[0].p_filesz = sp.ph[0].p_memsz = 0;
	sp.ph[1].p_filesz = sp.ph[1].p_memsz = 0;
	expect_rejected(&sp, "empty loads only");
}
END_TEST

START_TEST(short_files)
{
	struct elf_image img;
	uint8_t *buf;
	struct spec sp;

	spec_exec(&sp);
	buf = build(&sp);
	ck_assert_int_eq(elf_parse(buf, 0, ELF_EM_AARCH64, &img), -ENOEXEC);
	ck_assert_int_eq(elf_parse(buf, 63, ELF_EM_AARCH64, &img), -ENOEXEC);
	ck_assert_int_eq(elf_parse(buf, 64, ELF_EM_AARCH64, &img), -ENOEXEC);
	free(buf);
	ck_assert_int_eq(elf_parse("not an ELF file, just text, long enough to "
				   "hold a header or so.....",
			     67, ELF_EM_AARCH64, &img),
	    -ENOEXEC);
}
END_TEST

START_TEST(bad_loads)
{
	struct elf_image img;
	struct spec sp;
	uint64_t start, end;

	spec_exec(&sp);
	sp.ph[1].p_filesz = 0x2001;
	expect_rejected(&sp, "filesz > memsz");
	/* File bytes to the very end, then one past it. */
	spec_exec(&sp);
	sp.ph[1].p_filesz = IMG_LEN - 0x1000;
	expect_parsed(&sp, &img, "data to the end of the file");
	sp.ph[1].p_filesz++;
	expect_rejected(&sp, "data past the end of the file");
	spec_exec(&sp);
	sp.ph[1].p_offset = UINT64_MAX - 0xfff; /* still congruent */
	sp.ph[1].p_vaddr = DATA_VA - 0x1000;
	expect_rejected(&sp, "offset + filesz wrapping");
	spec_exec(&sp);
	sp.ph[1].p_offset = 0x3000; /* congruent, past IMG_LEN */
	sp.ph[1].p_filesz = 0;
	sp.ph[2].p_type = ELF_PT_NULL;
	expect_rejected(&sp, "offset past the end, no file bytes");
	/* The top of the address space: up to ELF_VA_LIMIT and no further. */
	spec_exec(&sp);
	sp.ph[1].p_vaddr = ELF_VA_LIMIT - 0x2000;
	sp.ph[2].p_vaddr = sp.ph[1].p_vaddr;
	expect_parsed(&sp, &img, "data ending at the limit");
	ck_assert_uint_eq(img.hi, ELF_VA_LIMIT);
	sp.ph[1].p_memsz++;
	expect_rejected(&sp, "data ending past the limit");
	spec_exec(&sp);
	sp.ph[1].p_vaddr = UINT64_MAX - 0xfff;
	sp.ph[2].p_type = ELF_PT_NULL;
	expect_rejected(&sp, "vaddr + memsz wrapping");
	/* vaddr and offset must agree modulo the page. */
	spec_exec(&sp);
	sp.ph[1].p_vaddr += 8;
	sp.ph[2].p_vaddr += 8;
	expect_rejected(&sp, "not congruent");
	sp.ph[1].p_offset += 8;
	sp.ph[2].p_offset += 8;
	expect_parsed(&sp, &img, "congruent, not aligned");
	ck_assert_uint_eq(img.seg[1].vaddr, DATA_VA + 8);
	ck_assert_uint_eq(img.hi, DATA_VA + 0x3000); /* 0x2000 bytes from +8 */
	elf_segment_page_range(&img.seg[1], &start, &end);
	ck_assert_uint_eq(start, DATA_VA);
	ck_assert_uint_eq(end, DATA_VA + 0x3000);
}
END_TEST

START_TEST(load_order_and_overlap)
{
	struct elf_image img;
	struct spec sp;

	/* Descending. */
	spec_exec(&sp);
	sp.ph[2] = sp.ph[0];
	sp.ph[0] = sp.ph[1];
	sp.ph[1] = sp.ph[2];
	sp.ph[2].p_type = ELF_PT_NULL;
	expect_rejected(&sp, "descending");
	/* The data starting inside the text, by one byte. */
	spec_exec(&sp);
	sp.ph[1].p_vaddr = TEXT_VA + 0xfff;
	sp.ph[1].p_offset = 0xfff;
	sp.ph[2].p_type = ELF_PT_NULL;
	expect_rejected(&sp, "overlapping");
	/* Right after it, in the same page: allowed. */
	spec_exec(&sp);
	sp.ph[0].p_filesz = sp.ph[0].p_memsz = 0x800;
	sp.ph[1].p_vaddr = TEXT_VA + 0x800;
	sp.ph[1].p_offset = 0x800;
	sp.ph[2].p_type = ELF_PT_NULL;
	expect_parsed(&sp, &img, "adjacent, sharing a page");
	ck_assert_uint_eq(img.nseg, 2);
	ck_assert_uint_eq(img.hi, TEXT_VA + 0x3000);
	/* Two loads at the same address. */
	spec_exec(&sp);
	sp.ph[1] = sp.ph[0];
	expect_rejected(&sp, "same address");
	/* An empty load is skipped, wherever it is. */
	spec_exec(&sp);
	sp.ph[2] = phdr(ELF_PT_LOAD, RW, 0x80, TEXT_VA + 0x80, 0, 0, PAGE);
	expect_parsed(&sp, &img, "empty load inside the text");
	ck_assert_uint_eq(img.nseg, 2);
	ck_assert_uint_eq(img.tls_memsz, 0);
}
END_TEST

/* n read-only one-page loads after the text, then a stack header. */
static void
spec_many(struct spec *sp, unsigned n)
{
	spec_header(sp, ELF_ET_EXEC, TEXT_VA + 0x80, n + 1);
	sp->len = (n + 1) * 0x100;
	sp->ph[0] = phdr(ELF_PT_LOAD, RX, 0, TEXT_VA, 0x100, 0x100, PAGE);
	for (unsigned i = 1; i < n; i++)
		sp->ph[i] = phdr(ELF_PT_LOAD, ELF_PF_R, i * 0x100,
		    TEXT_VA + i * PAGE + i * 0x100, 0x100, 0x100, PAGE);
	sp->ph[n] = phdr(ELF_PT_GNU_STACK, RW, 0, 0, 0, 0, 16);
}

START_TEST(segment_limit)
{
	struct elf_image img;
	struct spec sp;

	spec_many(&sp, ELF_MAX_SEGS);
	expect_parsed(&sp, &img, "16 loads");
	ck_assert_uint_eq(img.nseg, ELF_MAX_SEGS);
	for (unsigned i = 1; i < ELF_MAX_SEGS; i++)
		ck_assert_uint_eq(
		    img.seg[i].vaddr, TEXT_VA + i * PAGE + i * 0x100);
	spec_many(&sp, ELF_MAX_SEGS + 1);
	expect_rejected(&sp, "17 loads");
}
END_TEST

START_TEST(entry_point)
{
	struct elf_image img;
	struct spec sp;

	spec_exec(&sp);
	sp.eh.e_entry = TEXT_VA;
	expect_parsed(&sp, &img, "entry at the text's start");
	sp.eh.e_entry = TEXT_VA + 0xfff;
	expect_parsed(&sp, &img, "entry at the text's last byte");
	sp.eh.e_entry = TEXT_VA + 0x1000;
	expect_rejected(&sp, "entry after the text");
	sp.eh.e_entry = TEXT_VA - 1;
	expect_rejected(&sp, "entry before the text");
	sp.eh.e_entry = DATA_VA + 0x10;
	expect_rejected(&sp, "entry in the data");
	sp.eh.e_entry = 0;
	expect_rejected(&sp, "entry 0");
	/* An executable data segment makes it fine. */
	sp.ph[1].p_flags |= ELF_PF_X;
	sp.eh.e_entry = DATA_VA + 0x1fff; /* in the bss part, even */
	expect_parsed(&sp, &img, "entry in RWX data");
	ck_assert_uint_eq(
	    img.seg[1].prot, ELF_PROT_R | ELF_PROT_W | ELF_PROT_X);
}
END_TEST

START_TEST(tls)
{
	struct elf_image img;
	struct spec sp;

	spec_exec(&sp);
	sp.ph[2].p_align = 0;
	expect_parsed(&sp, &img, "TLS align 0");
	ck_assert_uint_eq(img.tls_align, 1);
	sp.ph[2].p_align = 64;
	expect_parsed(&sp, &img, "TLS align 64");
	ck_assert_uint_eq(img.tls_align, 64);
	sp.ph[2].p_align = 24;
	expect_rejected(&sp, "TLS align 24");
	spec_exec(&sp);
	sp.ph[2].p_filesz = 0x41;
	expect_rejected(&sp, "TLS filesz > memsz");
	spec_exec(&sp);
	sp.ph[2].p_filesz = 0;
	sp.ph[2].p_memsz = 0x40;
	expect_parsed(&sp, &img, "TLS without an image (only .tbss)");
	ck_assert_uint_eq(img.tls_memsz, 0x40);
	ck_assert_uint_eq(img.tls_filesz, 0);
	/* .tbss may run past the segment; the image may not. */
	spec_exec(&sp);
	sp.ph[2].p_vaddr = DATA_VA + 0x1ff0;
	sp.ph[2].p_memsz = 0x100;
	expect_parsed(&sp, &img, "TLS image at the segment's end");
	sp.ph[2].p_vaddr = DATA_VA + 0x1ff1;
	expect_rejected(&sp, "TLS image past the segment");
	sp.ph[2].p_vaddr = DATA_VA - 0x10;
	expect_rejected(&sp, "TLS image before the segment");
	spec_exec(&sp);
	sp.ph[2].p_offset = IMG_LEN - 0xf;
	expect_rejected(&sp, "TLS image past the end of the file");
	spec_exec(&sp);
	sp.ph[2].p_memsz = UINT64_MAX;
	expect_rejected(&sp, "TLS memsz huge");
	/* Two of them. */
	spec_exec(&sp);
	sp.ph[3] = sp.ph[2];
	expect_rejected(&sp, "two PT_TLS");
	sp.ph[2].p_memsz = sp.ph[2].p_filesz = 0;
	expect_rejected(&sp, "two PT_TLS, the first empty");
}
END_TEST

START_TEST(gnu_stack)
{
	struct elf_image img;
	struct spec sp;

	spec_exec(&sp);
	sp.ph[3].p_flags = RW | ELF_PF_X;
	expect_parsed(&sp, &img, "executable stack");
	ck_assert_uint_eq(img.stack_prot, ELF_PROT_R | ELF_PROT_W | ELF_PROT_X);
	sp.ph[3].p_flags = 0;
	expect_parsed(&sp, &img, "stack flags 0");
	ck_assert_uint_eq(img.stack_prot, ELF_PROT_R | ELF_PROT_W);
	sp.ph[3].p_type = ELF_PT_NULL;
	expect_parsed(&sp, &img, "no PT_GNU_STACK");
	ck_assert_uint_eq(img.stack_prot, ELF_PROT_R | ELF_PROT_W);
}
END_TEST

START_TEST(phdr_segment)
{
	struct elf_image img;
	struct spec sp;

	spec_pie(&sp);
	sp.ph[0].p_vaddr = 0x1000 - 5 * 56;
	expect_parsed(&sp, &img, "PT_PHDR at the text's end");
	ck_assert_uint_eq(img.phdr_vaddr, 0x1000 - 5 * 56);
	sp.ph[0].p_vaddr++;
	expect_rejected(&sp, "PT_PHDR across the text's end");
	sp.ph[0].p_vaddr = 0x20000;
	expect_rejected(&sp, "PT_PHDR outside the loads");
	spec_pie(&sp);
	sp.ph[3] = sp.ph[0];
	expect_rejected(&sp, "two PT_PHDR");
	/* Without PT_PHDR: from the load holding e_phoff, else 0. */
	spec_pie(&sp);
	sp.ph[0].p_type = ELF_PT_NULL;
	expect_parsed(&sp, &img, "phdrs found in the text");
	ck_assert_uint_eq(img.phdr_vaddr, 64);
	sp.eh.e_phoff = 0x1040;
	expect_parsed(&sp, &img, "phdrs found in the data");
	ck_assert_uint_eq(img.phdr_vaddr, 0x11040);
	sp.eh.e_phoff = 64;
	sp.ph[1].p_offset = sp.ph[1].p_vaddr = 0x1000;
	sp.ph[1].p_filesz = sp.ph[1].p_memsz = 0x100;
	sp.ph[2].p_vaddr = 0x10000;
	sp.eh.e_entry = 0x1080;
	expect_parsed(&sp, &img, "phdrs not loaded");
	ck_assert_uint_eq(img.phdr_vaddr, 0);
}
END_TEST

/* Every prefix of a valid image: 0 exactly when all it needs is there. */
static void
all_truncations(const struct spec *sp, size_t need)
{
	struct elf_image full, img;
	uint8_t *whole = build(sp);

	ck_assert_int_eq(elf_parse(whole, sp->len, ELF_EM_AARCH64, &full), 0);
	for (size_t len = 0; len <= sp->len; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		int r;

		memcpy(copy, whole, len);
		r = elf_parse(copy, len, ELF_EM_AARCH64, &img);
		quick_assert_msg(
		    r == (len < need ? -ENOEXEC : 0), "length %zu: %d", len, r);
		if (r == 0)
			quick_assert(memcmp(&img, &full, sizeof(img)) == 0);
		free(copy);
	}
	free(whole);
}

START_TEST(every_truncation)
{
	struct spec sp;

	spec_exec(&sp);
	all_truncations(&sp, 0x1100); /* the data's file bytes end there */
	spec_pie(&sp);
	all_truncations(&sp, 0x1200);
}
END_TEST

/* What a successful parse promises, checked field by field. */
static void
assert_sane(const struct elf_image *img, size_t len)
{
	quick_assert(img->type == ELF_ET_EXEC || img->type == ELF_ET_DYN);
	quick_assert(img->nseg >= 1 && img->nseg <= ELF_MAX_SEGS);
	quick_assert(img->phentsize == 56);
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];

		quick_assert(s->memsz > 0 && s->filesz <= s->memsz);
		quick_assert(s->offset <= len && s->filesz <= len - s->offset);
		quick_assert(s->vaddr < ELF_VA_LIMIT &&
			     s->memsz <= ELF_VA_LIMIT - s->vaddr);
		quick_assert((s->vaddr - s->offset) % PAGE == 0);
		quick_assert((s->prot & ~UINT32_C(7)) == 0);
		if (i > 0)
			quick_assert(s->vaddr >= s[-1].vaddr + s[-1].memsz);
	}
	quick_assert(img->lo % PAGE == 0 && img->hi % PAGE == 0);
	quick_assert(img->lo <= img->seg[0].vaddr);
	quick_assert(img->hi >= img->seg[img->nseg - 1].vaddr +
				    img->seg[img->nseg - 1].memsz);
	quick_assert(img->hi <= ELF_VA_LIMIT);
	quick_assert(img->entry >= img->lo && img->entry < img->hi);
	quick_assert(img->phdr_vaddr == 0 ||
		     (img->phdr_vaddr >= img->lo && img->phdr_vaddr < img->hi));
	quick_assert(img->tls_filesz <= img->tls_memsz);
	quick_assert(img->tls_align == 0 ||
		     (img->tls_align & (img->tls_align - 1)) == 0);
	quick_assert((img->stack_prot & ~UINT32_C(7)) == 0 &&
		     (img->stack_prot & 3) == 3);
}

/*
 * One corruption in the first n bytes: a bit flipped, or an "interesting"
 * 64-bit value (a limit, give or take one) written over 8 bytes.
 */
static void
corrupt(uint8_t *buf, size_t n, uint64_t *seed)
{
	static const uint64_t values[] = {0, 1, 0xfff, 0x1000, 0x1001, IMG_LEN,
	    ELF_VA_LIMIT, UINT64_MAX, UINT64_MAX - 0xfff, UINT64_C(1) << 63,
	    TEXT_VA, DATA_VA};
	size_t at = test_rand(seed) % n;
	uint64_t v;

	if (test_rand(seed) % 2 == 0 || at + 8 > n) {
		buf[at] ^= (uint8_t)(1u << test_rand(seed) % 8);
		return;
	}
	v = values[test_rand(seed) % ARRAY_SIZE(values)];
	v += test_rand(seed) % 3 - 1;
	memcpy(buf + at, &v, 8);
}

/* Corrupted headers: never a crash, and a success only with sane fields. */
START_TEST(random_corruption)
{
	uint64_t seed = TEST_SEED;
	int parsed = 0;

	for (int round = 0; round < 40000; round++) {
		struct elf_image img;
		struct spec sp;
		uint8_t *buf;
		int r;

		if (round % 2)
			spec_exec(&sp);
		else
			spec_pie(&sp);
		buf = build(&sp);
		for (int k = 0; k < 1 + round % 4; k++)
			corrupt(buf, 64 + sp.eh.e_phnum * 56, &seed);
		r = elf_parse(buf, sp.len, ELF_EM_AARCH64, &img);
		quick_assert_msg(
		    r == 0 || r == -ENOEXEC, "round %d: %d", round, r);
		if (r == 0) {
			assert_sane(&img, sp.len);
			parsed++;
		}
		free(buf);
	}
	/* Some corruptions (in e_shoff, p_paddr...) change nothing. */
	ck_assert_int_gt(parsed, 1000);
	ck_assert_int_lt(parsed, 39000);
}
END_TEST

/* What readelf -lW says about path's PT_LOADs and PT_TLS. */
struct readelf_view {
	unsigned nload;
	struct elf_seg load[ELF_MAX_SEGS];
	int has_tls;
	struct elf_seg tls;
	uint64_t entry;
};

static int
run_readelf(const char *path, struct readelf_view *v)
{
	char cmd[512], line[512];
	FILE *p;

	memset(v, 0, sizeof(*v));
	snprintf(cmd, sizeof(cmd), "readelf -lW '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	if (p == NULL)
		return -1;
	while (fgets(line, sizeof(line), p) != NULL) {
		char type[32], flags[8] = "";
		unsigned long long off, va, pa, fsz, msz;
		struct elf_seg s;

		if (sscanf(line, "Entry point %llx", &va) == 1)
			v->entry = va;
		if (sscanf(line, " %31s %llx %llx %llx %llx %llx %3[RWE ]",
			type, &off, &va, &pa, &fsz, &msz, flags) < 6)
			continue;
		s = (struct elf_seg){va, msz, off, fsz,
		    (strchr(flags, 'R') ? ELF_PROT_R : 0) |
			(strchr(flags, 'W') ? ELF_PROT_W : 0) |
			(strchr(flags, 'E') ? ELF_PROT_X : 0)};
		if (strcmp(type, "LOAD") == 0 && v->nload < ELF_MAX_SEGS)
			v->load[v->nload++] = s;
		else if (strcmp(type, "TLS") == 0)
			v->has_tls = 1, v->tls = s;
	}
	return pclose(p) == 0 && v->nload > 0 ? 0 : -1;
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Parses a real executable and compares it with readelf's view. */
static void
check_real_file(const char *path)
{
	struct readelf_view v;
	struct elf_image img;
	size_t len, need = 0;
	uint8_t *buf;

	buf = read_file(path, &len);
	ck_assert_msg(buf != NULL, "cannot read %s", path);
	ck_assert_int_eq(elf_parse(buf, len, ELF_EM_AARCH64, &img), 0);
	assert_sane(&img, len);
	ck_assert_uint_eq(img.type, ELF_ET_EXEC);
	ck_assert_int_eq(img.has_interp, 0);
	ck_assert_int_eq(elf_parse(buf, len, ELF_EM_X86_64, &img), -ENOEXEC);
	ck_assert_int_eq(elf_parse(buf, len, ELF_EM_AARCH64, &img), 0);
	if (run_readelf(path, &v) != 0) {
		printf("test_elf: no readelf, %s not compared\n", path);
	} else {
		ck_assert_uint_eq(img.entry, v.entry);
		ck_assert_uint_eq(img.nseg, v.nload);
		for (unsigned i = 0; i < v.nload; i++)
			assert_seg(&img.seg[i], v.load[i].vaddr,
			    v.load[i].memsz, v.load[i].offset, v.load[i].filesz,
			    v.load[i].prot);
		ck_assert_uint_eq(img.tls_memsz, v.has_tls ? v.tls.memsz : 0);
		ck_assert_uint_eq(img.tls_filesz, v.has_tls ? v.tls.filesz : 0);
		ck_assert_uint_eq(img.tls_vaddr, v.has_tls ? v.tls.vaddr : 0);
	}
	/*
	 * Cut off where the segments' file bytes end, and one byte before:
	 * (the program headers and TLS image come earlier in these files).
	 */
	for (unsigned i = 0; i < img.nseg; i++)
		if (img.seg[i].offset + img.seg[i].filesz > need)
			need = img.seg[i].offset + img.seg[i].filesz;
	ck_assert_int_eq(elf_parse(buf, need, ELF_EM_AARCH64, &img), 0);
	ck_assert_int_eq(
	    elf_parse(buf, need - 1, ELF_EM_AARCH64, &img), -ENOEXEC);
	free(buf);
}

START_TEST(built_init)
{
	const char *path = getenv("LICHEN_TEST_ELF");

	if (path == NULL) {
		printf("test_elf: LICHEN_TEST_ELF not set, skipping init\n");
		return;
	}
	check_real_file(path);
}
END_TEST

/* The arm64 busybox-static package's binary, if this host has it. */
START_TEST(busybox)
{
	static const char path[] = "/bin/busybox";
	uint8_t ident[20];
	FILE *f = fopen(path, "rb");
	int aarch64;

	if (f == NULL) {
		printf("test_elf: no %s, skipping\n", path);
		return;
	}
	aarch64 = fread(ident, 1, sizeof(ident), f) == sizeof(ident) &&
		  ident[18] == ELF_EM_AARCH64 && ident[19] == 0;
	fclose(f);
	if (!aarch64) {
		printf(
		    "test_elf: %s is not an aarch64 binary, skipping\n", path);
		return;
	}
	check_real_file(path);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("elf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, static_executable);
	tcase_add_test(tc, static_pie);
	tcase_add_test(tc, bad_identification);
	tcase_add_test(tc, bad_program_header_table);
	tcase_add_test(tc, short_files);
	tcase_add_test(tc, bad_loads);
	tcase_add_test(tc, load_order_and_overlap);
	tcase_add_test(tc, segment_limit);
	tcase_add_test(tc, entry_point);
	tcase_add_test(tc, tls);
	tcase_add_test(tc, gnu_stack);
	tcase_add_test(tc, phdr_segment);
	tcase_add_test(tc, every_truncation);
	tcase_add_test(tc, random_corruption);
	tcase_add_test(tc, built_init);
	tcase_add_test(tc, busybox);
	suite_add_tcase(s, tc);
	return s;
}

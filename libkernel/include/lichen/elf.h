/*
 * <lichen/elf.h> - checking an ELF64 executable and describing what to
 * map, in place and without allocation. The kernel uses it to start init,
 * init to start the servers, and the Linux personality's execve for static
 * and static-PIE programs; each then maps the segments itself.
 *
 * Only what such a loader needs: little-endian ELFCLASS64 ET_EXEC or
 * ET_DYN files for one machine, their PT_LOAD segments (at most
 * ELF_MAX_SEGS), PT_PHDR, PT_TLS, PT_INTERP and PT_GNU_STACK. Sections are
 * never looked at. Every length and offset in the file is checked against
 * the buffer and against overflow before it is used.
 */
#ifndef LICHEN_ELF_H
#define LICHEN_ELF_H

#include <stddef.h>
#include <stdint.h>

#include <lichen/compiler.h>

/* e_ident */
#define ELF_EI_NIDENT  16
#define ELF_EI_CLASS   4
#define ELF_EI_DATA    5
#define ELF_EI_VERSION 6
#define ELF_CLASS64    2
#define ELF_DATA2LSB   1
#define ELF_EV_CURRENT 1

/* e_type */
#define ELF_ET_EXEC 2
#define ELF_ET_DYN  3

/* e_machine */
#define ELF_EM_X86_64  62
#define ELF_EM_AARCH64 183

/* p_type */
#define ELF_PT_NULL	 0
#define ELF_PT_LOAD	 1
#define ELF_PT_DYNAMIC	 2
#define ELF_PT_INTERP	 3
#define ELF_PT_NOTE	 4
#define ELF_PT_PHDR	 6
#define ELF_PT_TLS	 7
#define ELF_PT_GNU_STACK 0x6474e551u

/* p_flags */
#define ELF_PF_X 0x1u
#define ELF_PF_W 0x2u
#define ELF_PF_R 0x4u

/* The file's headers, as the System V gABI lays them out. */
struct elf64_ehdr {
	uint8_t e_ident[ELF_EI_NIDENT]; /* "\177ELF", class, data, version */
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff; /* program header table, bytes into the file */
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize; /* one program header's size */
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};
STATIC_ASSERT_SIZEOF(struct elf64_ehdr, 64);

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset; /* the segment's first byte in the file */
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t
	    p_filesz; /* bytes from the file; the rest up to memsz is zero */
	uint64_t p_memsz;
	uint64_t p_align;
};
STATIC_ASSERT_SIZEOF(struct elf64_phdr, 56);

#define ELF_MAX_SEGS  16
#define ELF_PAGE_SIZE UINT64_C(4096)
#define ELF_VA_LIMIT  (UINT64_C(1) << 48) /* no segment reaches past this */

/* elf_seg.prot and elf_image.stack_prot */
#define ELF_PROT_R 0x1u
#define ELF_PROT_W 0x2u
#define ELF_PROT_X 0x4u

/*
 * One PT_LOAD: memsz bytes at vaddr, the first filesz of them from the
 * file at offset, the rest zero. vaddr and offset are congruent modulo
 * ELF_PAGE_SIZE, so the file's pages can be mapped where they belong.
 */
struct elf_seg {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t prot; /* ELF_PROT_* */
};

/*
 * What elf_parse found. Addresses are the file's own: for ET_DYN (static
 * PIE) the loader picks a bias and adds it to all of them.
 */
struct elf_image {
	uint16_t type; /* ELF_ET_EXEC or ELF_ET_DYN */
	uint64_t entry;
	uint64_t
	    phdr_vaddr; /* the program headers in memory, or 0 if not mapped */
	uint16_t phnum, phentsize;
	unsigned nseg;
	struct elf_seg seg[ELF_MAX_SEGS]; /* ascending, not overlapping */
	uint64_t lo, hi; /* page-aligned span of all segments: [lo, hi) */
	uint64_t tls_vaddr, tls_memsz, tls_filesz, tls_align; /* PT_TLS, or 0 */
	int has_interp;	     /* PT_INTERP present: a dynamic program */
	uint32_t stack_prot; /* R|W, and X if PT_GNU_STACK asks for it */
};

/*
 * Checks the len bytes at file (any alignment) as an executable for
 * machine (e.g. ELF_EM_AARCH64) and fills *out: 0, or -ENOEXEC when the
 * file is malformed or not something this loader runs. Rejected, besides
 * bad identification and header fields: program headers outside the
 * file; no PT_LOAD or more than ELF_MAX_SEGS; a PT_LOAD with filesz >
 * memsz, file bytes past the end, an end past ELF_VA_LIMIT, vaddr and
 * offset not congruent modulo a page, or starting before the previous
 * one ends; an entry point outside every executable segment (ET_EXEC) or
 * outside [lo, hi) (ET_DYN); more than one PT_PHDR or PT_TLS; a PT_PHDR
 * table, or a PT_TLS initialisation image (its first filesz bytes), not
 * inside one PT_LOAD; a PT_TLS with filesz > memsz, file bytes past the
 * end or an alignment that is not a power of two. PT_LOADs with memsz 0
 * are checked, then ignored. A PT_TLS alignment of 0 reads as 1. *out is
 * meaningless after a failure.
 */
int elf_parse(
    const void *file, size_t len, uint16_t machine, struct elf_image *out);

/* The pages segment s touches: [*start, *end), ELF_PAGE_SIZE aligned. */
void elf_segment_page_range(
    const struct elf_seg *s, uint64_t *start, uint64_t *end);

#endif /* LICHEN_ELF_H */

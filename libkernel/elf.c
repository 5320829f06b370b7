/*
 * elf.c - checking an ELF64 executable and collecting its segments: the
 * ELF header, then one pass over the program headers (loads, TLS, PHDR,
 * INTERP, GNU_STACK), then the checks that need all the loads (entry
 * point, where the program headers and the TLS image sit). Headers are
 * copied out before they are read, so the file may have any alignment.
 * See <lichen/elf.h>.
 */
#include <stdbool.h>

#include <lichen/align.h>
#include <lichen/elf.h>
#include <lichen/errno.h>
#include <lichen/string.h>

/* The fields are read as they lie in memory: the file's byte order. */
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "elf.c reads ELFDATA2LSB files on a little-endian machine only");

/* Extended numbering: the real count is in section header 0. */
#define PN_XNUM 0xffff

/* [off, off + size) lies within [0, limit), without overflowing. */
static bool
range_within(uint64_t off, uint64_t size, uint64_t limit)
{
	return size <= limit && off <= limit - size;
}

static bool
ehdr_ok(const struct elf64_ehdr *eh, size_t len, uint16_t machine)
{
	const uint8_t *id = eh->e_ident;

	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return false;
	if (id[ELF_EI_CLASS] != ELF_CLASS64 ||
	    id[ELF_EI_DATA] != ELF_DATA2LSB ||
	    id[ELF_EI_VERSION] != ELF_EV_CURRENT ||
	    eh->e_version != ELF_EV_CURRENT)
		return false;
	if (eh->e_machine != machine)
		return false;
	if (eh->e_type != ELF_ET_EXEC && eh->e_type != ELF_ET_DYN)
		return false;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) ||
	    eh->e_phnum == PN_XNUM)
		return false;
	/* At most 65534 * 56 bytes: the product cannot overflow. */
	return range_within(eh->e_phoff,
	    (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr), len);
}

static uint32_t
prot_of(uint32_t p_flags)
{
	return (p_flags & ELF_PF_R ? ELF_PROT_R : 0) |
	       (p_flags & ELF_PF_W ? ELF_PROT_W : 0) |
	       (p_flags & ELF_PF_X ? ELF_PROT_X : 0);
}

static int
add_load(struct elf_image *img, const struct elf64_phdr *ph, size_t len)
{
	if (ph->p_filesz > ph->p_memsz ||
	    !range_within(ph->p_offset, ph->p_filesz, len) ||
	    !range_within(ph->p_vaddr, ph->p_memsz, ELF_VA_LIMIT))
		return -ENOEXEC;
	if (!IS_ALIGNED(ph->p_vaddr - ph->p_offset, ELF_PAGE_SIZE))
		return -ENOEXEC;
	if (ph->p_memsz == 0)
		return 0;
	if (img->nseg == ELF_MAX_SEGS)
		return -ENOEXEC;
	if (img->nseg > 0) {
		const struct elf_seg *prev = &img->seg[img->nseg - 1];

		if (ph->p_vaddr < prev->vaddr + prev->memsz)
			return -ENOEXEC; /* out of order or overlapping */
	}
	img->seg[img->nseg++] = (struct elf_seg){.vaddr = ph->p_vaddr,
	    .memsz = ph->p_memsz,
	    .offset = ph->p_offset,
	    .filesz = ph->p_filesz,
	    .prot = prot_of(ph->p_flags)};
	return 0;
}

static int
add_tls(struct elf_image *img, const struct elf64_phdr *ph, size_t len)
{
	if (img->tls_align != 0)
		return -ENOEXEC; /* a second PT_TLS (the first set it >= 1) */
	if (ph->p_filesz > ph->p_memsz ||
	    !range_within(ph->p_offset, ph->p_filesz, len) ||
	    !range_within(ph->p_vaddr, ph->p_memsz, ELF_VA_LIMIT))
		return -ENOEXEC;
	if (ph->p_align > 1 && !is_pow2(ph->p_align))
		return -ENOEXEC;
	img->tls_vaddr = ph->p_vaddr;
	img->tls_memsz = ph->p_memsz;
	img->tls_filesz = ph->p_filesz;
	img->tls_align = ph->p_align > 1 ? ph->p_align : 1;
	return 0;
}

/* Records one program header; what needs every load waits for finish(). */
static int
note_phdr(struct elf_image *img, const struct elf64_phdr *ph, size_t len,
    bool *seen_phdr)
{
	switch (ph->p_type) {
	case ELF_PT_LOAD:
		return add_load(img, ph, len);
	case ELF_PT_TLS:
		return add_tls(img, ph, len);
	case ELF_PT_PHDR:
		if (*seen_phdr)
			return -ENOEXEC;
		*seen_phdr = true;
		img->phdr_vaddr = ph->p_vaddr; /* finish() checks it */
		return 0;
	case ELF_PT_INTERP:
		img->has_interp = 1;
		return 0;
	case ELF_PT_GNU_STACK:
		/* As Linux: only X matters, and the last one wins. */
		img->stack_prot = ELF_PROT_R | ELF_PROT_W |
				  (ph->p_flags & ELF_PF_X ? ELF_PROT_X : 0);
		return 0;
	default:
		return 0;
	}
}

/* The load containing [vaddr, vaddr + size), or NULL. */
static const struct elf_seg *
seg_containing(const struct elf_image *img, uint64_t vaddr, uint64_t size)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];

		if (vaddr >= s->vaddr &&
		    range_within(vaddr - s->vaddr, size, s->memsz))
			return s;
	}
	return NULL;
}

/* Where the file's program header table lands in memory, or 0. */
static uint64_t
phdrs_mapped_at(const struct elf_image *img, uint64_t phoff, uint64_t size)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];

		if (phoff >= s->offset &&
		    range_within(phoff - s->offset, size, s->filesz))
			return s->vaddr + (phoff - s->offset);
	}
	return 0;
}

static bool
entry_ok(const struct elf_image *img)
{
	const struct elf_seg *s;

	if (img->type == ELF_ET_DYN)
		return img->entry >= img->lo && img->entry < img->hi;
	s = seg_containing(img, img->entry, 1);
	return s != NULL && (s->prot & ELF_PROT_X);
}

/* The checks that need every load: run after the program header pass. */
static int
finish(struct elf_image *img, const struct elf64_ehdr *eh, bool seen_phdr)
{
	uint64_t phsize = (uint64_t)eh->e_phnum * eh->e_phentsize;
	const struct elf_seg *last;

	if (img->nseg == 0)
		return -ENOEXEC;
	last = &img->seg[img->nseg - 1];
	img->lo = ALIGN_DOWN(img->seg[0].vaddr, ELF_PAGE_SIZE);
	img->hi = ALIGN_UP(last->vaddr + last->memsz, ELF_PAGE_SIZE);
	if (!entry_ok(img))
		return -ENOEXEC;
	if (seen_phdr) {
		if (seg_containing(img, img->phdr_vaddr, phsize) == NULL)
			return -ENOEXEC;
	} else {
		img->phdr_vaddr = phdrs_mapped_at(img, eh->e_phoff, phsize);
	}
	if (img->tls_filesz != 0 &&
	    seg_containing(img, img->tls_vaddr, img->tls_filesz) == NULL)
		return -ENOEXEC;
	return 0;
}

int
elf_parse(const void *file, size_t len, uint16_t machine, struct elf_image *out)
{
	const uint8_t *base = file;
	struct elf64_ehdr eh;
	bool seen_phdr = false;

	if (len < sizeof(eh))
		return -ENOEXEC;
	LK_NAME(memcpy)(&eh, base, sizeof(eh));
	if (!ehdr_ok(&eh, len, machine))
		return -ENOEXEC;
	LK_NAME(memset)(out, 0, sizeof(*out));
	out->type = eh.e_type;
	out->entry = eh.e_entry;
	out->phnum = eh.e_phnum;
	out->phentsize = eh.e_phentsize;
	out->stack_prot = ELF_PROT_R | ELF_PROT_W;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		const uint8_t *at =
		    base + eh.e_phoff + i * sizeof(struct elf64_phdr);
		struct elf64_phdr ph;
		int r;

		LK_NAME(memcpy)(&ph, at, sizeof(ph));
		if ((r = note_phdr(out, &ph, len, &seen_phdr)) < 0)
			return r;
	}
	return finish(out, &eh, seen_phdr);
}

void
elf_segment_page_range(const struct elf_seg *s, uint64_t *start, uint64_t *end)
{
	/* elf_parse kept vaddr + memsz below ELF_VA_LIMIT: no overflow. */
	*start = ALIGN_DOWN(s->vaddr, ELF_PAGE_SIZE);
	*end = ALIGN_UP(s->vaddr + s->memsz, ELF_PAGE_SIZE);
}

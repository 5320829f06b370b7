/* Loading ELF segments through native calls (lichen/elf_load.h). */
#include <lichen/elf_load.h>
#include <lichen/errno.h>
#include <lichen/native.h>

static uint32_t
prot_of(uint32_t elf_prot)
{
	return ((elf_prot & ELF_PROT_R) ? PROT_R : 0) |
	    ((elf_prot & ELF_PROT_W) ? PROT_W : 0) |
	    ((elf_prot & ELF_PROT_X) ? PROT_X : 0);
}

long
elf_load_segments(handle_t vs, const void *file, const struct elf_image *img,
    uint64_t *end)
{
	uint64_t start, stop, prev_end = 0;
	long r;

	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];

		elf_segment_page_range(s, &start, &stop);
		if (start < prev_end)
			return -ENOEXEC;	/* segments sharing a page */
		r = vm_map(vs, start, stop - start, PROT_R | PROT_W, HANDLE_NONE, 0);
		if (r == 0 && s->filesz > 0)
			r = vm_write(vs, s->vaddr, (const char *)file + s->offset, s->filesz);
		if (r == 0)
			r = vm_protect(vs, start, stop - start, prot_of(s->prot));
		if (r != 0)
			return r;
		prev_end = stop;
	}
	if (end != NULL)
		*end = prev_end;
	return 0;
}

/*
 * Starting a Linux program: a static (ET_EXEC) aarch64 ELF loaded into a
 * new process created with our personality endpoint, and the initial
 * stack the Linux aarch64 ABI gives a program: argc, argv, envp, the
 * auxiliary vector (AT_PHDR, AT_PAGESZ, AT_ENTRY, AT_RANDOM, ...).
 */
#include <lichen/elf.h>
#include <lichen/elf_load.h>
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define STACK_TOP	0x7ffff0000000UL
#define STACK_SIZE	(8UL << 20)	/* Linux's default RLIMIT_STACK */
#define PAGE		4096UL

/* auxv keys (include/uapi/linux/auxvec.h) */
enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6,
	AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12,
	AT_GID = 13, AT_EGID = 14, AT_HWCAP = 16, AT_CLKTCK = 17,
	AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31,
};

#define HWCAP_FP	(1UL << 0)
#define HWCAP_ASIMD	(1UL << 1)

/* Room for the strings, the random bytes and the vectors. */
static char stack_image[16384];

/* Push n bytes at the top of the image; their user address. */
static uint64_t
push(uint64_t *sp, const void *p, size_t n)
{
	*sp -= n;
	memcpy(stack_image + (*sp - (STACK_TOP - sizeof(stack_image))), p, n);
	return *sp;
}

static long
build_stack(handle_t vs, const char *name, int argc, const char *const *argv,
    const struct elf_image *img, uint64_t *sp_out)
{
	uint64_t sp = STACK_TOP, argp[32], execfn, random, v[2 * 32 + 40], n = 0;
	uint64_t rnd[2] = { clock_get() * 0x9e3779b97f4a7c15UL, clock_get() ^ 0x5deece66dUL };

	if (argc > 30)
		return -E2BIG;
	execfn = push(&sp, name, strlen(name) + 1);
	for (int i = argc - 1; i >= 0; i--)
		argp[i] = push(&sp, argv[i], strlen(argv[i]) + 1);
	sp &= ~15UL;
	random = push(&sp, rnd, sizeof(rnd));	/* AT_RANDOM: 16 bytes (not yet a CSPRNG) */
	/* argc, argv..., NULL, envp: NULL, auxv pairs, AT_NULL */
	v[n++] = (uint64_t)argc;
	for (int i = 0; i < argc; i++)
		v[n++] = argp[i];
	v[n++] = 0;
	v[n++] = 0;
#define AUX(k, val)	(v[n++] = (k), v[n++] = (val))
	AUX(AT_PHDR, img->phdr_vaddr);
	AUX(AT_PHENT, img->phentsize);
	AUX(AT_PHNUM, img->phnum);
	AUX(AT_PAGESZ, PAGE);
	AUX(AT_BASE, 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, img->entry);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_HWCAP, HWCAP_FP | HWCAP_ASIMD);
	AUX(AT_HWCAP2, 0);
	AUX(AT_CLKTCK, 100);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, random);
	AUX(AT_EXECFN, execfn);
	AUX(AT_NULL, 0);
#undef AUX
	sp = (sp - n * 8) & ~15UL;
	push(&(uint64_t){ sp + n * 8 }, v, n * 8);
	*sp_out = sp;
	return vm_write(vs, STACK_TOP - sizeof(stack_image), stack_image, sizeof(stack_image));
}

long
lx_exec(struct lproc *lp, handle_t pers, const char *name, const void *file,
    uint64_t len, int argc, const char *const *argv)
{
	struct elf_image img;
	uint64_t sp;
	long r, t;

	if (elf_parse(file, len, ELF_EM_AARCH64, &img) != 0 || img.type != ELF_ET_EXEC ||
	    img.has_interp)
		return -ENOEXEC;
	r = process_create(name, strlen(name), pers);
	if (r < 0)
		return r;
	lp->proc = (handle_t)r;
	if ((r = process_vmspace(lp->proc)) < 0)
		return r;
	lp->vs = (handle_t)r;
	lx_proc_init(lp, name);
	/* The heap starts above the last segment. */
	if ((r = elf_load_segments(lp->vs, file, &img, &lp->brk_start)) != 0 ||
	    (r = vm_map(lp->vs, STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_R | PROT_W, 0, 0)) != 0 ||
	    (r = build_stack(lp->vs, name, argc, argv, &img, &sp)) != 0)
		return r;
	lp->brk = lp->brk_start;
	if ((t = thread_create(lp->proc, img.entry, sp, 0)) < 0)
		return t;
	lp->thread = (handle_t)t;
	return thread_start(lp->thread);
}

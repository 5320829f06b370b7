/*
 * Loading a Linux program: a static aarch64 ELF (ET_EXEC, or a static PIE
 * loaded at PIE_BASE) mapped into a
 * fresh address space of a new kernel process whose SVCs come to us, the
 * stack the Linux aarch64 ABI starts a program with (argc, argv, envp,
 * the auxiliary vector), and the page holding the signal return
 * trampoline. Nothing of the caller changes here: execve swaps the new
 * image in only once it is complete (proc.c).
 *
 * Until the vfs serves files, programs come from the root tree of
 * rootfs.c (the boot archive, read-only).
 */
#include <lichen/elf.h>
#include <lichen/elf_load.h>
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define STACK_TOP	0x7ffff0000000UL
#define STACK_SIZE	(8UL << 20)	/* Linux's default RLIMIT_STACK */
#define SIGTRAMP_VA	(STACK_TOP + PAGE)	/* above the stack, a page between */
#define MMAP_TOP	0x7f0000000000UL	/* mmap without a hint: below this */
#define PIE_BASE	0x555555554000UL	/* where a static PIE is loaded */

/* auxv keys (include/uapi/linux/auxvec.h) */
enum {
	AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6,
	AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12,
	AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16, AT_CLKTCK = 17,
	AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31,
};

#define HWCAP_FP	(1UL << 0)
#define HWCAP_ASIMD	(1UL << 1)

#define S_IFMT_		0170000
#define S_IFLNK_	0120000
#define S_IFDIR_	0040000
#define S_IFREG_	0100000

/* vfs mode: the canonical path of the last file lx_exec_open read. */
char lx_exec_canon[256];

/*
 * The executable file at path (absolute) in the root tree, symbolic
 * links followed: 0 with its bytes, or the walk's error (ENOENT,
 * ENOTDIR, ELOOP, ENAMETOOLONG), or EACCES for what is not a regular
 * file with an execute bit (as Linux's execve).
 */
int
lx_exec_open(const char *path, const void **data, uint64_t *len)
{
	struct lnode n;
	int r;

	if (lx_vfs != HANDLE_NONE && strncmp(path, "/proc/", 6) != 0 &&
	    strncmp(path, "/dev/", 5) != 0)
		return lx_vfs_read_file(path, 0, data, len, lx_exec_canon, sizeof(lx_exec_canon), 1);
	if ((r = lx_rootfs_walk("", path, 1, &n)) != 0)
		return r;
	if ((n.mode & S_IFMT_) != S_IFREG_ || n.dev != DEV_NONE || !(n.mode & 0111))
		return -EACCES;
	*data = n.data;
	*len = n.size;
	return 0;
}

/* The stack is built here, then copied: room for ARG_MAX and the vectors. */
static char stack_image[(2UL << 20) + 256 * 1024];
static uint64_t vec[2 * 8192 + 64];

/* Push n bytes below *sp in the image; their user address. */
static uint64_t
push(uint64_t *sp, const void *p, size_t n)
{
	*sp -= n;
	memcpy(stack_image + (*sp - (STACK_TOP - sizeof(stack_image))), p, n);
	return *sp;
}

static long
build_stack(handle_t vs, const char *path, int argc, char *const *argv, int envc,
    char *const *envp, const struct elf_image *img, const uint32_t cred[4], uint64_t *sp_out)
{
	uint64_t sp = STACK_TOP, execfn, platform, random, n = 0, at;
	uint64_t rnd[2] = { clock_get() * 0x9e3779b97f4a7c15UL, clock_get() ^ 0x5deece66dUL };

	execfn = push(&sp, path, strlen(path) + 1);
	platform = push(&sp, "aarch64", 8);
	/* Strings first (envp above argv, as Linux lays them out). */
	for (int i = envc - 1; i >= 0; i--)
		vec[1 + argc + 1 + i] = push(&sp, envp[i], strlen(envp[i]) + 1);
	for (int i = argc - 1; i >= 0; i--)
		vec[1 + i] = push(&sp, argv[i], strlen(argv[i]) + 1);
	sp &= ~15UL;
	random = push(&sp, rnd, sizeof(rnd));	/* AT_RANDOM: 16 bytes (not yet a CSPRNG) */
	/* argc, argv..., NULL, envp..., NULL, auxv pairs, AT_NULL */
	vec[0] = (uint64_t)argc;
	vec[1 + argc] = 0;
	n = 1 + (uint64_t)argc + 1 + (uint64_t)envc;
	vec[n++] = 0;
#define AUX(k, val)	(vec[n++] = (k), vec[n++] = (val))
	AUX(AT_PHDR, img->phdr_vaddr);
	AUX(AT_PHENT, img->phentsize);
	AUX(AT_PHNUM, img->phnum);
	AUX(AT_PAGESZ, PAGE);
	AUX(AT_BASE, 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, img->entry);
	AUX(AT_UID, cred[0]);
	AUX(AT_EUID, cred[1]);
	AUX(AT_GID, cred[2]);
	AUX(AT_EGID, cred[3]);
	AUX(AT_PLATFORM, platform);
	AUX(AT_HWCAP, HWCAP_FP | HWCAP_ASIMD);
	AUX(AT_HWCAP2, 0);
	AUX(AT_CLKTCK, 100);
	AUX(AT_SECURE, cred[0] != cred[1] || cred[2] != cred[3]);	/* real and effective ids differ */
	AUX(AT_RANDOM, random);
	AUX(AT_EXECFN, execfn);
	AUX(AT_NULL, 0);
#undef AUX
	sp = (sp - n * 8) & ~15UL;
	at = sp + n * 8;
	push(&at, vec, n * 8);
	*sp_out = sp;
	return vm_write(vs, sp, stack_image + (sp - (STACK_TOP - sizeof(stack_image))),
	    STACK_TOP - sp);
}

/*
 * A static PIE (ET_DYN without an interpreter) relocates itself; it only
 * needs loading somewhere: every address moves by bias.
 */
static void
relocate(struct elf_image *img, uint64_t bias)
{
	for (unsigned i = 0; i < img->nseg; i++)
		img->seg[i].vaddr += bias;
	img->entry += bias;
	if (img->phdr_vaddr != 0)
		img->phdr_vaddr += bias;
	if (img->tls_vaddr != 0)
		img->tls_vaddr += bias;
	img->lo += bias;
	img->hi += bias;
}

/* The rt_sigreturn trampoline handlers return to without SA_RESTORER. */
static long
map_sigtramp(handle_t vs)
{
	static const uint32_t code[2] = {
		0xd2801168,	/* mov x8, #139 (rt_sigreturn) */
		0xd4000001,	/* svc #0 */
	};
	long r = vm_map(vs, SIGTRAMP_VA, PAGE, PROT_R | PROT_W, 0, 0);

	if (r == 0)
		r = vm_write(vs, SIGTRAMP_VA, code, sizeof(code));
	return r != 0 ? r : vm_protect(vs, SIGTRAMP_VA, PAGE, PROT_R | PROT_X);
}

long
lx_exec_image(struct lproc *p, const char *path, int argc, char *const *argv, int envc,
    char *const *envp, struct lx_image *im)
{
	struct elf_image img;
	const void *file;
	uint64_t len, sp;
	const char *base = strrchr(path, '/');
	long r, k;

	if ((r = lx_exec_open(path, &file, &len)) != 0)
		return r;
	if (elf_parse(file, len, ELF_EM_AARCH64, &img) != 0 || img.has_interp)
		return -ENOEXEC;	/* static programs only (docs/linuxemu.md) */
	if (img.type == ELF_ET_DYN)
		relocate(&img, PIE_BASE - img.lo);
	else if (img.type != ELF_ET_EXEC)
		return -ENOEXEC;
	base = base != NULL ? base + 1 : path;
	if ((k = process_create(base, strlen(base), lx_pers)) < 0)
		return k;
	im->kproc = (handle_t)k;
	im->vs = HANDLE_NONE;
	im->kthread = HANDLE_NONE;
	if ((k = process_vmspace(im->kproc)) < 0) {
		r = k;
		goto fail;
	}
	im->vs = (handle_t)k;
	if ((r = elf_load_segments(im->vs, file, &img, &im->brk)) != 0 ||
	    (r = vm_map(im->vs, STACK_TOP - STACK_SIZE, STACK_SIZE, img.stack_prot, 0, 0)) != 0 ||
	    (r = build_stack(im->vs, path, argc, argv, envc, envp, &img,
	    (const uint32_t[4]){ p->uid, p->euid, p->gid, p->egid }, &sp)) != 0 ||
	    (r = map_sigtramp(im->vs)) != 0)
		goto fail;
	if ((k = thread_create(im->kproc, img.entry, sp, 0)) < 0) {
		r = k;
		goto fail;
	}
	im->kthread = (handle_t)k;
	im->sigtramp = SIGTRAMP_VA;
	im->stack_lo = STACK_TOP - STACK_SIZE;
	im->stack_len = STACK_SIZE;
	im->stack_prot = img.stack_prot;
	im->mmap_top = MMAP_TOP;
	return 0;
fail:
	process_kill(im->kproc, r);
	handle_close(im->kproc);
	if (im->vs != HANDLE_NONE)
		handle_close(im->vs);
	return r == -EFAULT || r == -ENOEXEC ? -ENOEXEC : r;
}

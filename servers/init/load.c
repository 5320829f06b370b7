/*
 * Starting a native program from an ELF in the boot archive, the way the
 * kernel starts init (kernel/init.c) but through native calls: a new
 * process, each PT_LOAD mapped anonymous and writable, filled with
 * vm_write and then given its own protection; a stack with argv
 * (lichen/ipc.h, "How a native program starts"); a badged send handle
 * to init's endpoint as x0 (and for a driver the device handle as x1);
 * its exit bound to that endpoint.
 */
#include <lichen/elf.h>
#include <lichen/elf_load.h>
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "init_core.h"

long
init_stack_build(void *buf, size_t cap, uint64_t top, unsigned argc,
    const char *const *argv, uint64_t *sp_out)
{
	uint64_t base = top - cap, sp = top, ptr[INIT_SPAWN_ARGV_MAX + 1];
	char *b = buf;

	if (argc > INIT_SPAWN_ARGV_MAX)
		return -E2BIG;
	/* The strings, argv[0] highest. */
	for (unsigned i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (n > sp - base)
			return -E2BIG;
		sp -= n;
		memcpy(b + (sp - base), argv[i], n);
		ptr[i] = sp;
	}
	ptr[argc] = 0;
	/* argc, argv[], NULL: (argc + 2) words at a 16-byte aligned sp. */
	if ((argc + 2) * 8 + 15 > sp - base)
		return -E2BIG;
	sp = (sp - (argc + 2) * 8) & ~UINT64_C(15);
	memcpy(b + (sp - base), &(uint64_t){ argc }, 8);
	memcpy(b + (sp - base) + 8, ptr, (argc + 1) * 8);
	*sp_out = sp;
	return (long)(top - sp);
}

/* The file is one we run: static, for us, below the stack, no shared pages. */
static long
check_image(const struct elf_image *img)
{
	uint64_t prev_end = 0, start, end;

	if (img->type != ELF_ET_EXEC || img->has_interp)
		return -ENOEXEC;
	for (unsigned i = 0; i < img->nseg; i++) {
		elf_segment_page_range(&img->seg[i], &start, &end);
		if (start < prev_end || start < NATIVE_LOAD_BASE ||
		    end > NATIVE_STACK_TOP - NATIVE_STACK_SIZE)
			return -ENOEXEC;
		prev_end = end;
	}
	return 0;
}

static long
load_stack(handle_t vs, const struct init_spawn *s, uint64_t *sp)
{
	char image[4096 + (INIT_SPAWN_ARGV_MAX + 3) * 8 + 16];	/* the line and boot args */
	long n, r;

	n = init_stack_build(image, sizeof(image), NATIVE_STACK_TOP, s->argc,
	    s->argv, sp);
	if (n < 0)
		return n;
	r = vm_map(vs, NATIVE_STACK_TOP - NATIVE_STACK_SIZE, NATIVE_STACK_SIZE,
	    PROT_R | PROT_W, HANDLE_NONE, 0);
	if (r == 0)
		r = vm_write(vs, *sp, image + sizeof(image) - (size_t)n, (size_t)n);
	return r;
}

/* The child's x0: its number for a send handle to init, badged cookie. */
static long
give_name_handle(handle_t p, const struct init_spawn *s)
{
	long h = handle_dup(s->name_ep, RIGHT_SEND | RIGHT_TRANSFER, s->cookie);
	long child;

	if (h < 0)
		return h;
	child = process_give(p, (handle_t)h, RIGHT_SEND);
	handle_close((handle_t)h);
	return child;
}

/*
 * A driver's x1: its number for the device handle, with RIGHT_MANAGE
 * only (no RIGHT_TRANSFER: it stays with the driver). thread_create
 * sets x0 alone; the thread has not run, so its registers may be set.
 */
static long
give_device(handle_t p, handle_t t, handle_t device)
{
	struct user_regs regs;
	long h = process_give(p, device, RIGHT_MANAGE), r;

	if (h < 0)
		return h;
	if ((r = thread_regs(t, THREAD_REGS_GET, THREAD_REGS_GENERAL, &regs)) != 0)
		return r;
	regs.x[1] = (uint64_t)h;
	return thread_regs(t, THREAD_REGS_SET, THREAD_REGS_GENERAL, &regs);
}

long
init_spawn(const struct init_spawn *s, handle_t *proc)
{
	struct elf_image img;
	long p, vs = -1, t = -1, arg, r;
	uint64_t sp;

	if (s->driver && s->device == HANDLE_NONE)
		return -EPERM;
	if ((r = elf_parse(s->elf, s->len, ELF_EM_AARCH64, &img)) != 0)
		return r;
	if ((r = check_image(&img)) != 0)
		return r;
	if ((p = process_create(s->name, strlen(s->name), HANDLE_NONE)) < 0)
		return p;
	if ((vs = r = process_vmspace((handle_t)p)) < 0)
		goto fail;
	if ((r = elf_load_segments((handle_t)vs, s->elf, &img, NULL)) != 0 ||
	    (r = load_stack((handle_t)vs, s, &sp)) != 0)
		goto fail;
	if ((arg = r = give_name_handle((handle_t)p, s)) < 0)
		goto fail;
	if ((t = r = thread_create((handle_t)p, img.entry, sp, (uint64_t)arg)) < 0)
		goto fail;
	if (s->driver && (r = give_device((handle_t)p, (handle_t)t, s->device)) != 0)
		goto fail;
	/* Bound before it runs, so no exit goes unreported. */
	if ((r = obj_bind((handle_t)p, s->name_ep, s->cookie)) != 0 ||
	    (r = thread_start((handle_t)t)) != 0)
		goto fail;
	handle_close((handle_t)t);
	handle_close((handle_t)vs);
	*proc = (handle_t)p;
	return 0;
fail:
	if (t > 0)
		handle_close((handle_t)t);
	if (vs > 0)
		handle_close((handle_t)vs);
	process_kill((handle_t)p, r);
	handle_close((handle_t)p);
	return r;
}

/*
 * Starting the first user process: init, from the boot archive. The kernel
 * loads init's ELF itself (every later program is loaded by init through
 * native calls), gives it a read-only copy of the archive, a device handle
 * and its boot arguments (lichen/ipc.h, "How a native program starts"),
 * and powers the machine off if init ever exits. lichen.init=NAME starts
 * another program of the archive in its place (the native tests do).
 */
#include <lichen/cpio.h>
#include <lichen/elf.h>
#include <lichen/errno.h>
#include <lichen/string.h>
#include <arch/memlayout.h>
#include <kernel.h>
#include <memobj.h>
#include <process.h>
#include <thread.h>
#include <uaccess.h>
#include <vmspace.h>
#include "init.h"

#define MAX_ARGS	32

static uint32_t
vma_prot(uint32_t elf_prot)
{
	return ((elf_prot & ELF_PROT_R) ? VMA_READ : 0) |
	    ((elf_prot & ELF_PROT_W) ? VMA_WRITE : 0) |
	    ((elf_prot & ELF_PROT_X) ? VMA_EXEC : 0);
}

/* Map and fill init's segments; vs is the active user space. */
static int
load_segments(struct vmspace *vs, const struct cpio_entry *e,
    const struct elf_image *img)
{
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		uint64_t start, end;
		int err;

		elf_segment_page_range(s, &start, &end);
		err = vmspace_map_anon(vs, start, end - start, VMA_READ | VMA_WRITE);
		if (err == 0 && s->filesz > 0)
			err = copy_to_user(uva(s->vaddr), (const char *)e->data + s->offset,
			    s->filesz);
		if (err == 0)
			err = vmspace_protect(vs, start, end - start, vma_prot(s->prot));
		if (err != 0)
			return err;
	}
	return 0;
}

/* argv = "init" and each boot argument; returns the initial sp, or 0. */
static uint64_t
build_stack(struct vmspace *vs, const char *bootargs)
{
	uint64_t top = NATIVE_STACK_TOP, sp = top, argv[MAX_ARGS + 1];
	const char *p = bootargs;
	unsigned argc = 0;

	if (vmspace_map_anon(vs, top - NATIVE_STACK_SIZE, NATIVE_STACK_SIZE,
	    VMA_READ | VMA_WRITE) != 0)
		return 0;
	sp -= 5;
	if (copy_to_user(uva(sp), "init", 5) != 0)
		return 0;
	argv[argc++] = sp;
	while (*p != '\0' && argc < MAX_ARGS) {
		size_t n = 0;

		while (*p == ' ')
			p++;
		while (p[n] != '\0' && p[n] != ' ')
			n++;
		if (n == 0)
			break;
		sp -= n + 1;
		if (copy_to_user(uva(sp), p, n) != 0 || copy_to_user(uva(sp + n), "", 1) != 0)
			return 0;
		argv[argc++] = sp;
		p += n;
	}
	argv[argc] = 0;
	sp = (sp - (argc + 2) * 8) & ~15UL;
	if (copy_to_user(uva(sp), &(uint64_t){ argc }, 8) != 0 ||
	    copy_to_user(uva(sp + 8), argv, (argc + 1) * 8) != 0)
		return 0;
	return sp;
}

/* A read-only copy of the archive at INIT_ARCHIVE_BASE. */
static int
map_archive(struct vmspace *vs, const void *archive, size_t len)
{
	struct memobj *mo = memobj_create(len);
	int err;

	if (mo == NULL)
		return -ENOMEM;
	for (uint64_t i = 0; i < mo->npages; i++) {
		size_t n = len - i * PAGE_SIZE < PAGE_SIZE ? len - i * PAGE_SIZE : PAGE_SIZE;

		memcpy(hal_phys_to_virt(mo->pages[i]), (const char *)archive + i * PAGE_SIZE, n);
	}
	err = vmspace_map_pages(vs, INIT_ARCHIVE_BASE, mo->pages, mo->npages, VMA_READ);
	kobj_put(&mo->obj);		/* the mapping keeps the pages */
	return err;
}

static void
watch_init(void *arg)
{
	struct process *p = arg;
	long status = process_wait(p);

	kprintf("lichen: %s exited with status %ld; powering off\n", p->name, status);
	hal_poweroff();
}

int
init_start(const void *archive, size_t len, const char *name, const char *bootargs)
{
	struct cpio_entry e;
	struct elf_image img;
	struct process *p;
	struct device *dev;
	struct thread *t;
	uint64_t sp = 0;
	long devh;
	int err;

	if (cpio_find(archive, len, name, &e) != 1) {
		kprintf("lichen: no %s in the boot archive\n", name);
		return -ENOENT;
	}
	if (elf_parse(e.data, e.size, ELF_EM_AARCH64, &img) != 0 || img.has_interp ||
	    img.type != ELF_ET_EXEC) {
		kprintf("lichen: %s in the boot archive is not a static aarch64 executable\n",
		    name);
		return -ENOEXEC;
	}
	p = process_create(name, strlen(name), NULL);
	dev = device_create();
	if (p == NULL || dev == NULL)
		return -ENOMEM;
	vmspace_activate(p->vs);
	err = load_segments(p->vs, &e, &img);
	if (err == 0)
		err = map_archive(p->vs, archive, len);
	if (err == 0 && (sp = build_stack(p->vs, bootargs)) == 0)
		err = -ENOMEM;
	vmspace_activate(NULL);
	devh = process_handle_add(p, &dev->obj, RIGHTS_ALL, 0);
	kobj_put(&dev->obj);
	if (err != 0 || devh < 0 || (t = thread_create_user(p, img.entry, sp,
	    (uint64_t)devh)) == NULL) {
		kprintf("lichen: cannot start init: error %d\n", err != 0 ? err : -ENOMEM);
		return err != 0 ? err : -ENOMEM;
	}
	thread_set_user_reg(t, 1, INIT_ARCHIVE_BASE);
	thread_set_user_reg(t, 2, len);
	if (process_attach_thread(p, t) != 0 ||
	    thread_create("init-watch", watch_init, p, 8, ~0UL, -1) == NULL)
		return -ENOMEM;
	thread_start(t, -1);
	return 0;
}

/*
 * The native calls on address spaces and memory: vm_map/unmap/protect/
 * clone/read/write, memory objects (contiguous ones for DMA too) and
 * device memory (the dispatch table is in syscall.c).
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#include <arch/memlayout.h>
#include <arch/trap.h>
#include <kernel.h>
#include <memobj.h>
#include <pmm.h>
#include <process.h>
#include <uaccess.h>
#include <vmspace.h>
#include "syscall_decode.h"

static bool
range_ok(uint64_t uva, uint64_t len)
{
	return len != 0 && ((uva | len) & (PAGE_SIZE - 1)) == 0 && uva < USER_TOP &&
	    len <= USER_TOP - uva;
}

long
sys_vm_map(struct trap_frame *tf)
{
	uint64_t uva = ARG(1), len = ARG(2), off = ARG(5);
	uint32_t prot = (uint32_t)ARG(3);
	struct memobj *mo;
	struct vmspace *vs;
	int err;

	if (!range_ok(uva, len) || (ARG(3) & ~(uint64_t)(PROT_R | PROT_W | PROT_X)))
		return -EINVAL;
	if ((err = GET(ARG(0), OBJ_VMSPACE, RIGHT_MAP, vs, struct vmspace)) != 0)
		return err;
	if (ARG(4) == 0) {
		err = vmspace_map_anon(vs, uva, len, prot);
	} else if ((err = GET(ARG(4), OBJ_MEMOBJ, RIGHT_MAP |
	    ((prot & PROT_W) ? RIGHT_WRITE : 0), mo, struct memobj)) == 0) {
		if ((off & (PAGE_SIZE - 1)) || off / PAGE_SIZE > mo->npages ||
		    len / PAGE_SIZE > mo->npages - off / PAGE_SIZE)
			err = -EINVAL;
		else
			err = vmspace_map_pages(vs, uva, mo->pages + off / PAGE_SIZE,
			    len / PAGE_SIZE, prot);
		kobj_put(&mo->obj);
	}
	kobj_put(&vs->obj);
	return err;
}

long
sys_vm_unmap(struct trap_frame *tf)
{
	struct vmspace *vs;
	int err = GET(ARG(0), OBJ_VMSPACE, RIGHT_MAP, vs, struct vmspace);

	if (err != 0)
		return err;
	err = vmspace_unmap(vs, ARG(1), ARG(2));
	kobj_put(&vs->obj);
	return err;
}

long
sys_vm_protect(struct trap_frame *tf)
{
	struct vmspace *vs;
	int err;

	if (ARG(3) & ~(uint64_t)(PROT_R | PROT_W | PROT_X))
		return -EINVAL;
	if ((err = GET(ARG(0), OBJ_VMSPACE, RIGHT_MAP, vs, struct vmspace)) != 0)
		return err;
	err = vmspace_protect(vs, ARG(1), ARG(2), (uint32_t)ARG(3));
	kobj_put(&vs->obj);
	return err;
}

long
sys_vm_clone(struct trap_frame *tf)
{
	struct vmspace *vs, *copy;
	int err = GET(ARG(0), OBJ_VMSPACE, RIGHT_READ, vs, struct vmspace);

	if (err != 0)
		return err;
	copy = vmspace_clone(vs);
	kobj_put(&vs->obj);
	return new_handle(copy != NULL ? &copy->obj : NULL, RIGHTS_ALL);
}

static long
vm_copy(struct trap_frame *tf, bool to_vs)
{
	struct vmspace *vs;
	int err = GET(ARG(0), OBJ_VMSPACE, to_vs ? RIGHT_WRITE : RIGHT_READ, vs,
	    struct vmspace);

	if (err != 0)
		return err;
	err = vmspace_copy(vs, ARG(1), ARG(2), ARG(3), to_vs);
	kobj_put(&vs->obj);
	return err;
}

long
sys_vm_read(struct trap_frame *tf)
{
	return vm_copy(tf, false);
}

long
sys_vm_write(struct trap_frame *tf)
{
	return vm_copy(tf, true);
}

long
sys_memobj_create(struct trap_frame *tf)
{
	struct memobj *mo;

	if (ARG(0) == 0 || ARG(0) > MEMOBJ_MAX_SIZE)
		return -EINVAL;
	mo = memobj_create(ARG(0));
	return new_handle(mo != NULL ? &mo->obj : NULL, RIGHTS_ALL);
}

/*
 * memobj_create_dma(device, size, uint64_t *pa): a memory object whose
 * pages are physically contiguous, for a device to reach by DMA. The
 * pointer is tried before anything is allocated; a write that fails
 * after all (another thread unmapped it) undoes the object.
 */
long
sys_memobj_create_dma(struct trap_frame *tf)
{
	uint64_t size = ARG(1), pa = 0;
	struct device *dev;
	struct memobj *mo;
	long h;
	int err;

	if ((err = GET(ARG(0), OBJ_DEVICE, RIGHT_MANAGE, dev, struct device)) != 0)
		return err;
	kobj_put(&dev->obj);
	if (size == 0 || size > MEMOBJ_DMA_MAX_SIZE)
		return -EINVAL;
	if (copy_to_user(uva(ARG(2)), &pa, sizeof(pa)) != 0)
		return -EFAULT;
	if ((mo = memobj_create_dma(size)) == NULL)
		return -ENOMEM;
	pa = mo->pages[0];
	h = new_handle(&mo->obj, RIGHTS_ALL);
	if (h >= 0 && copy_to_user(uva(ARG(2)), &pa, sizeof(pa)) != 0) {
		process_handle_close(process_current(), (handle_t)h);
		return -EFAULT;
	}
	return h;
}

long
sys_mmio_map(struct trap_frame *tf)
{
	uint64_t uva = ARG(2), pa = ARG(3), len = ARG(4);
	struct device *dev;
	struct vmspace *vs;
	int err;

	if (!range_ok(uva, len) || (pa & (PAGE_SIZE - 1)) || pa + len < pa)
		return -EINVAL;
	for (uint64_t a = pa; a < pa + len; a += PAGE_SIZE)
		if (pa_to_page(a) != NULL)
			return -EPERM;		/* RAM is never device memory */
	if ((err = GET(ARG(0), OBJ_DEVICE, RIGHT_MANAGE, dev, struct device)) != 0)
		return err;
	if ((err = GET(ARG(1), OBJ_VMSPACE, RIGHT_MAP, vs, struct vmspace)) == 0) {
		err = vmspace_map_phys(vs, uva, pa, len, VMA_READ | VMA_WRITE);
		kobj_put(&vs->obj);
	}
	kobj_put(&dev->obj);
	return err;
}


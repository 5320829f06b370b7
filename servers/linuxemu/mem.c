/*
 * Memory: the heap (brk), anonymous mappings (private, and shared through
 * a memory object so fork keeps them shared), munmap and mprotect. The
 * kernel solves page faults (demand-zero, copy-on-write); a fault outside
 * every mapping comes to signal.c as SIGSEGV.
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

/*
 * brk(addr): move the break; 0 (or anything out of range) just asks.
 * Pages are mapped demand-zero as the break grows and unmapped as it
 * shrinks. The answer is the break, as Linux's raw syscall gives it.
 */
long
sys_brk(struct lthread *t, const uint64_t *a)
{
	uint64_t want = a[0], old_top = (t->proc->mm->brk + PAGE - 1) & ~(PAGE - 1), new_top;

	if (want < t->proc->mm->brk_start || want > t->proc->mm->brk_start + (1UL << 36))
		return (long)t->proc->mm->brk;
	new_top = (want + PAGE - 1) & ~(PAGE - 1);
	if (new_top > old_top &&
	    vm_map(t->proc->mm->vs, old_top, new_top - old_top, PROT_R | PROT_W, 0, 0) != 0)
		return (long)t->proc->mm->brk;	/* ENOMEM shows as an unchanged break */
	if (new_top < old_top)
		vm_unmap(t->proc->mm->vs, new_top, old_top - new_top);
	t->proc->mm->brk = want;
	return (long)want;
}

long
sys_mprotect(struct lthread *t, const uint64_t *a)
{
	if (a[0] & (PAGE - 1))
		return -EINVAL;
	if (a[2] & ~7UL)
		return -EINVAL;		/* PROT_READ|WRITE|EXEC only */
	if (a[1] == 0)
		return 0;
	return vm_protect(t->proc->mm->vs, a[0], (a[1] + PAGE - 1) & ~(PAGE - 1), (uint32_t)a[2]);
}

/* mmap: anonymous memory only until files exist (the vfs issue). */
#define MAP_SHARED_		0x01
#define MAP_PRIVATE_		0x02
#define MAP_FIXED_		0x10
#define MAP_ANONYMOUS_		0x20
#define MAP_FIXED_NOREPLACE_	0x100000

/*
 * Map len bytes at addr: demand-zero pages, or for MAP_SHARED a memory
 * object's (vm_clone shares those, so a fork's parent and child see each
 * other's writes).
 */
static long
map_anon(struct lthread *t, uint64_t addr, uint64_t len, uint32_t prot, int shared)
{
	long mo, r;

	if (!shared)
		return vm_map(t->proc->mm->vs, addr, len, prot, 0, 0);
	if ((mo = memobj_create(len)) < 0)
		return mo;
	r = vm_map(t->proc->mm->vs, addr, len, prot, (handle_t)mo, 0);
	handle_close((handle_t)mo);
	return r;
}

long
sys_mmap(struct lthread *t, const uint64_t *a)
{
	struct lmm *mm = t->proc->mm;
	uint64_t addr = a[0], len = (a[1] + PAGE - 1) & ~(PAGE - 1), flags = a[3];
	uint32_t prot = (uint32_t)a[2];
	int shared = (flags & 3) == MAP_SHARED_;
	long r;

	if (a[1] == 0 || len < a[1] || (addr & (PAGE - 1)) || (prot & ~7U))
		return -EINVAL;
	if ((flags & 3) == 0 || (flags & 3) == 3)
		return -EINVAL;		/* MAP_SHARED_VALIDATE (3) needs files */
	if (!(flags & MAP_ANONYMOUS_))
		return (long)a[4] < 0 || lx_fd_is_open(t, a[4]) == 0 ? -EBADF : -ENODEV;
	if (flags & (MAP_FIXED_ | MAP_FIXED_NOREPLACE_)) {
		if (addr == 0 || addr + len < addr)
			return -EINVAL;
		if (flags & MAP_FIXED_)
			vm_unmap(mm->vs, addr, len);	/* MAP_FIXED replaces */
		r = map_anon(t, addr, len, prot, shared);
		return r == -EEXIST ? -EEXIST : r != 0 ? -ENOMEM : (long)addr;
	}
	/* A hint is tried first; else the next free range going down. */
	if (addr != 0 && map_anon(t, addr, len, prot, shared) == 0)
		return (long)addr;
	/* Going down from mmap_next, never into the heap's room (64 GiB). */
	while (len <= mm->mmap_next && mm->mmap_next - len > mm->brk_start + (1UL << 36)) {
		addr = mm->mmap_next - len;
		mm->mmap_next = addr;
		if ((r = map_anon(t, addr, len, prot, shared)) == 0)
			return (long)addr;
		if (r != -EEXIST)
			return -ENOMEM;
	}
	return -ENOMEM;
}

long
sys_munmap(struct lthread *t, const uint64_t *a)
{
	if ((a[0] & (PAGE - 1)) || a[1] == 0)
		return -EINVAL;
	return vm_unmap(t->proc->mm->vs, a[0], (a[1] + PAGE - 1) & ~(PAGE - 1));
}


/*
 * Memory: the heap (brk), anonymous mappings (private, and shared through
 * a memory object so fork keeps them shared), private copies of files,
 * munmap, mprotect, mremap and madvise. The kernel solves page faults (demand-zero, copy-on-write); a
 * fault outside every mapping comes to signal.c as SIGSEGV.
 *
 * The kernel does not tell us what is mapped, so each address space keeps
 * its own record (struct lmm's map[]): one entry per Linux VMA, with its
 * protection, its madvise marks and, for MAP_SHARED, the memory object
 * behind it, so mremap can map the same pages elsewhere. Every call here
 * keeps the record and the kernel in step; a range with no record is
 * treated as unmapped (the kernel still answers for munmap and mprotect
 * there). Others tell us of their mappings with lx_mm_note (exec's image),
 * lx_mm_copy_map (fork) and lx_mm_drop_map (the last reference).
 */
#include <lichen/elf.h>
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define NMAP		((int)(sizeof(((struct lmm *)0)->map) / sizeof(((struct lmm *)0)->map[0])))
#define TASK_TOP	(1UL << 48)		/* Linux's TASK_SIZE with 48-bit addresses */
#define HEAP_ROOM	(1UL << 36)		/* kept free above brk_start for the heap */

static uint64_t
page_up(uint64_t n)
{
	return (n + PAGE - 1) & ~(PAGE - 1);	/* 0 for the last page's worth: callers check */
}

/* --- the memory objects behind MAP_SHARED mappings --- */

/*
 * One handle per object, counted by the records naming it in every address
 * space (fork shares them). Number 0 is never used: a record's obj 0 means
 * private memory.
 */
#define NOBJ	512

static struct {
	handle_t h;
	int refs;
	uint64_t size;
} objs[NOBJ];

/*
 * The table is full: close the objects that no live address space's
 * record names. (An address space whose last reference went without
 * lx_mm_drop_map left its counts behind; this is what recovers them.)
 */
static void
obj_collect(void)
{
	static uint8_t named[NOBJ];

	memset(named, 0, sizeof(named));
	for (int p = 0; p < LX_NPROC; p++) {
		const struct lmm *mm = lx_procs[p].mm;

		if (lx_procs[p].state == LP_FREE || mm == NULL || mm->refs <= 0)
			continue;
		for (int i = 0; i < mm->nmap; i++)
			named[mm->map[i].obj] = 1;
	}
	for (int o = 1; o < NOBJ; o++)
		if (objs[o].refs > 0 && !named[o]) {
			handle_close(objs[o].h);
			objs[o].refs = 0;
		}
}

static int
obj_free_slot(void)
{
	for (int i = 1; i < NOBJ; i++)
		if (objs[i].refs == 0)
			return i;
	return 0;
}

/* A new zeroed object of size bytes (one reference): its number, or -ENOMEM. */
static int
obj_new(uint64_t size)
{
	int i = obj_free_slot();
	long h;

	if (i == 0) {
		obj_collect();
		i = obj_free_slot();
	}
	if (i == 0 || (h = memobj_create(size)) < 0)
		return -ENOMEM;
	objs[i].h = (handle_t)h;
	objs[i].refs = 1;
	objs[i].size = size;
	return i;
}

static void
obj_get(int o)
{
	if (o != 0)
		objs[o].refs++;
}

static void
obj_put(int o)
{
	if (o != 0 && --objs[o].refs == 0)
		handle_close(objs[o].h);
}

/* --- the record --- */

/* The first record ending above addr (mm->nmap if none). */
static int
map_above(const struct lmm *mm, uint64_t addr)
{
	int lo = 0, hi = mm->nmap;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (mm->map[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The record holding addr, or NULL. */
static struct lx_map *
map_at(struct lmm *mm, uint64_t addr)
{
	int i = map_above(mm, addr);

	return i < mm->nmap && mm->map[i].start <= addr ? &mm->map[i] : NULL;
}

/*
 * How many of the len bytes at uva can be written, as far as the record
 * knows: up to the first record without PROT_W or the first hole (where
 * nothing is mapped). If a mapping went unrecorded, all len: the copy
 * will tell.
 */
uint64_t
lx_mm_writable(struct lmm *mm, uint64_t uva, uint64_t len)
{
	int i = map_above(mm, uva);
	uint64_t at = uva;

	if (mm->incomplete)
		return len;
	while (at - uva < len && i < mm->nmap && mm->map[i].start <= at &&
	    (mm->map[i].prot & PROT_W))
		at = mm->map[i++].end;
	return at - uva < len ? at - uva : len;
}

/* Whether n more records fit (Linux answers ENOMEM past vm.max_map_count too). */
static int
room(const struct lmm *mm, int n)
{
	return mm->nmap + n <= NMAP;
}

/* How many records cutting at start and end adds: 0, 1 or 2. */
static int
map_cuts(struct lmm *mm, uint64_t start, uint64_t end)
{
	struct lx_map *a = map_at(mm, start), *b = map_at(mm, end);

	return (a != NULL && a->start < start) + (b != NULL && b->start < end);
}

static void
map_insert(struct lmm *mm, int i, const struct lx_map *m)
{
	memmove(&mm->map[i + 1], &mm->map[i], (size_t)(mm->nmap - i) * sizeof(*m));
	mm->map[i] = *m;
	mm->nmap++;
}

static void
map_delete(struct lmm *mm, int i)
{
	obj_put(mm->map[i].obj);
	memmove(&mm->map[i], &mm->map[i + 1], (size_t)(mm->nmap - i - 1) * sizeof(mm->map[0]));
	mm->nmap--;
}

/* Cut the record straddling addr in two there (room checked by the caller). */
static void
map_cut(struct lmm *mm, uint64_t addr)
{
	int i = map_above(mm, addr);
	struct lx_map tail;

	if (i == mm->nmap || mm->map[i].start >= addr)
		return;
	tail = mm->map[i];
	tail.start = addr;
	if (tail.obj != 0)
		tail.off += addr - mm->map[i].start;
	obj_get(tail.obj);
	mm->map[i].end = addr;
	map_insert(mm, i + 1, &tail);
}

/* Whether b continues a so that Linux would keep them as one VMA. */
static int
mergeable(const struct lx_map *a, const struct lx_map *b)
{
	return a->end == b->start && a->prot == b->prot && a->marks == b->marks &&
	    a->obj == b->obj && (a->obj == 0 || a->off + (a->end - a->start) == b->off);
}

/* Join each record lo..hi with the one before it where they are alike. */
static void
map_merge(struct lmm *mm, int lo, int hi)
{
	if (lo < 1)
		lo = 1;
	if (hi > mm->nmap - 1)
		hi = mm->nmap - 1;
	for (int i = hi; i >= lo; i--)
		if (mergeable(&mm->map[i - 1], &mm->map[i])) {
			mm->map[i - 1].end = mm->map[i].end;
			map_delete(mm, i);
		}
}

/*
 * Cut at start and end, so that the records inside [start, end) are
 * exactly [*lo, *hi). The caller checked room for map_cuts.
 */
static void
map_span(struct lmm *mm, uint64_t start, uint64_t end, int *lo, int *hi)
{
	map_cut(mm, start);
	map_cut(mm, end);
	*lo = map_above(mm, start);
	*hi = map_above(mm, end);
}

/* Forget [start, end) (room for map_cuts checked by the caller). */
static void
map_forget(struct lmm *mm, uint64_t start, uint64_t end)
{
	int lo, hi;

	map_span(mm, start, end, &lo, &hi);
	for (int n = hi - lo; n > 0; n--)
		map_delete(mm, lo);
}

/*
 * Record [start, end), which no record overlaps; it takes over the
 * caller's reference to obj. Room for one checked by the caller.
 */
static void
map_add(struct lmm *mm, uint64_t start, uint64_t end, uint32_t prot, uint16_t marks,
    int obj, uint64_t off)
{
	struct lx_map m = { .start = start, .end = end, .prot = prot, .marks = marks,
		.obj = (uint16_t)obj, .off = off };
	int i = map_above(mm, start);

	map_insert(mm, i, &m);
	map_merge(mm, i, i + 1);
}

/* --- the kernel side --- */

/* Map [at, at + len): demand-zero pages (obj 0), or obj's from off. */
static long
kmap(struct lmm *mm, uint64_t at, uint64_t len, uint32_t prot, int obj, uint64_t off)
{
	return vm_map(mm->vs, at, len, prot, obj != 0 ? objs[obj].h : 0, off);
}

/*
 * Map len bytes where there is room: going down from mmap_next, never
 * into the heap's room. The address, or -ENOMEM.
 */
static long
kmap_anywhere(struct lmm *mm, uint64_t len, uint32_t prot, int obj, uint64_t off)
{
	long r;

	while (len <= mm->mmap_next && mm->mmap_next - len > mm->brk_start + HEAP_ROOM) {
		uint64_t addr = mm->mmap_next - len;

		mm->mmap_next = addr;
		if ((r = kmap(mm, addr, len, prot, obj, off)) == 0)
			return (long)addr;
		if (r != -EEXIST)
			return -ENOMEM;
	}
	return -ENOMEM;
}

/* munmap's work: the kernel's pages and our record of them. */
static long
unmap(struct lmm *mm, uint64_t start, uint64_t len)
{
	long r;

	if (!room(mm, map_cuts(mm, start, start + len)))
		return -ENOMEM;		/* a hole punched needs a record */
	if ((r = vm_unmap(mm->vs, start, len)) != 0)
		return r;
	map_forget(mm, start, start + len);
	return 0;
}

/*
 * Map and record [at, at + len) of shared memory continuing object obj
 * from off: its own pages while it has them, then a new object's. (Linux
 * gives SIGBUS past the end of the object, which only mremap can reach;
 * we give zeroed memory there, shared with later forks.) Room for two.
 */
static long
map_shared_at(struct lmm *mm, uint64_t at, uint64_t len, uint32_t prot, uint16_t marks,
    int obj, uint64_t off)
{
	uint64_t n = objs[obj].size > off ? objs[obj].size - off : 0;
	int tail = 0;
	long r;

	if (n > len)
		n = len;
	if (n > 0 && (r = kmap(mm, at, n, prot, obj, off)) != 0)
		return r;
	if (n < len && ((tail = obj_new(len - n)) < 0 ||
	    (r = kmap(mm, at + n, len - n, prot, tail, 0)) != 0)) {
		r = tail < 0 ? tail : r;
		obj_put(tail > 0 ? tail : 0);
		if (n > 0)
			vm_unmap(mm->vs, at, n);
		return r;
	}
	if (n > 0) {
		obj_get(obj);
		map_add(mm, at, at + n, prot, marks, obj, off);
	}
	if (n < len)
		map_add(mm, at + n, at + len, prot, marks, tail, 0);
	return 0;
}

/*
 * Copy len bytes from src to dst within mm's address space. The kernel
 * has no call that moves pages, so mremap moves private memory this way,
 * through a buffer: every page is read, so untouched ones are made (zero)
 * on the way. dst must be writable; src readable.
 */
static char move_buf[64 * 1024];

static long
copy_within(struct lmm *mm, uint64_t dst, uint64_t src, uint64_t len)
{
	for (uint64_t done = 0; done < len; done += sizeof(move_buf)) {
		size_t n = len - done < sizeof(move_buf) ? len - done : sizeof(move_buf);
		long r;

		if ((r = vm_read(mm->vs, src + done, move_buf, n)) != 0 ||
		    (r = vm_write(mm->vs, dst + done, move_buf, n)) != 0)
			return r;
	}
	return 0;
}

/* --- brk, mmap, munmap, mprotect --- */

/*
 * brk(addr): move the break; 0 (or anything out of range) just asks.
 * Pages are mapped demand-zero as the break grows and unmapped as it
 * shrinks. The answer is the break, as Linux's raw syscall gives it.
 */
long
sys_brk(struct lthread *t, const uint64_t *a)
{
	struct lmm *mm = t->proc->mm;
	uint64_t want = a[0], old_top = page_up(mm->brk), new_top;

	if (want < mm->brk_start || want > mm->brk_start + HEAP_ROOM)
		return (long)mm->brk;
	new_top = page_up(want);
	/* ENOMEM shows as an unchanged break. */
	if (new_top > old_top) {
		if (!room(mm, 1) || vm_map(mm->vs, old_top, new_top - old_top, PROT_R | PROT_W, 0, 0) != 0)
			return (long)mm->brk;
		map_add(mm, old_top, new_top, PROT_R | PROT_W, 0, 0, 0);
	}
	if (new_top < old_top && unmap(mm, new_top, old_top - new_top) != 0)
		return (long)mm->brk;
	mm->brk = want;
	return (long)want;
}

#define PROT_SEM_		0x8
#define PROT_GROWSDOWN_		0x01000000
#define PROT_GROWSUP_		0x02000000

/*
 * mprotect: Linux checks the address, then takes a zero length as done,
 * then the range's end (ENOMEM on overflow), then the bits: R, W, X and
 * PROT_SEM (meaningless, accepted) on arm64; GROWSDOWN/GROWSUP only one
 * at a time. A hole in the range is ENOMEM (the kernel's answer too).
 */
long
sys_mprotect(struct lthread *t, const uint64_t *a)
{
	struct lmm *mm = t->proc->mm;
	uint64_t start = a[0], len = page_up(a[1]), grows = a[2] & (PROT_GROWSDOWN_ | PROT_GROWSUP_);
	uint32_t prot = (uint32_t)(a[2] & ~(grows | PROT_SEM_));
	int lo, hi;
	long r;

	if (grows == (PROT_GROWSDOWN_ | PROT_GROWSUP_) || (start & (PAGE - 1)))
		return -EINVAL;
	if (a[1] == 0)
		return 0;
	if (start + len <= start)
		return -ENOMEM;
	if (a[2] >> 32 != 0 || (prot & ~(PROT_R | PROT_W | PROT_X)))
		return -EINVAL;
	if (!room(mm, map_cuts(mm, start, start + len)))
		return -ENOMEM;
	if ((r = vm_protect(mm->vs, start, len, prot)) != 0)
		return r;
	map_span(mm, start, start + len, &lo, &hi);
	for (int i = lo; i < hi; i++)
		mm->map[i].prot = prot;
	map_merge(mm, lo, hi);
	return 0;
}

/* mmap: anonymous memory only until files exist (the vfs issue). */
#define MAP_SHARED_		0x01
#define MAP_PRIVATE_		0x02
#define MAP_FIXED_		0x10
#define MAP_ANONYMOUS_		0x20
#define MAP_FIXED_NOREPLACE_	0x100000

/*
 * Where mmap puts len bytes of obj (0: demand-zero): MAP_FIXED replaces
 * what is there, MAP_FIXED_NOREPLACE refuses (EEXIST); otherwise the hint
 * if it is free, else the next free range going down. The address.
 */
static long
mmap_place(struct lmm *mm, uint64_t addr, uint64_t len, uint32_t prot, uint64_t flags, int obj)
{
	long r;

	if (flags & (MAP_FIXED_ | MAP_FIXED_NOREPLACE_)) {
		if (addr == 0 || addr + len < addr)
			return -EINVAL;
		if (flags & MAP_FIXED_) {
			vm_unmap(mm->vs, addr, len);
			map_forget(mm, addr, addr + len);
		}
		r = kmap(mm, addr, len, prot, obj, 0);
		return r == -EEXIST ? -EEXIST : r != 0 ? -ENOMEM : (long)addr;
	}
	if (addr != 0 && kmap(mm, addr, len, prot, obj, 0) == 0)
		return (long)addr;
	return kmap_anywhere(mm, len, prot, obj, 0);
}

/* --- mappings of files --- */

#define O_ACCMODE_	3
#define O_WRONLY_	1
#define O_RDWR_		2
#define O_PATH_		010000000
#define S_IFMT_		0170000
#define S_IFREG_	0100000
#define FILE_PIECE	65536UL

/* The mapping is filled: its protection as asked, and its address is the answer. */
static long
file_map_done(struct lthread *t)
{
	struct lmm *mm = t->proc->mm;

	if (!(t->fmap_prot & PROT_W) && vm_protect(mm->vs, t->fmap_at, t->fmap_len, t->fmap_prot) != 0)
		return -ENOMEM;
	return (long)t->fmap_at;
}

/* Filling failed: the mapping goes again. */
static long
file_map_fail(struct lthread *t, long err)
{
	unmap(t->proc->mm, t->fmap_at, t->fmap_len);
	return err;
}

static long file_map_piece(struct lthread *t, struct lfile *f);
long sys_mmap(struct lthread *t, const uint64_t *a);

static long
file_map_read(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len)
{
	uint64_t asked = (uint64_t)t->wait_obj, got;
	long r = (long)m->w[0];
	struct lfile *f = lx_fd_get(t, t->a[4]);

	t->wait_obj = NULL;
	if (r < 0)
		return file_map_fail(t, r);
	got = (uint64_t)r < len ? (uint64_t)r : len;
	if (got > 0 && lx_write(t->proc, t->fmap_at + t->io_done, data, got) != 0)
		return file_map_fail(t, -ENOMEM);	/* unmapped meanwhile by another thread */
	t->io_done += got;
	if (got == asked && t->io_done < t->fmap_fill && f != NULL)
		return file_map_piece(t, f);
	return file_map_done(t);			/* at the end of the file: zeros after */
}

static long
file_map_piece(struct lthread *t, struct lfile *f)
{
	uint64_t n = t->fmap_fill - t->io_done < FILE_PIECE ? t->fmap_fill - t->io_done : FILE_PIECE;
	long r;

	t->wait_obj = (void *)n;
	r = lx_vfs_io(t, f, 0, t->a[5] + t->io_done, NULL, n, file_map_read);
	return r == LX_SUSPEND ? r : file_map_fail(t, r);
}

/*
 * mmap of a file: a private copy of its bytes from offset, made now
 * (read from the archive, or from vfs in 64 KiB pieces), zeros after its
 * end. MAP_SHARED without PROT_WRITE is the same (nothing writes through
 * it); a shared writable mapping of a file is not done yet (ENODEV).
 * /dev/zero maps as anonymous memory, as Linux.
 */
static long
mmap_file(struct lthread *t, const uint64_t *a, uint64_t len)
{
	struct lmm *mm = t->proc->mm;
	struct lfile *f = lx_fd_get(t, a[4]);
	uint64_t flags = a[3], off = a[5];
	uint32_t prot = (uint32_t)a[2];
	int shared = (flags & 3) != MAP_PRIVATE_;
	long r;

	if (f == NULL || (f->flags & O_PATH_))
		return -EBADF;
	if (off & (PAGE - 1))
		return -EINVAL;
	if ((f->kind == LF_NODE && f->node.dev == DEV_ZERO) || (f->kind == LF_VFS &&
	    (f->vmode & S_IFMT_) == 0020000 && f->vrdev == (1 << 8 | 5))) {	/* devtmpfs's /dev/zero */
		uint64_t b[6] = { a[0], a[1], a[2], (flags & ~3UL) | (shared ? MAP_SHARED_ : MAP_PRIVATE_) |
		    MAP_ANONYMOUS_, (uint64_t)-1, 0 };

		return sys_mmap(t, b);
	}
	if (!((f->kind == LF_NODE && f->node.dev == DEV_NONE && (f->node.mode & S_IFMT_) == S_IFREG_) ||
	    (f->kind == LF_VFS && (f->vmode & S_IFMT_) == S_IFREG_)))
		return -ENODEV;			/* pipes, directories, the console, devices */
	if ((f->flags & O_ACCMODE_) == O_WRONLY_)
		return -EACCES;
	if (shared && (prot & PROT_W))
		return (f->flags & O_ACCMODE_) != O_RDWR_ ? -EACCES : -ENODEV;
	if (off + len < off)
		return -EOVERFLOW;
	if (!room(mm, 1 + ((flags & MAP_FIXED_) ? map_cuts(mm, a[0], a[0] + len) : 0)))
		return -ENOMEM;
	if ((r = mmap_place(mm, a[0], len, prot | PROT_W, flags, 0)) < 0)
		return r;
	map_add(mm, (uint64_t)r, (uint64_t)r + len, prot, 0, 0, 0);
	t->fmap_at = (uint64_t)r;
	t->fmap_len = len;
	t->fmap_prot = prot;
	t->io_done = 0;
	if (f->kind == LF_NODE) {
		uint64_t n = off < f->node.size ? f->node.size - off : 0;

		if (n > len)
			n = len;
		if (n > 0 && lx_write(t->proc, (uint64_t)r, (const char *)f->node.data + off, n) != 0)
			return file_map_fail(t, -ENOMEM);
		return file_map_done(t);
	}
	t->fmap_fill = len;
	return file_map_piece(t, f);
}

/*
 * MAP_SHARED memory is a memory object's pages (vm_clone shares those,
 * so a fork's parent and child see each other's writes); MAP_PRIVATE is
 * demand-zero.
 */
long
sys_mmap(struct lthread *t, const uint64_t *a)
{
	struct lmm *mm = t->proc->mm;
	uint64_t addr = a[0], len = page_up(a[1]), flags = a[3];
	uint32_t prot = (uint32_t)a[2];
	int obj = 0, cuts = 0;
	long r;

	if (a[1] == 0 || len < a[1] || (addr & (PAGE - 1)) || (prot & ~7U))
		return -EINVAL;
	if ((flags & 3) == 0 || ((flags & 3) == 3 && (flags & MAP_ANONYMOUS_)))
		return -EINVAL;		/* MAP_SHARED_VALIDATE (3) needs files */
	if (!(flags & MAP_ANONYMOUS_))
		return mmap_file(t, a, len);
	if ((flags & MAP_FIXED_) && addr + len > addr)
		cuts = map_cuts(mm, addr, addr + len);
	if (!room(mm, 1 + cuts))
		return -ENOMEM;
	if ((flags & 3) == MAP_SHARED_ && (obj = obj_new(len)) < 0)
		return -ENOMEM;
	if ((r = mmap_place(mm, addr, len, prot, flags, obj)) < 0) {
		obj_put(obj);
		return r;
	}
	map_add(mm, (uint64_t)r, (uint64_t)r + len, prot, 0, obj, 0);
	return r;
}

/* munmap: unmapping what is not mapped is fine; the range must be sane. */
long
sys_munmap(struct lthread *t, const uint64_t *a)
{
	uint64_t start = a[0], len = page_up(a[1]);

	if ((start & (PAGE - 1)) || start > TASK_TOP || a[1] > TASK_TOP - start || len == 0)
		return -EINVAL;
	return unmap(t->proc->mm, start, len);
}

/* --- mremap --- */

#define MREMAP_MAYMOVE_		1
#define MREMAP_FIXED_		2
#define MREMAP_DONTUNMAP_	4

/*
 * Linux's vma_to_resize: the old range must lie in the one mapping m that
 * holds addr (EFAULT across a boundary), and a zero old_len ("duplicate
 * the mapping") only makes sense for shared memory.
 */
static long
resize_check(const struct lx_map *m, uint64_t addr, uint64_t old_len)
{
	if (old_len == 0 && m->obj == 0)
		return -EINVAL;
	if (old_len > m->end - addr)
		return -EFAULT;
	return 0;
}

/* Grow the mapping m ending at addr + old_len by delta in place, if free. */
static long
grow_in_place(struct lmm *mm, struct lx_map *m, uint64_t delta)
{
	uint64_t end = m->end;
	long r;

	if (end + delta < end || end + delta > TASK_TOP || !room(mm, 2))
		return -ENOMEM;
	if (m->obj != 0)
		return map_shared_at(mm, end, delta, m->prot, m->marks, m->obj,
		    m->off + (end - m->start));
	if ((r = kmap(mm, end, delta, m->prot, 0, 0)) != 0)
		return r;
	map_add(mm, end, end + delta, m->prot, m->marks, 0, 0);
	return 0;
}

/*
 * Linux's move_vma: [addr, addr + old_len), inside the mapping m, becomes
 * a new mapping of new_len bytes at `to` if fixed (already cleared), else
 * at `to` as a hint or anywhere. Shared memory maps the same object
 * there; private memory is copied. The old range is unmapped, or with
 * MREMAP_DONTUNMAP left in place: empty if private, the same pages if
 * shared. The new address, or -ENOMEM.
 */
static long
move(struct lmm *mm, struct lx_map m, uint64_t addr, uint64_t old_len, uint64_t to,
    int fixed, uint64_t new_len, int dontunmap)
{
	long r;

	if (!room(mm, 4))
		return -ENOMEM;
	/* Claim the new range, writable for the copy. */
	if (fixed)
		r = kmap(mm, to, new_len, PROT_R | PROT_W, 0, 0) == 0 ? (long)to : -ENOMEM;
	else if (to == 0 || kmap(mm, to, new_len, PROT_R | PROT_W, 0, 0) != 0)
		r = kmap_anywhere(mm, new_len, PROT_R | PROT_W, 0, 0);
	else
		r = (long)to;
	if (r < 0)
		return r;
	to = (uint64_t)r;
	if (m.obj != 0) {
		vm_unmap(mm->vs, to, new_len);
		if (map_shared_at(mm, to, new_len, m.prot, m.marks, m.obj,
		    m.off + (addr - m.start)) != 0)
			return -ENOMEM;
	} else {
		/* PROT_NONE pages cannot be read: the old range is going anyway. */
		if (!(m.prot & (PROT_R | PROT_W)))
			vm_protect(mm->vs, addr, old_len, PROT_R);
		if (copy_within(mm, to, addr, old_len) != 0 ||
		    (m.prot != (PROT_R | PROT_W) && vm_protect(mm->vs, to, new_len, m.prot) != 0)) {
			vm_protect(mm->vs, addr, old_len, m.prot);
			vm_unmap(mm->vs, to, new_len);
			return -ENOMEM;
		}
		map_add(mm, to, to + new_len, m.prot, m.marks, 0, 0);
	}
	if (old_len == 0 || (dontunmap && m.obj != 0))
		return (long)to;
	vm_unmap(mm->vs, addr, old_len);
	if (!dontunmap)
		map_forget(mm, addr, addr + old_len);
	else
		kmap(mm, addr, old_len, m.prot, 0, 0);	/* fresh zero pages */
	return (long)to;
}

/*
 * mremap with MREMAP_FIXED or MREMAP_DONTUNMAP (Linux's mremap_to): the
 * target must be aligned, inside user space and apart from the old range;
 * MREMAP_FIXED clears it first. A shrink drops the old tail first.
 */
static long
remap_to(struct lmm *mm, uint64_t addr, uint64_t old_len, uint64_t to, uint64_t new_len,
    uint64_t flags)
{
	struct lx_map *m;
	long r;

	if ((to & (PAGE - 1)) || new_len > TASK_TOP || to > TASK_TOP - new_len)
		return -EINVAL;
	if (addr + old_len > to && to + new_len > addr)
		return -EINVAL;
	if (!room(mm, 4 + 2))
		return -ENOMEM;
	if ((flags & MREMAP_FIXED_) && (r = unmap(mm, to, new_len)) != 0)
		return r;
	if (old_len > new_len) {
		if ((r = unmap(mm, addr + new_len, old_len - new_len)) != 0)
			return r;
		old_len = new_len;
	}
	if ((m = map_at(mm, addr)) == NULL)
		return -EFAULT;
	if ((r = resize_check(m, addr, old_len)) != 0)
		return r;
	return move(mm, *m, addr, old_len, to, (flags & MREMAP_FIXED_) != 0, new_len,
	    (flags & MREMAP_DONTUNMAP_) != 0);
}

/*
 * mremap(addr, old_len, new_len, flags, new_addr), Linux's order of
 * checks: the flags (FIXED needs MAYMOVE; DONTUNMAP needs MAYMOVE and the
 * same size), the address, a non-zero new size, a mapping at addr
 * (EFAULT). A shrink always succeeds in place; a grow stays in place if
 * the old range ends its mapping and the pages after are free, else moves
 * with MAYMOVE or fails with ENOMEM.
 */
long
sys_mremap(struct lthread *t, const uint64_t *a)
{
	struct lmm *mm = t->proc->mm;
	uint64_t addr = a[0], old_len = page_up(a[1]), new_len = page_up(a[2]), flags = a[3];
	struct lx_map *m;
	long r;

	if (flags & ~(uint64_t)(MREMAP_MAYMOVE_ | MREMAP_FIXED_ | MREMAP_DONTUNMAP_))
		return -EINVAL;
	if ((flags & MREMAP_FIXED_) && !(flags & MREMAP_MAYMOVE_))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP_) && (!(flags & MREMAP_MAYMOVE_) || a[1] != a[2]))
		return -EINVAL;
	if ((addr & (PAGE - 1)) || new_len == 0)
		return -EINVAL;
	if ((m = map_at(mm, addr)) == NULL)
		return -EFAULT;
	if (flags & (MREMAP_FIXED_ | MREMAP_DONTUNMAP_))
		return remap_to(mm, addr, old_len, a[4], new_len, flags);
	if (old_len >= new_len) {
		if (old_len > new_len && (r = unmap(mm, addr + new_len, old_len - new_len)) != 0)
			return r;
		return (long)addr;
	}
	if ((r = resize_check(m, addr, old_len)) != 0)
		return r;
	if (old_len == m->end - addr && grow_in_place(mm, m, new_len - old_len) == 0)
		return (long)addr;
	if (!(flags & MREMAP_MAYMOVE_))
		return -ENOMEM;
	return move(mm, *m, addr, old_len, 0, 0, new_len, 0);
}

/* --- madvise --- */

enum {
	MADV_NORMAL_ = 0, MADV_RANDOM_ = 1, MADV_SEQUENTIAL_ = 2, MADV_WILLNEED_ = 3,
	MADV_DONTNEED_ = 4, MADV_FREE_ = 8, MADV_REMOVE_ = 9, MADV_DONTFORK_ = 10,
	MADV_DOFORK_ = 11, MADV_MERGEABLE_ = 12, MADV_UNMERGEABLE_ = 13,
	MADV_HUGEPAGE_ = 14, MADV_NOHUGEPAGE_ = 15, MADV_DONTDUMP_ = 16,
	MADV_DODUMP_ = 17, MADV_WIPEONFORK_ = 18, MADV_KEEPONFORK_ = 19,
	MADV_COLD_ = 20, MADV_PAGEOUT_ = 21, MADV_POPULATE_READ_ = 22,
	MADV_POPULATE_WRITE_ = 23, MADV_DONTNEED_LOCKED_ = 24, MADV_COLLAPSE_ = 25,
};

/* The marks a record keeps (struct lx_map's marks); lx_mm_copy_map obeys them. */
#define MARK_DONTFORK	0x1
#define MARK_WIPEONFORK	0x2

/*
 * What Linux's madvise_behavior_valid takes (a kernel with KSM and
 * transparent huge pages). MADV_HWPOISON and MADV_SOFT_OFFLINE are left
 * out, as in a kernel without memory-failure handling.
 */
static int
advice_valid(uint64_t advice)
{
	return advice <= MADV_COLLAPSE_ && !(advice >= 5 && advice <= 7);
}

/* One piece [s, e) of mapping m: what the advice does there. */
static long
advise(struct lmm *mm, const struct lx_map *m, uint64_t s, uint64_t e, uint64_t advice)
{
	static const char zero[PAGE];
	long r;

	switch (advice) {
	case MADV_DONTNEED_:
	case MADV_DONTNEED_LOCKED_:
		/* Shared pages live on in the object; private ones go: zeroes next. */
		if (m->obj != 0)
			return 0;
		if ((r = vm_unmap(mm->vs, s, e - s)) == 0)
			r = kmap(mm, s, e - s, m->prot, 0, 0);
		return r != 0 ? -ENOMEM : 0;
	case MADV_FREE_:
		/* Private only; Linux may free the pages later, or never: never. */
		return m->obj != 0 ? -EINVAL : 0;
	case MADV_REMOVE_:
		/* Punch a hole in the shared object: every sharer reads zeroes. */
		if (m->obj == 0)
			return -EINVAL;
		if (!(m->prot & PROT_W))
			return -EACCES;
		for (; s < e; s += PAGE)
			if (vm_write(mm->vs, s, zero, PAGE) != 0)
				return -ENOMEM;
		return 0;
	case MADV_WIPEONFORK_:
		return m->obj != 0 ? -EINVAL : 0;	/* private memory only */
	default:
		return 0;	/* a hint: access patterns, huge pages, dumps, KSM */
	}
}

/* The fork marks: set or clear on every record in [start, end). */
static long
mark(struct lmm *mm, uint64_t start, uint64_t end, uint64_t advice)
{
	uint16_t bit = advice == MADV_DONTFORK_ || advice == MADV_DOFORK_ ? MARK_DONTFORK :
	    MARK_WIPEONFORK;
	int set = advice == MADV_DONTFORK_ || advice == MADV_WIPEONFORK_, lo, hi;

	if (!room(mm, map_cuts(mm, start, end)))
		return -EAGAIN;		/* Linux: a VMA split that cannot be made */
	map_span(mm, start, end, &lo, &hi);
	for (int i = lo; i < hi; i++)
		mm->map[i].marks = set ? mm->map[i].marks | bit : mm->map[i].marks & ~bit;
	map_merge(mm, lo, hi);
	return 0;
}

/*
 * madvise(start, len, advice), Linux's order: the advice, the alignment,
 * the length (EINVAL if rounding it wraps), zero length done. Then each
 * mapping in the range, in order: the first error ends it; a hole is
 * ENOMEM, given after the mappings beyond it have their advice.
 */
long
sys_madvise(struct lthread *t, const uint64_t *a)
{
	struct lmm *mm = t->proc->mm;
	uint64_t start = a[0], len = page_up(a[1]), end = start + len, advice = a[2];
	uint64_t s = start;
	long hole = 0, r;
	int i;

	if (!advice_valid(advice) || (start & (PAGE - 1)))
		return -EINVAL;
	if ((a[1] != 0 && len == 0) || end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	for (i = map_above(mm, s); s < end; i++) {
		const struct lx_map *m = &mm->map[i];

		if (i == mm->nmap) {
			hole = -ENOMEM;		/* nothing mapped after s */
			break;
		}
		if (s < m->start) {
			hole = -ENOMEM;
			if ((s = m->start) >= end)
				break;
		}
		if ((r = advise(mm, m, s, m->end < end ? m->end : end, advice)) != 0)
			return r;
		s = m->end;
	}
	if (advice == MADV_DONTFORK_ || advice == MADV_DOFORK_ ||
	    advice == MADV_WIPEONFORK_ || advice == MADV_KEEPONFORK_)
		if ((r = mark(mm, start, end, advice)) != 0)
			return r;
	return hole;
}

/* --- what others tell us --- */

/* [start, start + len) is mapped private with prot (exec's image, say). */
void
lx_mm_note(struct lmm *mm, uint64_t start, uint64_t len, uint32_t prot)
{
	len = page_up(len + (start & (PAGE - 1)));
	start &= ~(PAGE - 1);
	if (len == 0)
		return;
	if (!room(mm, 1 + map_cuts(mm, start, start + len))) {
		mm->incomplete = 1;	/* unrecorded: taken as not ours */
		return;
	}
	map_forget(mm, start, start + len);
	map_add(mm, start, start + len, prot, 0, 0, 0);
}

/*
 * The PT_LOAD segments of the program at path, as exec.c mapped them:
 * where the file puts them, all moved by one bias (a static PIE's) so
 * that the last ends at brk, the heap's start.
 */
void
lx_mm_note_image(struct lmm *mm, const char *path, uint64_t brk)
{
	struct elf_image img;
	const void *file;
	uint64_t len, start, end, bias;

	if (lx_exec_open(path, &file, &len) != 0 ||
	    elf_parse(file, len, ELF_EM_AARCH64, &img) != 0 || img.nseg == 0)
		return;
	elf_segment_page_range(&img.seg[img.nseg - 1], &start, &end);
	bias = brk - end;
	for (unsigned i = 0; i < img.nseg; i++) {
		uint32_t p = img.seg[i].prot;

		elf_segment_page_range(&img.seg[i], &start, &end);
		lx_mm_note(mm, start + bias, end - start,
		    ((p & ELF_PROT_R) ? PROT_R : 0) | ((p & ELF_PROT_W) ? PROT_W : 0) |
		    ((p & ELF_PROT_X) ? PROT_X : 0));
	}
}

/*
 * fork: to (new, its vs a vm_clone of from's) gets from's record. Shared
 * objects gain a reference; MADV_DONTFORK mappings are taken out of the
 * child, MADV_WIPEONFORK ones start again as zeroes there.
 */
void
lx_mm_copy_map(struct lmm *to, const struct lmm *from)
{
	to->nmap = 0;
	to->incomplete = from->incomplete;
	for (int i = 0; i < from->nmap; i++) {
		const struct lx_map *m = &from->map[i];
		uint64_t len = m->end - m->start;

		if (m->marks & MARK_DONTFORK) {
			vm_unmap(to->vs, m->start, len);
			continue;
		}
		if ((m->marks & MARK_WIPEONFORK) && vm_unmap(to->vs, m->start, len) == 0)
			vm_map(to->vs, m->start, len, m->prot, 0, 0);
		obj_get(m->obj);
		to->map[to->nmap++] = *m;
	}
}

/* The address space's last reference is going: release its objects. */
void
lx_mm_drop_map(struct lmm *mm)
{
	while (mm->nmap > 0)
		map_delete(mm, mm->nmap - 1);
}

/*
 * The futex key of addr: a word in MAP_SHARED memory is named by its
 * memory object and offset, so processes sharing it meet on one key;
 * anything else by the address space and address. 1 if shared.
 */
int
lx_mm_futex_key(struct lmm *mm, uint64_t addr, uint64_t *key_space, uint64_t *key_addr)
{
	const struct lx_map *m = map_at(mm, addr);

	if (m == NULL || m->obj == 0) {
		*key_space = mm->id;
		*key_addr = addr;
		return 0;
	}
	*key_space = (1UL << 63) | m->obj;
	*key_addr = m->off + (addr - m->start);
	return 1;
}

/* Everything a new image maps (exec.c): segments, stack, trampoline. */
void
lx_mm_note_new(struct lmm *mm, const char *path, const struct lx_image *im)
{
	lx_mm_note_image(mm, path, im->brk);
	lx_mm_note(mm, im->stack_lo, im->stack_len, im->stack_prot);
	lx_mm_note(mm, im->sigtramp, PAGE, PROT_R | PROT_X);
}

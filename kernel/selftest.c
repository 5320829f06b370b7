/*
 * In-kernel self tests, chosen by lichen.selftest=NAME[,NAME...] and run
 * at boot; each prints "selftest NAME: all N checks passed" or one line
 * per failed check. tests/qemu runs them.
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#include <lichen/buddy.h>
#include <arch/memlayout.h>
#include <kernel.h>
#include <cpu.h>
#include <spinlock.h>
#include <thread.h>
#include <pmm.h>
#include <uaccess.h>
#include <vmspace.h>
#include "cmdline.h"
#include "selftest.h"

struct check_state {
	const char *name;
	unsigned run, failed;
};

static void
check(struct check_state *st, bool ok, const char *what, long got)
{
	st->run++;
	if (!ok) {
		st->failed++;
		kprintf("selftest %s: FAIL: %s (got %ld)\n", st->name, what, got);
	}
}

#define UVA_RW	0x400000UL	/* user read-write */
#define UVA_RO	0x402000UL	/* user read-only (0x401000 stays unmapped) */
#define UVA_K	0x404000UL	/* mapped, but for the kernel only */

static uint8_t page_rw[4096] __attribute__((aligned(4096)));
static uint8_t page_ro[4096] __attribute__((aligned(4096)));
static uint8_t page_k[4096] __attribute__((aligned(4096)));

static void
uaccess_copies(struct check_state *st)
{
	char buf[16];
	long r;

	r = copy_to_user(uva(UVA_RW + 100), "hello", 6);
	check(st, r == 0 && memcmp(page_rw + 100, "hello", 6) == 0,
	    "copy_to_user to a user page", r);
	memset(buf, 0, sizeof(buf));
	r = copy_from_user(buf, uva(UVA_RW + 100), 6);
	check(st, r == 0 && memcmp(buf, "hello", 6) == 0,
	    "copy_from_user from a user page", r);
	r = copy_from_user(buf, uva(UVA_RO), 8);
	check(st, r == 0, "copy_from_user from a read-only user page", r);
	r = copy_to_user(uva(UVA_RO), "x", 1);
	check(st, r == -EFAULT, "copy_to_user to a read-only page is -EFAULT", r);
	r = copy_from_user(buf, uva(UVA_K), 8);
	check(st, r == -EFAULT, "a kernel-only page is -EFAULT", r);
	r = copy_from_user(buf, uva(UVA_RW + 4096 - 4), 8);
	check(st, r == -EFAULT, "a copy running into an unmapped page is -EFAULT", r);
	r = copy_from_user(buf, uva(0x1000), 1);
	check(st, r == -EFAULT, "an unmapped address is -EFAULT", r);
	r = copy_from_user(buf, uva((uint64_t)page_rw), 1);
	check(st, r == -EFAULT, "a kernel address is -EFAULT", r);
	r = copy_to_user(uva(USER_TOP - 1), buf, 2);
	check(st, r == -EFAULT, "a range crossing USER_TOP is -EFAULT", r);
	r = copy_from_user(buf, uva(UINT64_MAX - 2), 8);
	check(st, r == -EFAULT, "a wrapping range is -EFAULT", r);
	r = copy_from_user(buf, uva(0x1000), 0);
	check(st, r == 0, "a zero-length copy touches nothing", r);
}

size_t arch_copy_from_user(void *dst, uint64_t src, size_t n);
size_t arch_copy_to_user(uint64_t dst, const void *src, size_t n);

/*
 * The arch loops move words, then bytes: every length and alignment
 * copies the right bytes, and a copy running into the unmapped page
 * after UVA_RW reports exactly how many bytes it did not copy.
 */
static void
uaccess_words(struct check_state *st)
{
	uint8_t src[64], dst[64];
	unsigned bad = 0;
	size_t r;

	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + 1);
	for (unsigned off = 0; off < 9; off++)
		for (unsigned n = 0; n <= 40; n++) {
			memset(page_rw + 1000, 0, 64);
			memset(dst, 0, sizeof(dst));
			if (arch_copy_to_user(UVA_RW + 1000 + off, src, n) != 0 ||
			    memcmp(page_rw + 1000 + off, src, n) != 0 ||
			    arch_copy_from_user(dst + off, UVA_RW + 1000 + off, n) != 0 ||
			    memcmp(dst + off, src, n) != 0)
				bad++;
		}
	check(st, bad == 0, "word and byte copies of 0-40 bytes at 9 alignments", (long)bad);
	memset(dst, 0, sizeof(dst));
	memset(page_rw + 4096 - 13, 0x5a, 13);
	r = arch_copy_from_user(dst, UVA_RW + 4096 - 13, 40);
	check(st, r == 27 && dst[12] == 0x5a && dst[13] == 0,
	    "a copy from the edge of a page reports the 27 bytes it could not copy", (long)r);
	r = arch_copy_to_user(UVA_RW + 4096 - 11, src, 30);
	check(st, r == 19 && memcmp(page_rw + 4096 - 11, src, 11) == 0,
	    "a copy to the edge of a page reports the 19 bytes it could not copy", (long)r);
}

static void
uaccess_strings(struct check_state *st)
{
	char buf[16];
	long r;

	memcpy(page_rw + 200, "lichen", 7);
	r = strncpy_from_user(buf, uva(UVA_RW + 200), sizeof(buf));
	check(st, r == 6 && strcmp(buf, "lichen") == 0,
	    "strncpy_from_user copies a string", r);
	r = strncpy_from_user(buf, uva(UVA_RW + 200), 3);
	check(st, r == 3, "strncpy_from_user stops at n", r);
	memset(page_rw + 4096 - 4, 'a', 4);
	r = strncpy_from_user(buf, uva(UVA_RW + 4096 - 4), sizeof(buf));
	check(st, r == -EFAULT, "a string running into an unmapped page is -EFAULT", r);
	r = strncpy_from_user(buf, uva(UVA_K), sizeof(buf));
	check(st, r == -EFAULT, "a string in a kernel-only page is -EFAULT", r);
	r = strncpy_from_user(buf, uva(USER_TOP + 8), sizeof(buf));
	check(st, r == -EFAULT, "a string above USER_TOP is -EFAULT", r);
}

static void
selftest_uaccess(struct check_state *st)
{
	if (hal_test_user_map(UVA_RW, page_rw, HAL_TEST_USER_RW) != 0 ||
	    hal_test_user_map(UVA_RO, page_ro, HAL_TEST_USER_RO) != 0 ||
	    hal_test_user_map(UVA_K, page_k, HAL_TEST_KERNEL_ONLY) != 0) {
		check(st, false, "mapping the test pages", -ENOMEM);
		return;
	}
	uaccess_copies(st);
	uaccess_words(st);
	uaccess_strings(st);
	hal_test_user_unmap_all();
}

/*
 * Take every free page, one at a time (chained through the pages), check
 * they are distinct by what they hold, give them back; then blocks of every
 * order; then heap objects. The free count must end where it began.
 */
static void
pages_all(struct check_state *st)
{
	struct mem_stats before, during, after;
	uint64_t head = 0, n = 0, pa;
	bool distinct = true;

	pmm_stats(&before);
	while ((pa = page_alloc(0, PAGE_USE_KERNEL)) != 0) {
		uint64_t *p = hal_phys_to_virt(pa);

		p[0] = head;
		p[1] = ~pa;
		head = pa;
		n++;
	}
	pmm_stats(&during);
	check(st, n == before.free, "every free page could be allocated", (long)n);
	check(st, during.free == 0, "nothing left free after that", (long)during.free);
	while (head != 0) {
		uint64_t *p = hal_phys_to_virt(head), next = p[0];

		distinct &= p[1] == ~head;
		page_free(head, 0, PAGE_USE_KERNEL);
		head = next;
	}
	check(st, distinct, "each page held its own marker", 0);
	pmm_stats(&after);
	check(st, after.free == before.free, "all pages came back", (long)after.free);
}

static void
pages_orders(struct check_state *st)
{
	struct mem_stats before, after;
	uint64_t blocks[BUDDY_MAX_ORDER];
	bool aligned = true;

	pmm_stats(&before);
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++) {
		blocks[o] = page_alloc(o, PAGE_USE_KERNEL);
		aligned &= blocks[o] != 0 &&
		    (blocks[o] & ((PAGE_SIZE << o) - 1)) == 0;
		if (blocks[o] != 0)
			memset(hal_phys_to_virt(blocks[o]), (int)o, PAGE_SIZE << o);
	}
	check(st, aligned, "blocks of orders 0-10 are naturally aligned", 0);
	check(st, page_alloc(BUDDY_MAX_ORDER, PAGE_USE_KERNEL) == 0,
	    "an order beyond the largest is refused", 0);
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++)
		if (blocks[o] != 0)
			page_free(blocks[o], o, PAGE_USE_KERNEL);
	pmm_stats(&after);
	check(st, after.free == before.free, "orders: all pages came back",
	    (long)after.free);
}

#define HEAP_OBJS	1000

static void
heap_objects(struct check_state *st)
{
	static uint8_t *objs[HEAP_OBJS];
	static uint16_t sizes[HEAP_OBJS];
	struct mem_stats before, after;
	bool ok = true;

	pmm_stats(&before);
	for (int i = 0; i < HEAP_OBJS; i++) {
		sizes[i] = (uint16_t)(1 + (i * 37) % 2048);
		objs[i] = kmem_alloc(sizes[i]);
		ok &= objs[i] != NULL;
		if (objs[i] != NULL)
			memset(objs[i], i & 0xff, sizes[i]);
	}
	check(st, ok, "1000 heap objects allocated", 0);
	for (int i = 0; i < HEAP_OBJS; i++)
		for (int j = 0; objs[i] != NULL && j < sizes[i]; j++)
			ok &= objs[i][j] == (uint8_t)(i & 0xff);
	check(st, ok, "no heap object overlaps another", 0);
	check(st, kmem_alloc(0) == NULL && kmem_alloc(4096) == NULL,
	    "sizes 0 and over 2048 are refused", 0);
	for (int i = 0; i < HEAP_OBJS; i++)
		kmem_free(objs[i]);
	pmm_shrink();
	pmm_stats(&after);
	check(st, after.heap_objects == 0, "no heap object left", (long)after.heap_objects);
	check(st, after.free == before.free, "heap pages came back", (long)after.free);
}

static void
selftest_pages(struct check_state *st)
{
	pages_all(st);
	pages_orders(st);
	heap_objects(st);
	pmm_report();
}

static uint64_t writable_word = 1;
static const char readonly_text[] = "read-only data";

/* W^X: the image's text and rodata are not writable, by either address. */
static void
selftest_wx(struct check_state *st)
{
	void *text = (void *)(uintptr_t)selftests_run;
	uint64_t img_pa, img_size;
	long r;

	hal_kernel_image(&img_pa, &img_size);
	r = arch_probe_write(&writable_word);
	check(st, r == 0, "data is writable", r);
	r = arch_probe_write(text);
	check(st, r == -EFAULT, "kernel text is not writable", r);
	r = arch_probe_write((void *)readonly_text);
	check(st, r == -EFAULT, "rodata is not writable", r);
	r = arch_probe_write(hal_phys_to_virt(img_pa +
	    ((uint64_t)text - (uint64_t)hal_kernel_text_start())));
	check(st, r == -EFAULT, "text is not writable through the linear map", r);
	r = arch_probe_write(hal_phys_to_virt(img_pa +
	    ((uint64_t)&writable_word - (uint64_t)hal_kernel_text_start())));
	check(st, r == 0, "data is writable through the linear map", r);
}

/* --- vmspace: demand-zero, protection, copy-on-write, no leaks --- */

#define VA_ANON	0x400000UL
#define VA_RO	0x500000UL
#define VA_PHYS	0x600000UL

static uint8_t phys_page[4096] __attribute__((aligned(4096)));

static long
peek(struct vmspace *vs, uint64_t va, char *buf, size_t n)
{
	vmspace_activate(vs);
	return copy_from_user(buf, uva(va), n);
}

static long
poke(struct vmspace *vs, uint64_t va, const char *s)
{
	vmspace_activate(vs);
	return copy_to_user(uva(va), s, strlen(s) + 1);
}

static bool
reads(struct vmspace *vs, uint64_t va, const char *want)
{
	char buf[32];

	return peek(vs, va, buf, strlen(want) + 1) == 0 && strcmp(buf, want) == 0;
}

static void
vm_basics(struct check_state *st, struct vmspace *vs)
{
	static const char zeros[16];
	char buf[16];
	uint64_t img_pa, img_size;
	long r;

	check(st, vmspace_map_anon(vs, VA_ANON, 4 * PAGE_SIZE, VMA_READ | VMA_WRITE) == 0,
	    "map 4 anonymous pages", 0);
	check(st, vmspace_map_anon(vs, VA_ANON + PAGE_SIZE, PAGE_SIZE, VMA_READ) == -EEXIST,
	    "an overlapping map is -EEXIST", 0);
	check(st, vmspace_map_anon(vs, VA_ANON + 1, PAGE_SIZE, VMA_READ) == -EINVAL,
	    "an unaligned map is -EINVAL", 0);
	r = peek(vs, VA_ANON + 100, buf, sizeof(buf));
	check(st, r == 0 && memcmp(buf, zeros, sizeof(buf)) == 0,
	    "a first read gets a zeroed page", r);
	check(st, poke(vs, VA_ANON + 2 * PAGE_SIZE, "abc") == 0 &&
	    reads(vs, VA_ANON + 2 * PAGE_SIZE, "abc"), "write then read back", 0);
	r = peek(vs, VA_ANON + 4 * PAGE_SIZE, buf, 1);
	check(st, r == -EFAULT, "past the mapping is -EFAULT", r);
	check(st, vmspace_map_anon(vs, VA_RO, PAGE_SIZE, VMA_READ) == 0, "map read-only", 0);
	r = poke(vs, VA_RO, "x");
	check(st, r == -EFAULT, "writing a read-only mapping is -EFAULT", r);
	check(st, vmspace_protect(vs, VA_RO, PAGE_SIZE, VMA_READ | VMA_WRITE) == 0 &&
	    poke(vs, VA_RO, "now") == 0, "mprotect to writable, then write", 0);
	check(st, vmspace_protect(vs, VA_RO, PAGE_SIZE, VMA_READ) == 0 &&
	    poke(vs, VA_RO, "no") == -EFAULT && reads(vs, VA_RO, "now"),
	    "mprotect back to read-only refuses writes", 0);
	memcpy(phys_page, "device", 7);
	hal_kernel_image(&img_pa, &img_size);
	check(st, vmspace_map_phys(vs, VA_PHYS, img_pa + ((uint64_t)phys_page -
	    (uint64_t)hal_kernel_text_start()), PAGE_SIZE, VMA_READ) == 0 &&
	    reads(vs, VA_PHYS, "device"), "a physical mapping shows that memory", 0);
}

static void
vm_cow(struct check_state *st, struct vmspace *parent)
{
	struct vmspace *child, *grandchild;
	struct mem_stats a, b;
	struct vm_stats va, vb;

	poke(parent, VA_ANON, "parent");
	child = vmspace_clone(parent);
	check(st, child != NULL, "clone", 0);
	if (child == NULL)
		return;
	vmspace_stats(&va);
	check(st, va.cow_shared >= 2, "the clone shares the parent's pages", (long)va.cow_shared);
	check(st, reads(child, VA_ANON, "parent") && reads(child, VA_RO, "now") &&
	    reads(child, VA_PHYS, "device"), "the clone sees the parent's memory", 0);
	pmm_stats(&a);
	check(st, poke(parent, VA_ANON, "PARENT") == 0, "the parent writes after clone", 0);
	pmm_stats(&b);
	check(st, a.free - b.free == 1, "that write copied one page",
	    (long)(a.free - b.free));
	check(st, reads(child, VA_ANON, "parent"), "the child still sees the old data", 0);
	pmm_stats(&a);
	vmspace_stats(&va);
	check(st, poke(child, VA_ANON, "child") == 0 && reads(child, VA_ANON, "child"),
	    "the child writes its page", 0);
	pmm_stats(&b);
	vmspace_stats(&vb);
	check(st, a.free == b.free && vb.cow_copies == va.cow_copies &&
	    vb.cow_reused == va.cow_reused + 1,
	    "holding the last reference, it copied nothing",
	    (long)(vb.cow_copies - va.cow_copies));
	grandchild = vmspace_clone(child);
	check(st, grandchild != NULL, "a third clone", 0);
	if (grandchild != NULL) {
		check(st, poke(grandchild, VA_ANON, "grand") == 0 &&
		    reads(grandchild, VA_ANON, "grand") && reads(child, VA_ANON, "child") &&
		    reads(parent, VA_ANON, "PARENT"), "three spaces, three contents", 0);
		check(st, poke(grandchild, VA_RO, "x") == -EFAULT,
		    "a clone keeps read-only mappings read-only", 0);
		vmspace_destroy(grandchild);
	}
	check(st, reads(child, VA_ANON, "child"), "the child survives the grandchild", 0);
	vmspace_destroy(child);
	check(st, reads(parent, VA_ANON, "PARENT"), "the parent survives the child", 0);
}

static void
selftest_vmspace(struct check_state *st)
{
	struct mem_stats before, after;
	struct vmspace *vs;
	long r;

	pmm_shrink();
	pmm_stats(&before);
	vs = vmspace_create();
	check(st, vs != NULL, "create", 0);
	if (vs == NULL)
		return;
	vm_basics(st, vs);
	vm_cow(st, vs);
	check(st, vmspace_unmap(vs, VA_ANON, PAGE_SIZE) == 0, "unmap one page", 0);
	r = peek(vs, VA_ANON, (char[4]){0}, 1);
	check(st, r == -EFAULT, "an unmapped page is -EFAULT", r);
	check(st, reads(vs, VA_ANON + 2 * PAGE_SIZE, "abc"), "its neighbours stay", 0);
	vmspace_destroy(vs);
	vmspace_activate(NULL);
	pmm_shrink();
	pmm_stats(&after);
	check(st, after.free == before.free, "every page came back (no leaks)",
	    (long)before.free - (long)after.free);
	{
		struct vm_stats vs_after;

		vmspace_stats(&vs_after);
		check(st, vs_after.cow_shared == 0, "no page is shared any more",
		    (long)vs_after.cow_shared);
	}
	check(st, after.used[PAGE_USE_USER] == before.used[PAGE_USE_USER] &&
	    after.used[PAGE_USE_PAGETABLE] == before.used[PAGE_USE_PAGETABLE],
	    "user and page-table counts are back", 0);
}

/* --- SMP: every CPU online, taking timer ticks and answering IPIs --- */

#define PINGS	100

static bool
wait_for(volatile uint64_t *counter, uint64_t want, uint64_t ms)
{
	uint64_t end = hal_counter() + hal_counter_freq() * ms / 1000;

	while (*counter < want)
		if (hal_counter() > end)
			return false;
	return true;
}

static void
selftest_smp(struct check_state *st)
{
	unsigned online = 0;

	for (unsigned i = 0; i < ncpus; i++)
		online += cpus[i].online;
	check(st, online == ncpus, "every CPU in the device tree is online", online);
	for (unsigned i = 0; i < ncpus; i++) {
		uint64_t before = cpus[i].ipis_received;
		bool ok = true;

		if (!cpus[i].online)
			continue;
		/* One at a time, each acknowledged: no IPI may be lost. */
		for (int n = 1; n <= PINGS && ok; n++) {
			ipi_send(i, IPI_PING);
			ok = wait_for(&cpus[i].ipis_received, before + n, 100);
		}
		check(st, ok, "a CPU answers 100 IPIs, none lost", i);
	}
	for (unsigned i = 0; i < ncpus; i++)
		check(st, !cpus[i].online ||
		    wait_for(&cpus[i].ticks, cpus[i].ticks + 3, 1000),
		    "a CPU takes timer ticks", i);
	for (unsigned i = 0; i < ncpus; i++)
		kprintf("selftest smp: cpu %u: mpidr 0x%lx, %lu ticks, %lu irqs, "
		    "%lu IPIs received, %lu sent\n", i, cpus[i].mpidr, cpus[i].ticks,
		    cpus[i].irqs, cpus[i].ipis_received, cpus[i].ipis_sent);
}

/* --- locks: every CPU hammers one counter under one lock --- */

#define LOCK_ROUNDS	1000

static struct spinlock test_lock = SPINLOCK_INIT;
static volatile uint64_t locked_counter;
static volatile unsigned lock_workers_done, depth_errors;

static void
lock_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < LOCK_ROUNDS; i++) {
		uint64_t flags = spin_lock_irqsave(&test_lock);
		uint64_t v = locked_counter;

		if (this_cpu()->lock_depth != 1)
			depth_errors++;
		locked_counter = v + 1;	/* a lost update if the lock failed */
		spin_unlock_irqrestore(&test_lock, flags);
	}
	__atomic_fetch_add(&lock_workers_done, 1, __ATOMIC_RELEASE);
}

static void
selftest_locks(struct check_state *st)
{
	unsigned workers = 0;

	locked_counter = 0;
	lock_workers_done = 0;
	for (unsigned i = 1; i < ncpus; i++)
		if (cpus[i].online && smp_call(i, lock_worker, NULL) == 0)
			workers++;
	lock_worker(NULL);
	workers++;
	for (unsigned i = 1; i < ncpus; i++)
		if (cpus[i].online)
			smp_call_wait(i);
	check(st, lock_workers_done == workers, "every CPU finished", lock_workers_done);
	check(st, locked_counter == (uint64_t)workers * LOCK_ROUNDS,
	    "no increment was lost", (long)locked_counter);
	check(st, depth_errors == 0 && this_cpu()->lock_depth == 0,
	    "lock depth is 1 inside and 0 after", depth_errors);
	kprintf("selftest locks: %u CPUs x %d rounds\n", workers, LOCK_ROUNDS);
}

/* --- scheduler: spread, preemption, FP state, sleeping, wakeups --- */

int arch_fp_check(uint64_t seed, uint64_t rounds);

#define WORKERS		32
#define PINGPONG_NS	2000000000UL	/* "a few seconds" of ping-pong */

static volatile unsigned done_count, fp_errors;
static volatile uint64_t cpus_seen;
static volatile unsigned final_cpu[WORKERS];

static bool
wait_done(unsigned want, uint64_t ms)
{
	uint64_t end = hal_counter() + hal_counter_freq() * ms / 1000;

	while (__atomic_load_n(&done_count, __ATOMIC_ACQUIRE) < want) {
		if (hal_counter() > end)
			return false;
		hal_wait_for_interrupt();
	}
	return true;
}

/* Work (with FP registers in use) long enough to be preempted and moved. */
static void
worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;

	for (int r = 0; r < 10; r++) {
		if (arch_fp_check(0x1000 * (id + 1), 20) != 0)
			__atomic_fetch_add(&fp_errors, 1, __ATOMIC_RELAXED);
		__atomic_fetch_or(&cpus_seen, 1UL << hal_cpu_index(), __ATOMIC_RELAXED);
	}
	final_cpu[id] = hal_cpu_index();
	__atomic_fetch_add(&done_count, 1, __ATOMIC_RELEASE);
}

static void
run_workers(struct check_state *st, int cpu, const char *what)
{
	unsigned per_cpu[MAX_CPUS] = { 0 };
	bool ok = true;

	done_count = fp_errors = 0;
	cpus_seen = 0;
	for (unsigned i = 0; i < WORKERS; i++)
		ok &= thread_create("worker", worker, (void *)(uintptr_t)i, 10, ~0UL,
		    cpu) != NULL;
	check(st, ok, "32 threads created", 0);
	check(st, wait_done(WORKERS, 60000), "all 32 threads finished", done_count);
	check(st, fp_errors == 0, "FP/SIMD registers survived every switch", fp_errors);
	for (unsigned i = 0; i < WORKERS; i++)
		per_cpu[final_cpu[i] < MAX_CPUS ? final_cpu[i] : 0]++;
	kprintf("selftest sched: %s: threads finished per CPU:", what);
	for (unsigned i = 0; i < ncpus; i++)
		kprintf(" %u", per_cpu[i]);
	kprintf("\n");
	for (unsigned i = 0; i < ncpus; i++)
		check(st, !cpus[i].online || (cpus_seen & (1UL << i)),
		    "every CPU ran some of the work", i);
}

/* Sleep accuracy: never early, late by at most a few ticks. */
static volatile uint64_t worst_late_ns, early_wakeups;

static void
sleeper(void *arg)
{
	(void)arg;
	for (int i = 0; i < 5; i++) {
		uint64_t t0 = clock_ns(), late;

		thread_sleep_ns(20000000);
		if (clock_ns() < t0 + 20000000) {
			early_wakeups++;
			continue;
		}
		late = clock_ns() - t0 - 20000000;
		if (late > worst_late_ns)
			worst_late_ns = late;
	}
	__atomic_fetch_add(&done_count, 1, __ATOMIC_RELEASE);
}

/* Ping-pong: two threads on two CPUs hand a token back and forth. */
static struct waitq ping_wq;
static volatile unsigned token;

struct pp_arg {
	unsigned me;
};

static bool
my_turn(void *arg)
{
	return __atomic_load_n(&token, __ATOMIC_ACQUIRE) % 2 ==
	    ((struct pp_arg *)arg)->me;
}

static volatile uint64_t pingpong_end;
static volatile bool pingpong_stop;

/* Pass the token until the time is up; the stopper hands it on once more. */
static void
pingpong(void *arg)
{
	for (;;) {
		waitq_wait(&ping_wq, my_turn, arg);
		if (pingpong_stop || clock_ns() > pingpong_end) {
			pingpong_stop = true;
			__atomic_fetch_add(&token, 1, __ATOMIC_RELEASE);
			waitq_wake_all(&ping_wq);
			break;
		}
		__atomic_fetch_add(&token, 1, __ATOMIC_RELEASE);
		waitq_wake_all(&ping_wq);
	}
	__atomic_fetch_add(&done_count, 1, __ATOMIC_RELEASE);
}

/* A pinned thread never leaves its CPU. */
static volatile uint64_t pinned_seen;

static void
pinned(void *arg)
{
	(void)arg;
	for (int r = 0; r < 20; r++) {
		(void)arch_fp_check(0x777, 5);
		__atomic_fetch_or(&pinned_seen, 1UL << hal_cpu_index(), __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&done_count, 1, __ATOMIC_RELEASE);
}

static void
selftest_sched(struct check_state *st)
{
	static struct pp_arg pp[2] = { { 0 }, { 1 } };
	struct mem_stats before, after;
	uint64_t t0;

	pmm_shrink();
	pmm_stats(&before);
	run_workers(st, -1, "placed by load");
	if (ncpus > 1)
		run_workers(st, 0, "all started on CPU 0");
	done_count = 0;
	worst_late_ns = early_wakeups = 0;
	check(st, thread_create("sleeper", sleeper, NULL, 5, ~0UL, -1) != NULL,
	    "a sleeper", 0);
	check(st, wait_done(1, 10000), "the sleeper woke 5 times", done_count);
	check(st, early_wakeups == 0, "no sleep ended early", (long)early_wakeups);
	/*
	 * Late by a few ticks normally; under QEMU on a loaded host a vCPU can
	 * be descheduled for tens of ms while guest time runs on (a flaky bound
	 * once). A lost wakeup would show as seconds, or as no wakeup at all.
	 */
	check(st, worst_late_ns < 250000000UL,
	    "sleeps end within 250 ms of their deadline",
	    (long)(worst_late_ns / 1000));
	kprintf("selftest sched: worst sleep lateness %lu us (tick %lu us)\n",
	    worst_late_ns / 1000, 1000000UL / TICK_HZ);
	done_count = 0;
	token = 0;
	pingpong_stop = false;
	waitq_init(&ping_wq);
	t0 = clock_ns();
	pingpong_end = t0 + PINGPONG_NS;
	/* Pinned to two CPUs, so every wakeup crosses with an IPI. */
	thread_create("ping", pingpong, &pp[0], 5, 1UL << (ncpus > 1 ? 1 : 0), -1);
	thread_create("pong", pingpong, &pp[1], 5, 1UL << (ncpus > 2 ? 2 : 0), -1);
	check(st, wait_done(2, 30000), "ping-pong for 2 s: no wakeup was lost",
	    (long)token);
	kprintf("selftest sched: %u ping-pong hand-offs in %lu ms\n", token,
	    (clock_ns() - t0) / 1000000);
	done_count = 0;
	pinned_seen = 0;
	thread_create("pinned", pinned, NULL, 10, 1UL << (ncpus - 1), -1);
	for (unsigned i = 0; i < 3 * ncpus; i++)	/* competition to shed */
		thread_create("worker", worker, (void *)(uintptr_t)(i % WORKERS), 10,
		    ~0UL, (int)(ncpus - 1));
	check(st, wait_done(1 + 3 * ncpus, 60000) &&
	    pinned_seen == 1UL << (ncpus - 1),
	    "a thread pinned to the last CPU ran only there", (long)pinned_seen);
	/* Let the dead threads' stacks be freed, then count. */
	for (int i = 0; i < 10; i++)
		hal_wait_for_interrupt();
	pmm_shrink();
	pmm_stats(&after);
	check(st, after.free == before.free, "every thread's memory came back",
	    (long)before.free - (long)after.free);
	sched_report();
}

static const struct {
	const char *name;
	void (*run)(struct check_state *);
} selftests[] = {
	{ "uaccess", selftest_uaccess },
	{ "pages", selftest_pages },
	{ "wx", selftest_wx },
	{ "vmspace", selftest_vmspace },
	{ "smp", selftest_smp },
	{ "locks", selftest_locks },
	{ "sched", selftest_sched },
};

/* Whether name is one of the comma-separated words in list[0..len). */
static bool
listed(const char *list, size_t len, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && list[j] != ',')
			j++;
		if (j - i == n && memcmp(list + i, name, n) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

void
selftests_run(const char *bootargs)
{
	size_t len;
	const char *list = cmdline_get(bootargs, "lichen.selftest", &len);

	if (list == NULL)
		return;
	for (size_t i = 0; i < sizeof(selftests) / sizeof(selftests[0]); i++) {
		struct check_state st = { selftests[i].name, 0, 0 };

		if (!listed(list, len, st.name))
			continue;
		selftests[i].run(&st);
		if (st.failed == 0)
			kprintf("selftest %s: all %u checks passed\n", st.name, st.run);
		else
			kprintf("selftest %s: %u of %u checks failed\n", st.name,
			    st.failed, st.run);
	}
}

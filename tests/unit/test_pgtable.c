/*
 * test_pgtable.c - libkernel's AArch64 page-table library on the host.
 *
 * Tables are host memory: a "physical" address is the table's pointer,
 * allocated with aligned_alloc and counted, so every test can check that
 * what was allocated is freed, and that a failed call leaves the tree
 * exactly as it was (compared entry by entry).  A randomised test runs
 * map, unmap and protect against a per-page model of the same window.
 */
#include <stdlib.h>
#include <string.h>

#include <lichen/compiler.h>
#include <lichen/errno.h>
#include <lichen/pgtable.h>

#include "unit.h"

#define KiB  (UINT64_C(1) << 10)
#define MiB  (UINT64_C(1) << 20)
#define GiB  (UINT64_C(1) << 30)
#define PAGE PT_PAGE_SIZE
#define VA0  UINT64_C(0xffff000000000000) /* the kernel's linear map */
#define NOPA UINT64_MAX

/* ---- the table allocator ---- */

#define MAX_LIVE 8192

struct env {
	struct pt_ops ops;
	unsigned allocated, freed;
	int budget; /* allocations left before failing; -1: no limit */
	void *live[MAX_LIVE];
	unsigned nlive;
};

static struct env env;

static uint64_t
t_alloc(void *ctx)
{
	struct env *e = ctx;
	void *p;

	if (e->budget == 0)
		return 0;
	if (e->budget > 0)
		e->budget--;
	p = aligned_alloc(PAGE, PAGE);
	quick_assert(p != NULL && e->nlive < MAX_LIVE);
	memset(p, 0, PAGE);
	e->live[e->nlive++] = p;
	e->allocated++;
	return (uint64_t)(uintptr_t)p;
}

static void
t_free(void *ctx, uint64_t pa)
{
	struct env *e = ctx;
	void *p = (void *)(uintptr_t)pa;

	for (unsigned i = 0; i < e->nlive; i++) {
		if (e->live[i] == p) {
			e->live[i] = e->live[--e->nlive];
			memset(p, 0xa5, PAGE); /* a use after free shows */
			free(p);
			e->freed++;
			return;
		}
	}
	ck_abort_msg("free_table(%#jx): not a live table", (uintmax_t)pa);
}

static void *
t_ptr(void *ctx __attribute__((unused)), uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

/* A fresh allocator and an empty root. */
static uint64_t
setup(void)
{
	memset(&env, 0, sizeof(env));
	env.ops.alloc_table = t_alloc;
	env.ops.free_table = t_free;
	env.ops.table_ptr = t_ptr;
	env.ops.ctx = &env;
	env.budget = -1;
	return t_alloc(&env);
}

static unsigned
live_tables(void)
{
	return env.allocated - env.freed;
}

/* ---- looking at trees ---- */

/* Kernel read-write, device, read-execute; user read-write, read-execute. */
static const struct pte_attrs krw = {
    .writable = true,
    .global = true,
    .memtype = 3,
    .share = PTE_SH_INNER,
    .accessed = true,
};
static const struct pte_attrs kdev = {
    .writable = true,
    .global = true,
    .memtype = 1,
    .share = PTE_SH_NONE,
    .accessed = true,
};
static const struct pte_attrs krx = {
    .kernel_exec = true,
    .global = true,
    .memtype = 3,
    .share = PTE_SH_INNER,
    .accessed = true,
};
static const struct pte_attrs urw = {
    .user = true,
    .writable = true,
    .memtype = 3,
    .share = PTE_SH_INNER,
    .accessed = true,
};
static const struct pte_attrs urx = {
    .user = true,
    .user_exec = true,
    .memtype = 3,
    .share = PTE_SH_INNER,
    .accessed = true,
};

static bool
attrs_eq(const struct pte_attrs *a, const struct pte_attrs *b)
{
	return a->user == b->user && a->writable == b->writable &&
	       a->user_exec == b->user_exec &&
	       a->kernel_exec == b->kernel_exec && a->global == b->global &&
	       a->memtype == b->memtype && a->share == b->share &&
	       a->accessed == b->accessed && a->software_cow == b->software_cow;
}

/* The physical address va translates to, or NOPA. */
static uint64_t
translate(uint64_t root, uint64_t va)
{
	int level;
	uint64_t e = pt_walk(&env.ops, root, va, &level);

	if (e == 0)
		return NOPA;
	return pte_pa(e, level) | (va & (PT_LEVEL_SIZE(level) - 1));
}

static int
level_of(uint64_t root, uint64_t va)
{
	int level = -1;

	pt_walk(&env.ops, root, va, &level);
	return level;
}

static void
assert_mapped(uint64_t root, uint64_t va, uint64_t pa, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PAGE)
		quick_assert_uint_eq(translate(root, va + off), pa + off);
	quick_assert_uint_eq(translate(root, va - PAGE), NOPA);
	quick_assert_uint_eq(translate(root, va + size), NOPA);
}

static void
assert_attrs(uint64_t root, uint64_t va, const struct pte_attrs *want)
{
	struct pte_attrs got;
	uint64_t e = pt_walk(&env.ops, root, va, NULL);

	ck_assert_uint_ne(e, 0);
	pte_decode(e, &got);
	ck_assert(attrs_eq(&got, want));
}

/* Every entry of the tree, depth first: equal snapshots, equal trees. */
struct snap {
	uint64_t *v;
	size_t n, cap;
};

static void
snap_table(struct snap *s, uint64_t table, int level)
{
	const uint64_t *t = (const uint64_t *)(uintptr_t)table;

	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		if (s->n == s->cap) {
			s->cap = s->cap ? 2 * s->cap : 4096;
			s->v = realloc(s->v, s->cap * sizeof(*s->v));
			ck_assert_ptr_nonnull(s->v);
		}
		s->v[s->n++] = t[i];
		if (level < 3 && (t[i] & 3) == 3)
			snap_table(s, t[i] & PTE_ADDR_MASK, level + 1);
	}
}

static struct snap
snapshot(uint64_t root)
{
	struct snap s = {0};

	snap_table(&s, root, 0);
	return s;
}

static void
assert_same_tree(struct snap *before, uint64_t root)
{
	struct snap now = snapshot(root);

	ck_assert_uint_eq(now.n, before->n);
	ck_assert(memcmp(now.v, before->v, now.n * sizeof(*now.v)) == 0);
	free(now.v);
}

/* Leaf callbacks: count them, sum their VAs, count blocks. */
struct leaves {
	unsigned n, blocks;
	uint64_t va_sum, last_va;
};

static void
count_leaf(void *ctx, uint64_t va, uint64_t desc)
{
	struct leaves *l = ctx;

	quick_assert(desc & PTE_VALID);
	l->n++;
	l->blocks += (desc & PTE_TYPE_MASK) == PTE_TYPE_BLOCK;
	l->va_sum += va;
	l->last_va = va;
}

/* A visit callback storing the descriptor ctx points to. */
static int
write_bad(void *ctx, uint64_t va __attribute__((unused)), uint64_t *desc,
    int level __attribute__((unused)))
{
	*desc = *(uint64_t *)ctx;
	return 0;
}

/* ---- descriptors ---- */

/* Attribute set number i of 128 * 8 * 3: flags, MAIR index, shareability. */
static struct pte_attrs
attrs_number(unsigned i)
{
	static const uint8_t shares[] = {
	    PTE_SH_NONE, PTE_SH_OUTER, PTE_SH_INNER};
	unsigned bits = i % 128;

	return (struct pte_attrs){
	    .user = bits & 1,
	    .writable = bits & 2,
	    .user_exec = bits & 4,
	    .kernel_exec = bits & 8,
	    .global = bits & 16,
	    .accessed = bits & 32,
	    .software_cow = bits & 64,
	    .memtype = (uint8_t)(i / 128 % 8),
	    .share = shares[i / 128 / 8],
	};
}

/* Decoding gives each set back, so also no two sets encode alike. */
START_TEST(encode_decode_every_combination)
{
	uint64_t seed = TEST_SEED;

	for (unsigned i = 0; i < 128 * 8 * 3; i++) {
		struct pte_attrs a = attrs_number(i), b;

		quick_assert(pte_attrs_valid(&a));
		for (int level = 1; level <= 3; level++) {
			uint64_t size = PT_LEVEL_SIZE(level);
			uint64_t pa =
			    test_rand(&seed) & PTE_ADDR_MASK & ~(size - 1);
			uint64_t d = pte_encode(pa, &a, level);

			quick_assert_uint_eq(d & PTE_TYPE_MASK,
			    level == 3 ? PTE_TYPE_PAGE : PTE_TYPE_BLOCK);
			quick_assert_uint_eq(pte_pa(d, level), pa);
			memset(&b, 0x5a, sizeof(b));
			pte_decode(d, &b);
			quick_assert(attrs_eq(&a, &b));
			/* The output address does not leak into attributes. */
			pte_decode(d ^ pa, &b);
			quick_assert(attrs_eq(&a, &b));
		}
	}
}
END_TEST

START_TEST(encode_puts_bits_where_the_architecture_does)
{
	struct pte_attrs cow = urw;

	/* AttrIndx 4:2, AP 7:6, SH 9:8, AF 10, nG 11, PXN 53, UXN 54. */
	ck_assert_uint_eq(pte_encode(0x40000000, &krw, 2),
	    0x40000000 | 0x70d | (UINT64_C(3) << 53));
	ck_assert_uint_eq(pte_encode(0x40000000, &krx, 1),
	    0x40000000 | 0x78d | (UINT64_C(1) << 54));
	ck_assert_uint_eq(pte_encode(0x9000000, &kdev, 3),
	    0x9000000 | 0x407 | (UINT64_C(3) << 53));
	ck_assert_uint_eq(
	    pte_encode(0x1000, &urw, 3), 0x1000 | 0xf4f | (UINT64_C(3) << 53));
	ck_assert_uint_eq(
	    pte_encode(0x2000, &urx, 3), 0x2000 | 0xfcf | (UINT64_C(1) << 53));
	cow.writable = false;
	cow.software_cow = true;
	ck_assert_uint_eq(pte_encode(0x3000, &cow, 3),
	    0x3000 | 0xfcf | (UINT64_C(3) << 53) | (UINT64_C(1) << 55));
}
END_TEST

START_TEST(encode_refuses_bad_input)
{
	struct pte_attrs a = krw;

	ck_assert_uint_eq(pte_encode(0, &krw, 0), 0); /* no level-0 blocks */
	ck_assert_uint_eq(pte_encode(0, &krw, 4), 0);
	ck_assert_uint_eq(pte_encode(0, &krw, -1), 0);
	ck_assert_uint_eq(pte_encode(GiB + 2 * MiB, &krw, 1), 0);
	ck_assert_uint_eq(pte_encode(2 * MiB + PAGE, &krw, 2), 0);
	ck_assert_uint_eq(pte_encode(PAGE + 8, &krw, 3), 0);
	ck_assert_uint_eq(pte_encode(UINT64_C(1) << 48, &krw, 3), 0);
	ck_assert_uint_ne(pte_encode((UINT64_C(1) << 48) - PAGE, &krw, 3), 0);
	ck_assert_uint_ne(pte_encode((UINT64_C(1) << 48) - GiB, &krw, 1), 0);
	a.memtype = 8;
	ck_assert(!pte_attrs_valid(&a));
	ck_assert_uint_eq(pte_encode(0, &a, 3), 0);
	a = krw;
	a.share = 1; /* reserved */
	ck_assert(!pte_attrs_valid(&a));
	ck_assert_uint_eq(pte_encode(0, &a, 3), 0);
	a.share = 4;
	ck_assert_uint_eq(pte_encode(0, &a, 2), 0);
}
END_TEST

START_TEST(pa_of_tables_blocks_and_pages)
{
	uint64_t d = UINT64_C(0x0000123456789000) | 0x3;

	ck_assert_uint_eq(pte_pa(d, 0), 0x123456789000);  /* table */
	ck_assert_uint_eq(pte_pa(d, 2), 0x123456789000);  /* table */
	ck_assert_uint_eq(pte_pa(d, 3), 0x123456789000);  /* page */
	d = (d & ~UINT64_C(3)) | 1 | (UINT64_C(1) << 54); /* block */
	ck_assert_uint_eq(pte_pa(d, 2), 0x123456600000);
	ck_assert_uint_eq(pte_pa(d, 1), 0x123440000000);
	ck_assert_uint_eq(pte_pa(d, -1), 0);
	ck_assert_uint_eq(pte_pa(d, 4), 0);
	/* Bits above 47 are attributes, not address. */
	ck_assert_uint_eq(pte_pa(~UINT64_C(0), 3), PTE_ADDR_MASK);
}
END_TEST

/* ---- pt_map and pt_walk ---- */

START_TEST(gib_block_when_aligned)
{
	uint64_t root = setup();
	int level;

	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0 + GiB, GiB, GiB, &krw, PT_BLOCKS), 0);
	ck_assert_uint_eq(
	    pt_walk(&env.ops, root, VA0 + GiB + 12345 * PAGE, &level),
	    pte_encode(GiB, &krw, 1));
	ck_assert_int_eq(level, 1);
	assert_mapped(root, VA0 + GiB, GiB, GiB);
	ck_assert_uint_eq(live_tables(), 2); /* the root and one L1 table */
}
END_TEST

START_TEST(mib_blocks_and_pages)
{
	uint64_t root = setup();
	uint64_t va = VA0 + GiB - 8 * KiB, pa = GiB - 8 * KiB;
	uint64_t size = 4 * MiB + 16 * KiB;

	ck_assert_int_eq(
	    pt_map(&env.ops, root, va, pa, size, &krw, PT_BLOCKS), 0);
	assert_mapped(root, va, pa, size);
	ck_assert_int_eq(level_of(root, va), 3);	/* unaligned head */
	ck_assert_int_eq(level_of(root, VA0 + GiB), 2); /* 2 MiB blocks */
	ck_assert_int_eq(level_of(root, va + size - PAGE), 3); /* tail */
	/* root, one L1, two L2 (either side of 1 GiB), two L3. */
	ck_assert_uint_eq(live_tables(), 6);
}
END_TEST

START_TEST(pages_only_without_blocks)
{
	uint64_t root = setup();

	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0 + GiB, GiB, 4 * MiB, &krw, 0), 0);
	assert_mapped(root, VA0 + GiB, GiB, 4 * MiB);
	ck_assert_int_eq(level_of(root, VA0 + GiB), 3);
	ck_assert_int_eq(level_of(root, VA0 + GiB + 2 * MiB), 3);
	ck_assert_uint_eq(live_tables(), 5); /* root, L1, L2, two L3 */
}
END_TEST

START_TEST(va_pa_misaligned_relative_to_each_other)
{
	uint64_t root = setup();

	/* 2 MiB-aligned VA but only page-aligned PA: pages throughout. */
	ck_assert_int_eq(pt_map(&env.ops, root, VA0 + 2 * MiB, 0x1000, 2 * MiB,
			     &kdev, PT_BLOCKS),
	    0);
	assert_mapped(root, VA0 + 2 * MiB, 0x1000, 2 * MiB);
	ck_assert_int_eq(level_of(root, VA0 + 2 * MiB), 3);
	ck_assert_int_eq(level_of(root, VA0 + 4 * MiB - PAGE), 3);
}
END_TEST

START_TEST(table_descriptors_are_plain)
{
	uint64_t root = setup();
	const uint64_t *t = (const uint64_t *)(uintptr_t)root;

	ck_assert_int_eq(
	    pt_map(&env.ops, root, 0x1000, 0x5000, PAGE, &urw, 0), 0);
	/* Table descriptor: next table | 0b11, no APTable/XNTable bits. */
	ck_assert_uint_eq(t[0] & ~PTE_ADDR_MASK, PTE_TYPE_TABLE);
	t = (const uint64_t *)(uintptr_t)(t[0] & PTE_ADDR_MASK);
	ck_assert_uint_eq(t[0] & ~PTE_ADDR_MASK, PTE_TYPE_TABLE);
	t = (const uint64_t *)(uintptr_t)(t[0] & PTE_ADDR_MASK);
	ck_assert_uint_eq(t[0] & ~PTE_ADDR_MASK, PTE_TYPE_TABLE);
	t = (const uint64_t *)(uintptr_t)(t[0] & PTE_ADDR_MASK);
	ck_assert_uint_eq(t[1], pte_encode(0x5000, &urw, 3));
	ck_assert_uint_eq(t[0], 0);
	ck_assert_uint_eq(t[2], 0);
}
END_TEST

START_TEST(same_mapping_again_is_fine)
{
	uint64_t root = setup();
	struct snap before;

	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0, 0, 4 * MiB, &krw, PT_BLOCKS), 0);
	before = snapshot(root);
	/* The same translation inside a block: accepted, nothing written. */
	ck_assert_int_eq(pt_map(&env.ops, root, VA0 + 8 * KiB, 8 * KiB, 8 * KiB,
			     &krw, PT_BLOCKS),
	    0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0 + 8 * KiB, 8 * KiB, 8 * KiB, &krw, 0),
	    0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0, 0, 2 * MiB, &krw, PT_BLOCKS), 0);
	assert_same_tree(&before, root);
	/* A different one inside the block: the same offset, other PA... */
	ck_assert_int_eq(pt_map(&env.ops, root, VA0 + 8 * KiB,
			     2 * MiB + 8 * KiB, 8 * KiB, &krw, 0),
	    -EEXIST);
	/* ...or other attributes. */
	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0 + 8 * KiB, 8 * KiB, 8 * KiB, &kdev, 0),
	    -EEXIST);
	assert_same_tree(&before, root);
	assert_mapped(root, VA0, 0, 4 * MiB);
	free(before.v);
}
END_TEST

START_TEST(pages_then_the_whole_block)
{
	uint64_t root = setup();

	/* The boot code maps the image in pages; RAM later in big blocks. */
	ck_assert_int_eq(pt_map(&env.ops, root, VA0 + 4 * MiB + 64 * KiB,
			     4 * MiB + 64 * KiB, 64 * KiB, &krw, PT_BLOCKS),
	    0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0, 0, GiB, &krw, PT_BLOCKS), 0);
	assert_mapped(root, VA0, 0, GiB);
	ck_assert_int_eq(level_of(root, VA0 + 4 * MiB), 3);
	ck_assert_int_eq(level_of(root, VA0 + 6 * MiB), 2);
}
END_TEST

START_TEST(conflicts_are_refused)
{
	uint64_t root = setup();

	ck_assert_int_eq(pt_map(&env.ops, root, VA0, 0, 64 * KiB, &krw, 0), 0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0, 0, 64 * KiB, &kdev, 0), -EEXIST);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0 + 4 * KiB, 0x9000, 4 * KiB, &krw, 0),
	    -EEXIST);
	/* A block wanted where a table already is: pages are used instead. */
	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0, 0, 2 * MiB, &krw, PT_BLOCKS), 0);
	ck_assert_int_eq(level_of(root, VA0 + MiB), 3);
	assert_mapped(root, VA0, 0, 2 * MiB);
}
END_TEST

START_TEST(conflict_after_partial_progress_changes_nothing)
{
	uint64_t root = setup();
	struct snap before;
	unsigned tables;

	ck_assert_int_eq(pt_map(&env.ops, root, 0x40000000 + 6 * MiB,
			     0x80000000, PAGE, &urw, 0),
	    0);
	before = snapshot(root);
	tables = live_tables();
	/* New tables and pages would come before the conflicting last page. */
	ck_assert_int_eq(pt_map(&env.ops, root, 0x40000000 - 4 * MiB,
			     0x10000000, 10 * MiB + PAGE, &urw, PT_BLOCKS),
	    -EEXIST);
	assert_same_tree(&before, root);
	ck_assert_uint_eq(live_tables(), tables);
	ck_assert_uint_eq(env.allocated, tables); /* nothing even tried */
	free(before.v);
}
END_TEST

START_TEST(misaligned_arguments)
{
	uint64_t root = setup();

	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0 + 1, 0, PAGE, &krw, 0), -EINVAL);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0, 0x800, PAGE, &krw, 0), -EINVAL);
	ck_assert_int_eq(pt_map(&env.ops, root, VA0, 0, 100, &krw, 0), -EINVAL);
	ck_assert_int_eq(
	    pt_unmap(&env.ops, root, VA0 + 8, PAGE, NULL, NULL), -EINVAL);
	ck_assert_int_eq(
	    pt_unmap(&env.ops, root, VA0, PAGE + 1, NULL, NULL), -EINVAL);
	ck_assert_int_eq(
	    pt_protect(&env.ops, root, VA0, 3 * KiB, &krw), -EINVAL);
	ck_assert_uint_eq(translate(root, VA0), NOPA);
	ck_assert_uint_eq(live_tables(), 1);
}
END_TEST

START_TEST(bad_flags_and_attributes)
{
	uint64_t root = setup();
	struct pte_attrs a = urw;

	ck_assert_int_eq(pt_map(&env.ops, root, 0, 0, PAGE, &urw, 2), -EINVAL);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, 0, 0, PAGE, &urw, ~0U), -EINVAL);
	a.memtype = 9;
	ck_assert_int_eq(pt_map(&env.ops, root, 0, 0, PAGE, &a, 0), -EINVAL);
	a = urw;
	a.share = 1;
	ck_assert_int_eq(pt_map(&env.ops, root, 0, 0, PAGE, &a, 0), -EINVAL);
	ck_assert_int_eq(pt_map(&env.ops, root, 0, 0, PAGE, &urw, 0), 0);
	ck_assert_int_eq(pt_protect(&env.ops, root, 0, PAGE, &a), -EINVAL);
	assert_attrs(root, 0, &urw);
}
END_TEST

START_TEST(size_zero_does_nothing)
{
	uint64_t root = setup();

	ck_assert_int_eq(pt_map(&env.ops, root, 0x1000, 0x2000, 0, &urw, 0), 0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, 0x1001, 0x2000, 0, &urw, 0), -EINVAL);
	ck_assert_int_eq(pt_unmap(&env.ops, root, 0x1000, 0, NULL, NULL), 0);
	ck_assert_int_eq(pt_protect(&env.ops, root, 0x1000, 0, &urw), 0);
	ck_assert_uint_eq(translate(root, 0x1000), NOPA);
	ck_assert_uint_eq(live_tables(), 1);
}
END_TEST

START_TEST(top_of_the_address_space)
{
	uint64_t root = setup();
	uint64_t top = UINT64_C(0xfffffffffffff000);
	uint64_t low_top = UINT64_C(0x0000fffffffff000), user;
	struct leaves l = {0};

	/* The last 2 MiB block: its end wraps to 0. */
	ck_assert_int_eq(pt_map(&env.ops, root, top - 2 * MiB + PAGE, 4 * MiB,
			     2 * MiB, &krw, PT_BLOCKS),
	    0);
	ck_assert_int_eq(level_of(root, top), 2);
	ck_assert_uint_eq(translate(root, top + 0xfff), 6 * MiB - 1);
	ck_assert_int_eq(pt_map(&env.ops, root, top, 0x7000, 2 * PAGE, &krw, 0),
	    -EINVAL); /* past 2^64 */
	ck_assert_int_eq(
	    pt_map(&env.ops, root, top, 0x7000, ~UINT64_C(0xfff), &krw, 0),
	    -EINVAL);
	ck_assert_int_eq(
	    pt_unmap(&env.ops, root, top, PAGE, NULL, NULL), -EINVAL);
	/* Sizes that wrap past 2^64 back into the same half. */
	ck_assert_int_eq(pt_unmap(&env.ops, root, top - 2 * MiB + PAGE,
			     ~UINT64_C(0xfff), NULL, NULL),
	    -EINVAL);
	ck_assert_int_eq(pt_for_each_leaf(&env.ops, root, top, ~UINT64_C(0xfff),
			     write_bad, NULL),
	    -EINVAL);
	ck_assert_int_eq(pt_protect(&env.ops, root, top - 2 * MiB + PAGE,
			     UINT64_C(0xffffffffffe00000), &krx),
	    -EINVAL);
	assert_attrs(root, top, &krw);
	ck_assert_int_eq(pt_unmap(&env.ops, root, top - 2 * MiB + PAGE, 2 * MiB,
			     count_leaf, &l),
	    0);
	ck_assert_uint_eq(l.blocks, 1);
	/* The last page, then the rest of its 2 MiB in pages. */
	ck_assert_int_eq(pt_map(&env.ops, root, top, 0x7000, PAGE, &krw, 0), 0);
	ck_assert_uint_eq(translate(root, top + 0xfff), 0x7fff);
	ck_assert_int_eq(pt_map(&env.ops, root, top - 2 * MiB + PAGE, 4 * MiB,
			     2 * MiB - PAGE, &krw, PT_BLOCKS),
	    0);
	/* The low half (a user tree) ends at 2^48: a page more is not. */
	user = t_alloc(&env);
	ck_assert_int_eq(pt_map(&env.ops, user, low_top, 0, PAGE, &urw, 0), 0);
	ck_assert_int_eq(
	    pt_map(&env.ops, user, low_top - PAGE, 0x1000, 2 * PAGE, &urw, 0),
	    -EEXIST);
	ck_assert_int_eq(
	    pt_map(&env.ops, user, low_top, 0, 2 * PAGE, &urw, 0), -EINVAL);
	ck_assert_int_eq(
	    pt_unmap(&env.ops, user, low_top, 2 * PAGE, NULL, NULL), -EINVAL);
	ck_assert_uint_eq(translate(user, low_top), 0);
	l = (struct leaves){0};
	ck_assert_int_eq(pt_unmap(&env.ops, root, top - 2 * MiB + PAGE, 2 * MiB,
			     count_leaf, &l),
	    0);
	ck_assert_uint_eq(l.n, 512);
	ck_assert_uint_eq(l.last_va, top);
	ck_assert_uint_eq(translate(root, top), NOPA);
}
END_TEST

START_TEST(non_canonical_addresses_are_refused)
{
	uint64_t root = setup();
	int level = 7;

	ck_assert_int_eq(
	    pt_map(&env.ops, root, UINT64_C(1) << 48, 0, PAGE, &urw, 0),
	    -EINVAL);
	ck_assert_int_eq(pt_map(&env.ops, root, UINT64_C(0x8000000000000000), 0,
			     PAGE, &urw, 0),
	    -EINVAL);
	ck_assert_int_eq(pt_map(&env.ops, root, 0, 0, PAGE, &urw, 0), 0);
	/* The same index bits in a non-canonical address: no translation. */
	ck_assert_uint_eq(
	    pt_walk(&env.ops, root, UINT64_C(1) << 52, &level), 0);
	ck_assert_int_eq(level, 7);
	ck_assert_uint_ne(pt_walk(&env.ops, root, 0, &level), 0);
	ck_assert_int_eq(level, 3);
}
END_TEST

START_TEST(physical_address_overflow)
{
	uint64_t root = setup();
	uint64_t pa_top = UINT64_C(1) << 48;

	ck_assert_int_eq(
	    pt_map(&env.ops, root, 0, pa_top - PAGE, PAGE, &urw, 0), 0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, PAGE, pa_top - PAGE, 2 * PAGE, &urw, 0),
	    -EINVAL);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, PAGE, pa_top, PAGE, &urw, 0), -EINVAL);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, PAGE, ~UINT64_C(0xfff), PAGE, &urw, 0),
	    -EINVAL);
	ck_assert_uint_eq(translate(root, PAGE), NOPA);
}
END_TEST

START_TEST(walk_finds_leaves_and_holes)
{
	uint64_t root = setup();
	int level = -1;

	ck_assert_uint_eq(pt_walk(&env.ops, root, 0, &level), 0);
	ck_assert_int_eq(level, -1); /* untouched on a miss */
	ck_assert_int_eq(
	    pt_map(&env.ops, root, 2 * MiB, 2 * MiB, 2 * MiB, &urx, PT_BLOCKS),
	    0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, 5 * MiB, 9 * MiB, PAGE, &urw, PT_BLOCKS), 0);
	ck_assert_uint_eq(pt_walk(&env.ops, root, 3 * MiB + 5, &level),
	    pte_encode(2 * MiB, &urx, 2));
	ck_assert_int_eq(level, 2);
	ck_assert_uint_eq(pt_walk(&env.ops, root, 5 * MiB + 77, NULL),
	    pte_encode(9 * MiB, &urw, 3));
	ck_assert_uint_eq(pt_walk(&env.ops, root, 5 * MiB + PAGE, NULL), 0);
	ck_assert_uint_eq(pt_walk(&env.ops, root, 4 * MiB, NULL), 0);
	ck_assert_uint_eq(pt_walk(&env.ops, root, GiB, NULL), 0);
	/* The top 16 bits pick the TTBR, not an entry: same tree, same leaf. */
	ck_assert_uint_eq(pt_walk(&env.ops, root, VA0 + 2 * MiB, NULL),
	    pte_encode(2 * MiB, &urx, 2));
}
END_TEST

/* ---- running out of tables ---- */

START_TEST(allocation_failure_at_every_table_changes_nothing)
{
	uint64_t root = setup();
	uint64_t va = 0x40000000 - 8 * KiB;
	uint64_t size = 3 * GiB + 16 * KiB;
	int err = -ENOMEM, budget;

	/* Something there already: a user page near the range. */
	ck_assert_int_eq(
	    pt_map(&env.ops, root, 0x40000000 - 4 * MiB, 0x5000, PAGE, &urw, 0),
	    0);
	for (budget = 0; err == -ENOMEM; budget++) {
		struct snap before = snapshot(root);
		unsigned tables = live_tables();

		env.budget = budget;
		err = pt_map(&env.ops, root, va, va, size, &urw, PT_BLOCKS);
		if (err == -ENOMEM) {
			assert_same_tree(&before, root);
			ck_assert_uint_eq(live_tables(), tables);
		}
		free(before.v);
	}
	ck_assert_int_eq(err, 0);
	/* An L3 at the head, an L2 and an L3 at the tail. */
	ck_assert_int_eq(budget - 1, 3);
	env.budget = -1;
	assert_mapped(root, va, va, size);
	ck_assert_int_eq(level_of(root, 0x80000000), 1);
}
END_TEST

START_TEST(pool_exhaustion_is_an_error)
{
	uint64_t root = setup();
	int err = 0;
	uint64_t i;

	env.budget = 63;
	/* Pages 512 GiB apart each need three new tables. */
	for (i = 0; i < 64 && err == 0; i++)
		err = pt_map(&env.ops, root, i << 39, i * PAGE, PAGE, &urw, 0);
	ck_assert_int_eq(err, -ENOMEM);
	ck_assert_uint_eq(i, 22); /* 21 * 3 = 63 tables, then no more */
	ck_assert_uint_eq(live_tables(), 64);
	ck_assert_uint_eq(translate(root, 0), 0); /* earlier maps intact */
	ck_assert_uint_eq(translate(root, UINT64_C(20) << 39), 20 * PAGE);
	ck_assert_uint_eq(translate(root, UINT64_C(21) << 39), NOPA);
}
END_TEST

/* ---- pt_unmap ---- */

START_TEST(unmap_calls_leaf_and_frees_empty_tables)
{
	uint64_t root = setup();
	struct leaves l = {0};

	ck_assert_int_eq(
	    pt_map(&env.ops, root, 0x10000, 0x800000, 64 * KiB, &urw, 0), 0);
	ck_assert_uint_eq(live_tables(), 4);
	/* The middle: the table stays, the rest stays mapped. */
	ck_assert_int_eq(
	    pt_unmap(&env.ops, root, 0x14000, 8 * KiB, count_leaf, &l), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.va_sum, 0x14000 + 0x15000);
	ck_assert_uint_eq(translate(root, 0x14000), NOPA);
	ck_assert_uint_eq(translate(root, 0x13000), 0x803000);
	ck_assert_uint_eq(translate(root, 0x16000), 0x806000);
	ck_assert_uint_eq(live_tables(), 4);
	/* Everything, holes included: all but the root goes. */
	l = (struct leaves){0};
	ck_assert_int_eq(pt_unmap(&env.ops, root, 0, GiB, count_leaf, &l), 0);
	ck_assert_uint_eq(l.n, 14);
	ck_assert_uint_eq(live_tables(), 1);
	ck_assert_uint_eq(((uint64_t *)(uintptr_t)root)[0], 0);
	/* Nothing left: a second unmap finds no leaves. */
	l = (struct leaves){0};
	ck_assert_int_eq(pt_unmap(&env.ops, root, 0, GiB, count_leaf, &l), 0);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(unmap_keeps_tables_other_mappings_use)
{
	uint64_t root = setup();

	ck_assert_int_eq(pt_map(&env.ops, root, 0, 0, PAGE, &urw, 0), 0);
	ck_assert_int_eq(pt_map(&env.ops, root, 4 * MiB, 0, PAGE, &urw, 0), 0);
	ck_assert_uint_eq(live_tables(), 5); /* root, L1, L2, two L3 */
	ck_assert_int_eq(pt_unmap(&env.ops, root, 0, PAGE, NULL, NULL), 0);
	ck_assert_uint_eq(live_tables(), 4); /* one L3 went */
	ck_assert_uint_eq(translate(root, 4 * MiB), 0);
	ck_assert_int_eq(
	    pt_unmap(&env.ops, root, 4 * MiB, PAGE, NULL, NULL), 0);
	ck_assert_uint_eq(live_tables(), 1);
}
END_TEST

START_TEST(unmap_part_of_a_block_is_refused)
{
	uint64_t root = setup();
	struct leaves l = {0};
	struct snap before;

	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0, 0, GiB + 4 * MiB, &krw, PT_BLOCKS), 0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0 + 2 * GiB, 0, PAGE, &krw, 0), 0);
	before = snapshot(root);
	ck_assert_int_eq(
	    pt_unmap(&env.ops, root, VA0 + GiB + 2 * MiB, PAGE, count_leaf, &l),
	    -EINVAL);
	assert_same_tree(&before, root);
	/* Pages first, then a block cut short: still nothing happens. */
	ck_assert_int_eq(pt_unmap(&env.ops, root, VA0 + 2 * GiB - 2 * MiB,
			     2 * MiB + PAGE, count_leaf, &l),
	    0);
	ck_assert_int_eq(pt_unmap(&env.ops, root, VA0 + GiB - 2 * MiB,
			     GiB + 3 * MiB, count_leaf, &l),
	    -EINVAL);
	ck_assert_int_eq(
	    pt_unmap(&env.ops, root, VA0, GiB - 2 * MiB, count_leaf, &l),
	    -EINVAL);
	ck_assert_uint_eq(l.n, 1); /* only the page at 2 GiB went */
	ck_assert_uint_eq(l.last_va, VA0 + 2 * GiB);
	/* Whole blocks may go. */
	l = (struct leaves){0};
	ck_assert_int_eq(
	    pt_unmap(&env.ops, root, VA0, GiB + 4 * MiB, count_leaf, &l), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(l.blocks, 3);
	ck_assert_uint_eq(l.va_sum, 3 * VA0 + GiB + GiB + 2 * MiB);
	ck_assert_uint_eq(live_tables(), 1);
	free(before.v);
}
END_TEST

/* ---- pt_protect and pt_for_each_leaf ---- */

START_TEST(protect_rewrites_attributes_and_keeps_addresses)
{
	uint64_t root = setup();
	struct pte_attrs ro = urw;
	struct snap before;

	ro.writable = false;
	ck_assert_int_eq(
	    pt_map(&env.ops, root, 0x10000, 0x70000, 4 * PAGE, &urw, 0), 0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, 0x20000, 0x90000, PAGE, &urx, 0), 0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, 2 * MiB, 4 * MiB, 2 * MiB, &urw, PT_BLOCKS),
	    0);
	/* Holes between and around are skipped. */
	ck_assert_int_eq(pt_protect(&env.ops, root, 0, 0x20000, &ro), 0);
	for (uint64_t i = 0; i < 4; i++) {
		ck_assert_uint_eq(
		    translate(root, 0x10000 + i * PAGE), 0x70000 + i * PAGE);
		assert_attrs(root, 0x10000 + i * PAGE, &ro);
	}
	assert_attrs(root, 0x20000, &urx); /* just past the range */
	ck_assert_uint_eq(translate(root, 0x14000), NOPA);
	/* Part of a block: refused before anything changes. */
	before = snapshot(root);
	ck_assert_int_eq(
	    pt_protect(&env.ops, root, 0x20000, 3 * MiB, &ro), -EINVAL);
	assert_same_tree(&before, root);
	/* All of it: allowed, still one block. */
	ck_assert_int_eq(
	    pt_protect(&env.ops, root, 0x20000, 4 * MiB - 0x20000, &ro), 0);
	assert_attrs(root, 0x20000, &ro);
	assert_attrs(root, 3 * MiB, &ro);
	ck_assert_int_eq(level_of(root, 3 * MiB), 2);
	ck_assert_uint_eq(translate(root, 3 * MiB + 5), 5 * MiB + 5);
	free(before.v);
}
END_TEST

/* Make writable user pages read-only copy-on-write, as fork() would. */
static int
make_cow(
    void *ctx, uint64_t va __attribute__((unused)), uint64_t *desc, int level)
{
	unsigned *n = ctx;
	struct pte_attrs a;

	pte_decode(*desc, &a);
	if (a.writable) {
		a.writable = false;
		a.software_cow = true;
		*desc = pte_encode(pte_pa(*desc, level), &a, level);
		(*n)++;
	}
	return 0;
}

START_TEST(for_each_leaf_rewrites_for_copy_on_write)
{
	uint64_t root = setup();
	struct pte_attrs cow = urw;
	unsigned n = 0;

	cow.writable = false;
	cow.software_cow = true;
	ck_assert_int_eq(
	    pt_map(&env.ops, root, 0x400000, 0x100000, 16 * PAGE, &urw, 0), 0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, 0x410000, 0x200000, 4 * PAGE, &urx, 0), 0);
	ck_assert_int_eq(
	    pt_for_each_leaf(&env.ops, root, 0, 1UL << 47, make_cow, &n), 0);
	ck_assert_uint_eq(n, 16);
	for (uint64_t i = 0; i < 16; i++) {
		assert_attrs(root, 0x400000 + i * PAGE, &cow);
		ck_assert_uint_eq(
		    translate(root, 0x400000 + i * PAGE), 0x100000 + i * PAGE);
	}
	assert_attrs(root, 0x410000, &urx);
	/* Already copy-on-write: a second pass changes nothing. */
	n = 0;
	ck_assert_int_eq(
	    pt_for_each_leaf(&env.ops, root, 0, 1UL << 47, make_cow, &n), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

struct visit_log {
	unsigned n, stop_at;
	uint64_t va[16];
	int level[16];
};

static int
log_visit(void *ctx, uint64_t va, uint64_t *desc, int level)
{
	struct visit_log *v = ctx;

	quick_assert(*desc & PTE_VALID);
	if (v->n < 16) {
		v->va[v->n] = va;
		v->level[v->n] = level;
	}
	return ++v->n == v->stop_at ? 42 : 0;
}

START_TEST(for_each_leaf_visits_in_order_and_stops)
{
	uint64_t root = setup();
	struct visit_log v = {0};

	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0 + 2 * GiB, 0, GiB, &krw, PT_BLOCKS), 0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0 + 2 * MiB, 0, 2 * MiB, &krw, PT_BLOCKS),
	    0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, VA0 + PAGE, 0, PAGE, &krw, 0), 0);
	/* The range starts inside the 2 MiB block and ends inside the GiB. */
	ck_assert_int_eq(pt_for_each_leaf(&env.ops, root, VA0 + PAGE,
			     2 * GiB + 2 * MiB, log_visit, &v),
	    0);
	ck_assert_uint_eq(v.n, 3);
	ck_assert_uint_eq(v.va[0], VA0 + PAGE);
	ck_assert_int_eq(v.level[0], 3);
	ck_assert_uint_eq(v.va[1], VA0 + 2 * MiB);
	ck_assert_int_eq(v.level[1], 2);
	ck_assert_uint_eq(v.va[2], VA0 + 2 * GiB); /* a block's own start */
	ck_assert_int_eq(v.level[2], 1);
	/* A non-zero return stops the walk and is returned. */
	v = (struct visit_log){.stop_at = 2};
	ck_assert_int_eq(
	    pt_for_each_leaf(&env.ops, root, VA0, 4 * GiB, log_visit, &v), 42);
	ck_assert_uint_eq(v.n, 2);
	/* Outside every leaf: no calls. */
	v = (struct visit_log){0};
	ck_assert_int_eq(
	    pt_for_each_leaf(&env.ops, root, VA0 + 4 * MiB, GiB, log_visit, &v),
	    0);
	ck_assert_uint_eq(v.n, 0);
	ck_assert_int_eq(
	    pt_for_each_leaf(&env.ops, root, VA0 + 5, PAGE, log_visit, &v),
	    -EINVAL);
}
END_TEST

START_TEST(for_each_leaf_refuses_bad_descriptors)
{
	uint64_t root = setup();
	uint64_t page = pte_encode(0x5000, &urw, 3);
	uint64_t bad;

	ck_assert_int_eq(pt_map(&env.ops, root, 0, 0x5000, PAGE, &urw, 0), 0);
	ck_assert_int_eq(
	    pt_map(&env.ops, root, 2 * MiB, 2 * MiB, 2 * MiB, &urw, PT_BLOCKS),
	    0);
	bad = page & ~PTE_VALID; /* non-zero, invalid */
	ck_assert_int_eq(
	    pt_for_each_leaf(&env.ops, root, 0, PAGE, write_bad, &bad),
	    -EINVAL);
	bad = pte_encode(0x5000, &urw, 3); /* a page where a block is */
	ck_assert_int_eq(
	    pt_for_each_leaf(&env.ops, root, 2 * MiB, PAGE, write_bad, &bad),
	    -EINVAL);
	ck_assert_uint_eq(pt_walk(&env.ops, root, 0, NULL), page);
	ck_assert_int_eq(level_of(root, 2 * MiB), 2);
	/* Zero removes the leaf (its table stays until unmap). */
	bad = 0;
	ck_assert_int_eq(
	    pt_for_each_leaf(&env.ops, root, 0, PAGE, write_bad, &bad), 0);
	ck_assert_uint_eq(pt_walk(&env.ops, root, 0, NULL), 0);
	ck_assert_int_eq(pt_unmap(&env.ops, root, 0, 4 * MiB, NULL, NULL), 0);
	ck_assert_uint_eq(live_tables(), 1);
}
END_TEST

/* ---- pt_destroy and balance ---- */

START_TEST(destroy_frees_every_table_and_reports_leaves)
{
	uint64_t root = setup();
	struct leaves l = {0};

	ck_assert_int_eq(
	    pt_map(&env.ops, root, 0x400000, 0x100000, 3 * PAGE, &urw, 0), 0);
	ck_assert_int_eq(pt_map(&env.ops, root, UINT64_C(0x7fff00000000),
			     2 * MiB, 2 * MiB, &urw, PT_BLOCKS),
	    0);
	ck_assert_int_eq(pt_map(&env.ops, root, UINT64_C(0xffffffffe000),
			     0x9000, 2 * PAGE, &urw, 0),
	    0);
	pt_destroy(&env.ops, root, count_leaf, &l);
	ck_assert_uint_eq(l.n, 6);
	ck_assert_uint_eq(l.blocks, 1);
	ck_assert_uint_eq(l.va_sum, 3 * 0x400000 + 0x1000 + 0x2000 +
					UINT64_C(0x7fff00000000) +
					2 * UINT64_C(0xffffffffe000) + 0x1000);
	ck_assert_uint_eq(l.last_va, UINT64_C(0xfffffffff000));
	ck_assert_uint_eq(env.allocated, env.freed);
}
END_TEST

START_TEST(map_unmap_destroy_balances_allocations)
{
	uint64_t root = setup();
	uint64_t seed = TEST_SEED;

	for (int i = 0; i < 200; i++) {
		uint64_t va = (test_rand(&seed) & UINT64_C(0x7ffffffff000));
		uint64_t pages = 1 + test_rand(&seed) % 700;
		int err = pt_map(
		    &env.ops, root, va, va, pages * PAGE, &urw, PT_BLOCKS);

		quick_assert(err == 0 || err == -EEXIST);
	}
	quick_assert(live_tables() > 100);
	ck_assert_int_eq(
	    pt_unmap(&env.ops, root, 0, UINT64_C(1) << 48, NULL, NULL), 0);
	ck_assert_uint_eq(live_tables(), 1);
	pt_destroy(&env.ops, root, NULL, NULL);
	ck_assert_uint_eq(env.allocated, env.freed);
}
END_TEST

/* ---- against a model ---- */

/*
 * A 16 MiB window (eight 2 MiB regions) of the low half, one page per
 * model slot: its PA (NOPA if unmapped) and attribute set; a region is
 * either one block or pages.
 */
#define M_VA	  UINT64_C(0x0000004040000000)
#define M_PAGES	  4096
#define M_REGION  512
#define M_REGIONS (M_PAGES / M_REGION)

static const struct pte_attrs *const m_attrs[] = {&urw, &urx, &krw};

struct model {
	uint64_t pa[M_PAGES];
	uint8_t attr[M_PAGES];
	bool block[M_REGIONS];
};

static bool
m_region_empty(const struct model *m, unsigned r)
{
	for (unsigned i = r * M_REGION; i < (r + 1) * M_REGION; i++)
		if (m->pa[i] != NOPA)
			return false;
	return true;
}

/* A block region only partly inside [s, s + n): what unmap refuses. */
static bool
m_cuts_block(const struct model *m, unsigned s, unsigned n)
{
	unsigned first = s / M_REGION, last = (s + n - 1) / M_REGION;

	return (m->block[first] && s % M_REGION != 0) ||
	       (m->block[last] && (s + n) % M_REGION != 0);
}

static int
m_map(struct model *m, unsigned s, unsigned n, uint64_t pa, unsigned at,
    unsigned flags)
{
	for (unsigned i = s; i < s + n; i++)
		if (m->pa[i] != NOPA &&
		    (m->pa[i] != pa + (i - s) * PAGE || m->attr[i] != at))
			return -EEXIST;
	for (unsigned r = 0; r < M_REGIONS; r++) {
		unsigned f = r * M_REGION;

		if (f >= s && f + M_REGION <= s + n && (flags & PT_BLOCKS) &&
		    (pa + (f - s) * PAGE) % (2 * MiB) == 0 &&
		    m_region_empty(m, r))
			m->block[r] = true;
	}
	for (unsigned i = s; i < s + n; i++) {
		m->pa[i] = pa + (i - s) * PAGE;
		m->attr[i] = (uint8_t)at;
	}
	return 0;
}

/* Unmap (at < 0) or protect. */
static int
m_change(struct model *m, unsigned s, unsigned n, int at, unsigned *leaves)
{
	if (m_cuts_block(m, s, n))
		return -EINVAL;
	for (unsigned i = s; i < s + n; i++) {
		if (m->pa[i] == NOPA)
			continue;
		*leaves += !m->block[i / M_REGION] || i % M_REGION == 0;
		if (at >= 0)
			m->attr[i] = (uint8_t)at;
		else
			m->pa[i] = NOPA;
	}
	for (unsigned r = 0; r < M_REGIONS; r++)
		if (m_region_empty(m, r))
			m->block[r] = false;
	return 0;
}

static void
m_check(const struct model *m, uint64_t root)
{
	unsigned tables = 1, used = 0;

	for (unsigned i = 0; i < M_PAGES; i++) {
		uint64_t va = M_VA + i * PAGE;
		int level = -1;
		uint64_t e = pt_walk(&env.ops, root, va, &level);
		struct pte_attrs a;

		if (m->pa[i] == NOPA) {
			quick_assert_uint_eq(e, 0);
			continue;
		}
		quick_assert_int_eq(level, m->block[i / M_REGION] ? 2 : 3);
		quick_assert_uint_eq(
		    pte_pa(e, level) | (va & (PT_LEVEL_SIZE(level) - 1)),
		    m->pa[i]);
		pte_decode(e, &a);
		quick_assert(attrs_eq(&a, m_attrs[m->attr[i]]));
	}
	for (unsigned r = 0; r < M_REGIONS; r++) {
		used |= !m_region_empty(m, r);
		tables += !m->block[r] && !m_region_empty(m, r);
	}
	quick_assert_uint_eq(live_tables(), tables + (used ? 2 : 0));
}

/* A random run of pages in the window, often whole aligned regions. */
static void
m_pick(uint64_t *seed, unsigned *s, unsigned *n)
{
	if (test_rand(seed) % 3 == 0) {
		*s = (unsigned)(test_rand(seed) % M_REGIONS) * M_REGION;
		*n = M_REGION * (1 + (unsigned)(test_rand(seed) %
						(M_REGIONS - *s / M_REGION)));
		return;
	}
	*s = (unsigned)(test_rand(seed) % M_PAGES);
	*n = 1 + (unsigned)(test_rand(seed) %
			    (test_rand(seed) % 2 ? 16 : M_PAGES - *s));
	if (*s + *n > M_PAGES)
		*n = M_PAGES - *s;
}

static void
m_step(struct model *m, uint64_t root, uint64_t *seed)
{
	unsigned s, n, at = (unsigned)(test_rand(seed) % 3), leaves = 0;
	unsigned op = (unsigned)(test_rand(seed) % 10);
	unsigned flags = test_rand(seed) % 4 ? PT_BLOCKS : 0;
	uint64_t va, pa;
	struct leaves l = {0};

	m_pick(seed, &s, &n);
	va = M_VA + s * PAGE;
	if (op < 6) {
		/* PA congruent to VA modulo 2 MiB half the time. */
		pa = (test_rand(seed) % 64) * 2 * MiB +
		     (test_rand(seed) % 2 ? (s % M_REGION) * PAGE
					  : (test_rand(seed) % 512) * PAGE);
		quick_assert_int_eq(pt_map(&env.ops, root, va, pa, n * PAGE,
					m_attrs[at], flags),
		    m_map(m, s, n, pa, at, flags));
	} else if (op < 9) {
		int want = m_change(m, s, n, -1, &leaves);

		quick_assert_int_eq(
		    pt_unmap(&env.ops, root, va, n * PAGE, count_leaf, &l),
		    want);
		quick_assert_uint_eq(l.n, leaves);
	} else {
		quick_assert_int_eq(
		    pt_protect(&env.ops, root, va, n * PAGE, m_attrs[at]),
		    m_change(m, s, n, (int)at, &leaves));
	}
	m_check(m, root);
}

START_TEST(random_operations_match_a_model)
{
	static struct model m;
	uint64_t root = setup();
	uint64_t seed = TEST_SEED;

	for (unsigned i = 0; i < M_PAGES; i++)
		m.pa[i] = NOPA;
	for (int step = 0; step < 600; step++)
		m_step(&m, root, &seed);
	ck_assert_int_eq(
	    pt_unmap(&env.ops, root, M_VA, M_PAGES * PAGE, NULL, NULL), 0);
	ck_assert_uint_eq(live_tables(), 1);
	pt_destroy(&env.ops, root, NULL, NULL);
	ck_assert_uint_eq(env.allocated, env.freed);
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("pgtable");
	TCase *desc = tcase_create("descriptors");
	TCase *map = tcase_create("map");
	TCase *change = tcase_create("unmap-protect-visit");

	tcase_add_test(desc, encode_decode_every_combination);
	tcase_add_test(desc, encode_puts_bits_where_the_architecture_does);
	tcase_add_test(desc, encode_refuses_bad_input);
	tcase_add_test(desc, pa_of_tables_blocks_and_pages);
	suite_add_tcase(s, desc);

	tcase_add_test(map, gib_block_when_aligned);
	tcase_add_test(map, mib_blocks_and_pages);
	tcase_add_test(map, pages_only_without_blocks);
	tcase_add_test(map, va_pa_misaligned_relative_to_each_other);
	tcase_add_test(map, table_descriptors_are_plain);
	tcase_add_test(map, same_mapping_again_is_fine);
	tcase_add_test(map, pages_then_the_whole_block);
	tcase_add_test(map, conflicts_are_refused);
	tcase_add_test(map, conflict_after_partial_progress_changes_nothing);
	tcase_add_test(map, misaligned_arguments);
	tcase_add_test(map, bad_flags_and_attributes);
	tcase_add_test(map, size_zero_does_nothing);
	tcase_add_test(map, top_of_the_address_space);
	tcase_add_test(map, non_canonical_addresses_are_refused);
	tcase_add_test(map, physical_address_overflow);
	tcase_add_test(map, walk_finds_leaves_and_holes);
	tcase_add_test(map, allocation_failure_at_every_table_changes_nothing);
	tcase_add_test(map, pool_exhaustion_is_an_error);
	suite_add_tcase(s, map);

	tcase_add_test(change, unmap_calls_leaf_and_frees_empty_tables);
	tcase_add_test(change, unmap_keeps_tables_other_mappings_use);
	tcase_add_test(change, unmap_part_of_a_block_is_refused);
	tcase_add_test(change, protect_rewrites_attributes_and_keeps_addresses);
	tcase_add_test(change, for_each_leaf_rewrites_for_copy_on_write);
	tcase_add_test(change, for_each_leaf_visits_in_order_and_stops);
	tcase_add_test(change, for_each_leaf_refuses_bad_descriptors);
	tcase_add_test(change, destroy_frees_every_table_and_reports_leaves);
	tcase_add_test(change, map_unmap_destroy_balances_allocations);
	tcase_add_test(change, random_operations_match_a_model);
	suite_add_tcase(s, change);
	return s;
}

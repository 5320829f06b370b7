/*
 * heaptest: the native heap (libipc/rt/heap.c). Every size class and
 * large runs, contents kept across other allocations, reuse after free
 * (the free pages come back to the same count), calloc zeroes, realloc
 * keeps the bytes, overflow is refused. And the real time the runtime
 * offers servers (SYSINFO_REALTIME): after 2020, moving with the clock.
 */
#include "nt.h"

const char *nt_name = "heaptest";

int main(int argc, char **argv);

#define N 1000

static unsigned char *blk[N];
static size_t len[N];

static size_t
size_for(unsigned i)
{
	static const size_t sizes[] = { 1, 8, 16, 17, 100, 500, 2048, 2049, 4096,
	    70000, 200000 };

	return sizes[i % (sizeof(sizes) / sizeof(sizes[0]))] + (i % 7);
}

/* Allocates all, fills each with its own pattern, checks, frees all. */
static void
round_trip(void)
{
	unsigned bad = 0, none = 0;

	for (unsigned i = 0; i < N; i++) {
		len[i] = size_for(i);
		blk[i] = malloc(len[i]);
		if (blk[i] != NULL)
			memset(blk[i], (int)(i & 0xff), len[i]);
	}
	for (unsigned i = 0; i < N; i++) {
		if (blk[i] == NULL)
			none++;
		else if (blk[i][0] != (i & 0xff) || blk[i][len[i] - 1] != (i & 0xff))
			bad++;
	}
	CHECK(none == 0, "%u allocations failed", none);
	CHECK(bad == 0, "%u blocks lost their contents", bad);
	for (unsigned i = 0; i < N; i += 2)		/* half, then the rest */
		free(blk[i]);
	for (unsigned i = 1; i < N; i += 2)
		free(blk[i]);
}

int
main(int argc, char **argv)
{
	long before, after;
	unsigned char *p, *q;
	unsigned bad = 0;

	(void)argc;
	(void)argv;
	round_trip();				/* warms the heap up */
	before = sys_info(SYSINFO_FREE_PAGES, 0);
	for (int r = 0; r < 5; r++)
		round_trip();
	after = sys_info(SYSINFO_FREE_PAGES, 0);
	CHECK(before == after, "free pages %ld before, %ld after: freed memory is not reused",
	    before, after);

	p = calloc(1000, 3);
	for (unsigned i = 0; p != NULL && i < 3000; i++)
		bad += p[i] != 0;
	CHECK(p != NULL && bad == 0, "calloc: %u bytes not zero", bad);
	memset(p, 0xab, 3000);
	free(p);
	p = calloc(3000, 1);			/* the same class: the dirty block again */
	bad = 0;
	for (unsigned i = 0; p != NULL && i < 3000; i++)
		bad += p[i] != 0;
	CHECK(p != NULL && bad == 0, "calloc after free: %u bytes not zero", bad);
	free(p);

	p = malloc(10);
	memcpy(p, "0123456789", 10);
	q = realloc(p, 100000);
	CHECK(q != NULL && memcmp(q, "0123456789", 10) == 0, "realloc lost the bytes");
	p = realloc(q, 5);
	CHECK(p != NULL && memcmp(p, "01234", 5) == 0, "realloc down lost the bytes");
	free(p);
	CHECK(calloc(SIZE_MAX / 2, 4) == NULL, "calloc overflow was not refused");
	CHECK(malloc(SIZE_MAX) == NULL, "malloc(SIZE_MAX) was not refused");
	CHECK(realloc(NULL, 0) != NULL, "realloc(NULL, 0) is malloc(0)");
	{
		long t0 = sys_info(SYSINFO_REALTIME, 0);
		uint64_t c0 = clock_get();

		thread_sleep(20000000);
		long t1 = sys_info(SYSINFO_REALTIME, 0);
		uint64_t c1 = clock_get();

		CHECK(t0 > 1577836800L * 1000000000L, "SYSINFO_REALTIME %ld is before 2020", t0);
		long skew = (t1 - t0) - (long)(c1 - c0);	/* the calls are not simultaneous */

		CHECK(skew > -5000000 && skew < 5000000, "real time moved %ld ns, the clock %lu",
		    t1 - t0, c1 - c0);
	}
	return nt_summary();
}

/*
 * futex: a thread waits in linuxemu (a deferred answer) on a word of its
 * address space until another wakes it. Since every wake comes through
 * this one event loop, reading the word and queueing the waiter is
 * atomic with respect to wakes, as Linux's hash-bucket lock makes it.
 *
 * Keys (futex_key): a private futex is (address space, address); a
 * shared one in MAP_SHARED memory is (memory object, offset), so
 * processes sharing the memory meet on it. FUTEX_WAKE_OP's read-modify-write of the second word is not atomic
 * against user threads writing it meanwhile (docs/linuxemu.md).
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAKE_OP		5
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_BITSET_ANY	0xffffffffu

/*
 * The key of the word at addr: FUTEX_PRIVATE_FLAG names it by address
 * space and address; a shared futex in MAP_SHARED memory by the memory
 * object and offset (mem.c), so processes sharing it meet.
 */
static void
futex_key(struct lthread *t, uint64_t addr, int op, uint64_t *space, uint64_t *at)
{
	if (op & FUTEX_PRIVATE_FLAG) {
		*space = t->proc->mm->id;
		*at = addr;
	} else {
		lx_mm_futex_key(t->proc->mm, addr, space, at);
	}
}

/* Wake up to n waiters on (mm, addr) whose bitset meets bits; how many. */
int
lx_futex_wake(uint64_t mm, uint64_t addr, int n, uint32_t bits)
{
	int woken = 0;

	for (int i = 0; i < LX_NTHREAD && woken < n; i++) {
		struct lthread *t = &lx_threads[i];

		if (t->tid != 0 && t->wait == W_FUTEX && t->futex_mm == mm &&
		    t->futex_addr == addr && (t->futex_bits & bits) != 0) {
			lx_finish(t, 0);
			woken++;
		}
	}
	return woken;
}

/* Move up to n waiters from addr to addr2 (FUTEX_REQUEUE). */
static int
requeue(uint64_t mm, uint64_t addr, uint64_t mm2, uint64_t addr2, long n)
{
	int moved = 0;

	for (int i = 0; i < LX_NTHREAD && moved < n; i++) {
		struct lthread *t = &lx_threads[i];

		if (t->tid != 0 && t->wait == W_FUTEX && t->futex_mm == mm &&
		    t->futex_addr == addr) {
			t->futex_mm = mm2;
			t->futex_addr = addr2;
			moved++;
		}
	}
	return moved;
}

static long
futex_wait(struct lthread *t, const uint64_t *a, int op, uint32_t bits)
{
	uint32_t word;
	int64_t ts[2];
	long r;

	if (bits == 0)
		return -EINVAL;
	if (a[3] != 0) {
		if ((r = lx_read(t->proc, a[3], ts, sizeof(ts))) != 0)
			return r;
		if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000)
			return -EINVAL;
	}
	if ((r = lx_read(t->proc, a[0], &word, 4)) != 0)
		return r;
	if (word != (uint32_t)a[2])
		return -EAGAIN;
	t->deadline = 0;
	if (a[3] != 0) {
		uint64_t ns = (uint64_t)ts[0] * 1000000000 + (uint64_t)ts[1];

		/*
		 * FUTEX_WAIT's timeout is relative; WAIT_BITSET's is absolute,
		 * on CLOCK_MONOTONIC or (FUTEX_CLOCK_REALTIME) CLOCK_REALTIME.
		 */
		if (op == FUTEX_WAIT)
			t->deadline = clock_get() + ns;
		else if (a[1] & FUTEX_CLOCK_REALTIME)
			t->deadline = ns > lx_realtime_offset() ? ns - lx_realtime_offset() : 1;
		else
			t->deadline = ns;
		if (t->deadline <= clock_get())
			return -ETIMEDOUT;
		if (t->deadline == 0)
			t->deadline = 1;
		lx_timer_update();
	}
	futex_key(t, a[0], (int)a[1], &t->futex_mm, &t->futex_addr);
	t->futex_bits = bits;
	t->wait = W_FUTEX;
	return LX_SUSPEND;
}

/* FUTEX_WAKE_OP's operation on the old value, and its comparison. */
static int
wake_op(uint32_t encoded, uint32_t old, uint32_t *new, int *cond)
{
	unsigned op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int32_t oparg = (int32_t)(encoded << 8) >> 20, cmparg = (int32_t)(encoded << 20) >> 20;

	if (encoded & (8u << 28)) {		/* FUTEX_OP_OPARG_SHIFT */
		if (oparg < 0 || oparg > 31)
			return -EINVAL;
		oparg = (int32_t)(1u << oparg);
	}
	switch (op) {
	case 0: *new = (uint32_t)oparg; break;
	case 1: *new = old + (uint32_t)oparg; break;
	case 2: *new = old | (uint32_t)oparg; break;
	case 3: *new = old & ~(uint32_t)oparg; break;
	case 4: *new = old ^ (uint32_t)oparg; break;
	default: return -ENOSYS;
	}
	switch (cmp) {
	case 0: *cond = (int32_t)old == cmparg; break;
	case 1: *cond = (int32_t)old != cmparg; break;
	case 2: *cond = (int32_t)old < cmparg; break;
	case 3: *cond = (int32_t)old <= cmparg; break;
	case 4: *cond = (int32_t)old > cmparg; break;
	case 5: *cond = (int32_t)old >= cmparg; break;
	default: return -ENOSYS;
	}
	return 0;
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3) */
long
lx_sys_futex(struct lthread *t, const uint64_t *a)
{
	int op = (int)(a[1] & ~(uint64_t)(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME));
	uint64_t mm, key, mm2, key2;
	uint32_t word, old, new;
	int cond, n;
	long r;

	if ((a[1] & FUTEX_CLOCK_REALTIME) && op != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	if (a[0] & 3)
		return -EINVAL;
	/* A shared key needs the word mapped (Linux looks its page up). */
	if (!(a[1] & FUTEX_PRIVATE_FLAG) && op != FUTEX_WAIT && op != FUTEX_WAIT_BITSET &&
	    lx_read(t->proc, a[0], &word, 4) != 0)
		return -EFAULT;
	futex_key(t, a[0], (int)a[1], &mm, &key);
	futex_key(t, a[4], (int)a[1], &mm2, &key2);
	switch (op) {
	case FUTEX_WAIT:
		return futex_wait(t, a, op, FUTEX_BITSET_ANY);
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, a, op, (uint32_t)a[5]);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (op == FUTEX_WAKE_BITSET && (uint32_t)a[5] == 0)
			return -EINVAL;
		/* Linux wakes one even when asked for none (it counts after waking). */
		return lx_futex_wake(mm, key, (int)a[2] < 1 ? 1 : (int)a[2],
		    op == FUTEX_WAKE ? FUTEX_BITSET_ANY : (uint32_t)a[5]);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		if ((int)a[2] < 0 || (int)a[3] < 0 || (a[4] & 3))
			return -EINVAL;
		if (op == FUTEX_CMP_REQUEUE) {
			if ((r = lx_read(t->proc, a[0], &word, 4)) != 0)
				return r;
			if (word != (uint32_t)a[5])
				return -EAGAIN;
		}
		n = lx_futex_wake(mm, key, (int)a[2], FUTEX_BITSET_ANY);
		return n + requeue(mm, key, mm2, key2, (long)(int)a[3]);
	case FUTEX_WAKE_OP:
		if (a[4] & 3)
			return -EINVAL;
		if ((r = lx_read(t->proc, a[4], &old, 4)) != 0)
			return r;
		if ((r = wake_op((uint32_t)a[5], old, &new, &cond)) != 0)
			return r;
		if ((r = lx_write(t->proc, a[4], &new, 4)) != 0)
			return r;
		n = lx_futex_wake(mm, key, (int)a[2] < 1 ? 1 : (int)a[2], FUTEX_BITSET_ANY);
		if (cond)
			n += lx_futex_wake(mm2, key2, (int)a[3] < 1 ? 1 : (int)a[3],
			    FUTEX_BITSET_ANY);
		return n;
	default:
		return -ENOSYS;		/* the PI and LOCK operations (docs/linuxemu.md) */
	}
}

/*
 * A thread ends: every robust futex it holds (set_robust_list's list,
 * and the one it was taking or dropping) is marked FUTEX_OWNER_DIED and
 * one waiter woken, as Linux's exit_robust_list does. Bad pointers end
 * the walk quietly; 2048 entries at most (ROBUST_LIST_LIMIT).
 */
#define FUTEX_WAITERS_		0x80000000u
#define FUTEX_OWNER_DIED_	0x40000000u
#define FUTEX_TID_MASK_		0x3fffffffu

static void
robust_one(struct lthread *t, uint64_t entry, int64_t offset, int pi)
{
	uint64_t addr = (entry & ~1UL) + (uint64_t)offset, key_mm, key;
	uint32_t word, dead;

	(void)pi;
	if ((addr & 3) || lx_read(t->proc, addr, &word, 4) != 0)
		return;
	if ((word & FUTEX_TID_MASK_) != (uint32_t)t->tid)
		return;			/* not ours (any more) */
	dead = (word & FUTEX_WAITERS_) | FUTEX_OWNER_DIED_;
	if (lx_write(t->proc, addr, &dead, 4) != 0)
		return;
	if (word & FUTEX_WAITERS_) {
		lx_mm_futex_key(t->proc->mm, addr, &key_mm, &key);
		lx_futex_wake(key_mm, key, 1, FUTEX_BITSET_ANY);
		if (key_mm != t->proc->mm->id)	/* private waiters use the plain key */
			lx_futex_wake(t->proc->mm->id, addr, 1, FUTEX_BITSET_ANY);
	}
}

void
lx_futex_robust_exit(struct lthread *t)
{
	uint64_t head[3], entry, pending;	/* list, futex_offset, list_op_pending */
	int n = 0;

	if (t->robust_list == 0 || t->proc->mm == NULL ||
	    lx_read(t->proc, t->robust_list, head, sizeof(head)) != 0)
		return;
	entry = head[0];
	pending = head[2];
	while (entry != t->robust_list && entry != 0 && n++ < 2048) {
		uint64_t next;

		if (lx_read(t->proc, entry & ~1UL, &next, 8) != 0)
			break;
		if (entry != pending)
			robust_one(t, entry, (int64_t)head[1], (int)(entry & 1));
		entry = next;
	}
	if (pending != 0)
		robust_one(t, pending, (int64_t)head[1], (int)(pending & 1));
	t->robust_list = 0;
}

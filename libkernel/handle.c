/*
 * handle.c - a process's handle table: an array of slots that grows by
 * doubling, a free list threaded through the free slots, and generation
 * numbers that make handles to freed slots fail. See <lichen/handle.h>.
 */
#include <lichen/errno.h>
#include <lichen/handle.h>
#include <lichen/string.h>

#define IDX_BITS 16
#define IDX_MASK 0xffffu

static handle_t
handle_make(uint32_t idx, uint16_t gen)
{
	return (handle_t)gen << IDX_BITS | (idx + 1);
}

int
htable_init(struct htable *t, uint32_t max,
    void *(*alloc_fn)(void *ctx, size_t bytes),
    void (*free_fn)(void *ctx, void *p), void *ctx)
{
	if (max == 0 || max > HTABLE_MAX)
		return -EINVAL;
	t->slots = NULL;
	t->cap = 0;
	t->count = 0;
	t->max = max;
	t->free_head = HTABLE_NIL;
	t->drain_pos = 0;
	t->alloc = alloc_fn;
	t->free = free_fn;
	t->ctx = ctx;
	return 0;
}

/*
 * Moves the slots into an array twice as large (at most max) and puts
 * the new slots on the free list, which is empty when this is called.
 * -ENOMEM leaves the table as it was.
 */
static int
htable_grow(struct htable *t)
{
	uint32_t cap = t->cap == 0 ? HTABLE_MIN_SLOTS : t->cap * 2;
	struct hslot *s;

	if (cap > t->max)
		cap = t->max;
	s = t->alloc(t->ctx, (size_t)cap * sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	if (t->cap != 0)
		LK_NAME(memcpy)(s, t->slots, (size_t)t->cap * sizeof(*s));
	for (uint32_t i = t->cap; i < cap; i++) {
		s[i].obj = NULL;
		s[i].rights = 0;
		s[i].type = 0;
		s[i].gen = 0;
		s[i].badge = 0;
		s[i].next_free = i + 1 < cap ? i + 1 : HTABLE_NIL;
	}
	if (t->slots != NULL)
		t->free(t->ctx, t->slots);
	t->free_head = t->cap;
	t->slots = s;
	t->cap = cap;
	return 0;
}

long
htable_insert(
    struct htable *t, void *obj, uint16_t type, uint32_t rights, uint64_t badge)
{
	struct hslot *s;
	uint32_t idx;

	if (obj == NULL)
		return -EINVAL;
	if (t->free_head == HTABLE_NIL) {
		int r;

		if (t->cap >= t->max)
			return -EMFILE;
		if ((r = htable_grow(t)) < 0)
			return r;
	}
	idx = t->free_head;
	s = &t->slots[idx];
	t->free_head = s->next_free;
	s->obj = obj;
	s->rights = rights;
	s->type = type;
	s->badge = badge;
	s->next_free = HTABLE_NIL;
	t->count++;
	if (idx < t->drain_pos)
		t->drain_pos = idx;
	return handle_make(idx, s->gen);
}

/* The used slot h names, or NULL. */
static struct hslot *
htable_lookup(const struct htable *t, handle_t h)
{
	/* h == 0 and a low half of 0 both wrap idx to UINT32_MAX. */
	uint32_t idx = (h & IDX_MASK) - 1;
	struct hslot *s;

	if (idx >= t->cap)
		return NULL;
	s = &t->slots[idx];
	if (s->obj == NULL || s->gen != (uint16_t)(h >> IDX_BITS))
		return NULL;
	return s;
}

int
htable_get(const struct htable *t, handle_t h, uint16_t type, uint32_t rights,
    struct hslot **out)
{
	struct hslot *s = htable_lookup(t, h);

	if (s == NULL)
		return -EBADF;
	if (type != 0 && s->type != type)
		return -EINVAL;
	if ((s->rights & rights) != rights)
		return -EACCES;
	*out = s;
	return 0;
}

/* Copies the used slot s to *out and puts it on the free list. */
static void
htable_free_slot(struct htable *t, struct hslot *s, struct hslot *out)
{
	*out = *s;
	s->obj = NULL;
	s->rights = 0;
	s->type = 0;
	s->badge = 0;
	s->gen++; /* wraps: handle_make never gives 0 anyway */
	s->next_free = t->free_head;
	t->free_head = (uint32_t)(s - t->slots);
	t->count--;
}

int
htable_remove(struct htable *t, handle_t h, struct hslot *out)
{
	struct hslot *s = htable_lookup(t, h);

	if (s == NULL)
		return -EBADF;
	htable_free_slot(t, s, out);
	return 0;
}

void *
htable_drain(struct htable *t, struct hslot *out)
{
	while (t->count != 0 && t->drain_pos < t->cap) {
		struct hslot *s = &t->slots[t->drain_pos++];

		if (s->obj != NULL) {
			htable_free_slot(t, s, out);
			return out->obj;
		}
	}
	return NULL;
}

void
htable_destroy(struct htable *t)
{
	if (t->slots != NULL)
		t->free(t->ctx, t->slots);
	t->slots = NULL;
	t->cap = 0;
	t->count = 0;
	t->free_head = HTABLE_NIL;
	t->drain_pos = 0;
}

uint32_t
htable_count(const struct htable *t)
{
	return t->count;
}

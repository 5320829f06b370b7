/*
 * timerq.c - the per-CPU timer queue behind <lichen/timerq.h>: a
 * red-black tree by deadline with its leftmost node cached.
 *
 * Equal deadlines keep arming order because insertion descends right on
 * equality, so a new timer lands after every timer already armed for its
 * deadline; the in-order walk, and so popping, follows arming order.
 */
#include <lichen/errno.h>
#include <lichen/timerq.h>

#define timer_of(n) rb_entry_or_null(n, struct ktimer, node)

void
ktimer_init(struct ktimer *t)
{
	t->armed = false;
	t->deadline = 0;
}

void
timerq_init(struct timerq *q)
{
	rb_init(&q->root);
	q->first = NULL;
	q->count = 0;
}

/* Takes armed t out of q, keeping first up to date. */
static void
unlink_timer(struct timerq *q, struct ktimer *t)
{
	if (q->first == t)
		q->first = timer_of(rb_next(&t->node));
	rb_erase(&q->root, &t->node);
	t->armed = false;
	q->count--;
}

/* Puts unarmed t into q at t->deadline, after equal deadlines. */
static void
link_timer(struct timerq *q, struct ktimer *t)
{
	struct rb_node **link = &q->root.node, *parent = NULL;
	bool leftmost = true;

	while (*link != NULL) {
		parent = *link;
		if (t->deadline < timer_of(parent)->deadline) {
			link = &parent->child[RB_LEFT];
		} else {
			link = &parent->child[RB_RIGHT];
			leftmost = false;
		}
	}
	rb_link(&t->node, parent, link);
	rb_insert_fixup(&q->root, &t->node);
	if (leftmost)
		q->first = t;
	t->armed = true;
	q->count++;
}

void
timerq_arm(struct timerq *q, struct ktimer *t, uint64_t deadline)
{
	if (t->armed)
		unlink_timer(q, t);
	t->deadline = deadline;
	link_timer(q, t);
}

bool
timerq_cancel(struct timerq *q, struct ktimer *t)
{
	if (!t->armed)
		return false;
	unlink_timer(q, t);
	return true;
}

uint64_t
timerq_next_deadline(const struct timerq *q)
{
	return q->first == NULL ? UINT64_MAX : q->first->deadline;
}

struct ktimer *
timerq_pop_expired(struct timerq *q, uint64_t now)
{
	struct ktimer *t = q->first;

	if (t == NULL || t->deadline > now)
		return NULL;
	unlink_timer(q, t);
	return t;
}

int
timerq_check(const struct timerq *q)
{
	const struct rb_node *n;
	const struct ktimer *prev = NULL;
	size_t count = 0;

	if (rb_check(&q->root) != 0)
		return -EIO;
	if (q->first != timer_of(rb_first(&q->root)))
		return -EIO;
	for (n = rb_first(&q->root); n != NULL; n = rb_next(n)) {
		const struct ktimer *t = timer_of(n);

		if (!t->armed || count++ == q->count)
			return -EIO;
		if (prev != NULL && prev->deadline > t->deadline)
			return -EIO;
		prev = t;
	}
	return count == q->count ? 0 : -EIO;
}

/*
 * list.h - intrusive circular doubly-linked lists.
 *
 * A list is a struct list_node head embedded wherever the list lives; its
 * elements embed their own struct list_node and are found again with
 * list_entry().  An empty list's head points at itself, so insertion and
 * removal never test for NULL.  A node that is on no list also points at
 * itself (list_init, list_remove), which makes list_empty(node) the test
 * for "is this node linked anywhere".
 *
 * No locking: whoever owns the head serialises access to the whole list.
 */
#ifndef LICHEN_LIST_H
#define LICHEN_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include <lichen/compiler.h>

struct list_node {
	struct list_node *next;
	struct list_node *prev;
};

/* For a head defined statically: struct list_node h = LIST_HEAD_INIT(h); */
/* clang-format off */
#define LIST_HEAD_INIT(name)	{ &(name), &(name) }
/* clang-format on */

static inline void
list_init(struct list_node *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool
list_empty(const struct list_node *head)
{
	return head->next == head;
}

/* Links node between two adjacent nodes prev and next. */
static inline void
list_link_between(
    struct list_node *node, struct list_node *prev, struct list_node *next)
{
	node->prev = prev;
	node->next = next;
	prev->next = node;
	next->prev = node;
}

static inline void
list_add_head(struct list_node *head, struct list_node *node)
{
	list_link_between(node, head, head->next);
}

static inline void
list_add_tail(struct list_node *head, struct list_node *node)
{
	list_link_between(node, head->prev, head);
}

/* Unlinks node from its list and leaves it initialised (empty). */
static inline void
list_remove(struct list_node *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	list_init(node);
}

/* The first (last) node of the list, or NULL when it is empty. */
static inline struct list_node *
list_first(const struct list_node *head)
{
	return list_empty(head) ? NULL : head->next;
}

static inline struct list_node *
list_last(const struct list_node *head)
{
	return list_empty(head) ? NULL : head->prev;
}

static inline size_t
list_length(const struct list_node *head)
{
	const struct list_node *n;
	size_t len = 0;

	for (n = head->next; n != head; n = n->next)
		len++;
	return len;
}

/* Moves every node of src, in order, to the tail of dst; src ends empty. */
static inline void
list_splice_tail(struct list_node *dst, struct list_node *src)
{
	struct list_node *first = src->next, *last = src->prev;

	if (list_empty(src))
		return;
	first->prev = dst->prev;
	dst->prev->next = first;
	last->next = dst;
	dst->prev = last;
	list_init(src);
}

#define list_entry(node, type, member) container_of(node, type, member)

/* The first element, or NULL when the list is empty. */
#define list_first_entry(head, type, member)                                   \
	(list_empty(head) ? NULL : list_entry((head)->next, type, member))

/* The element whose node is `node`, of the same type as pos. */
#define list_entry_like(pos, node, member)                                     \
	list_entry(node, __typeof__(*(pos)), member)

/* The element after pos (the head's container if pos is the last). */
#define list_next_entry(pos, member)                                           \
	list_entry_like(pos, (pos)->member.next, member)

#define list_for_each(pos, head)                                               \
	for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

/* Like list_for_each, but pos may be removed (tmp holds its successor). */
#define list_for_each_safe(pos, tmp, head)                                     \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head);       \
	     (pos) = (tmp), (tmp) = (pos)->next)

/* pos is a pointer to the element type; member names its list_node. */
#define list_for_each_entry(pos, head, member)                                 \
	for ((pos) = list_entry_like(pos, (head)->next, member);               \
	     &(pos)->member != (head); (pos) = list_next_entry(pos, member))

#define list_for_each_entry_safe(pos, tmp, head, member)                       \
	for ((pos) = list_entry_like(pos, (head)->next, member),               \
	    (tmp) = list_next_entry(pos, member);                              \
	     &(pos)->member != (head);                                         \
	     (pos) = (tmp), (tmp) = list_next_entry(tmp, member))

#endif /* LICHEN_LIST_H */

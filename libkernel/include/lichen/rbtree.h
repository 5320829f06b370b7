/*
 * rbtree.h - intrusive red-black trees.
 *
 * A tree is a struct rb_root; its elements embed a struct rb_node and are
 * found again with rb_entry().  The tree never compares anything itself:
 * the owner decides the order, in one of two ways.
 *
 *   - Descend yourself, then link and rebalance:
 *
 *	struct rb_node **link = &root->node, *parent = NULL;
 *	while (*link != NULL) {
 *		parent = *link;
 *		dir = key < KEY(parent) ? RB_LEFT : RB_RIGHT;
 *		link = &parent->child[dir];
 *	}
 *	rb_link(node, parent, link);
 *	rb_insert_fixup(root, node);
 *
 *   - Or call rb_insert() with a comparison function.
 *
 * Lookups are the owner's descent too.  Every operation is O(log n) and
 * none allocates.  No locking: the owner of the root serialises access.
 */
#ifndef LICHEN_RBTREE_H
#define LICHEN_RBTREE_H

#include <stdbool.h>
#include <stddef.h>

#include <lichen/compiler.h>

#define RB_LEFT	 0
#define RB_RIGHT 1

struct rb_node {
	struct rb_node *parent;	  /* NULL at the root */
	struct rb_node *child[2]; /* [RB_LEFT], [RB_RIGHT]; NULL for none */
	bool red;
};

struct rb_root {
	struct rb_node *node; /* NULL when the tree is empty */
};

/* clang-format off */
#define RB_ROOT_INIT	{ NULL }
/* clang-format on */

#define rb_entry(node, type, member) container_of(node, type, member)

/* rb_entry(), but NULL for a NULL node. */
#define rb_entry_or_null(node, type, member)                                   \
	((node) == NULL ? NULL : rb_entry(node, type, member))

static inline void
rb_init(struct rb_root *root)
{
	root->node = NULL;
}

static inline bool
rb_empty(const struct rb_root *root)
{
	return root->node == NULL;
}

/*
 * Puts node, red and childless, at *link, an empty child slot of parent
 * (or root->node with parent NULL).  The tree is unbalanced until
 * rb_insert_fixup(root, node).
 */
void rb_link(
    struct rb_node *node, struct rb_node *parent, struct rb_node **link);

/* Restores the red-black rules after rb_link() added node. */
void rb_insert_fixup(struct rb_root *root, struct rb_node *node);

/* Negative, zero or positive as a sorts before, with or after b. */
typedef int (*rb_cmp_fn)(const struct rb_node *a, const struct rb_node *b);

/*
 * Inserts node in cmp's order.  A node comparing equal to ones already in
 * the tree goes after them, so equal keys keep their insertion order.
 */
void rb_insert(struct rb_root *root, struct rb_node *node, rb_cmp_fn cmp);

/* Removes node, which must be in the tree; its fields are then garbage. */
void rb_erase(struct rb_root *root, struct rb_node *node);

/* The lowest (highest) node, or NULL when the tree is empty. */
struct rb_node *rb_first(const struct rb_root *root);
struct rb_node *rb_last(const struct rb_root *root);

/* The node after (before) node in order, or NULL at the end. */
struct rb_node *rb_next(const struct rb_node *node);
struct rb_node *rb_prev(const struct rb_node *node);

/*
 * 0 if the tree keeps the red-black rules: a black root, no red node with
 * a red child, the same number of black nodes on every path from the root
 * down, and each child's parent pointer naming its parent.  -EINVAL if
 * not.  Ordering is the owner's to check (walk rb_first/rb_next).  For
 * tests and debugging: recursive, O(n).
 */
int rb_check(const struct rb_root *root);

#endif /* LICHEN_RBTREE_H */

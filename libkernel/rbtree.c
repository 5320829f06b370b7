/*
 * rbtree.c - red-black tree rebalancing, removal, in-order stepping and
 * the invariant checker behind <lichen/rbtree.h>.
 *
 * The textbook (CLRS) algorithms with NULL leaves.  Each left/right pair
 * of cases is written once with a direction `dir`: child[dir] is one side
 * and child[!dir] the other, so rotate(root, x, RB_LEFT) is a left
 * rotation and the mirrored case simply passes the other direction.
 */
#include <lichen/errno.h>
#include <lichen/rbtree.h>

static bool
is_red(const struct rb_node *n)
{
	return n != NULL && n->red;
}

/* Which side of its parent n hangs on; n must have a parent. */
static int
side_of(const struct rb_node *n)
{
	return n->parent->child[RB_RIGHT] == n ? RB_RIGHT : RB_LEFT;
}

/* Makes new (possibly NULL) take old's place under old's parent. */
static void
replace_child(struct rb_root *root, struct rb_node *old, struct rb_node *new)
{
	struct rb_node *p = old->parent;

	if (p == NULL)
		root->node = new;
	else
		p->child[side_of(old)] = new;
	if (new != NULL)
		new->parent = p;
}

/*
 * Rotates x down towards dir: its child on the other side, y, takes x's
 * place and x becomes y's child[dir].
 */
static void
rotate(struct rb_root *root, struct rb_node *x, int dir)
{
	struct rb_node *y = x->child[!dir];

	x->child[!dir] = y->child[dir];
	if (y->child[dir] != NULL)
		y->child[dir]->parent = x;
	replace_child(root, x, y);
	y->child[dir] = x;
	x->parent = y;
}

void
rb_link(struct rb_node *node, struct rb_node *parent, struct rb_node **link)
{
	node->parent = parent;
	node->child[RB_LEFT] = NULL;
	node->child[RB_RIGHT] = NULL;
	node->red = true;
	*link = node;
}

void
rb_insert_fixup(struct rb_root *root, struct rb_node *n)
{
	struct rb_node *p, *g, *uncle;
	int dir;

	/* The only possible violation: n and its parent p are both red. */
	while ((p = n->parent) != NULL && p->red) {
		g = p->parent; /* exists: a red p is not the root */
		dir = side_of(p);
		uncle = g->child[!dir];
		if (is_red(uncle)) {
			p->red = false;
			uncle->red = false;
			g->red = true;
			n = g;
			continue;
		}
		if (n == p->child[!dir]) {
			rotate(root, p, dir);
			n = p;
			p = n->parent;
		}
		p->red = false;
		g->red = true;
		rotate(root, g, !dir);
		break;
	}
	root->node->red = false;
}

void
rb_insert(struct rb_root *root, struct rb_node *node, rb_cmp_fn cmp)
{
	struct rb_node **link = &root->node, *parent = NULL;
	int dir;

	while (*link != NULL) {
		parent = *link;
		dir = cmp(node, parent) < 0 ? RB_LEFT : RB_RIGHT;
		link = &parent->child[dir];
	}
	rb_link(node, parent, link);
	rb_insert_fixup(root, node);
}

static struct rb_node *
extreme(struct rb_node *n, int dir)
{
	if (n == NULL)
		return NULL;
	while (n->child[dir] != NULL)
		n = n->child[dir];
	return n;
}

/*
 * Rebalances after a black node was removed from above x (possibly NULL),
 * the child[?] of parent: x's side is one black short.
 */
static void
erase_fixup(struct rb_root *root, struct rb_node *x, struct rb_node *parent)
{
	struct rb_node *w;
	int dir;

	while (x != root->node && !is_red(x)) {
		/* x's sibling w exists: its side has at least one black. */
		dir = parent->child[RB_LEFT] == x ? RB_LEFT : RB_RIGHT;
		w = parent->child[!dir];
		if (w->red) {
			w->red = false;
			parent->red = true;
			rotate(root, parent, dir);
			w = parent->child[!dir];
		}
		if (!is_red(w->child[RB_LEFT]) && !is_red(w->child[RB_RIGHT])) {
			w->red = true;
			x = parent;
			parent = x->parent;
			continue;
		}
		if (!is_red(w->child[!dir])) {
			w->child[dir]->red = false;
			w->red = true;
			rotate(root, w, !dir);
			w = parent->child[!dir];
		}
		w->red = parent->red;
		parent->red = false;
		w->child[!dir]->red = false;
		rotate(root, parent, dir);
		x = root->node;
	}
	if (x != NULL)
		x->red = false;
}

void
rb_erase(struct rb_root *root, struct rb_node *z)
{
	struct rb_node *x, *parent, *y;
	bool removed_red;

	if (z->child[RB_LEFT] == NULL || z->child[RB_RIGHT] == NULL) {
		/* z has at most one child: that child takes its place. */
		x = z->child[z->child[RB_LEFT] == NULL ? RB_RIGHT : RB_LEFT];
		parent = z->parent;
		removed_red = z->red;
		replace_child(root, z, x);
	} else {
		/* z's successor y (no left child) moves into z's place. */
		y = extreme(z->child[RB_RIGHT], RB_LEFT);
		removed_red = y->red;
		x = y->child[RB_RIGHT];
		if (y->parent == z) {
			parent = y;
		} else {
			parent = y->parent;
			replace_child(root, y, x);
			y->child[RB_RIGHT] = z->child[RB_RIGHT];
			y->child[RB_RIGHT]->parent = y;
		}
		replace_child(root, z, y);
		y->child[RB_LEFT] = z->child[RB_LEFT];
		y->child[RB_LEFT]->parent = y;
		y->red = z->red;
	}
	if (!removed_red)
		erase_fixup(root, x, parent);
}

struct rb_node *
rb_first(const struct rb_root *root)
{
	return extreme(root->node, RB_LEFT);
}

struct rb_node *
rb_last(const struct rb_root *root)
{
	return extreme(root->node, RB_RIGHT);
}

/* The in-order neighbour of n towards dir (RB_RIGHT: next), or NULL. */
static struct rb_node *
step(const struct rb_node *n, int dir)
{
	if (n->child[dir] != NULL)
		return extreme(n->child[dir], !dir);
	while (n->parent != NULL && n == n->parent->child[dir])
		n = n->parent;
	return n->parent;
}

struct rb_node *
rb_next(const struct rb_node *node)
{
	return step(node, RB_RIGHT);
}

struct rb_node *
rb_prev(const struct rb_node *node)
{
	return step(node, RB_LEFT);
}

/* The black height of the subtree at n (NULL leaves count 0), or -1. */
static int
check_subtree(const struct rb_node *n, const struct rb_node *parent)
{
	int hl, hr;

	if (n == NULL)
		return 0;
	if (n->parent != parent || (n->red && is_red(parent)))
		return -1;
	hl = check_subtree(n->child[RB_LEFT], n);
	hr = check_subtree(n->child[RB_RIGHT], n);
	if (hl < 0 || hl != hr)
		return -1;
	return hl + !n->red;
}

int
rb_check(const struct rb_root *root)
{
	if (is_red(root->node) || check_subtree(root->node, NULL) < 0)
		return -EINVAL;
	return 0;
}

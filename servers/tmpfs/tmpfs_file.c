/*
 * tmpfs_file.c - what files and symlinks hold.
 *
 * A regular file's data is a radix tree of pages, as Linux's page cache
 * is: a tree of height h covers FANOUT^h pages, each interior node is one
 * page of FANOUT pointers, level 1 points at data pages. Holes have no
 * page and read as zeros; a page past the end is freed by a truncate and
 * the part of the last page past the end is zero, so growing a file
 * again shows zeros. Only data pages count against size= (as Linux,
 * which does not charge its radix nodes either).
 *
 * A symlink's target is malloc'd when short and takes a page (and a
 * block) when SHORT_SYMLINK bytes or longer, as Linux's shmem_symlink.
 */
#include "tmpfs_impl.h"

/* Pages a tree of height h covers. */
static uint64_t
cover(unsigned h)
{
	return h == 0 ? 0 : UINT64_C(1) << (FANOUT_SHIFT * h);
}

static unsigned
slot_of(uint64_t idx, unsigned level)
{
	return (unsigned)(idx >> (FANOUT_SHIFT * (level - 1))) & (FANOUT - 1);
}

static char *
page_find(const struct tmpfs_node *n, uint64_t idx)
{
	void *p = n->u.file.root;
	unsigned h = n->u.file.height;

	if (idx >= cover(h))
		return NULL;
	for (; h > 0 && p != NULL; h--)
		p = ((void **)p)[slot_of(idx, h)];
	return p;
}

static void **
radix_node_new(struct tmpfs *fs)
{
	void **p = page_alloc(fs);

	if (p != NULL)
		memset(p, 0, TMPFS_PAGE);
	return p;
}

/* Makes the tree tall enough for page idx (an empty tree just says so). */
static int
radix_grow(struct tmpfs_node *n, uint64_t idx)
{
	while (idx >= cover(n->u.file.height)) {
		void **top;

		if (n->u.file.root == NULL) {
			n->u.file.height++;
			continue;
		}
		if ((top = radix_node_new(n->sb->fs)) == NULL)
			return -ENOMEM;
		top[0] = n->u.file.root;
		n->u.file.root = top;
		n->u.file.height++;
	}
	return 0;
}

/* Page idx of n, made (zeroed, counted) if it is a hole. */
static int
page_get(struct tmpfs_node *n, uint64_t idx, char **pagep)
{
	struct tmpfs_sb *sb = n->sb;
	void **slot;
	char *page;
	int r;

	if ((*pagep = page_find(n, idx)) != NULL)
		return 0;
	if (sb->max_blocks != 0 && sb->used_blocks >= sb->max_blocks)
		return -ENOSPC;
	if ((r = radix_grow(n, idx)) != 0)
		return r;
	slot = &n->u.file.root;
	for (unsigned h = n->u.file.height; h > 0; h--) {
		if (*slot == NULL && (*slot = radix_node_new(sb->fs)) == NULL)
			return -ENOMEM;
		slot = &((void **)*slot)[slot_of(idx, h)];
	}
	if ((page = page_alloc(sb->fs)) == NULL)
		return -ENOMEM;
	memset(page, 0, TMPFS_PAGE);
	*slot = page;
	n->u.file.pages++;
	sb->used_blocks++;
	sb->fs->data_pages++;
	*pagep = page;
	return 0;
}

/*
 * Frees the pages at or beyond page first under node (at level, its
 * first page base), and the interior nodes wholly beyond it. Returns the
 * data pages freed.
 */
static uint64_t
subtree_free(struct tmpfs *fs, void **node, unsigned level, uint64_t base,
    uint64_t first)
{
	uint64_t span = UINT64_C(1) << (FANOUT_SHIFT * (level - 1)), freed = 0;

	for (unsigned i = 0; i < FANOUT; i++) {
		uint64_t b = base + i * span;

		if (node[i] == NULL || b + span <= first)
			continue;
		if (level > 1)
			freed += subtree_free(fs, node[i], level - 1, b, first);
		else
			freed++;
		if (b >= first) {
			page_free(fs, node[i]);
			node[i] = NULL;
		}
	}
	return freed;
}

static void
pages_free_from(struct tmpfs_node *n, uint64_t first)
{
	struct tmpfs_sb *sb = n->sb;
	uint64_t freed;

	if (n->u.file.root == NULL || first >= cover(n->u.file.height))
		return;
	freed =
	    subtree_free(sb->fs, n->u.file.root, n->u.file.height, 0, first);
	if (first == 0) {
		page_free(sb->fs, n->u.file.root);
		n->u.file.root = NULL;
		n->u.file.height = 0;
	}
	n->u.file.pages -= freed;
	sb->used_blocks -= freed;
	sb->fs->data_pages -= freed;
}

/* A new size: growing adds a hole, shrinking frees and zeroes the rest. */
void
file_resize(struct tmpfs_node *n, int64_t size)
{
	if (size < n->size) {
		uint64_t in = (uint64_t)size % TMPFS_PAGE;
		char *page;

		pages_free_from(
		    n, ((uint64_t)size + TMPFS_PAGE - 1) / TMPFS_PAGE);
		if (in != 0 &&
		    (page = page_find(n, (uint64_t)size / TMPFS_PAGE)) != NULL)
			memset(page + in, 0, TMPFS_PAGE - in);
	}
	n->size = size;
}

void
file_free(struct tmpfs_node *n)
{
	pages_free_from(n, 0);
}

/* The checks read and write share: 0, -EISDIR, -EINVAL. */
static int
file_check(const struct tmpfs_node *n, uint64_t off)
{
	if (node_is(n, FS_IFDIR))
		return -EISDIR;
	if (!node_is(n, FS_IFREG) || (int64_t)off < 0)
		return -EINVAL;
	return 0;
}

int64_t
tmpfs_read(struct tmpfs *fs, uint64_t node, uint64_t off, void *buf, size_t len)
{
	struct tmpfs_node *n;
	size_t total = 0;
	int r;

	if ((r = node_get(fs, node, &n)) != 0 || (r = file_check(n, off)) != 0)
		return r;
	if (off < (uint64_t)n->size)
		total = len < (uint64_t)n->size - off
			    ? len
			    : (size_t)((uint64_t)n->size - off);
	for (size_t done = 0; done < total;) {
		uint64_t pos = off + done;
		size_t in = (size_t)(pos % TMPFS_PAGE), step = TMPFS_PAGE - in;
		const char *page = page_find(n, pos / TMPFS_PAGE);

		if (step > total - done)
			step = total - done;
		if (page != NULL)
			memcpy((char *)buf + done, page + in, step);
		else
			memset((char *)buf + done, 0, step);
		done += step;
	}
	node_accessed(n);
	return (int64_t)total;
}

int64_t
tmpfs_write(struct tmpfs *fs, uint64_t node, uint64_t off, const void *buf,
    size_t len, unsigned flags, int64_t *size)
{
	struct tmpfs_node *n;
	size_t done = 0;
	int r;

	if ((r = node_get(fs, node, &n)) != 0)
		return r;
	if (flags & ~FS_WRITE_APPEND)
		return -EINVAL;
	if (flags & FS_WRITE_APPEND)
		off = (uint64_t)n->size;
	if ((r = file_check(n, off)) != 0)
		return r;
	if (sb_rdonly(n->sb))
		return -EROFS;
	*size = n->size;
	if (len == 0)
		return 0;
	if (off >= (uint64_t)MAX_FILE_SIZE)
		return -EFBIG;
	if (len > (uint64_t)MAX_FILE_SIZE - off)
		len = (size_t)((uint64_t)MAX_FILE_SIZE - off);
	while (done < len) {
		uint64_t pos = off + done;
		size_t in = (size_t)(pos % TMPFS_PAGE), step = TMPFS_PAGE - in;
		char *page;

		if ((r = page_get(n, pos / TMPFS_PAGE, &page)) != 0) {
			if (done == 0)
				return r;
			break; /* a short write: the instance is full */
		}
		if (step > len - done)
			step = len - done;
		memcpy(page + in, (const char *)buf + done, step);
		done += step;
	}
	if (off + done > (uint64_t)n->size)
		n->size = (int64_t)(off + done);
	n->mtime = n->ctime = fs_now(fs);
	*size = n->size;
	return (int64_t)done;
}

/* --- symlinks --- */

int
link_set(struct tmpfs_node *n, const char *target, size_t len)
{
	struct tmpfs_sb *sb = n->sb;
	char *p;

	if (len >= SHORT_SYMLINK) {
		if (sb->max_blocks != 0 && sb->used_blocks >= sb->max_blocks)
			return -ENOSPC;
		if ((p = page_alloc(sb->fs)) == NULL)
			return -ENOMEM;
		sb->used_blocks++;
		sb->fs->data_pages++;
		n->u.link.paged = true;
	} else if ((p = malloc(len)) == NULL) {
		return -ENOMEM;
	}
	memcpy(p, target, len);
	n->u.link.target = p;
	n->size = (int64_t)len;
	return 0;
}

void
link_free(struct tmpfs_node *n)
{
	if (n->u.link.target == NULL)
		return;
	if (n->u.link.paged) {
		page_free(n->sb->fs, n->u.link.target);
		n->sb->used_blocks--;
		n->sb->fs->data_pages--;
	} else {
		free(n->u.link.target);
	}
	n->u.link.target = NULL;
}

int64_t
tmpfs_readlink(struct tmpfs *fs, uint64_t node, const char **target)
{
	struct tmpfs_node *n;
	int r;

	if ((r = node_get(fs, node, &n)) != 0)
		return r;
	if (!node_is(n, FS_IFLNK))
		return -EINVAL;
	node_accessed(n);
	*target = n->u.link.target;
	return n->size;
}

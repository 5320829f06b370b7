/*
 * tmpfs_mount.c - instances: Linux's tmpfs mount options, mount, umount
 * and statfs, and the server (struct tmpfs) that holds them.
 *
 * An instance's limits are Linux's: size= counts data pages (and long
 * symlinks' pages), nr_inodes= counts nodes and extra hard links, 0 is
 * no limit, and without either option the limit is half of the memory
 * the server was told about (none when it was told nothing).
 */
#include "tmpfs_impl.h"

/* --- mount options --- */

struct mount_opts {
	uint64_t blocks, inodes; /* 0: no limit */
	uint32_t mode, uid, gid;
	bool rdonly;
};

static bool
is_digit(char c, unsigned base)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0') < base;
	c |= 0x20;
	return base == 16 && c >= 'a' && c <= 'f';
}

/*
 * An unsigned number at the start of s[0..n) in base (0: C's prefixes,
 * as Linux's simple_strtoull): at least one digit, no overflow.
 * Returns the digits and prefix consumed, or 0 if there is no number.
 */
static size_t
parse_uint(const char *s, size_t n, unsigned base, uint64_t *v)
{
	size_t i = 0;

	if (base == 0) {
		base = 10;
		if (n >= 3 && s[0] == '0' && (s[1] | 0x20) == 'x' &&
		    is_digit(s[2], 16)) {
			base = 16;
			i = 2;
		} else if (n >= 1 && s[0] == '0') {
			base = 8;
		}
	}
	*v = 0;
	if (i >= n || !is_digit(s[i], base))
		return 0;
	for (; i < n && is_digit(s[i], base); i++) {
		unsigned d = s[i] <= '9' ? (unsigned)(s[i] - '0')
					 : (unsigned)((s[i] | 0x20) - 'a' + 10);

		if (*v > (UINT64_MAX - d) / base)
			return 0;
		*v = *v * base + d;
	}
	return i;
}

/*
 * Linux's memparse: a number and an optional K/M/G/T/P/E suffix (either
 * case), then *pct says whether a '%' followed (if pct is not NULL).
 * The whole of s[0..n) must be used. 0 or -EINVAL.
 */
static int
parse_size(const char *s, size_t n, uint64_t *v, bool *pct)
{
	static const char units[] = "kmgtpe";
	size_t i = parse_uint(s, n, 0, v);

	if (i == 0)
		return -EINVAL;
	if (i < n) {
		const char *u = memchr(units, s[i] | 0x20, sizeof(units) - 1);

		if (u != NULL && s[i] != '%') {
			unsigned shift = 10 * (unsigned)(u - units + 1);

			if (*v > (UINT64_MAX >> shift))
				return -EINVAL;
			*v <<= shift;
			i++;
		}
	}
	if (pct != NULL)
		*pct = i < n && s[i] == '%';
	if (pct != NULL && *pct)
		i++;
	return i == n ? 0 : -EINVAL;
}

static bool
key_is(const char *key, size_t klen, const char *want)
{
	return strlen(want) == klen && memcmp(key, want, klen) == 0;
}

/* size=: bytes (rounded up to pages) or a percentage of the memory. */
static int
opt_size(
    const struct tmpfs *fs, const char *v, size_t vlen, struct mount_opts *o)
{
	uint64_t size, ram = fs->params.ram_pages;
	bool pct;

	if (parse_size(v, vlen, &size, &pct) != 0)
		return -EINVAL;
	if (!pct) {
		o->blocks = size / TMPFS_PAGE + (size % TMPFS_PAGE != 0);
		return 0;
	}
	if (ram == 0 || (size != 0 && ram > UINT64_MAX / size))
		return -EINVAL;
	o->blocks = (size * ram + 99) / 100;
	return 0;
}

static int
opt_one(const struct tmpfs *fs, const char *key, size_t klen, const char *v,
    size_t vlen, bool has_value, struct mount_opts *o)
{
	static const char *const flags_ignored[] = {"sync", "async", "dirsync",
	    "lazytime", "nolazytime", "mand", "nomand", "inode32", "inode64",
	    "noswap"};
	static const char *const huge[] = {
	    "never", "always", "within_size", "advise", "deny", "force"};
	uint64_t n;

	if (!has_value) {
		if (key_is(key, klen, "ro") || key_is(key, klen, "rw")) {
			o->rdonly = key[0] == 'r' && key[1] == 'o';
			return 0;
		}
		for (size_t i = 0;
		     i < sizeof(flags_ignored) / sizeof(flags_ignored[0]); i++)
			if (key_is(key, klen, flags_ignored[i]))
				return 0;
		return -EINVAL;
	}
	if (key_is(key, klen, "size"))
		return opt_size(fs, v, vlen, o);
	if (key_is(key, klen, "nr_blocks"))
		return parse_size(v, vlen, &o->blocks, NULL);
	if (key_is(key, klen, "nr_inodes"))
		return parse_size(v, vlen, &o->inodes, NULL);
	if (key_is(key, klen, "mode")) {
		if (vlen == 0 || parse_uint(v, vlen, 8, &n) != vlen ||
		    n > UINT32_MAX)
			return -EINVAL;
		o->mode = (uint32_t)n & 07777;
		return 0;
	}
	if (key_is(key, klen, "uid") || key_is(key, klen, "gid")) {
		if (vlen == 0 || parse_uint(v, vlen, 0, &n) != vlen ||
		    n >= UINT32_MAX)
			return -EINVAL;
		*(key[0] == 'u' ? &o->uid : &o->gid) = (uint32_t)n;
		return 0;
	}
	if (key_is(key, klen, "huge")) {
		for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++)
			if (key_is(v, vlen, huge[i]))
				return 0;
	}
	return -EINVAL;
}

/* Comma-separated options (empty ones skipped, as Linux does). */
static int
opts_parse(
    const struct tmpfs *fs, const char *s, size_t len, struct mount_opts *o)
{
	size_t i = 0;

	if (memchr(s, '\0', len) != NULL)
		return -EINVAL;
	while (i < len) {
		const char *key = s + i, *end = memchr(key, ',', len - i), *eq;
		size_t n = end != NULL ? (size_t)(end - key) : len - i;
		int r;

		i += n + 1;
		if (n == 0)
			continue;
		eq = memchr(key, '=', n);
		if (eq != NULL)
			r = opt_one(fs, key, (size_t)(eq - key), eq + 1,
			    n - (size_t)(eq - key) - 1, true, o);
		else
			r = opt_one(fs, key, n, NULL, 0, false, o);
		if (r != 0)
			return r;
	}
	return 0;
}

/* --- instances --- */

int
tmpfs_mount(struct tmpfs *fs, const char *opts, size_t len, uint64_t flags,
    struct fs_attr *attr)
{
	struct mount_opts o = {.blocks = fs->params.ram_pages / 2,
	    .inodes = fs->params.ram_pages / 2,
	    .mode = 01777};
	struct tmpfs_node *root;
	struct tmpfs_sb *sb;
	int r;

	if ((r = opts_parse(fs, opts, len, &o)) != 0)
		return r;
	if ((sb = calloc(1, sizeof(*sb))) == NULL)
		return -ENOMEM;
	sb->fs = fs;
	list_init(&sb->nodes);
	sb->max_blocks = o.blocks;
	sb->max_inodes = o.inodes;
	sb->msflags = flags | (o.rdonly ? TMPFS_MS_RDONLY : 0);
	if ((r = node_new(sb, FS_IFDIR | o.mode, o.uid, o.gid, &root)) != 0) {
		free(sb);
		return r;
	}
	sb->root = root;
	dir_init(root, NULL);
	list_add_tail(&fs->instances, &sb->link);
	fs->ninstances++;
	node_ref(root);
	node_attr(root, attr);
	return 0;
}

/* Frees the instance and every node of it, the root last. */
static void
sb_destroy(struct tmpfs_sb *sb)
{
	struct tmpfs *fs = sb->fs;
	struct list_node *l, *tmp;

	list_for_each_safe(l, tmp, &sb->nodes) {
		struct tmpfs_node *n = list_entry(l, struct tmpfs_node, link);

		if (n != sb->root)
			node_destroy(n);
	}
	node_destroy(sb->root);
	list_remove(&sb->link);
	fs->ninstances--;
	free(sb);
}

int
tmpfs_umount(struct tmpfs *fs, uint64_t root)
{
	struct tmpfs_node *n = node_find(fs, root);

	if (n == NULL || n != n->sb->root)
		return -EINVAL;
	if (n->sb->nrefd > 0)
		return -EBUSY;
	sb_destroy(n->sb);
	return 0;
}

int
tmpfs_statfs(struct tmpfs *fs, uint64_t node, struct fs_statfs *st)
{
	struct tmpfs_node *n;
	struct tmpfs_sb *sb;
	int r;

	if ((r = node_get(fs, node, &n)) != 0)
		return r;
	sb = n->sb;
	memset(st, 0, sizeof(*st));
	st->type = TMPFS_MAGIC;
	st->bsize = TMPFS_PAGE;
	st->namelen = FS_NAME_MAX;
	st->frsize = TMPFS_PAGE;
	st->flags = sb_rdonly(sb) ? 1 : 0; /* ST_RDONLY */
	if (sb->max_blocks != 0) {	   /* as Linux: 0 when unlimited */
		st->blocks = sb->max_blocks;
		st->bfree = st->bavail = sb->max_blocks > sb->used_blocks
					     ? sb->max_blocks - sb->used_blocks
					     : 0;
	}
	if (sb->max_inodes != 0) {
		st->files = sb->max_inodes;
		st->ffree = sb->max_inodes > sb->used_inodes
				? sb->max_inodes - sb->used_inodes
				: 0;
	}
	return 0;
}

/* --- the server --- */

struct tmpfs *
tmpfs_new(const struct tmpfs_params *params)
{
	struct tmpfs *fs = calloc(1, sizeof(*fs));

	if (fs == NULL)
		return NULL;
	fs->params = *params;
	fs->next_id = 1;
	list_init(&fs->instances);
	list_init(&fs->partial);
	if (htab_init(&fs->nodes, 8) != 0 || htab_init(&fs->names, 8) != 0 ||
	    htab_init(&fs->chunks, 6) != 0) {
		free(fs->nodes.bucket);
		free(fs->names.bucket);
		free(fs->chunks.bucket);
		free(fs);
		return NULL;
	}
	return fs;
}

void
tmpfs_free(struct tmpfs *fs)
{
	while (!list_empty(&fs->instances))
		sb_destroy(
		    list_first_entry(&fs->instances, struct tmpfs_sb, link));
	free(fs->nodes.bucket);
	free(fs->names.bucket);
	free(fs->chunks.bucket);
	free(fs);
}

void
tmpfs_stats(const struct tmpfs *fs, struct tmpfs_stats *st)
{
	st->instances = fs->ninstances;
	st->nodes = fs->nnodes;
	st->data_pages = fs->data_pages;
	st->pool_pages = fs->pool_pages;
}

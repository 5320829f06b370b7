/*
 * fat32_harness.c - the FAT32 core's test harness (fat32_harness.h).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lichen/errno.h>

#include "fat32_harness.h"

/* --- the device: an image file mapped into memory ------------------- */

struct dev dev;
long live_allocs;
struct fat_time test_now = {T_NOW, 0};

static int
dev_read(void *ctx, uint64_t sector, uint32_t count, void *buf)
{
	struct dev *d = ctx;

	d->reads++;
	d->read_sectors += count;
	if (sector > d->size / 512 || count > d->size / 512 - sector)
		return -EIO;
	memcpy(buf, d->mem + sector * 512, (size_t)count * 512);
	return 0;
}

static int
dev_write(void *ctx, uint64_t sector, uint32_t count, const void *buf)
{
	struct dev *d = ctx;

	d->writes++;
	if (d->readonly)
		return -EROFS;
	if (sector > d->size / 512 || count > d->size / 512 - sector)
		return -EIO;
	memcpy(d->mem + sector * 512, buf, (size_t)count * 512);
	return 0;
}

static int
dev_flush(void *ctx)
{
	((struct dev *)ctx)->flushes++;
	return 0;
}

/* Fails once alloc_budget allocations have been made (-1: never). */
long alloc_budget = -1;

static void *
t_alloc(size_t n)
{
	if (alloc_budget == 0)
		return NULL;
	if (alloc_budget > 0)
		alloc_budget--;
	live_allocs++;
	return malloc(n);
}

static void
t_free(void *p)
{
	if (p != NULL)
		live_allocs--;
	free(p);
}

static void
t_now(void *ctx, struct fat_time *t)
{
	(void)ctx;
	*t = test_now;
}

const struct fat_ops ops = {
    .read = dev_read,
    .write = dev_write,
    .alloc = t_alloc,
    .free = t_free,
    .now = t_now,
    .flush = dev_flush,
};

/* --- the scratch directory and the host tools ------------------------ */

char tmp[64];
char img[128];

void
setup(void)
{
	strcpy(tmp, "/tmp/lichen-fat32-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	snprintf(img, sizeof(img), "%s/img", tmp);
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	setenv("LC_ALL", "C.UTF-8", 1);
	memset(&dev, 0, sizeof(dev));
	dev.fd = -1;
	live_allocs = 0;
}

void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
}

int
sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* mkfs.fat -F 32 of size_kib, with extra options (-s, -S). */
void
mkimg(unsigned size_kib, const char *opts)
{
	unlink(img);
	ck_assert_int_eq(sh("mkfs.fat -C -F 32 %s %s %u >/dev/null 2>&1", opts,
			     img, size_kib),
	    0);
}

char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

void
spit(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	fclose(f);
}

/* fsck.fat -n must find nothing to say. */
void
assert_fsck_clean(void)
{
	char log[160];
	char *out;
	int st;

	snprintf(log, sizeof(log), "%s/fsck.log", tmp);
	st = sh("fsck.fat -n %s >%s 2>&1", img, log);
	out = slurp(log, NULL);
	ck_assert_msg(st == 0 && strstr(out, "Dirty") == NULL &&
			  strstr(out, "differences") == NULL,
	    "fsck.fat -n: %d\n%s", st, out);
	free(out);
}

/* fsck's "used/total clusters" line. */
void
fsck_clusters(unsigned long *used, unsigned long *total)
{
	char log[160];
	char *out, *p;

	snprintf(log, sizeof(log), "%s/fsck.log", tmp);
	sh("fsck.fat -n %s >%s 2>&1", img, log);
	out = slurp(log, NULL);
	p = strstr(out, " files, ");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p, " files, %lu/%lu", used, total), 2);
	free(out);
}

/* A file as mtools reads it out of the image. */
char *
mtools_cat(const char *path, size_t *len)
{
	char out[160];

	snprintf(out, sizeof(out), "%s/mcat.out", tmp);
	unlink(out);
	if (sh("mcopy -n -i %s '::%s' %s 2>/dev/null", img, path, out) != 0)
		return NULL;
	return slurp(out, len);
}

/* mdir's listing of a directory (what mtools sees there). */
char *
mtools_dir(const char *path)
{
	char out[160];

	snprintf(out, sizeof(out), "%s/mdir.out", tmp);
	ck_assert_int_eq(sh("mdir -i %s '::%s' >%s 2>&1", img, path, out), 0);
	return slurp(out, NULL);
}

/* --- mounting ---------------------------------------------------------- */

void
dev_open(void)
{
	struct stat st;

	dev.fd = open(img, O_RDWR);
	ck_assert_int_ge(dev.fd, 0);
	ck_assert_int_eq(fstat(dev.fd, &st), 0);
	dev.size = (size_t)st.st_size;
	dev.mem =
	    mmap(NULL, dev.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev.fd, 0);
	ck_assert_ptr_ne(dev.mem, MAP_FAILED);
}

void
dev_close(void)
{
	munmap(dev.mem, dev.size);
	close(dev.fd);
	dev.fd = -1;
}

struct fat_fs *
mount_img(void)
{
	struct fat_params p = {.dev_sectors = 0, .cache_blocks = 64};
	struct fat_fs *fs;
	int err;

	dev_open();
	p.dev_sectors = dev.size / 512;
	err = fat_mount(&fs, &ops, &dev, &p);
	ck_assert_msg(err == 0, "fat_mount: %d", err);
	return fs;
}

void
umount_img(struct fat_fs *fs)
{
	ck_assert_int_eq(fat_umount(fs), 0);
	dev_close();
	ck_assert_int_eq(live_allocs, 0);
}

/* Walks an absolute path; returns the node (one reference) or -errno. */
int64_t
walk(struct fat_fs *fs, const char *path, struct fat_attr *attr)
{
	uint64_t node = FAT_ROOT_ID;
	const char *p = path;

	ck_assert_int_eq(fat_getattr(fs, node, attr), 0);
	while (*p == '/')
		p++;
	while (*p != 0) {
		size_t len = strcspn(p, "/");
		int err = fat_lookup(fs, node, p, len, attr);

		if (node != FAT_ROOT_ID)
			fat_forget(fs, node, 1);
		if (err != 0)
			return err;
		node = attr->ino;
		p += len;
		while (*p == '/')
			p++;
	}
	if (node == FAT_ROOT_ID)
		return FAT_ROOT_ID;
	return (int64_t)node;
}

void
put_node(struct fat_fs *fs, uint64_t node)
{
	if (node != FAT_ROOT_ID)
		ck_assert_int_eq(fat_forget(fs, node, 1), 0);
}

/* The whole file at path, read by the core (NULL on an error: *err). */
uint8_t *
core_cat(struct fat_fs *fs, const char *path, size_t *len, int *err)
{
	struct fat_attr a;
	int64_t node = walk(fs, path, &a);
	uint8_t *buf;
	int64_t n;

	*err = 0;
	if (node < 0) {
		*err = (int)node;
		return NULL;
	}
	buf = malloc((size_t)a.size + 1);
	n = fat_read(fs, (uint64_t)node, 0, buf, (size_t)a.size + 1);
	put_node(fs, (uint64_t)node);
	if (n < 0) {
		*err = (int)n;
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

/* Creates (or opens) path's last component in its parent; writes data. */
uint64_t
core_put(struct fat_fs *fs, uint64_t dir, const char *name, const void *data,
    size_t len)
{
	struct fat_attr a;
	int err =
	    fat_create(fs, dir, name, strlen(name), FAT_S_IFREG | 0644, &a);

	ck_assert_msg(err == 0, "create %s: %d", name, err);
	ck_assert_int_eq(fat_write(fs, a.ino, 0, data, len), (int64_t)len);
	return a.ino;
}

uint64_t
core_mkdir(struct fat_fs *fs, uint64_t dir, const char *name)
{
	struct fat_attr a;
	int err = fat_mkdir(fs, dir, name, strlen(name), 0755, &a);

	ck_assert_msg(err == 0, "mkdir %s: %d", name, err);
	return a.ino;
}

void
fill_rand(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t s = seed | 1;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(test_rand(&s) >> 56);
}

/* --- readdir into a list ------------------------------------------------ */

int
list_fill(void *arg, const char *name, size_t len, uint64_t ino, unsigned type,
    uint64_t next)
{
	struct list *l = arg;

	if (l->limit != 0 && l->taken == l->limit)
		return 1;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
	}
	ck_assert_uint_lt(len, sizeof(l->e[0].name));
	memcpy(l->e[l->n].name, name, len);
	l->e[l->n].name[len] = 0;
	l->e[l->n].ino = ino;
	l->e[l->n].type = type;
	l->n++;
	l->taken++;
	l->cookie = next;
	return 0;
}

void
list_dir(struct fat_fs *fs, uint64_t dir, struct list *l)
{
	memset(l, 0, sizeof(*l));
	ck_assert_int_eq(fat_readdir(fs, dir, 0, list_fill, l), 0);
}

const struct ent *
list_find(const struct list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->e[i].name, name) == 0)
			return &l->e[i];
	}
	return NULL;
}

/* --- what the core writes, read back by mtools --------------------------- */

void
assert_mtools_has(const char *path, const void *want, size_t n)
{
	size_t len = 0;
	char *got = mtools_cat(path, &len);

	ck_assert_msg(got != NULL, "mtools cannot read %s", path);
	ck_assert_msg(len == n && memcmp(got, want, n) == 0,
	    "%s: mtools reads %zu bytes, want %zu", path, len, n);
	free(got);
}

/* --- raw access to an image, to corrupt it ------------------------------ */

uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

void
set_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

struct raw
raw_of(uint8_t *p)
{
	struct raw r = {.p = p};

	r.bps = p[11] | p[12] << 8;
	r.spc = p[13];
	r.resv = p[14] | p[15] << 8;
	r.nfats = p[16];
	r.fatsz = le32(p + 36);
	r.root = le32(p + 44);
	r.data = r.resv + (uint64_t)r.nfats * r.fatsz;
	return r;
}

uint32_t
raw_fat(const struct raw *r, uint32_t c)
{
	return le32(r->p + (uint64_t)r->resv * r->bps + 4ull * c) & 0x0FFFFFFF;
}

void
raw_set_fat(struct raw *r, uint32_t c, uint32_t v)
{
	for (uint32_t k = 0; k < r->nfats; k++)
		set_le32(
		    r->p +
			((uint64_t)r->resv + (uint64_t)k * r->fatsz) * r->bps +
			4ull * c,
		    v);
}

uint8_t *
raw_cluster(const struct raw *r, uint32_t c)
{
	return r->p + (r->data + (uint64_t)(c - 2) * r->spc) * r->bps;
}

uint32_t
raw_start(const uint8_t *de)
{
	return (uint32_t)(de[20] | de[21] << 8) << 16 | (de[26] | de[27] << 8);
}

void
raw_set_start(uint8_t *de, uint32_t c)
{
	de[20] = (uint8_t)(c >> 16);
	de[21] = (uint8_t)(c >> 24);
	de[26] = (uint8_t)c;
	de[27] = (uint8_t)(c >> 8);
}

/* The short entry named sfn (11 bytes) in the directory at cluster dir. */
uint8_t *
raw_entry(const struct raw *r, uint32_t dir, const char *sfn)
{
	uint32_t per = r->bps * r->spc / 32;

	for (unsigned n = 0; n < 1000 && dir >= 2 && dir < 0x0FFFFFF8; n++) {
		uint8_t *p = raw_cluster(r, dir);

		for (uint32_t i = 0; i < per; i++) {
			if (memcmp(p + 32 * i, sfn, 11) == 0)
				return p + 32 * i;
		}
		dir = raw_fat(r, dir);
	}
	ck_abort_msg("no entry %.11s", sfn);
	return NULL;
}

uint32_t
raw_last(const struct raw *r, uint32_t c)
{
	while (raw_fat(r, c) < 0x0FFFFFF8)
		c = raw_fat(r, c);
	return c;
}

/* Maps the image for corruption (the device is not open meanwhile). */
uint8_t *
raw_map(size_t *size)
{
	struct stat st;
	int fd = open(img, O_RDWR);
	uint8_t *p;

	ck_assert_int_ge(fd, 0);
	fstat(fd, &st);
	*size = (size_t)st.st_size;
	p = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

/* --- checking what the core reads ----------------------------------- */

void
assert_reads(struct fat_fs *fs, const char *path, const void *want, size_t n)
{
	size_t len = 0;
	int err;
	uint8_t *got = core_cat(fs, path, &len, &err);

	ck_assert_msg(got != NULL, "%s: %d", path, err);
	ck_assert_msg(
	    len == n && memcmp(got, want, n) == 0, "%s differs", path);
	free(got);
}

void
assert_read_fails(struct fat_fs *fs, const char *path, int want)
{
	size_t len;
	int err;
	uint8_t *got = core_cat(fs, path, &len, &err);

	ck_assert_msg(got == NULL && err == want, "%s: %d, want %d", path,
	    got ? 0 : err, want);
}

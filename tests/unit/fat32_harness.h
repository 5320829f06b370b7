/*
 * fat32_harness.h - what the FAT32 core's tests share (fat32_harness.c):
 * a scratch directory per test, images made by mkfs.fat, mtools and
 * fsck.fat run through the shell, the image mapped as the device, a
 * counting allocator, and raw access to the bytes of an image.
 */
#ifndef LICHEN_TESTS_FAT32_HARNESS_H
#define LICHEN_TESTS_FAT32_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../servers/fat32/fat_core.h"
#include "unit.h"

#define MiB   (1024u * 1024u)
#define T_NOW 1715000000 /* 2024-05-06 12:53:20 UTC */

/* The device: an image file mapped into memory (or a copy of one). */
struct dev {
	uint8_t *mem;
	size_t size; /* bytes the device has */
	int fd;
	unsigned reads, writes, flushes; /* requests */
	uint64_t read_sectors;
	bool readonly; /* writes fail (fuzzing) */
};

extern struct dev dev;
extern long live_allocs;	 /* blocks the core has allocated */
extern long alloc_budget;	 /* allocations left; -1: no limit */
extern struct fat_time test_now; /* what the core's clock says */
extern const struct fat_ops ops;
extern char tmp[64];  /* the scratch directory */
extern char img[128]; /* the image in it */

/* One readdir entry, and a listing that takes limit entries a call. */
struct ent {
	char name[1024];
	uint64_t ino;
	unsigned type;
};

struct list {
	struct ent *e;
	size_t n, cap;
	size_t limit;	 /* entries per call; 0: no limit */
	size_t taken;	 /* in this call */
	uint64_t cookie; /* where the next call starts */
};

/* An image's geometry, read from its BPB. */
struct raw {
	uint8_t *p;
	uint32_t bps, spc, resv, nfats, fatsz, root;
	uint64_t data;
};

/* The scratch directory (a Check fixture) and the host tools. */
void setup(void);
void teardown(void);
int sh(const char *fmt, ...);
void mkimg(unsigned size_kib, const char *opts);
char *slurp(const char *path, size_t *len);
void spit(const char *path, const void *p, size_t n);
void assert_fsck_clean(void);
void fsck_clusters(unsigned long *used, unsigned long *total);
char *mtools_cat(const char *path, size_t *len);
char *mtools_dir(const char *path);
void assert_mtools_has(const char *path, const void *want, size_t n);

/* The device (the image mapped), mounting, and the core used by path. */
void dev_open(void);
void dev_close(void);
struct fat_fs *mount_img(void);
void umount_img(struct fat_fs *fs);
int64_t walk(struct fat_fs *fs, const char *path, struct fat_attr *attr);
void put_node(struct fat_fs *fs, uint64_t node);
uint8_t *core_cat(struct fat_fs *fs, const char *path, size_t *len, int *err);
uint64_t core_put(struct fat_fs *fs, uint64_t dir, const char *name,
    const void *data, size_t len);
uint64_t core_mkdir(struct fat_fs *fs, uint64_t dir, const char *name);
void fill_rand(uint8_t *p, size_t n, uint64_t seed);
void assert_reads(
    struct fat_fs *fs, const char *path, const void *want, size_t n);
void assert_read_fails(struct fat_fs *fs, const char *path, int want);

/* readdir into a list. */
int list_fill(void *arg, const char *name, size_t len, uint64_t ino,
    unsigned type, uint64_t next);
void list_dir(struct fat_fs *fs, uint64_t dir, struct list *l);
const struct ent *list_find(const struct list *l, const char *name);

/* Raw access to an image, to look at or damage what is on the disk. */
uint32_t le32(const uint8_t *p);
void set_le32(uint8_t *p, uint32_t v);
struct raw raw_of(uint8_t *p);
uint32_t raw_fat(const struct raw *r, uint32_t c);
void raw_set_fat(struct raw *r, uint32_t c, uint32_t v);
uint8_t *raw_cluster(const struct raw *r, uint32_t c);
uint32_t raw_start(const uint8_t *de);
void raw_set_start(uint8_t *de, uint32_t c);
uint8_t *raw_entry(const struct raw *r, uint32_t dir, const char *sfn);
uint32_t raw_last(const struct raw *r, uint32_t c);
uint8_t *raw_map(size_t *size);

#endif /* LICHEN_TESTS_FAT32_HARNESS_H */

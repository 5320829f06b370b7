/*
 * <lichen/cpio.h> - reading "newc" cpio archives (the boot archive) in
 * place: no allocation, every length checked against the buffer.
 */
#ifndef LICHEN_CPIO_H
#define LICHEN_CPIO_H

#include <stddef.h>
#include <stdint.h>

struct cpio_entry {
	const char *name;	/* NUL-terminated, inside the archive */
	const void *data;
	size_t size;
	uint32_t mode;		/* st_mode: type and permission bits */
};

struct cpio_iter {
	const uint8_t *base;
	size_t len;
	size_t off;		/* next header (may pass len by padding) */
	int status;		/* 1 while reading; then 0 or -EIO for good */
};

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t len);

/*
 * The next entry: 1 with *e filled, 0 at the TRAILER!!! entry, or -EIO if
 * the archive is corrupt (bad magic or hex digits, a name or data running
 * past the end, a missing trailer). After 0 or -EIO it keeps returning
 * the same.
 */
int cpio_next(struct cpio_iter *it, struct cpio_entry *e);

/* Find name (no leading "./"): 1 and *e, 0 if absent, or -EIO. */
int cpio_find(const void *archive, size_t len, const char *name,
    struct cpio_entry *e);

#endif /* LICHEN_CPIO_H */

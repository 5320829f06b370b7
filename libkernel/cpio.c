/*
 * cpio.c - the "newc" (SVR4, magic 070701) cpio format: a 110-byte header
 * of ASCII hex fields, the name (padded so header + name is a multiple of
 * four bytes), the data (padded to four), repeated until an entry named
 * TRAILER!!!. See <lichen/cpio.h>.
 */
#include <lichen/cpio.h>
#include <lichen/errno.h>
#include <lichen/string.h>

#define HDR_LEN		110
#define FIELD_LEN	8
/* Field positions after the 6-byte magic. */
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK };

static const char trailer[] = "TRAILER!!!";

/* An 8-digit hex field; false if any character is not a hex digit. */
static int
hex_field(const uint8_t *hdr, int field, uint32_t *out)
{
	const uint8_t *p = hdr + 6 + field * FIELD_LEN;
	uint32_t v = 0;

	for (int i = 0; i < FIELD_LEN; i++) {
		uint8_t c = p[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return 0;
		v = v << 4 | d;
	}
	*out = v;
	return 1;
}

static size_t
pad4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

void
cpio_iter_init(struct cpio_iter *it, const void *archive, size_t len)
{
	it->base = archive;
	it->len = len;
	it->off = 0;
	it->status = 1;
}

/* Finish the iteration with result r (0 or -EIO) and return it. */
static int
cpio_stop(struct cpio_iter *it, int r)
{
	it->status = r;
	return r;
}

int
cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	const uint8_t *hdr;
	uint32_t mode, filesize, namesize;
	size_t name_end, data_end;

	if (it->status != 1)
		return it->status;
	if (it->off > it->len || it->len - it->off < HDR_LEN)
		return cpio_stop(it, -EIO);	/* ran out before the trailer */
	hdr = it->base + it->off;
	if (LK_NAME(memcmp)(hdr, "070701", 6) != 0 ||
	    !hex_field(hdr, F_MODE, &mode) ||
	    !hex_field(hdr, F_FILESIZE, &filesize) ||
	    !hex_field(hdr, F_NAMESIZE, &namesize) || namesize == 0)
		return cpio_stop(it, -EIO);
	/* Sizes are 32-bit, offsets size_t: these sums cannot overflow. */
	name_end = it->off + HDR_LEN + namesize;
	if (name_end > it->len || hdr[HDR_LEN + namesize - 1] != '\0')
		return cpio_stop(it, -EIO);
	e->name = (const char *)hdr + HDR_LEN;
	if (LK_NAME(strcmp)(e->name, trailer) == 0)
		return cpio_stop(it, 0);	/* its padding may be cut off */
	data_end = pad4(name_end) + filesize;
	if (pad4(name_end) > it->len || data_end > it->len)
		return cpio_stop(it, -EIO);
	e->data = it->base + pad4(name_end);
	e->size = filesize;
	e->mode = mode;
	it->off = pad4(data_end);
	return 1;
}

int
cpio_find(const void *archive, size_t len, const char *name,
    struct cpio_entry *e)
{
	struct cpio_iter it;
	int r;

	cpio_iter_init(&it, archive, len);
	while ((r = cpio_next(&it, e)) == 1) {
		const char *n = e->name;

		if (n[0] == '.' && n[1] == '/')
			n += 2;
		if (LK_NAME(strcmp)(n, name) == 0)
			return 1;
	}
	return r;
}

/*
 * ramdisk: a disk held in memory, its first contents a file of the boot
 * archive (docs/block.md, "The ramdisk"). Started by init from a
 * manifest line
 *
 *   start NAME ramdisk IMAGE [name=DISK] [ro] [$BOOTARGS]
 *
 * with x0 = the name service. It reads IMAGE from init's fs/bootfs into
 * demand-zero memory (pages of zeros are left untouched, so they cost
 * nothing until written), registers the disk as "blk/DISK" ("blk/ram0"
 * by default) and serves PROTO_BLOCK on it as virtio-blk serves a
 * virtio disk. Writes stay in memory: they are gone at power-off. With
 * `ro` the disk is read-only (its memory too).
 */
#include <lichen/errno.h>
#include <lichen/ipc_server.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/proto/block.h>
#include <lichen/proto/name.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "ramdisk.h"

int main(int argc, char **argv);

#define EP_DEPTH	256u
#define RAM_VA		0x10000000000UL		/* the disk's bytes */
#define RAM_MAX		(64UL << 30)		/* room left for it there */

static struct ramdisk disk;
static struct ipc_server srv;
static char buf[BLOCK_IO_MAX];		/* the largest request: a write */

/* What the manifest's words say. */
struct args {
	const char *image;
	char name[NAME_LEN_MAX + 1];	/* "blk/ram0" */
	int readonly, quiet;
};

/*
 * A boot argument ($BOOTARGS in the manifest), e.g. linuxemu.run=/bin/sh:
 * KEY=VALUE with a '.' in KEY. Skipped, except lichen.quiet=1.
 */
static int
is_bootarg(const char *w)
{
	const char *eq = strchr(w, '=');

	return eq != NULL && memchr(w, '.', (size_t)(eq - w)) != NULL;
}

/* 0, or 2 after saying what is wrong. */
static int
parse_args(int argc, char **argv, struct args *a)
{
	const char *disk_name = "ram0";

	memset(a, 0, sizeof(*a));
	if (argc < 2) {
		printf("ramdisk: usage: ramdisk IMAGE [name=DISK] [ro]\n");
		return 2;
	}
	a->image = argv[1];
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "ro") == 0)
			a->readonly = 1;
		else if (strncmp(argv[i], "name=", 5) == 0)
			disk_name = argv[i] + 5;
		else if (strcmp(argv[i], "lichen.quiet=1") == 0)
			a->quiet = 1;
		else if (!is_bootarg(argv[i])) {
			printf("ramdisk: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (strlen(BLOCK_NAME_PREFIX) + strlen(disk_name) >= sizeof(a->name) ||
	    strchr(disk_name, '/') != NULL) {
		printf("ramdisk: bad disk name '%s'\n", disk_name);
		return 2;
	}
	strlcpy(a->name, BLOCK_NAME_PREFIX, sizeof(a->name));
	strlcpy(a->name + strlen(BLOCK_NAME_PREFIX), disk_name,
	    sizeof(a->name) - strlen(BLOCK_NAME_PREFIX));
	if (!name_is_valid(a->name, strlen(a->name))) {
		printf("ramdisk: bad disk name '%s'\n", disk_name);
		return 2;
	}
	return 0;
}

/*
 * IMAGE from fs/bootfs into memory at RAM_VA: 0, or 1 after saying why
 * not. *stored: the bytes of the pages that were not zeros.
 */
static int
load(handle_t names, handle_t vs, const struct args *a, uint64_t *stored)
{
	uint64_t node, size, len;
	handle_t fs;
	long r;

	if ((r = name_wait(names, "fs/bootfs", &fs)) != 0) {
		printf("ramdisk: no fs/bootfs: error %ld\n", r);
		return 1;
	}
	if ((r = image_open(fs, a->image, &node, &size)) != 0) {
		printf("ramdisk: %s: %s in the boot archive (error %ld)\n", a->image,
		    r == -ENOENT ? "not" : "cannot open it", r);
		goto fail;
	}
	len = (size + RAMDISK_PAGE - 1) & ~(uint64_t)(RAMDISK_PAGE - 1);
	if (size == 0 || size % BLOCK_SECTOR != 0 || size > RAM_MAX) {
		printf("ramdisk: %s: %lu bytes: not a disk (1 to %lu whole %u-byte sectors)\n",
		    a->image, size, RAM_MAX / BLOCK_SECTOR, BLOCK_SECTOR);
		r = -EINVAL;
	} else if ((r = vm_map(vs, RAM_VA, len, PROT_R | PROT_W, 0, 0)) != 0) {
		printf("ramdisk: %s: no memory for %lu bytes: error %ld\n", a->image, size, r);
	} else if ((r = image_read(fs, node, size, (unsigned char *)RAM_VA, stored)) != 0) {
		printf("ramdisk: %s: cannot read it: error %ld\n", a->image, r);
	} else if (a->readonly && (r = vm_protect(vs, RAM_VA, len, PROT_R)) != 0) {
		printf("ramdisk: %s: cannot make it read-only: error %ld\n", a->image, r);
	}
	image_close(fs, node);
fail:
	handle_close(fs);
	if (r != 0)
		return 1;
	disk.bytes = (unsigned char *)RAM_VA;
	disk.sectors = size / BLOCK_SECTOR;
	disk.flags = a->readonly ? BLOCK_F_READONLY : 0;
	return 0;
}

static long
do_block(struct ipc_server *s, struct ipc_req *req)
{
	(void)s;
	return ramdisk_request(&disk, req);
}

static const struct ipc_handler handlers[] = {
	{ BLOCK_INFO, do_block },
	{ BLOCK_READ, do_block },
	{ BLOCK_WRITE, do_block },
	{ BLOCK_FLUSH, do_block },
};

int
main(int argc, char **argv)
{
	handle_t names = (handle_t)native_start_word(0);
	uint64_t t0, stored = 0;
	struct args a;
	long ep, vs, r;

	if (parse_args(argc, argv, &a) != 0)
		return 2;
	if ((ep = ep_create(EP_DEPTH)) < 0 || (vs = process_vmspace(0)) < 0) {
		printf("ramdisk: no endpoint or vmspace\n");
		return 1;
	}
	t0 = clock_get();
	if (load(names, (handle_t)vs, &a, &stored) != 0)
		return 1;
	ipc_server_init(&srv, (handle_t)ep, handlers, sizeof(handlers) / sizeof(handlers[0]),
	    NULL, 0, buf, sizeof(buf), NULL);
	/* name_register gives init a send-only duplicate of ep. */
	if ((r = name_register(names, a.name, (handle_t)ep)) != 0) {
		printf("ramdisk: cannot register %s: error %ld\n", a.name, r);
		return 1;
	}
	if (!a.quiet)
		printf("ramdisk: %s: %s, %lu sectors (%lu KiB), %s; %lu KiB not zeros, "
		    "read in %lu ms\n", a.name + strlen(BLOCK_NAME_PREFIX), a.image,
		    disk.sectors, disk.sectors / 2,
		    a.readonly ? "read-only" : "read-write", stored / 1024,
		    (clock_get() - t0) / 1000000);
	r = ipc_server_run(&srv);
	printf("ramdisk: the loop stopped: error %ld\n", r);
	return (int)r;
}

/*
 * virtio-blk: the userspace driver for virtio block devices on
 * virtio-mmio (docs/block.md). Started by init with the manifest's
 * `driver` verb: x0 = init's name service, x1 = the device handle.
 *
 * It asks the kernel for the device tree's virtio-mmio transports
 * (dev_list), maps each one's registers and keeps those with a block
 * device behind them; each disk gets DMA memory (memobj_create_dma) for
 * its virtqueue and request buffers, its interrupt bound to the server's
 * endpoint, and a name: "blk/vda", "blk/vdb"... in the order QEMU's
 * -device options gave them. Then one loop serves PROTO_BLOCK for every
 * disk (the badge of the client's handle says which) and the interrupts
 * that complete their requests.
 */
#include <lichen/errno.h>
#include <lichen/ipc_server.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/proto/block.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "blk.h"
#include "mmio.h"

int main(int argc, char **argv);

#define DISKS_MAX	8u
#define TRANSPORTS_MAX	64u
#define EP_DEPTH	256u
#define MMIO_VA		0x10000000000UL		/* transports' pages, one after another */
#define DMA_VA		0x20000000000UL		/* each disk's DMA memory, 4 MiB apart */
#define DMA_STRIDE	(4UL << 20)
#define IRQ_COOKIE	0x1000u			/* + the disk: its LABEL_IRQ's badge */

/* A disk: the core's state and the machine's (transport, interrupt). */
struct disk {
	struct blk_disk blk;
	struct vmmio mmio;
	handle_t irq;
	uint64_t dma_len;		/* mapped at DMA_VA + its index * DMA_STRIDE */
};

static handle_t device;
static struct disk disks[DISKS_MAX];
static unsigned ndisks;
static struct ipc_server srv;
static char buf[BLOCK_IO_MAX];		/* the largest request: a write */

/* --- finding disks --- */

static uint64_t mapped_pa[TRANSPORTS_MAX];	/* register pages mapped, by number */
static unsigned nmapped;

/* The registers at pa, mapped (page by page, each page once): NULL if not. */
static volatile uint8_t *
map_regs(handle_t vs, uint64_t pa)
{
	uint64_t page = pa & ~4095UL;
	unsigned i;

	for (i = 0; i < nmapped && mapped_pa[i] != page; i++)
		;
	if (i == nmapped) {
		if (nmapped == TRANSPORTS_MAX ||
		    mmio_map(device, vs, MMIO_VA + nmapped * 4096UL, page, 4096) != 0)
			return NULL;
		mapped_pa[nmapped++] = page;
	}
	return (volatile uint8_t *)(MMIO_VA + i * 4096UL + (pa & 4095));
}

static void
notify(struct blk_disk *b)
{
	vmmio_notify(b->transport, 0);
}

/* Features: the modern interface (required), read-only, block size, flush. */
#define WANTED	(1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_BLK_F_RO | \
	1ULL << VIRTIO_BLK_F_BLK_SIZE | 1ULL << VIRTIO_BLK_F_FLUSH)
#define REQUIRED (1ULL << VIRTIO_F_VERSION_1)

/* Brings up the block device at m as disk d: 0 or -errno (reported). */
static long
disk_setup(struct disk *d, unsigned index, handle_t vs)
{
	struct vmmio *m = &d->mmio;
	uint64_t pa, size = blk_dma_bytes();
	long mo, r;

	if ((r = vmmio_negotiate(m, WANTED, REQUIRED)) != 0)
		return r;
	if ((mo = memobj_create_dma(device, size, &pa)) < 0)
		return mo;
	r = vm_map(vs, DMA_VA + index * DMA_STRIDE, (size + 4095) & ~4095UL,
	    PROT_R | PROT_W, (handle_t)mo, 0);
	handle_close((handle_t)mo);		/* the mapping keeps the pages */
	if (r != 0)
		return r;
	d->dma_len = (size + 4095) & ~4095UL;
	blk_disk_init(&d->blk, (void *)(DMA_VA + index * DMA_STRIDE), pa);
	d->blk.name[0] = 'v', d->blk.name[1] = 'd', d->blk.name[2] = (char)('a' + index);
	d->blk.notify = notify;
	d->blk.transport = m;
	d->blk.sectors = vmmio_config64(m, VIRTIO_BLK_CFG_CAPACITY);
	d->blk.block_size = (m->features & 1ULL << VIRTIO_BLK_F_BLK_SIZE) ?
	    vmmio_config32(m, VIRTIO_BLK_CFG_BLK_SIZE) : BLOCK_SECTOR;
	if (m->features & 1ULL << VIRTIO_BLK_F_RO)
		d->blk.flags |= BLOCK_F_READONLY;
	else if (m->features & 1ULL << VIRTIO_BLK_F_FLUSH)
		d->blk.flags |= BLOCK_F_FLUSH;
	if ((r = vmmio_queue(m, 0, &d->blk.q)) != 0)
		return r;
	if ((r = irq_create(device, m->intid)) < 0)
		return r;
	d->irq = (handle_t)r;
	if ((r = obj_bind(d->irq, srv.ep, IRQ_COOKIE + index)) != 0)
		return r;
	vmmio_start(m);
	return 0;
}

/*
 * The block devices behind the transports. QEMU fills transports from
 * the highest address down, so that order is the command line's: vda is
 * the first -device virtio-blk-device.
 */
static void
find_disks(handle_t vs)
{
	struct dev_desc dd[TRANSPORTS_MAX];
	unsigned n = 0;

	for (unsigned i = 0; n < TRANSPORTS_MAX && dev_list(device, i, &dd[n]) == 0; i++)
		if (strcmp(dd[n].compatible, "virtio,mmio") == 0)
			n++;
	while (n-- > 0 && ndisks < DISKS_MAX) {
		struct disk *d = &disks[ndisks];
		long r;

		d->mmio.regs = map_regs(vs, dd[n].base);
		d->mmio.pa = dd[n].base;
		d->mmio.intid = dd[n].intid;
		if (d->mmio.regs == NULL || vmmio_device_id(&d->mmio) != VIRTIO_ID_BLOCK)
			continue;
		if (vmmio_version(&d->mmio) != 2) {
			printf("virtio-blk: 0x%lx: legacy virtio-mmio (version %u); "
			    "QEMU needs -global virtio-mmio.force-legacy=false\n",
			    dd[n].base, vmmio_version(&d->mmio));
			continue;
		}
		if ((r = disk_setup(d, ndisks, vs)) != 0) {
			printf("virtio-blk: 0x%lx: cannot set the disk up: error %ld\n",
			    dd[n].base, r);
			vmmio_fail(&d->mmio);
			if (d->irq != HANDLE_NONE)
				handle_close(d->irq);
			if (d->dma_len != 0)	/* the next disk gets this index */
				vm_unmap(vs, DMA_VA + ndisks * DMA_STRIDE, d->dma_len);
			memset(d, 0, sizeof(*d));
			continue;
		}
		ndisks++;
	}
}

/* Registers disk i as "blk/NAME", badged i + 1 (client badges say the disk). */
static long
disk_register(handle_t names, unsigned i)
{
	char name[16] = BLOCK_NAME_PREFIX;
	long h = handle_dup(srv.ep, RIGHT_SEND | RIGHT_TRANSFER, i + 1), r;

	if (h < 0)
		return h;
	LK_NAME(strlcpy)(name + strlen(BLOCK_NAME_PREFIX), disks[i].blk.name,
	    sizeof(name) - strlen(BLOCK_NAME_PREFIX));
	r = name_register(names, name, (handle_t)h);
	handle_close((handle_t)h);
	return r;
}

/* lichen.quiet=1 among the arguments: no report of the disks found. */
static int quiet;

static void
report(const struct disk *d)
{
	const struct blk_disk *b = &d->blk;

	if (quiet)
		return;
	printf("virtio-blk: %s: %lu sectors (%lu KiB), %u-byte blocks, %s%s, "
	    "virtio-mmio at 0x%lx, irq %u\n", b->name, b->sectors, b->sectors / 2,
	    b->block_size, (b->flags & BLOCK_F_READONLY) ? "read-only" : "read-write",
	    (b->flags & BLOCK_F_FLUSH) ? ", write cache" : "", d->mmio.pa, d->mmio.intid);
}

/* --- the loop --- */

static long
do_block(struct ipc_server *s, struct ipc_req *req)
{
	uint64_t i = req->msg.badge - 1;

	(void)s;
	if (req->msg.badge == 0 || i >= ndisks)
		return -EINVAL;		/* not one of our handles */
	return blk_request(&disks[i].blk, req);
}

static long
do_irq(struct ipc_server *s, struct ipc_req *req)
{
	uint64_t i = req->msg.badge - IRQ_COOKIE;
	struct disk *d;

	(void)s;
	if (req->msg.badge < IRQ_COOKIE || i >= ndisks)
		return 0;
	d = &disks[i];
	vmmio_interrupt_ack(&d->mmio);		/* before the ring: none is missed */
	if (!d->blk.broken && vmmio_needs_reset(&d->mmio)) {
		printf("virtio-blk: %s: the device failed\n", d->blk.name);
		blk_fail_all(&d->blk);
	} else {
		blk_complete(&d->blk);
	}
	irq_ack(d->irq);
	return 0;
}

static const struct ipc_handler handlers[] = {
	{ BLOCK_INFO, do_block },
	{ BLOCK_READ, do_block },
	{ BLOCK_WRITE, do_block },
	{ BLOCK_FLUSH, do_block },
	{ LABEL_IRQ, do_irq },
};

int
main(int argc, char **argv)
{
	handle_t names = (handle_t)native_start_word(0);
	long ep, vs, r;

	for (int i = 1; i < argc; i++)		/* e.g. $BOOTARGS in the manifest */
		if (strcmp(argv[i], "lichen.quiet=1") == 0)
			quiet = 1;
	device = (handle_t)native_start_word(1);
	if (device == HANDLE_NONE) {
		printf("virtio-blk: no device handle (start it with `driver` in the manifest)\n");
		return 1;
	}
	if ((ep = ep_create(EP_DEPTH)) < 0 || (vs = process_vmspace(0)) < 0) {
		printf("virtio-blk: no endpoint or vmspace\n");
		return 1;
	}
	ipc_server_init(&srv, (handle_t)ep, handlers, sizeof(handlers) / sizeof(handlers[0]),
	    NULL, 0, buf, sizeof(buf), NULL);
	find_disks((handle_t)vs);
	if (ndisks == 0) {
		printf("virtio-blk: no disks\n");
		return 0;
	}
	for (unsigned i = 0; i < ndisks; i++) {
		report(&disks[i]);
		if ((r = disk_register(names, i)) != 0)
			printf("virtio-blk: cannot register blk/%s: error %ld\n",
			    disks[i].blk.name, r);
	}
	r = ipc_server_run(&srv);
	printf("virtio-blk: the loop stopped: error %ld\n", r);
	return (int)r;
}

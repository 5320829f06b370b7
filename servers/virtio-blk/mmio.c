/*
 * The virtio-mmio transport, version 2 (mmio.h): the device
 * initialisation sequence of spec 3.1.1 (reset, ACKNOWLEDGE, DRIVER,
 * features, FEATURES_OK, queues, DRIVER_OK), configuration reads, notify
 * and interrupt acknowledgement. Registers are 32 bits wide, little-endian.
 */
#include <lichen/errno.h>

#include "mmio.h"
#include "virtio.h"

static uint32_t
rd(const struct vmmio *m, unsigned off)
{
	return *(volatile const uint32_t *)(m->regs + off);
}

/* A register write, after every earlier write to DMA memory (dmb oshst). */
static void
wr(struct vmmio *m, unsigned off, uint32_t v)
{
	__asm__ volatile("dmb oshst" ::: "memory");
	*(volatile uint32_t *)(m->regs + off) = v;
}

uint32_t
vmmio_version(const struct vmmio *m)
{
	return rd(m, VIRTIO_MMIO_MAGIC) == VIRTIO_MMIO_MAGIC_VALUE ?
	    rd(m, VIRTIO_MMIO_VERSION) : 0;
}

uint32_t
vmmio_device_id(const struct vmmio *m)
{
	return rd(m, VIRTIO_MMIO_DEVICE_ID);
}

static void
status_set(struct vmmio *m, uint32_t bits)
{
	wr(m, VIRTIO_MMIO_STATUS, rd(m, VIRTIO_MMIO_STATUS) | bits);
}

void
vmmio_fail(struct vmmio *m)
{
	status_set(m, VIRTIO_STATUS_FAILED);
}

long
vmmio_negotiate(struct vmmio *m, uint64_t wanted, uint64_t required)
{
	uint64_t offered;

	wr(m, VIRTIO_MMIO_STATUS, 0);			/* reset */
	for (unsigned n = 0; rd(m, VIRTIO_MMIO_STATUS) != 0; n++)
		if (n == 1000000)
			return -ENODEV;		/* it never came back */
	status_set(m, VIRTIO_STATUS_ACKNOWLEDGE);
	status_set(m, VIRTIO_STATUS_DRIVER);
	wr(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered = (uint64_t)rd(m, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	wr(m, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered |= rd(m, VIRTIO_MMIO_DEVICE_FEATURES);
	m->features = offered & wanted;
	if ((m->features & required) != required) {
		vmmio_fail(m);
		return -ENODEV;
	}
	wr(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(m->features >> 32));
	wr(m, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(m, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)m->features);
	status_set(m, VIRTIO_STATUS_FEATURES_OK);
	if (!(rd(m, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		vmmio_fail(m);
		return -ENODEV;
	}
	return 0;
}

long
vmmio_queue(struct vmmio *m, unsigned n, const struct virtq *q)
{
	wr(m, VIRTIO_MMIO_QUEUE_SEL, n);
	if (rd(m, VIRTIO_MMIO_QUEUE_READY) != 0 ||
	    rd(m, VIRTIO_MMIO_QUEUE_NUM_MAX) < q->size)
		return -ENODEV;
	wr(m, VIRTIO_MMIO_QUEUE_NUM, q->size);
	wr(m, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)q->desc_pa);
	wr(m, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(q->desc_pa >> 32));
	wr(m, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)q->avail_pa);
	wr(m, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(q->avail_pa >> 32));
	wr(m, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)q->used_pa);
	wr(m, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(q->used_pa >> 32));
	wr(m, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

void
vmmio_start(struct vmmio *m)
{
	status_set(m, VIRTIO_STATUS_DRIVER_OK);
}

uint32_t
vmmio_config32(const struct vmmio *m, unsigned off)
{
	uint32_t gen, v;

	do {
		gen = rd(m, VIRTIO_MMIO_CONFIG_GENERATION);
		v = rd(m, VIRTIO_MMIO_CONFIG + off);
	} while (rd(m, VIRTIO_MMIO_CONFIG_GENERATION) != gen);
	return v;
}

/* Two 32-bit halves under one generation: the device may change it between them. */
uint64_t
vmmio_config64(const struct vmmio *m, unsigned off)
{
	uint32_t gen, lo, hi;

	do {
		gen = rd(m, VIRTIO_MMIO_CONFIG_GENERATION);
		lo = rd(m, VIRTIO_MMIO_CONFIG + off);
		hi = rd(m, VIRTIO_MMIO_CONFIG + off + 4);
	} while (rd(m, VIRTIO_MMIO_CONFIG_GENERATION) != gen);
	return (uint64_t)hi << 32 | lo;
}

void
vmmio_notify(struct vmmio *m, unsigned n)
{
	wr(m, VIRTIO_MMIO_QUEUE_NOTIFY, n);
}

uint32_t
vmmio_interrupt_ack(struct vmmio *m)
{
	uint32_t st = rd(m, VIRTIO_MMIO_INTERRUPT_STATUS);

	if (st != 0)
		wr(m, VIRTIO_MMIO_INTERRUPT_ACK, st);
	return st;
}

int
vmmio_needs_reset(const struct vmmio *m)
{
	return (rd(m, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET) != 0;
}

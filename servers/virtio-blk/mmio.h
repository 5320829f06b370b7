/*
 * The virtio-mmio transport, version 2 (mmio.c; virtio 1.x spec 4.2):
 * one device's register file, mapped by main.c.
 */
#ifndef MMIO_H
#define MMIO_H

#include <stdint.h>

#include "virtq.h"

struct vmmio {
	volatile uint8_t *regs;		/* the transport's registers, mapped */
	uint64_t pa;			/* where they are */
	unsigned intid;
	uint64_t features;		/* what vmmio_negotiate agreed on */
};

/* VIRTIO_MMIO_VERSION if the magic is right (2: modern), else 0. */
uint32_t vmmio_version(const struct vmmio *m);
uint32_t vmmio_device_id(const struct vmmio *m);

/*
 * Resets the device and negotiates: m->features = what it offers of
 * wanted; -ENODEV (the device marked FAILED) if that lacks something in
 * required or the device refuses FEATURES_OK.
 */
long vmmio_negotiate(struct vmmio *m, uint64_t wanted, uint64_t required);

/* Hands queue n (q, laid out in DMA memory) to the device: 0 or -ENODEV. */
long vmmio_queue(struct vmmio *m, unsigned n, const struct virtq *q);

/* DRIVER_OK: the device may start. */
void vmmio_start(struct vmmio *m);

/* Marks the device FAILED (after an error in setting it up). */
void vmmio_fail(struct vmmio *m);

/* Its configuration, read consistently (ConfigGeneration). */
uint32_t vmmio_config32(const struct vmmio *m, unsigned off);
uint64_t vmmio_config64(const struct vmmio *m, unsigned off);

/* Tells the device queue n has new buffers. */
void vmmio_notify(struct vmmio *m, unsigned n);

/* Reads and acknowledges InterruptStatus: the VIRTIO_INT_* bits that were set. */
uint32_t vmmio_interrupt_ack(struct vmmio *m);

/* Whether the device asked to be reset (it broke). */
int vmmio_needs_reset(const struct vmmio *m);

#endif

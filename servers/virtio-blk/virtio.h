/*
 * The parts of the virtio 1.x specification this driver uses: the
 * virtio-mmio (version 2) register file, device status and feature bits,
 * the split virtqueue's layouts, and virtio-blk's configuration and
 * request header. Everything on the wire is little-endian, as aarch64 is.
 */
#ifndef VIRTIO_H
#define VIRTIO_H

#include <stdint.h>

/* virtio-mmio registers (spec 4.2.2), offsets from the transport's base. */
#define VIRTIO_MMIO_MAGIC		0x000	/* "virt" */
#define VIRTIO_MMIO_VERSION		0x004	/* 2: modern; 1: legacy */
#define VIRTIO_MMIO_DEVICE_ID		0x008	/* 0: no device behind it */
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL	0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL	0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090	/* the available ring */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0	/* the used ring */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100	/* the device's configuration */

#define VIRTIO_MMIO_MAGIC_VALUE		0x74726976u
#define VIRTIO_ID_BLOCK			2u

/* InterruptStatus / InterruptACK */
#define VIRTIO_INT_USED			0x1u	/* a used buffer */
#define VIRTIO_INT_CONFIG		0x2u	/* the configuration changed */

/* Device status (spec 2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE	1u
#define VIRTIO_STATUS_DRIVER		2u
#define VIRTIO_STATUS_DRIVER_OK		4u
#define VIRTIO_STATUS_FEATURES_OK	8u
#define VIRTIO_STATUS_NEEDS_RESET	64u
#define VIRTIO_STATUS_FAILED		128u

/* Feature bits: the block device's (spec 5.2.3) and the transport's. */
#define VIRTIO_BLK_F_RO			5	/* read-only */
#define VIRTIO_BLK_F_BLK_SIZE		6	/* blk_size is valid */
#define VIRTIO_BLK_F_FLUSH		9	/* VIRTIO_BLK_T_FLUSH */
#define VIRTIO_F_VERSION_1		32	/* the modern interface */

/* Split virtqueue (spec 2.7) */
#define VIRTQ_DESC_F_NEXT		1u
#define VIRTQ_DESC_F_WRITE		2u	/* the device writes it */

struct virtq_desc {
	uint64_t addr;			/* physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];		/* then used_event */
};

struct virtq_used_elem {
	uint32_t id;			/* the chain's head descriptor */
	uint32_t len;			/* bytes the device wrote */
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];	/* then avail_event */
};

_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc is the spec's");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem is the spec's");

/* virtio-blk configuration (spec 5.2.4): the fields read here. */
#define VIRTIO_BLK_CFG_CAPACITY		0x00	/* le64: 512-byte sectors */
#define VIRTIO_BLK_CFG_BLK_SIZE		0x14	/* le32, with VIRTIO_BLK_F_BLK_SIZE */

/* A request: this header, the data, then one status byte (spec 5.2.6). */
#define VIRTIO_BLK_T_IN			0u	/* read */
#define VIRTIO_BLK_T_OUT		1u	/* write */
#define VIRTIO_BLK_T_FLUSH		4u

#define VIRTIO_BLK_S_OK			0u
#define VIRTIO_BLK_S_IOERR		1u
#define VIRTIO_BLK_S_UNSUPP		2u

struct virtio_blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

_Static_assert(sizeof(struct virtio_blk_hdr) == 16, "virtio_blk_hdr is the spec's");

#endif

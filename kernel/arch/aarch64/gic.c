/*
 * The Arm Generic Interrupt Controller, version 2 or 3 as the device tree
 * says. Distributor set up once by the boot CPU; each CPU then sets up its
 * own interface (GICv2: the memory-mapped CPU interface; GICv3: its
 * redistributor and the ICC system registers). All interrupts reach EL1 as
 * IRQs: on GICv3 they are group 1; on GICv2 group 0, because a GICv2
 * without security extensions (QEMU virt's) only acknowledges group 0
 * through GICC_IAR, and with them (we are then non-secure) group settings
 * are not ours to write. SGIs are the inter-processor interrupts.
 */
#include <lichen/errno.h>
#include <arch/memlayout.h>
#include <kernel.h>
#include <dt.h>
#include "gic.h"

/* Distributor (both versions). */
#define GICD_CTLR		0x0000
#define GICD_TYPER		0x0004
#define GICD_IGROUPR(n)		(0x0080 + 4 * (n))
#define GICD_ISENABLER(n)	(0x0100 + 4 * (n))
#define GICD_ICENABLER(n)	(0x0180 + 4 * (n))
#define GICD_IPRIORITYR(n)	(0x0400 + (n))		/* byte access */
#define GICD_ITARGETSR(n)	(0x0800 + (n))		/* v2, byte access */
#define GICD_SGIR		0x0f00			/* v2 */
#define GICD_IROUTER(n)		(0x6000 + 8 * (n))	/* v3 */

/*
 * Enable bits: with the GIC's security extensions (we are non-secure) bit 0
 * enables group 1; without them (QEMU virt) bit 0 is group 0 and bit 1
 * group 1. Writing both is right in either view (the other bit is WI).
 */
#define GICD_CTLR_EN_G0_G1	(3U << 0)
#define GICD_CTLR_ARE_NS	(1U << 4)	/* v3 */
#define GICD_CTLR_RWP		(1U << 31)	/* v3 */

/* GICv2 CPU interface. */
#define GICC_CTLR		0x0000
#define GICC_PMR		0x0004
#define GICC_IAR		0x000c
#define GICC_EOIR		0x0010

/* GICv3 redistributor: RD_base frame, then the SGI_base frame 64 KiB on. */
#define GICR_CTLR		0x0000
#define GICR_TYPER		0x0008
#define GICR_WAKER		0x0014
#define GICR_STRIDE		0x20000
#define GICR_SGI		0x10000
#define GICR_IGROUPR0		(GICR_SGI + 0x0080)
#define GICR_ISENABLER0		(GICR_SGI + 0x0100)
#define GICR_IPRIORITYR(n)	(GICR_SGI + 0x0400 + (n))
#define GICR_TYPER_LAST		(1UL << 4)
#define GICR_WAKER_SLEEP	(1U << 1)
#define GICR_WAKER_ASLEEP	(1U << 2)

#define IRQ_PRIO		0xa0
#define SPURIOUS		1022	/* 1022 and 1023: nothing to acknowledge */

static unsigned version;
static volatile uint8_t *gicd, *gicc, *gicr_base;
static uint64_t gicr_size;

static inline uint32_t
rd32(volatile uint8_t *base, uint64_t off)
{
	return *(volatile uint32_t *)(base + off);
}

static inline void
wr32(volatile uint8_t *base, uint64_t off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

static void
gicd_wait_rwp(void)
{
	if (version == 3)
		while (rd32(gicd, GICD_CTLR) & GICD_CTLR_RWP)
			;
}

/* This CPU's redistributor: the one whose GICR_TYPER affinity matches MPIDR. */
static volatile uint8_t *
gicr_this_cpu(void)
{
	uint64_t mpidr, aff;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;
	for (uint64_t off = 0; off + GICR_STRIDE <= gicr_size; off += GICR_STRIDE) {
		uint64_t typer = *(volatile uint64_t *)(gicr_base + off + GICR_TYPER);

		if ((typer >> 32) == aff)
			return gicr_base + off;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	return NULL;
}

int
gic_init(const struct boot_info *bi)
{
	uint32_t lines;

	version = bi->gic.version;
	if (version != 2 && version != 3)
		return -ENODEV;
	if (hal_map_linear(bi->gic.dist_base, bi->gic.dist_size, HAL_MEM_DEVICE) != 0)
		return -ENOMEM;
	gicd = hal_phys_to_virt(bi->gic.dist_base);
	if (version == 2) {
		if (hal_map_linear(bi->gic.cpu_base, bi->gic.cpu_size, HAL_MEM_DEVICE) != 0)
			return -ENOMEM;
		gicc = hal_phys_to_virt(bi->gic.cpu_base);
	} else {
		if (hal_map_linear(bi->gic.redist_base, bi->gic.redist_size,
		    HAL_MEM_DEVICE) != 0)
			return -ENOMEM;
		gicr_base = hal_phys_to_virt(bi->gic.redist_base);
		gicr_size = bi->gic.redist_size;
	}
	/* Shared interrupts: group 1, disabled, default priority. */
	wr32(gicd, GICD_CTLR, 0);
	gicd_wait_rwp();
	lines = 32 * ((rd32(gicd, GICD_TYPER) & 0x1f) + 1);
	for (uint32_t i = 32; i < lines; i += 32) {
		wr32(gicd, GICD_ICENABLER(i / 32), 0xffffffff);
		wr32(gicd, GICD_IGROUPR(i / 32), version == 3 ? 0xffffffff : 0);
	}
	for (uint32_t i = 32; i < lines; i++)
		*(gicd + GICD_IPRIORITYR(i)) = IRQ_PRIO;
	wr32(gicd, GICD_CTLR, version == 3 ? GICD_CTLR_ARE_NS | GICD_CTLR_EN_G0_G1 :
	    GICD_CTLR_EN_G0_G1);
	gicd_wait_rwp();
	return 0;
}

unsigned
gic_version(void)
{
	return version;
}

static int
gic_init_cpu_v3(void)
{
	volatile uint8_t *r = gicr_this_cpu();
	uint64_t sre;

	if (r == NULL)
		return -ENODEV;
	wr32(r, GICR_WAKER, rd32(r, GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while (rd32(r, GICR_WAKER) & GICR_WAKER_ASLEEP)
		;
	wr32(r, GICR_IGROUPR0, 0xffffffff);
	for (int i = 0; i < 32; i++)
		*(r + GICR_IPRIORITYR(i)) = IRQ_PRIO;
	__asm__ volatile("mrs %0, S3_0_C12_C12_5" : "=r"(sre));	/* ICC_SRE_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_5, %0; isb" :: "r"(sre | 1));
	__asm__ volatile("msr S3_0_C4_C6_0, %0" :: "r"(0xffUL));	/* ICC_PMR_EL1 */
	__asm__ volatile("msr S3_0_C12_C12_4, %0" :: "r"(0UL));	/* ICC_CTLR_EL1: EOImode 0 */
	__asm__ volatile("msr S3_0_C12_C12_7, %0; isb" :: "r"(1UL));	/* ICC_IGRPEN1_EL1 */
	return 0;
}

int
gic_init_cpu(void)
{
	if (version == 3)
		return gic_init_cpu_v3();
	/* Banked SGIs/PPIs: group 0 (see the top of this file), priorities. */
	wr32(gicd, GICD_IGROUPR(0), 0);
	for (int i = 0; i < 32; i++)
		*(gicd + GICD_IPRIORITYR(i)) = IRQ_PRIO;
	wr32(gicc, GICC_PMR, 0xff);
	wr32(gicc, GICC_CTLR, 3);	/* both groups; FIQEn clear: group 0 is IRQ */
	return 0;
}

void
gic_enable(unsigned intid)
{
	if (intid < 32 && version == 3) {
		volatile uint8_t *r = gicr_this_cpu();

		if (r != NULL)
			wr32(r, GICR_ISENABLER0, 1U << intid);
		return;
	}
	if (intid >= 32 && version == 3) {
		uint64_t mpidr;

		__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
		*(volatile uint64_t *)(gicd + GICD_IROUTER(intid)) = mpidr & 0xff00ffffffUL;
	} else if (intid >= 32) {
		*(gicd + GICD_ITARGETSR(intid)) = 1U << hal_cpu_index();
	}
	wr32(gicd, GICD_ISENABLER(intid / 32), 1U << (intid % 32));
}

void
gic_disable(unsigned intid)
{
	if (intid >= 32)
		wr32(gicd, GICD_ICENABLER(intid / 32), 1U << (intid % 32));
}

unsigned
gic_ack(void)
{
	uint64_t v;

	if (version == 3) {
		__asm__ volatile("mrs %0, S3_0_C12_C12_0" : "=r"(v));	/* ICC_IAR1_EL1 */
		__asm__ volatile("dsb sy" ::: "memory");
		return (unsigned)(v & 0xffffff);
	}
	return rd32(gicc, GICC_IAR);	/* keeps the source CPU bits for SGIs */
}

void
gic_eoi(unsigned iar)
{
	if (version == 3)
		__asm__ volatile("msr S3_0_C12_C12_1, %0; isb" :: "r"((uint64_t)iar));
	else
		wr32(gicc, GICC_EOIR, iar);
}

unsigned
gic_intid(unsigned iar)
{
	return iar & 0x3ff;
}

/* Send SGI sgi to the CPU whose MPIDR is mpidr (its index is cpu, for v2). */
void
gic_send_sgi(unsigned sgi, uint64_t mpidr, unsigned cpu)
{
	if (version == 3) {
		uint64_t v = (uint64_t)sgi << 24 |
		    ((mpidr >> 8) & 0xff) << 16 |	/* Aff1 */
		    ((mpidr >> 16) & 0xff) << 32 |	/* Aff2 */
		    ((mpidr >> 32) & 0xff) << 48 |	/* Aff3 */
		    (1UL << (mpidr & 0xf));		/* target list: Aff0 */

		__asm__ volatile("dsb ishst; msr S3_0_C12_C11_5, %0; isb" :: "r"(v));	/* ICC_SGI1R_EL1 */
		return;
	}
	__asm__ volatile("dsb ishst" ::: "memory");
	wr32(gicd, GICD_SGIR, (1U << (16 + cpu)) | sgi);
}

bool
gic_is_spurious(unsigned iar)
{
	return gic_intid(iar) >= SPURIOUS;
}

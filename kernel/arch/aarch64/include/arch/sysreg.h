/*
 * aarch64 system-register and page-table constants shared by assembly and C.
 * Only values the architecture defines live here; layout choices (where the
 * kernel sits in the address space) are in arch/memlayout.h.
 */
#ifndef ARCH_SYSREG_H
#define ARCH_SYSREG_H

#include <arch/ul.h>

#define BIT(n)			(UL(1) << (n))

/* SCTLR_EL1 */
#define SCTLR_M			BIT(0)	/* MMU enable */
#define SCTLR_C			BIT(2)	/* data cache enable */
#define SCTLR_SA		BIT(3)	/* SP alignment check at EL1 */
#define SCTLR_SA0		BIT(4)	/* SP alignment check at EL0 */
#define SCTLR_I			BIT(12)	/* instruction cache enable */
#define SCTLR_DZE		BIT(14)	/* EL0 may DC ZVA */
#define SCTLR_UCT		BIT(15)	/* EL0 may read CTR_EL0 */
#define SCTLR_NTWE		BIT(18)	/* EL0's WFE is not trapped */
#define SCTLR_UCI		BIT(26)	/* EL0 may clean/invalidate caches by VA (as Linux allows) */
/* Bits that are RES1 in ARMv8.0 (11, 20, 22, 23, 28, 29). */
#define SCTLR_RES1		(BIT(11) | BIT(20) | BIT(22) | BIT(23) | BIT(28) | BIT(29))
#define SCTLR_EL1_MMU_OFF	(SCTLR_RES1 | SCTLR_SA | SCTLR_SA0)
#define SCTLR_EL1_MMU_ON	(SCTLR_EL1_MMU_OFF | SCTLR_M | SCTLR_C | SCTLR_I | \
				 SCTLR_DZE | SCTLR_UCT | SCTLR_NTWE | SCTLR_UCI)

/* HCR_EL2 */
#define HCR_RW			BIT(31)	/* EL1 is AArch64 */

/* CPACR_EL1.FPEN = 0b11: FP/SIMD not trapped at EL1 or EL0. */
#define CPACR_FPEN_ALL		(UL(3) << 20)

/* SPSR: EL1h with D, A, I, F masked. */
#define SPSR_EL1H_MASKED	0x3c5

/* MAIR_EL1 attribute indices and encodings. */
#define MT_DEVICE_nGnRnE	0
#define MT_DEVICE_nGnRE		1
#define MT_NORMAL_NC		2
#define MT_NORMAL		3
#define MAIR_VALUE		((UL(0x00) << (8 * MT_DEVICE_nGnRnE)) | \
				 (UL(0x04) << (8 * MT_DEVICE_nGnRE)) |   \
				 (UL(0x44) << (8 * MT_NORMAL_NC)) |      \
				 (UL(0xff) << (8 * MT_NORMAL)))

/* TCR_EL1: 48-bit VAs in both halves, 4 KiB granules, write-back walks. */
#define TCR_T0SZ(n)		((n) << 0)
#define TCR_T1SZ(n)		((n) << 16)
#define TCR_EPD0		BIT(7)	/* no TTBR0 walks */
#define TCR_AS			BIT(36)	/* 16-bit ASIDs */
#define TCR_IRGN0_WBWA		(UL(1) << 8)
#define TCR_ORGN0_WBWA		(UL(1) << 10)
#define TCR_SH0_INNER		(UL(3) << 12)
#define TCR_TG0_4K		(UL(0) << 14)
#define TCR_IRGN1_WBWA		(UL(1) << 24)
#define TCR_ORGN1_WBWA		(UL(1) << 26)
#define TCR_SH1_INNER		(UL(3) << 28)
#define TCR_TG1_4K		(UL(2) << 30)
#define TCR_IPS_SHIFT		32
#define TCR_TBI0		BIT(37)	/* user addresses ignore their top byte (as Linux) */
#define TCR_VALUE		(TCR_T0SZ(16) | TCR_T1SZ(16) |                 \
				 TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | \
				 TCR_TG0_4K |                                  \
				 TCR_IRGN1_WBWA | TCR_ORGN1_WBWA | TCR_SH1_INNER | \
				 TCR_TG1_4K | TCR_TBI0)

/* Translation table descriptors: <lichen/pgtable.h>. */

#endif

/*
 * Naming the Exception Syndrome Register: the exception class and, for
 * aborts, the fault status code. Pure functions, also built on the host
 * for unit tests.
 */
#ifndef ARCH_ESR_H
#define ARCH_ESR_H

#include <stddef.h>
#include <stdint.h>

#define ESR_EC(esr)	(((esr) >> 26) & 0x3f)
#define ESR_IL		(1UL << 25)
#define ESR_ISS(esr)	((esr) & 0x1ffffff)
#define ESR_WNR		(1UL << 6)	/* data abort: the access was a write */

#define EC_UNKNOWN	0x00
#define EC_FP_ACCESS	0x07	/* FP/SIMD access trapped by CPACR_EL1.FPEN */
#define EC_SVC64	0x15
#define EC_IABT_LOW	0x20
#define EC_IABT_CUR	0x21
#define EC_DABT_LOW	0x24
#define EC_DABT_CUR	0x25
#define EC_BRK64	0x3c

/* "Data Abort taken without a change in exception level", or "unknown exception class". */
const char *esr_class_name(unsigned ec);
/* Fault status code (DFSC/IFSC) name: "translation fault, level 2". */
const char *esr_fault_name(unsigned fsc);
/*
 * One line describing esr, e.g.
 * "Data Abort taken without a change in exception level: translation
 * fault, level 0, write". Returns the length snprintf would.
 */
int esr_describe(uint64_t esr, char *buf, size_t size);

#endif

/* The register frame every exception entry saves (vectors.S builds it). */
#ifndef ARCH_TRAP_H
#define ARCH_TRAP_H

#define TF_X(n)		((n) * 8)
#define TF_SP		(31 * 8)
#define TF_ELR		(32 * 8)
#define TF_SPSR		(33 * 8)
#define TF_ESR		(34 * 8)
#define TF_FAR		(35 * 8)
#define TF_SIZE		(36 * 8)

#ifndef __ASSEMBLER__
#include <stdint.h>

struct trap_frame {
	uint64_t x[31];		/* x0-x30 */
	uint64_t sp;		/* the interrupted context's stack pointer */
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame layout");
_Static_assert(TF_SIZE % 16 == 0, "the stack stays 16-byte aligned");

/* Which of the 16 vector entries was taken. */
enum trap_kind {
	TRAP_EL1T_SYNC, TRAP_EL1T_IRQ, TRAP_EL1T_FIQ, TRAP_EL1T_SERROR,
	TRAP_EL1H_SYNC, TRAP_EL1H_IRQ, TRAP_EL1H_FIQ, TRAP_EL1H_SERROR,
	TRAP_EL0_64_SYNC, TRAP_EL0_64_IRQ, TRAP_EL0_64_FIQ, TRAP_EL0_64_SERROR,
	TRAP_EL0_32_SYNC, TRAP_EL0_32_IRQ, TRAP_EL0_32_FIQ, TRAP_EL0_32_SERROR,
};

void trap_handler(struct trap_frame *tf, enum trap_kind kind);
#endif

#endif

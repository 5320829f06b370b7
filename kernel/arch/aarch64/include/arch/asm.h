/* Assembly helpers. */
#ifndef ARCH_ASM_H
#define ARCH_ASM_H

/*
 * EXTABLE insn, fixup: if the instruction at label insn faults, resume at
 * label fixup (see <lichen/extable.h> and trap.c).
 */
.macro EXTABLE insn, fixup
	.pushsection __ex_table, "a"
	.balign	8
	.quad	\insn, \fixup
	.popsection
.endm

#endif

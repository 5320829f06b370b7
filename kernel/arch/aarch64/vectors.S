/*
 * The exception vector table. Every entry saves a struct trap_frame on the
 * current stack, links a frame record through it (so a backtrace taken
 * inside a handler continues into the interrupted code), and calls
 * trap_handler(frame, kind).
 */
#include <arch/trap.h>

.macro ventry kind
	.balign	128
	sub	sp, sp, #(TF_SIZE + 16)
	stp	x0, x1, [sp, #TF_X(0)]
	mov	x0, #\kind
	b	trap_entry
.endm

	.text
	.balign	2048
	.globl	vectors
vectors:
	ventry	0
	ventry	1
	ventry	2
	ventry	3
	ventry	4
	ventry	5
	ventry	6
	ventry	7
	ventry	8
	ventry	9
	ventry	10
	ventry	11
	ventry	12
	ventry	13
	ventry	14
	ventry	15

/*
 * x0 = kind, x1 clobbered, the original x0/x1 already saved. The 16 bytes
 * above the frame hold a frame record {interrupted x29, interrupted pc}.
 */
trap_entry:
	stp	x2, x3, [sp, #TF_X(2)]
	stp	x4, x5, [sp, #TF_X(4)]
	stp	x6, x7, [sp, #TF_X(6)]
	stp	x8, x9, [sp, #TF_X(8)]
	stp	x10, x11, [sp, #TF_X(10)]
	stp	x12, x13, [sp, #TF_X(12)]
	stp	x14, x15, [sp, #TF_X(14)]
	stp	x16, x17, [sp, #TF_X(16)]
	stp	x18, x19, [sp, #TF_X(18)]
	stp	x20, x21, [sp, #TF_X(20)]
	stp	x22, x23, [sp, #TF_X(22)]
	stp	x24, x25, [sp, #TF_X(24)]
	stp	x26, x27, [sp, #TF_X(26)]
	stp	x28, x29, [sp, #TF_X(28)]
	/*
	 * The interrupted sp: SP_EL0 if it ran with SPSel = 0 (EL0t or EL1t,
	 * SPSR.M[0] clear), else SP_EL1 as it was before this entry.
	 */
	mrs	x1, spsr_el1
	tbnz	x1, #0, 1f
	mrs	x1, sp_el0
	b	2f
1:	add	x1, sp, #(TF_SIZE + 16)
2:	stp	x30, x1, [sp, #TF_X(30)]
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x2, x3, [sp, #TF_ELR]
	mrs	x2, esr_el1
	mrs	x3, far_el1
	stp	x2, x3, [sp, #TF_ESR]
	ldr	x2, [sp, #TF_X(29)]
	ldr	x3, [sp, #TF_ELR]
	add	x29, sp, #TF_SIZE
	stp	x2, x3, [x29]
	mov	x1, x0
	mov	x0, sp
	bl	trap_handler

	/*
	 * Return to the interrupted context, possibly with a changed frame.
	 * sp = the frame. Going back to EL0 (SPSR.M = 0) restores SP_EL0 too.
	 */
	.globl	trap_return
trap_return:
	ldp	x2, x3, [sp, #TF_ELR]
	msr	elr_el1, x2
	msr	spsr_el1, x3
	tst	x3, #0xf
	b.ne	1f
	ldr	x2, [sp, #TF_SP]
	msr	sp_el0, x2
1:
	ldp	x2, x3, [sp, #TF_X(2)]
	ldp	x4, x5, [sp, #TF_X(4)]
	ldp	x6, x7, [sp, #TF_X(6)]
	ldp	x8, x9, [sp, #TF_X(8)]
	ldp	x10, x11, [sp, #TF_X(10)]
	ldp	x12, x13, [sp, #TF_X(12)]
	ldp	x14, x15, [sp, #TF_X(14)]
	ldp	x16, x17, [sp, #TF_X(16)]
	ldp	x18, x19, [sp, #TF_X(18)]
	ldp	x20, x21, [sp, #TF_X(20)]
	ldp	x22, x23, [sp, #TF_X(22)]
	ldp	x24, x25, [sp, #TF_X(24)]
	ldp	x26, x27, [sp, #TF_X(26)]
	ldp	x28, x29, [sp, #TF_X(28)]
	ldr	x30, [sp, #TF_X(30)]
	ldp	x0, x1, [sp, #TF_X(0)]
	add	sp, sp, #(TF_SIZE + 16)
	eret

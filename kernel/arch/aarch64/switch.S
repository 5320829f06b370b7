/*
 * arch_switch(prev, next): save the callee-saved registers, the stack
 * pointer, the return address and TPIDR_EL0 into prev's context and load
 * next's. FP/SIMD state is switched lazily (arch_fp_save / arch_fp_load,
 * called by the scheduler and the FP trap): the kernel itself never
 * touches FP/SIMD registers (-mgeneral-regs-only), so whatever is in them
 * belongs to the thread that last loaded them.
 * Layout: struct arch_ctx in arch/thread.h.
 */
	.text

.macro fp_save base
	stp	q0, q1, [\base, #0]
	stp	q2, q3, [\base, #32]
	stp	q4, q5, [\base, #64]
	stp	q6, q7, [\base, #96]
	stp	q8, q9, [\base, #128]
	stp	q10, q11, [\base, #160]
	stp	q12, q13, [\base, #192]
	stp	q14, q15, [\base, #224]
	stp	q16, q17, [\base, #256]
	stp	q18, q19, [\base, #288]
	stp	q20, q21, [\base, #320]
	stp	q22, q23, [\base, #352]
	stp	q24, q25, [\base, #384]
	stp	q26, q27, [\base, #416]
	stp	q28, q29, [\base, #448]
	stp	q30, q31, [\base, #480]
.endm

.macro fp_load base
	ldp	q0, q1, [\base, #0]
	ldp	q2, q3, [\base, #32]
	ldp	q4, q5, [\base, #64]
	ldp	q6, q7, [\base, #96]
	ldp	q8, q9, [\base, #128]
	ldp	q10, q11, [\base, #160]
	ldp	q12, q13, [\base, #192]
	ldp	q14, q15, [\base, #224]
	ldp	q16, q17, [\base, #256]
	ldp	q18, q19, [\base, #288]
	ldp	q20, q21, [\base, #320]
	ldp	q22, q23, [\base, #352]
	ldp	q24, q25, [\base, #384]
	ldp	q26, q27, [\base, #416]
	ldp	q28, q29, [\base, #448]
	ldp	q30, q31, [\base, #480]
.endm

	.globl	arch_switch
arch_switch:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x2, sp
	mrs	x3, tpidr_el0
	stp	x2, x3, [x0, #96]

	ldp	x19, x20, [x1, #0]
	ldp	x21, x22, [x1, #16]
	ldp	x23, x24, [x1, #32]
	ldp	x25, x26, [x1, #48]
	ldp	x27, x28, [x1, #64]
	ldp	x29, x30, [x1, #80]
	ldp	x2, x3, [x1, #96]
	mov	sp, x2
	msr	tpidr_el0, x3
	ret

/* arch_fp_save(ctx): q0-q31, FPSR and FPCR into ctx (FP access enabled). */
	.globl	arch_fp_save
arch_fp_save:
	mrs	x2, fpsr
	mrs	x3, fpcr
	stp	x2, x3, [x0, #112]
	add	x2, x0, #128
	fp_save	x2
	ret

/* arch_fp_load(ctx): the reverse. */
	.globl	arch_fp_load
arch_fp_load:
	ldp	x2, x3, [x0, #112]
	msr	fpsr, x2
	msr	fpcr, x3
	add	x2, x0, #128
	fp_load	x2
	ret

/* A new thread's first instructions: x19 = fn, x20 = arg. */
	.globl	arch_thread_start
arch_thread_start:
	mov	x0, x19
	mov	x1, x20
	bl	thread_first_run
	b	.

/* A user thread's first instructions: sp = its trap frame. */
	.globl	arch_user_first
arch_user_first:
	bl	thread_first_user
	b	trap_return

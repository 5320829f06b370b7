/*
 * int arch_fp_check(uint64_t seed, uint64_t rounds): for the scheduler's
 * self test. Fill v0-v31 with values derived from seed, then `rounds`
 * times spin a while (so the thread gets preempted and other threads use
 * the registers) and check every register still holds its value. Returns
 * 0, or 1 at the first register found changed.
 */
	.text
	.globl	arch_fp_check
arch_fp_check:
	/* v_i = {seed + i, ~(seed + i)} */
.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	add	x2, x0, #\i
	mvn	x3, x2
	fmov	d\i, x2
	mov	v\i\().d[1], x3
.endr
1:	mov	x4, #20000
2:	subs	x4, x4, #1
	b.ne	2b
.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	add	x2, x0, #\i
	mvn	x3, x2
	mov	x5, v\i\().d[0]
	mov	x6, v\i\().d[1]
	cmp	x5, x2
	b.ne	9f
	cmp	x6, x3
	b.ne	9f
.endr
	subs	x1, x1, #1
	b.ne	1b
	mov	x0, #0
	ret
9:	mov	x0, #1
	ret

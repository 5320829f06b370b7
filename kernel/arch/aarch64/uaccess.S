/*
 * The only instructions that touch user memory. Each uses the unprivileged
 * forms (ldtr/sttr): the access is checked with EL0's permissions, so a
 * "user" pointer into kernel memory faults like any bad pointer. Every one
 * has an exception-fixup entry: a fault resumes at the local fixup label,
 * which reports it. The C wrappers in kernel/uaccess.c check ranges first.
 *
 * The copies move 8 bytes at a time while 8 remain (tests/bench/fatread
 * asked: every file byte crosses these loops several times), then bytes.
 * A fault in the word loop is not reported there: the byte loop redoes
 * that word and stops at the exact byte that faults, so the count of
 * bytes not copied is exact. Unaligned words are fine: SCTLR_EL1.A is
 * clear, and a device mapping that refuses them faults into the byte loop.
 */
#include <arch/asm.h>

	.text

/* size_t arch_copy_from_user(void *dst, user src, size_t n): bytes NOT copied. */
	.globl	arch_copy_from_user
arch_copy_from_user:
	cmp	x2, #8
	b.lo	0f
4:	ldtr	x3, [x1]
	EXTABLE	4b, 0f
	str	x3, [x0], #8
	add	x1, x1, #8
	sub	x2, x2, #8
	cmp	x2, #8
	b.hs	4b
0:	cbz	x2, 2f
1:	ldtrb	w3, [x1]
	EXTABLE	1b, 9f
	strb	w3, [x0], #1
	add	x1, x1, #1
	subs	x2, x2, #1
	b.ne	1b
2:	mov	x0, #0
	ret
9:	mov	x0, x2
	ret

/* size_t arch_copy_to_user(user dst, const void *src, size_t n): bytes NOT copied. */
	.globl	arch_copy_to_user
arch_copy_to_user:
	cmp	x2, #8
	b.lo	0f
4:	ldr	x3, [x1]
5:	sttr	x3, [x0]
	EXTABLE	5b, 0f
	add	x1, x1, #8
	add	x0, x0, #8
	sub	x2, x2, #8
	cmp	x2, #8
	b.hs	4b
0:	cbz	x2, 2f
1:	ldrb	w3, [x1], #1
3:	sttrb	w3, [x0]
	EXTABLE	3b, 9f
	add	x0, x0, #1
	subs	x2, x2, #1
	b.ne	1b
2:	mov	x0, #0
	ret
9:	mov	x0, x2
	ret

/*
 * long arch_strncpy_from_user(char *dst, user src, size_t n): the string's
 * length if a NUL came within n bytes (copied with it), n if not, -1 on a
 * fault.
 */
	.globl	arch_strncpy_from_user
arch_strncpy_from_user:
	mov	x4, #0
1:	cmp	x4, x2
	b.hs	2f
3:	ldtrb	w3, [x1]
	EXTABLE	3b, 9f
	strb	w3, [x0, x4]
	cbz	w3, 2f
	add	x1, x1, #1
	add	x4, x4, #1
	b	1b
2:	mov	x0, x4
	ret
9:	mov	x0, #-1
	ret

/*
 * int arch_probe_write(void *addr): write the 8 bytes at addr back to
 * themselves; 0, or -14 (-EFAULT) if the read or the write faults. For the
 * self tests that show which kernel mappings are writable.
 */
	.globl	arch_probe_write
arch_probe_write:
1:	ldr	x1, [x0]
	EXTABLE	1b, 9f
2:	str	x1, [x0]
	EXTABLE	2b, 9f
	mov	x0, #0
	ret
9:	mov	x0, #-14
	ret

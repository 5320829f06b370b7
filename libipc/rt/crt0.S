/*
 * _start: the first instructions of every native program (lichen/ipc.h,
 * "How a native program starts"). sp points at argc, argv[], NULL; x0-x2
 * are the creator's words. Keep them for native_start_word(), call
 * main(argc, argv) and exit with what it returns.
 */
	.text
	.globl	_start
_start:
	adrp	x9, native_start_words
	add	x9, x9, :lo12:native_start_words
	stp	x0, x1, [x9]
	str	x2, [x9, #16]
	mov	x29, #0
	mov	x30, #0
	ldr	x0, [sp]
	add	x1, sp, #8
	bl	main
	b	native_exit

/*
 * Entry point: the arm64 Linux Image header, then the path from the boot
 * loader's state (MMU off, at EL2 or EL1, x0 = device tree) to kernel_main
 * running at EL1 in the high half with caches and the MMU on.
 *
 * Register use until kernel_main: x19 = device tree PA, x20 = entry EL,
 * x21 = the image's physical load address.
 */
#include <arch/memlayout.h>
#include <arch/sysreg.h>

/*
 * el1_setup (x20 = entry EL): leave EL2 if we are there, mask interrupts,
 * point VBAR at the early vectors (report and stop) until the real ones,
 * a known MMU-off SCTLR, and FP/SIMD untrapped (libfdt, built by Debian,
 * may use SIMD registers; threads' FP state is switched eagerly).
 */
.macro el1_setup
	cmp	x20, #2
	b.ne	1f
	bl	el2_to_el1
1:	msr	daifset, #0xf
	adr	x0, early_vectors
	msr	vbar_el1, x0
	ldr	x0, =SCTLR_EL1_MMU_OFF
	msr	sctlr_el1, x0
	mov	x0, #CPACR_FPEN_ALL
	msr	cpacr_el1, x0
	isb
.endm

/* mmu_on: MAIR/TCR/TTBRs are set; drop stale TLB entries, turn it all on. */
.macro mmu_on
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	ldr	x0, =SCTLR_EL1_MMU_ON
	msr	sctlr_el1, x0
	isb
	ic	iallu
	dsb	nsh
	isb
.endm

	.section .head.text, "ax"
	.globl	_start
_start:
	/* Image header (Documentation/arm64/booting.rst layout). */
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: from a 2 MiB boundary */
	.quad	_kernel_size		/* image_size, bss included */
	.quad	0xa			/* flags: LE, 4 KiB pages, any placement */
	.quad	0, 0, 0			/* res2-res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5: no PE header */

	.text
primary_entry:
	mov	x19, x0
	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	adrp	x21, _text
	el1_setup

	/* Clear .bss (physical addresses: PC-relative). */
	adrp	x0, _bss_start
	add	x0, x0, :lo12:_bss_start
	adrp	x1, _bss_end
	add	x1, x1, :lo12:_bss_end
2:	cmp	x0, x1
	b.hs	3f
	stp	xzr, xzr, [x0], #16
	b	2b
3:
	adrp	x0, boot_stack_top
	add	x0, x0, :lo12:boot_stack_top
	mov	sp, x0
	mov	x29, xzr
	mov	x0, x21
	mov	x1, x19
	bl	early_map		/* x0 = TTBR0 root, x1 = TTBR1 root */
	mov	x23, x0
	mov	x22, x1
	cbz	x0, early_map_failed

	/*
	 * Anything cached for .bss from before we cleared it with the MMU
	 * off is stale: invalidate it before the caches are turned on.
	 */
	adrp	x0, _bss_start
	add	x0, x0, :lo12:_bss_start
	adrp	x1, _bss_end
	add	x1, x1, :lo12:_bss_end
	bl	dcache_inval_range

	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	ldr	x0, =TCR_VALUE
	mrs	x1, id_aa64mmfr0_el1	/* PARange -> TCR.IPS */
	and	x1, x1, #7
	orr	x0, x0, x1, lsl #TCR_IPS_SHIFT
	msr	tcr_el1, x0
	msr	ttbr0_el1, x23
	msr	ttbr1_el1, x22
	mmu_on
	ldr	x0, =primary_high	/* the link (high) address */
	br	x0

primary_high:
	ldr	x0, =boot_stack_top
	mov	sp, x0
	ldr	x0, =vectors
	msr	vbar_el1, x0
	isb
	mov	x29, xzr		/* end of the frame-record chain */
	mov	x30, xzr
	mov	x0, x19
	mov	x1, x20
	mov	x2, x21
	bl	arch_main
	b	.

/*
 * A secondary CPU, started by PSCI CPU_ON at this physical address with
 * x0 = its index, MMU off, at EL2 or EL1. Same steps as the boot CPU, with
 * the boot CPU's tables and TCR (secondary_boot, cleaned to memory for us).
 */
	.globl	secondary_entry
secondary_entry:
	mov	x19, x0
	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	el1_setup
	adrp	x1, secondary_boot
	add	x1, x1, :lo12:secondary_boot
	ldp	x2, x3, [x1]		/* ttbr0, ttbr1 */
	ldp	x4, x5, [x1, #16]	/* tcr, mair */
	msr	mair_el1, x5
	msr	tcr_el1, x4
	msr	ttbr0_el1, x2
	msr	ttbr1_el1, x3
	mmu_on
	ldr	x0, =secondary_high
	br	x0
secondary_high:
	ldr	x1, =secondary_boot
	add	x1, x1, #32		/* stack[] */
	ldr	x2, [x1, x19, lsl #3]
	mov	sp, x2
	ldr	x0, =vectors
	msr	vbar_el1, x0
	isb
	mov	x29, xzr
	mov	x30, xzr
	mov	x0, x19
	bl	secondary_main
	b	.

/*
 * Leave EL2 for EL1 with EL1 in AArch64, the timers and FP/SIMD untrapped,
 * the GICv3 system registers usable, and stage 2 off. Returns at EL1.
 */
el2_to_el1:
	adr	x0, early_vectors	/* an EL2 exception, too, is reported */
	msr	vbar_el2, x0
	mov	x0, #HCR_RW
	msr	hcr_el2, x0
	mrs	x0, cnthctl_el2
	orr	x0, x0, #3		/* EL1PCTEN | EL1PCEN */
	msr	cnthctl_el2, x0
	msr	cntvoff_el2, xzr
	/*
	 * CPTR_EL2: the RES1 bits with TFP clear, so FP/SIMD is not trapped;
	 * TZ (bit 8) set: SVE stays trapped, lichen does not use it.
	 */
	mov	x0, #0x33ff
	msr	cptr_el2, x0
	msr	hstr_el2, xzr
	msr	vttbr_el2, xzr
	mrs	x0, midr_el1
	msr	vpidr_el2, x0
	mrs	x0, mpidr_el1
	msr	vmpidr_el2, x0
	mrs	x0, id_aa64pfr0_el1	/* GIC system registers implemented? */
	ubfx	x0, x0, #24, #4
	cbz	x0, 1f
	mrs	x0, S3_4_C12_C9_5	/* ICC_SRE_EL2 */
	mov	x1, #0x9		/* SRE | Enable (lower ELs may use SRE) */
	orr	x0, x0, x1
	msr	S3_4_C12_C9_5, x0
	isb
1:	ldr	x0, =SCTLR_EL1_MMU_OFF
	msr	sctlr_el1, x0
	mov	x0, #SPSR_EL1H_MASKED
	msr	spsr_el2, x0
	msr	elr_el2, x30
	eret

/* Invalidate the data cache lines covering [x0, x1) to the point of coherency. */
	.globl	dcache_inval_range
dcache_inval_range:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* DminLine: log2(words) */
	mov	x2, #4
	lsl	x2, x2, x3		/* line size in bytes */
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	dc	ivac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	sy
	ret

/*
 * Failing before the MMU is on, or before VBAR_EL1 holds the real vectors:
 * there is no C to run, so say what happened on the early console (at its
 * physical address) and power off through PSCI, the conduit guessed from
 * the entry EL (smc if we came from EL2, else hvc) as hal_init does.
 */
early_map_failed:
	adr	x0, msg_map_failed
	bl	early_puts
	b	early_poweroff

	.balign	2048
early_vectors:
	.rept	16
	.balign	128
	b	early_trap
	.endr

early_trap:
	adr	x0, msg_trap
	bl	early_puts
	mrs	x19, CurrentEL
	cmp	x19, #(2 << 2)
	b.ne	1f
	mrs	x0, esr_el2
	mrs	x19, elr_el2
	b	2f
1:	mrs	x0, esr_el1
	mrs	x19, elr_el1
2:	bl	early_puthex
	adr	x0, msg_elr
	bl	early_puts
	mov	x0, x19
	bl	early_puthex
	adr	x0, msg_off
	bl	early_puts
early_poweroff:
	ldr	x0, =0x84000008		/* PSCI SYSTEM_OFF */
	cmp	x20, #2
	b.eq	1f
	hvc	#0
	b	2f
1:	smc	#0
2:	wfe
	b	2b

/* Write the NUL-terminated string at x0 to the early console. */
early_puts:
	ldr	x1, =EARLYCON_PL011_PA
1:	ldrb	w2, [x0], #1
	cbz	w2, 3f
2:	ldr	w3, [x1, #0x18]		/* UARTFR */
	tbnz	w3, #5, 2b		/* TXFF */
	str	w2, [x1]		/* UARTDR */
	b	1b
3:	ret

/* Write x0 as 16 hex digits to the early console. */
early_puthex:
	ldr	x1, =EARLYCON_PL011_PA
	mov	x4, #60
1:	lsr	x2, x0, x4
	and	x2, x2, #0xf
	cmp	x2, #10
	add	x3, x2, #'0'
	add	x2, x2, #('a' - 10)
	csel	x2, x3, x2, lo
2:	ldr	w3, [x1, #0x18]
	tbnz	w3, #5, 2b
	str	w2, [x1]
	subs	x4, x4, #4
	b.pl	1b
	ret

msg_map_failed:
	.asciz	"\r\nlichen: cannot build the boot page tables; powering off\r\n"
msg_trap:
	.asciz	"\r\nlichen: exception before the kernel's vectors were set up: ESR 0x"
msg_elr:
	.asciz	" ELR 0x"
msg_off:
	.asciz	"\r\nlichen: powering off\r\n"
	.balign	4

	.bss
	.balign	16
boot_stack:
	.space	BOOT_STACK_SIZE
	.globl	boot_stack_top
boot_stack_top:

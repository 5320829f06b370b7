/*
 * Where things sit in lichen's virtual address space (48-bit VAs, 4 KiB
 * pages). TTBR1 holds the kernel half:
 *
 *   0xffff000000000000  PAGE_OFFSET: linear map, VA = PAGE_OFFSET + PA, of
 *                       RAM (normal memory) and of device windows the kernel
 *                       uses (device memory), each mapped explicitly
 *   0xffffffff80000000  KIMAGE_VBASE: the kernel image as linked
 *
 * TTBR0 (the low half) is for user address spaces; during boot it holds an
 * identity map of the image only long enough to turn the MMU on.
 */
#ifndef ARCH_MEMLAYOUT_H
#define ARCH_MEMLAYOUT_H

#include <arch/ul.h>

#define PAGE_SHIFT		12
#define PAGE_SIZE		(UL(1) << PAGE_SHIFT)
#define PAGE_OFFSET		UL(0xffff000000000000)
#define KIMAGE_VBASE		UL(0xffffffff80000000)

/* The boot CPU's stack; each CPU gets its own when SMP arrives. */
#define BOOT_STACK_SIZE		(16 * 1024)

/*
 * Where the early console looks before the device tree is read: the PL011
 * of QEMU's virt machine. The device tree's UART replaces it once parsed.
 */
#define EARLYCON_PL011_PA	UL(0x09000000)

#endif

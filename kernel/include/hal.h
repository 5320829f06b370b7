/*
 * The hardware abstraction layer: everything the portable kernel asks of
 * the architecture. A port implements this header in kernel/arch/<arch>/
 * and nothing outside that folder changes.
 */
#ifndef HAL_H
#define HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lichen/compiler.h>

struct boot_info;

/* Console output (the platform's early UART). Translates "\n" to "\r\n". */
void hal_console_write(const char *s, size_t n);
/* Move the console to the UART the device tree names, if it differs. */
void hal_console_init(const struct boot_info *bi);
/* Go back to the early console (a fault happened while printing). */
void hal_console_emergency(void);

/* Map [pa, pa + size) into the linear map as RAM or as device memory. */
enum hal_mem { HAL_MEM_RAM, HAL_MEM_DEVICE };
int hal_map_linear(uint64_t pa, uint64_t size, enum hal_mem kind);
void *hal_phys_to_virt(uint64_t pa);
/* Where the kernel image (with .bss) sits in physical memory. */
void hal_kernel_image(uint64_t *pa, uint64_t *size);
/* The image's first byte at its linked address (pa above corresponds). */
void *hal_kernel_text_start(void);

/* Architecture setup once the device tree is parsed (firmware interface). */
void hal_init(const struct boot_info *bi);
/* Lines for the boot report about the CPU and firmware. */
void hal_report(void);

/* This CPU's index (0 for the boot CPU). */
unsigned hal_cpu_index(void);

/* Monotonic counter and its frequency in Hz. */
uint64_t hal_counter(void);
uint64_t hal_counter_freq(void);

/* Stop: this CPU forever, or the whole machine through the firmware. */
__noreturn void hal_halt(void);
__noreturn void hal_poweroff(void);
__noreturn void hal_reboot(void);

/* User address spaces: ASID width, switching TTBR0 (root 0: none), TLBs. */
unsigned hal_asid_bits(void);
void hal_user_space_switch(uint64_t root, unsigned asid);
void hal_tlb_flush_asid(unsigned asid);
void hal_tlb_flush_all(void);

/*
 * Small, hot operations every port provides inline in <arch/hal_inline.h>:
 * hal_irq_save() masks this CPU's interrupts and returns the old state,
 * hal_irq_restore() puts it back, hal_cpu_relax() pauses in a spin loop.
 */
#include <arch/hal_inline.h>

/* SMP and interrupts (arch/aarch64/smp.c). */
struct cpu;
int hal_irq_init(const struct boot_info *bi);
int hal_cpu_start(unsigned index, uint64_t mpidr, uint64_t stack_top);
void hal_cpu_init_secondary(struct cpu *c);
void hal_wait_for_interrupt(void);
void hal_send_ipi(unsigned cpu, uint64_t mpidr, unsigned which);
void hal_irq_dispatch(void);
/* Unmask or mask one shared peripheral interrupt line (routed to this CPU). */
void hal_irq_line(unsigned intid, bool enable);

/* Self tests: write a word back to itself; 0, or -EFAULT if that faults. */
int arch_probe_write(void *addr);

/*
 * Boot self tests only, until vmspaces exist: map a kernel page (in the
 * image) at user address uva in a scratch user address space, with the
 * given permissions; then drop the whole space.
 */
enum hal_test_perm { HAL_TEST_USER_RW, HAL_TEST_USER_RO, HAL_TEST_KERNEL_ONLY };
int hal_test_user_map(uint64_t uva, void *page, enum hal_test_perm perm);
void hal_test_user_unmap_all(void);

/*
 * Print a backtrace starting at pc, then following the frame-record chain
 * from fp; stops at the end of the chain or at a frame outside the stack.
 * lr (or 0) names the caller when pc is outside the kernel's text.
 */
void backtrace_print(uint64_t pc, uint64_t lr, uint64_t fp);

#endif

/*
 * What every kernel file uses: console printing, panics, symbol names.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lichen/compiler.h>
#include <hal.h>

#define LICHEN_VERSION	"0.1.0"

/* Print to the console. */
int kprintf(const char *fmt, ...) __printf(1, 2);
int kvprintf(const char *fmt, va_list ap);
/*
 * Informational output (the boot report): as kprintf, but nothing under
 * lichen.quiet=1. Errors, panics and the power-off line use kprintf.
 */
int kinfo(const char *fmt, ...) __printf(1, 2);
/* lichen.quiet=1, from the boot arguments, before the boot report. */
void console_set_quiet(bool quiet);
/* Write n bytes whole (under the console lock), NULs and all. */
void console_write(const char *s, size_t n);
/* From a panic: print without the console lock from now on. */
void console_break_lock(void);

/*
 * A kernel bug: print the message, the registers' story (a backtrace) and
 * stop as lichen.panic= says (poweroff, the default; halt; reboot).
 */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/*
 * The machine cannot boot (bad device tree, no boot archive): say why
 * clearly, without a register dump, and stop as lichen.panic= says.
 */
__noreturn void boot_fail(const char *fmt, ...) __printf(1, 2);

/* Bracket a fatal report: panic_begin stops nested reports looping. */
void panic_begin(void);
__noreturn void panic_end(void);

/* What lichen.panic= asked for; parsed from the boot arguments. */
enum panic_action { PANIC_POWEROFF, PANIC_HALT, PANIC_REBOOT };
void panic_set_action(enum panic_action a);

/* "name+0xoff" for a kernel text address, or "?" (a static buffer). */
const char *ksym_format(uint64_t addr);
/* The symbol containing addr and addr's offset in it, or NULL. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif

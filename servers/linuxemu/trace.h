/*
 * The strace-like decoder behind lichen.strace=1: every Linux aarch64
 * (asm-generic) system call by number, with a name and an argument
 * signature, and lx_trace_format, which prints one call as strace does
 * (`write(1, "hello\n", 6) = 6`). Memory of the traced program is read
 * through a callback, so the decoder builds on the host for its unit test
 * (tests/unit/test_linuxemu_trace.c) as well as in linuxemu.
 */
#ifndef LINUXEMU_TRACE_H
#define LINUXEMU_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* Results that are not a value: linuxemu.h's LX_SUSPEND and LX_DONE. */
#define LX_TRACE_DEFERRED	(-0x10000L)	/* prints "= ? <deferred>" */
#define LX_TRACE_DONE		(-0x10001L)	/* answered elsewhere: "= ?" */

/* Reads len bytes of the traced process's memory at uva into buf; 0 or a negative errno. */
typedef long (*lx_peek_fn)(void *ctx, uint64_t uva, void *buf, size_t len);

/*
 * One system call: its number, its name and its signature, one character
 * per argument register (a[0], a[1], ...), optionally followed by "=K",
 * how the result prints. trace.c lists the characters.
 */
struct lx_trace_call {
	uint16_t nr;
	const char *name;
	const char *sig;
};

/* The table, sorted by number (the unit test checks it). */
extern const struct lx_trace_call lx_trace_calls[];
extern const size_t lx_trace_ncalls;

/*
 * Formats one call as strace does into buf (NUL-terminated, truncated to
 * cap); returns the length stored. result is the call's return value, a
 * negative errno, LX_TRACE_DEFERRED or LX_TRACE_DONE. peek may be NULL:
 * every pointer then prints raw.
 */
size_t lx_trace_format(char *buf, size_t cap, uint64_t nr, const uint64_t a[6],
    long result, lx_peek_fn peek, void *ctx);

/* The name of Linux aarch64 (asm-generic) syscall nr, or NULL. */
const char *lx_trace_name(uint64_t nr);

/* The symbolic name ("ENOENT") and message of Linux errno e, or NULL. */
const char *lx_trace_errno_name(long e);
const char *lx_trace_errno_msg(long e);

#endif

/*
 * The native runtime (libipc/rt): start words, printing to the kernel log,
 * exit, a heap. Native programs have no libc; libkernel's string and format
 * functions stand in for it.
 */
#ifndef LICHEN_RT_H
#define LICHEN_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <lichen/compiler.h>

/* x0-x2 as the program's creator set them (lichen/ipc.h). */
uint64_t native_start_word(unsigned i);

/* Formats with libkernel's fmt and writes one log_write per call. */
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap) __printf(1, 0);

__attribute__((noreturn)) void native_exit(long status);

/* The heap (rt/heap.c): the C library's four, for one thread. */
void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);

#endif

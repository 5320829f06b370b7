/*
 * Copying to and from user memory: the one path by which the kernel reads
 * or writes through a user pointer. A bad pointer (unmapped, not user
 * accessible, or not below USER_TOP) gives -EFAULT, never a panic.
 */
#ifndef UACCESS_H
#define UACCESS_H

#include <stddef.h>
#include <lichen/addr.h>

/* User addresses are below this (TTBR0's 48-bit half). */
#define USER_TOP	(1UL << 48)

int copy_from_user(void *dst, uvaddr_t src, size_t n);
int copy_to_user(uvaddr_t dst, const void *src, size_t n);
/*
 * Copy a NUL-terminated string of at most n bytes (NUL included) into dst.
 * Returns its length, n if no NUL came within n bytes (dst is then not
 * terminated), or -EFAULT.
 */
long strncpy_from_user(char *dst, uvaddr_t src, size_t n);

/* Called once at boot: put the fixup table in order. */
void uaccess_init(void);
/* The fixup address for a faulting kernel PC, or 0. */
uint64_t uaccess_fixup(uint64_t pc);

#endif

/*
 * <limits.h> without a C library: gcc's own limits.h recurses into the
 * libc's unless told there is none (_LIBC_LIMITS_H_).
 */
#ifndef _LIBC_LIMITS_H_
#define _LIBC_LIMITS_H_
#endif
#include_next <limits.h>

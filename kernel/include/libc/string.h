/*
 * <string.h> for code built into the kernel that expects a C library
 * (libfdt's headers): the functions are libkernel's.
 */
#include <lichen/string.h>

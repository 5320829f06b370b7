/* Starting init from the boot archive (init.c). */
#ifndef INIT_H
#define INIT_H

#include <stddef.h>

/* Load and start init; 0, or an error already reported on the console. */
int init_start(const void *archive, size_t len, const char *name,
    const char *bootargs);

#endif

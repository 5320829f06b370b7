/* <stdlib.h> for libfdt's headers: only what the kernel provides. */
#include <stddef.h>
#include <lichen/string.h>

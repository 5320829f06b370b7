/* Boot-argument lookup (see cmdline.c). */
#ifndef CMDLINE_H
#define CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The value of the first "key=value" word in cmdline (not
 * NUL-terminated), its length in *len; NULL if key is absent.
 */
const char *cmdline_get(const char *cmdline, const char *key, size_t *len);
/* Whether key is present with exactly this value. */
bool cmdline_is(const char *cmdline, const char *key, const char *value);

#endif

/*
 * Boot arguments: "key=value" words separated by spaces, as on Linux.
 * Pure code (also built on the host for unit tests).
 */
#include <lichen/string.h>
#include "cmdline.h"

const char *
cmdline_get(const char *cmdline, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p = cmdline;

	while (*p != '\0') {
		const char *end;

		while (*p == ' ')
			p++;
		end = p;
		while (*end != '\0' && *end != ' ')
			end++;
		if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 &&
		    p[klen] == '=') {
			*len = (size_t)(end - p) - klen - 1;
			return p + klen + 1;
		}
		p = end;
	}
	return NULL;
}

bool
cmdline_is(const char *cmdline, const char *key, const char *value)
{
	size_t len;
	const char *v = cmdline_get(cmdline, key, &len);

	return v != NULL && strlen(value) == len && strncmp(v, value, len) == 0;
}

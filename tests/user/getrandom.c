/*
 * getrandom: the getrandom call, compared with Linux. Lengths 0, 1, 16
 * and 256 filled (not all zero, two reads differ), GRND_NONBLOCK,
 * GRND_RANDOM and GRND_INSECURE accepted, a 40 MiB request filled
 * whole, and the errors: EINVAL for unknown flags and for
 * GRND_RANDOM | GRND_INSECURE, EFAULT for a bad buffer.
 */
#include <stdlib.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linuxtest.h"

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

int
main(void)
{
	unsigned char a[256], b[256];
	static const int lens[] = {0, 1, 16, 256};
	char *big;
	long n;

	for (size_t i = 0; i < NELEM(lens); i++) {
		char what[32];

		snprintf(what, sizeof(what), "getrandom(%d)", lens[i]);
		check(what, getrandom(a, lens[i], 0));
	}
	getrandom(a, sizeof(a), 0);
	getrandom(b, sizeof(b), 0);
	expect("two 256-byte reads differ", memcmp(a, b, sizeof(a)) != 0);
	check("GRND_NONBLOCK", getrandom(a, 64, GRND_NONBLOCK));
	check("GRND_RANDOM", getrandom(a, 64, GRND_RANDOM));
	check("GRND_INSECURE", getrandom(a, 64, GRND_INSECURE));
	check("GRND_RANDOM | GRND_INSECURE",
	    syscall(SYS_getrandom, a, 64, GRND_RANDOM | GRND_INSECURE));
	check("flags 0x10", syscall(SYS_getrandom, a, 64, 0x10));
	check("bad buffer", syscall(SYS_getrandom, BAD_PTR, 64, 0));
	check("bad buffer, length 0", syscall(SYS_getrandom, BAD_PTR, 0, 0));
	big = malloc(40 << 20);
	n = syscall(SYS_getrandom, big, 40 << 20, 0);
	say("getrandom(40 MiB): %ld", n);
	free(big);
	return 0;
}

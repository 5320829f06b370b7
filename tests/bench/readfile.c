/*
 * readfile: how long reading a file takes, for tests/bench/fatread.py.
 * A static Linux program (musl), the same binary on lichen and on Linux.
 *
 *   readfile FILE [BUFSIZE]   read FILE to its end with read(2) in BUFSIZE
 *                             pieces (default 65536, as dd bs=64k), print
 *                             "read BYTES bytes in NS ns"
 *   readfile -t               print "clock NS": CLOCK_MONOTONIC, for the
 *                             host to check the guest's clock against its own
 *
 * Times are CLOCK_MONOTONIC around the open..close, so the open's path
 * walk is counted (one lookup: noise next to 16 MiB). Exits 1 on an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	long long start, bytes = 0;
	size_t bufsize = 65536;
	char *buf;
	ssize_t n;
	int fd;

	if (argc == 2 && strcmp(argv[1], "-t") == 0) {
		printf("clock %lld\n", now_ns());
		return 0;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: readfile FILE [BUFSIZE] | readfile -t\n");
		return 2;
	}
	if (argc == 3)
		bufsize = strtoul(argv[2], NULL, 0);
	if (bufsize == 0 || (buf = malloc(bufsize)) == NULL) {
		fprintf(stderr, "readfile: bad buffer size %s\n", argv[2]);
		return 2;
	}
	start = now_ns();
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "readfile: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while ((n = read(fd, buf, bufsize)) > 0)
		bytes += n;
	if (n < 0) {
		fprintf(stderr, "readfile: read %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(fd);
	printf("read %lld bytes in %lld ns\n", bytes, now_ns() - start);
	return 0;
}

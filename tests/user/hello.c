/*
 * hello: the first Linux program lichen runs, unmodified: musl-static
 * aarch64, printing through stdio (set_tid_address, ioctl, writev,
 * exit_group under the hood) and exiting 3. tests/qemu compares its
 * output with what qemu-aarch64 on the host's Linux prints.
 */
#include <stdio.h>

int
main(int argc, char **argv)
{
	printf("hello from %s, argc %d\n", argv[0], argc);
	fprintf(stderr, "and stderr too\n");
	return 3;
}

/*
 * devnull: /dev/null, /dev/zero and /dev/full, compared with Linux.
 * Reads (EOF, zeroes), writes (swallowed; ENOSPC on /dev/full), lseek
 * (always 0), fstat's st_mode and st_rdev (major and minor), pread,
 * O_WRONLY's EBADF for a read, and open's errors on them: ENOTDIR
 * through /dev/null, ENOENT for a missing device, EFAULT for a read of
 * /dev/zero or /dev/full into a bad buffer.
 *
 * Left out: a bad buffer for a device that never touches it (a write
 * to any of them, a read of /dev/null): Linux returns the count (or
 * ENOSPC), qemu-aarch64 checks the buffer first and says EFAULT.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linuxtest.h"

static void
device(const char *path)
{
	char buf[64], what[96];
	struct stat st;
	int fd = open(path, O_RDWR), zero = 1;
	long n;

	snprintf(what, sizeof(what), "open(%s, O_RDWR)", path);
	check(what, fd >= 0 ? 0 : -1);
	fstat(fd, &st);
	say("%s: %s, mode %#o, rdev %u:%u", path,
	    S_ISCHR(st.st_mode) ? "character device" : "other",
	    st.st_mode & 07777, major(st.st_rdev), minor(st.st_rdev));
	memset(buf, 'x', sizeof(buf));
	n = read(fd, buf, sizeof(buf));
	for (int i = 0; i < n; i++)
		zero &= buf[i] == 0;
	say("  read 64: %ld%s", n, n > 0 ? (zero ? ", all zero" : ", not zero") : "");
	n = write(fd, "hello", 5);
	say("  write 5: %ld %s", n, n < 0 ? errname(errno) : "");
	say("  lseek(100, SEEK_SET): %ld", (long)lseek(fd, 100, SEEK_SET));
	say("  lseek(0, SEEK_CUR): %ld", (long)lseek(fd, 0, SEEK_CUR));
	say("  lseek(0, SEEK_END): %ld", (long)lseek(fd, 0, SEEK_END));
	n = pread(fd, buf, 8, 1000);
	say("  pread 8 at 1000: %ld", n);
	if (strcmp(path, "/dev/null") != 0)
		check("  read(bad buffer)", syscall(SYS_read, fd, BAD_PTR, 8));
	close(fd);
}

int
main(void)
{
	int fd;
	char c;

	device("/dev/null");
	device("/dev/zero");
	device("/dev/full");
	fd = open("/dev/null", O_WRONLY);
	check("read(/dev/null opened O_WRONLY)", read(fd, &c, 1));
	close(fd);
	fd = open("/dev/zero", O_RDONLY);
	check("write(/dev/zero opened O_RDONLY)", write(fd, "x", 1));
	close(fd);
	check("open(/dev/null/x)", open("/dev/null/x", O_RDONLY));
	check("open(/dev/nonexistent)", open("/dev/nonexistent", O_RDONLY));
	check("open(bad pointer)", syscall(SYS_openat, AT_FDCWD, BAD_PTR, O_RDONLY));
	check("open(/dev/null, bad mode bits)", open("/dev/null", O_RDONLY | O_RDWR | O_WRONLY));
	return 0;
}

/*
 * cwd: the working directory, compared with Linux, on the paths both
 * systems have ("/", "/dev"). chdir and getcwd, ".." at the root,
 * fchdir to an open directory, getcwd's ERANGE for a short buffer and
 * EFAULT for a bad one, and chdir's errors: ENOENT, ENOTDIR (a file and
 * a path through one), EFAULT, ENOENT for "", EBADF and ENOTDIR for
 * fchdir.
 */
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linuxtest.h"

static void
show_cwd(void)
{
	char buf[256];

	if (getcwd(buf, sizeof(buf)) == NULL)
		say("getcwd: -1 %s", errname(errno));
	else
		say("getcwd: %s", buf);
}

int
main(void)
{
	char buf[8];
	int fd;

	check("chdir(/)", chdir("/"));
	show_cwd();
	check("chdir(/dev)", chdir("/dev"));
	show_cwd();
	check("chdir(..)", chdir(".."));
	show_cwd();
	check("chdir(..) at the root", chdir(".."));
	show_cwd();
	check("chdir(dev/.)", chdir("dev/."));
	show_cwd();
	check("chdir(/dev/null)", chdir("/dev/null"));
	check("chdir(/dev/null/x)", chdir("/dev/null/x"));
	check("chdir(/nonexistent)", chdir("/nonexistent"));
	check("chdir(\"\")", chdir(""));
	check("chdir(bad pointer)", syscall(SYS_chdir, BAD_PTR));
	show_cwd();
	check("raw getcwd(4 bytes) in /dev", syscall(SYS_getcwd, buf, 4));
	check("raw getcwd(5 bytes) in /dev", syscall(SYS_getcwd, buf, 5));
	check("raw getcwd(size 0)", syscall(SYS_getcwd, buf, 0));
	check("raw getcwd(bad pointer)", syscall(SYS_getcwd, BAD_PTR, 64));
	fd = open("/", O_RDONLY | O_DIRECTORY);
	check("open(/, O_DIRECTORY)", fd >= 0 ? 0 : -1);
	check("fchdir(/)", fchdir(fd));
	show_cwd();
	close(fd);
	check("fchdir(closed fd)", fchdir(fd));
	fd = open("/dev/null", O_RDONLY);
	check("fchdir(/dev/null)", fchdir(fd));
	close(fd);
	check("open(/dev/null, O_DIRECTORY)", open("/dev/null", O_RDONLY | O_DIRECTORY));
	return 0;
}

/*
 * files: the calls that change the file tree, compared with Linux, in a
 * fresh directory under /tmp (on lichen the tmpfs of disk.manifest).
 * mkdir, open O_CREAT|O_EXCL, write/read back, rename (files, over
 * files, directories, into themselves, RENAME_NOREPLACE), link and
 * symlink, readlink, unlink and rmdir with every error Linux gives,
 * truncate/ftruncate, chmod/fchmod, utimensat (explicit and UTIME_OMIT),
 * an unlinked file still open, getdents' names, access for another uid,
 * fsync and sync, bad pointers.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

static long
size_of(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (long)st.st_size : -errno;
}

static void
show_mode(const char *what, const char *p)
{
	struct stat st;

	if (lstat(p, &st) != 0)
		say("%s: -1 %s", what, errname(errno));
	else
		say("%s: mode %o nlink %u", what, (unsigned)st.st_mode, (unsigned)st.st_nlink);
}

/* statx's basic fields against stat's: the same file, seen twice. */
static void
show_statx(const char *what, int dirfd, const char *p, int flags)
{
	unsigned char sx[256];
	uint32_t mask, nlink;
	uint16_t mode;
	uint64_t ino, size;
	struct stat st;
	long r = syscall(SYS_statx, dirfd, p, flags, 0x7ff, sx);

	if (r != 0) {
		say("statx %s: -1 %s", what, errname(errno));
		return;
	}
	memcpy(&mask, sx, 4);
	memcpy(&nlink, sx + 16, 4);
	memcpy(&mode, sx + 28, 2);
	memcpy(&ino, sx + 32, 8);
	memcpy(&size, sx + 40, 8);
	if ((flags & AT_EMPTY_PATH) ? fstat(dirfd, &st) : fstatat(dirfd, p, &st,
	    flags & AT_SYMLINK_NOFOLLOW) != 0)
		say("statx %s: stat failed", what);
	/* (a directory's size is the filesystem's own business) */
	say("statx %s: basic %s, mode %o nlink %u size %ld, ino %s", what,
	    (mask & 0x7ff) == 0x7ff ? "all" : "some", (unsigned)mode, (unsigned)nlink,
	    S_ISDIR(mode) ? -1L : (long)size, ino == st.st_ino ? "as stat" : "differs");
}

static void
list(const char *dir)
{
	char names[64][256], line[1024] = "";
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL) {
		say("opendir %s: -1 %s", dir, errname(errno));
		return;
	}
	while ((e = readdir(d)) != NULL && n < 64)
		snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), (int (*)(const void *, const void *))strcmp);
	for (int i = 0; i < n; i++) {
		strncat(line, " ", sizeof(line) - strlen(line) - 1);
		strncat(line, names[i], sizeof(line) - strlen(line) - 1);
	}
	say("ls %s:%s", dir, line);
}

int
main(void)
{
	char dir[] = "/tmp/lx-files-XXXXXX", buf[64];
	struct timespec ts[2];
	struct stat st;
	int fd, fd2, status;

	if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0 || chdir(dir) != 0) {
		say("no directory under /tmp: %s", errname(errno));
		return 1;
	}
	check("mkdir d", mkdir("d", 0755));
	check("mkdir d again", mkdir("d", 0755));
	check("mkdir d/e/f (no e)", mkdir("d/e/f", 0755));
	check("mkdir d/e/", mkdir("d/e/", 0700));
	show_mode("d/e", "d/e");
	fd = open("d/a", O_CREAT | O_EXCL | O_WRONLY, 0644);
	check("open d/a O_CREAT|O_EXCL", fd >= 0 ? 0 : -1);
	check("write", write(fd, "hello", 5));
	check("open d/a O_EXCL again", open("d/a", O_CREAT | O_EXCL | O_WRONLY, 0644));
	check("fsync", fsync(fd));
	close(fd);
	say("size d/a: %ld", size_of("d/a"));
	check("open d/a/x", open("d/a/x", O_RDONLY));
	check("mkdir d/a/x", mkdir("d/a/x", 0755));

	/* rename */
	check("rename d/a d/b", rename("d/a", "d/b"));
	say("size d/a: %ld, d/b: %ld", size_of("d/a"), size_of("d/b"));
	fd = open("d/c", O_CREAT | O_WRONLY, 0600);
	check("write c", write(fd, "cc", 2));
	close(fd);
	check("rename d/c over d/b", rename("d/c", "d/b"));
	say("size d/b: %ld", size_of("d/b"));
	check("rename d/b onto dir d/e", rename("d/b", "d/e"));
	check("rename dir d/e onto file d/b", rename("d/e", "d/b"));
	check("rename d into d/e/x", rename("d", "d/e/x"));
	check("rename missing", rename("d/nope", "d/x"));
	check("renameat2 NOREPLACE", syscall(SYS_renameat2, AT_FDCWD, "d/b", AT_FDCWD, "d/b2", 1));
	check("renameat2 NOREPLACE onto existing", syscall(SYS_renameat2, AT_FDCWD, "d/b2",
	    AT_FDCWD, "d/e", 1));
	check("rename dir d/e to d/e2", rename("d/e", "d/e2"));
	list("d");

	/* links */
	check("link d/b2 d/h", link("d/b2", "d/h"));
	show_mode("d/h", "d/h");
	check("link a dir", link("d/e2", "d/e3"));
	check("link onto existing", link("d/b2", "d/h"));
	check("symlink b2 d/s", symlink("b2", "d/s"));
	show_mode("d/s", "d/s");
	check("readlink d/s", readlink("d/s", buf, sizeof(buf)));
	check("readlink d/b2", readlink("d/b2", buf, sizeof(buf)));
	check("symlink onto existing", symlink("x", "d/h"));
	check("symlink loop", symlink("loop", "d/loop"));
	check("open d/loop", open("d/loop", O_RDONLY));
	say("size via d/s: %ld", size_of("d/s"));
	show_statx("d/s", AT_FDCWD, "d/s", 0);
	show_statx("d/s nofollow", AT_FDCWD, "d/s", AT_SYMLINK_NOFOLLOW);
	fd = open("d/e2", O_RDONLY | O_DIRECTORY);
	show_statx("fd of d/e2", fd, "", AT_EMPTY_PATH);
	close(fd);
	check("statx missing", syscall(SYS_statx, AT_FDCWD, "d/none", 0, 0x7ff, buf));
	check("statx bad flags", syscall(SYS_statx, AT_FDCWD, "d", 0x1, 0x7ff, buf));
	check("statx reserved mask", syscall(SYS_statx, AT_FDCWD, "d", 0, 0x80000000u, buf));
	check("statx bad buffer", syscall(SYS_statx, AT_FDCWD, "d", 0, 0x7ff, (void *)8));

	/* truncate, chmod, times */
	check("truncate d/h 100", truncate("d/h", 100));
	say("size d/b2 (same file): %ld", size_of("d/b2"));
	fd = open("d/h", O_RDWR);
	check("ftruncate 1", ftruncate(fd, 1));
	check("ftruncate -1", ftruncate(fd, -1));
	say("size d/h: %ld", size_of("d/h"));
	fd2 = open("d/h", O_RDONLY);
	check("ftruncate read-only fd", ftruncate(fd2, 0));
	close(fd2);
	check("truncate a dir", truncate("d/e2", 0));
	check("fchmod 0600", fchmod(fd, 0600));
	show_mode("d/h after fchmod", "d/h");
	check("chmod 4755", chmod("d/h", 04755));
	show_mode("d/h after chmod", "d/h");
	ts[0].tv_sec = 1000000000;
	ts[0].tv_nsec = 5;
	ts[1].tv_sec = 1200000000;
	ts[1].tv_nsec = UTIME_OMIT;
	check("utimensat atime only", utimensat(AT_FDCWD, "d/h", ts, 0));
	stat("d/h", &st);
	say("atime %ld.%ld", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
	ts[1].tv_nsec = 7;
	check("futimens both", futimens(fd, ts));
	fstat(fd, &st);
	say("mtime %ld.%ld", (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	ts[0].tv_nsec = 1000000000;
	check("utimensat bad nsec", utimensat(AT_FDCWD, "d/h", ts, 0));
	check("utimensat bad flags", utimensat(AT_FDCWD, "d/h", NULL, 0x4));
	close(fd);

	/* another uid: EACCES from permissions */
	if (fork() == 0) {
		check("child setuid 1000", setuid(1000));
		check("child open d/h for writing", open("d/h", O_WRONLY));
		check("child mkdir d/x", mkdir("d/x", 0755));
		check("child unlink d/b2", unlink("d/b2"));
		check("child access d R_OK|X_OK", access("d", R_OK | X_OK));
		check("child access d W_OK", access("d", W_OK));
		check("child chmod d/h", chmod("d/h", 0777));
		_exit(0);
	}
	wait(&status);

	/* fcntl(F_SETFL) turns O_APPEND on and off on the open file (vfs's). */
	fd = open("d/ap", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	fd2 = dup(fd);
	check("write ab", write(fd, "ab", 2));
	check("F_SETFL O_APPEND", fcntl(fd, F_SETFL, O_APPEND));
	say("F_GETFL has O_APPEND (through the dup): %d", (fcntl(fd2, F_GETFL) & O_APPEND) != 0);
	check("lseek 0", lseek(fd, 0, SEEK_SET));
	check("write cd (appends)", write(fd2, "cd", 2));
	check("offset after the append", lseek(fd, 0, SEEK_CUR));
	check("F_SETFL 0", fcntl(fd, F_SETFL, 0));
	check("lseek 0 again", lseek(fd, 0, SEEK_SET));
	check("write X (at 0)", write(fd, "X", 1));
	check("F_SETFL on a bad fd", fcntl(99, F_SETFL, O_APPEND));
	close(fd);
	close(fd2);
	fd = open("d/ap", O_RDONLY);
	memset(buf, 0, sizeof(buf));
	check("read d/ap", read(fd, buf, sizeof(buf)));
	say("d/ap: %s", buf);
	close(fd);
	unlink("d/ap");

	/* unlink and rmdir */
	fd = open("d/b2", O_RDONLY);
	check("unlink d/b2", unlink("d/b2"));
	check("unlink d/b2 again", unlink("d/b2"));
	check("read the unlinked file", read(fd, buf, sizeof(buf)));
	close(fd);
	show_mode("d/h after its other name went", "d/h");
	check("unlink a dir", unlink("d/e2"));
	check("rmdir a file", rmdir("d/h"));
	check("rmdir non-empty", rmdir("d"));
	check("rmdir d/.", rmdir("d/."));
	check("unlink d/h/", unlink("d/h/"));
	check("unlinkat bad flag", unlinkat(AT_FDCWD, "d/h", 0x1));
	check("unlink bad pointer", unlink((const char *)8));
	check("mkdir bad pointer", mkdir((const char *)8, 0755));
	check("rename bad pointer", rename("d/h", (const char *)8));
	list("d");
	unlink("d/h");
	unlink("d/s");
	unlink("d/loop");
	check("rmdir d/e2", rmdir("d/e2"));
	check("rmdir d", rmdir("d"));
	sync();
	check("chdir /", chdir("/"));
	check("rmdir the test directory", rmdir(dir));
	return 0;
}

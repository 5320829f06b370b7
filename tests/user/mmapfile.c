/*
 * mmap of files: MAP_PRIVATE copies (reads see the file, writes stay in
 * the process and survive fork as copy-on-write), offsets, a mapping
 * longer than the file (zeros up to the page's end), MAP_SHARED read-only,
 * /dev/zero, mprotect of a file mapping, and the refusals: bad fd,
 * O_WRONLY, a pipe, a directory, an unaligned offset, a zero length,
 * MAP_SHARED|PROT_WRITE on an O_RDONLY fd. Runs in a fresh directory
 * under /tmp (on lichen the tmpfs of disk.manifest, through vfs).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "linuxtest.h"

#define PG 4096

static void
mcheck(const char *what, void *p)
{
	if (p == MAP_FAILED)
		say("%s: -1 %s", what, errname(errno));
	else
		say("%s: mapped", what);
}

static void
make_file(const char *path, size_t n)
{
	char buf[4096];
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);

	for (size_t done = 0; done < n;) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);

		for (size_t i = 0; i < k; i++)
			buf[i] = (char)('a' + (done + i) % 26);
		(void)!write(fd, buf, k);
		done += k;
	}
	close(fd);
}

static void
run(const char *where)
{
	char path[256], dpath[256], buf[16];
	int fd, wfd, p[2], status;
	size_t n = 3 * PG + 100;		/* three pages and a bit */
	unsigned char *m, *m2;
	long bad = 0;

	snprintf(path, sizeof(path), "%s/data", where);
	snprintf(dpath, sizeof(dpath), "%s", where);
	make_file(path, n);
	say("-- %s", where[1] == 't' ? "tmp" : "root");
	fd = open(path, O_RDONLY);
	m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
	mcheck("private read-only", m);
	for (size_t i = 0; i < n; i++)
		bad += m[i] != 'a' + i % 26;
	say("bytes as the file: %s", bad == 0 ? "yes" : "no");
	say("after the end, to the page's end: zeros %s", m[n] == 0 && m[4 * PG - 1] == 0 ? "yes" : "no");
	check("munmap", munmap(m, n));

	m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 2 * PG);
	mcheck("offset 2 pages", m);
	say("first byte %c (want %c)", m[0], 'a' + (2 * PG) % 26);
	munmap(m, PG);

	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	mcheck("private writable", m);
	memcpy(m, "CHANGED", 7);
	if (fork() == 0) {
		memcpy(m + 1, "child", 5);	/* its own copy */
		_exit(m[0] == 'C' ? 0 : 1);
	}
	wait(&status);
	say("child saw the write: exit %d; parent still has \"%.7s\"", WEXITSTATUS(status), m);
	(void)!pread(fd, buf, 7, 0);
	say("the file is unchanged: %s", memcmp(buf, "abcdefg", 7) == 0 ? "yes" : "no");
	check("mprotect read-only", mprotect(m, 2 * PG, PROT_READ));
	munmap(m, 2 * PG);

	m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	mcheck("shared read-only", m);
	say("shared first bytes %.3s", m);
	m2 = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	say("a second shared map agrees: %s", m2 != MAP_FAILED && memcmp(m, m2, PG) == 0 ? "yes" : "no");
	munmap(m, PG);
	munmap(m2, PG);

	/* Refusals. */
	mcheck("bad fd", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 99, 0));
	mcheck("unaligned offset", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100));
	mcheck("length 0", mmap(NULL, 0, PROT_READ, MAP_PRIVATE, fd, 0));
	mcheck("MAP_SHARED|PROT_WRITE, O_RDONLY", mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
	mcheck("neither shared nor private", mmap(NULL, PG, PROT_READ, 0, fd, 0));
	close(fd);
	wfd = open(path, O_WRONLY);
	mcheck("O_WRONLY", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, wfd, 0));
	close(wfd);
	(void)!pipe(p);
	mcheck("a pipe", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, p[0], 0));
	close(p[0]);
	close(p[1]);
	fd = open(dpath, O_RDONLY | O_DIRECTORY);
	mcheck("a directory", mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0));
	close(fd);
	unlink(path);
}

int
main(void)
{
	char dir[] = "/tmp/lx-mmapfile-XXXXXX";
	unsigned char *m;
	int fd;

	if (mkdtemp(dir) == NULL) {
		say("no directory under /tmp: %s", errname(errno));
		return 1;
	}
	run(dir);
	rmdir(dir);
	fd = open("/dev/zero", O_RDWR);
	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	mcheck("/dev/zero private", m);
	say("zeros, writable: %s", m != MAP_FAILED && m[PG] == 0 && (m[0] = 1) == 1 ? "yes" : "no");
	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	mcheck("/dev/zero shared", m);
	if (m != MAP_FAILED && fork() == 0) {
		m[0] = 42;
		_exit(0);
	}
	wait(NULL);
	say("shared /dev/zero seen by the parent: %d", m != MAP_FAILED ? m[0] : -1);
	close(fd);
	return 0;
}

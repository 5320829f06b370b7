/*
 * sendfile: from a file to a pipe, to another file, to stdout and
 * /dev/null; with an offset pointer (the file's own position stays) and
 * without (it moves); a count past the end, a count of 0, a file longer
 * than one 64 KiB piece; the refusals: bad fds, an unreadable in_fd, an
 * O_APPEND out_fd, a pipe as in_fd, a negative offset, a bad offset
 * pointer, a pipe without readers (EPIPE). Runs in a fresh directory
 * under /tmp (on lichen the tmpfs of disk.manifest).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "linuxtest.h"

static char big[200000], back[200000];

int
main(void)
{
	char dir[] = "/tmp/lx-sendfile-XXXXXX", buf[64];
	int in, out, p[2], ap, wr;
	off_t off;
	long n;

	if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
		say("no directory under /tmp: %s", errname(errno));
		return 1;
	}
	in = open("in", O_CREAT | O_RDWR, 0644);
	(void)!write(in, "0123456789abcdefghij", 20);
	lseek(in, 0, SEEK_SET);
	(void)!pipe(p);

	check("to a pipe, file position", sendfile(p[1], in, NULL, 5));
	check("position moved", lseek(in, 0, SEEK_CUR));
	n = read(p[0], buf, sizeof(buf));
	say("pipe got: %.*s", (int)n, buf);
	off = 10;
	check("with an offset", sendfile(p[1], in, &off, 4));
	say("offset now %ld, position still %ld", (long)off, (long)lseek(in, 0, SEEK_CUR));
	n = read(p[0], buf, sizeof(buf));
	say("pipe got: %.*s", (int)n, buf);
	off = 15;
	check("count past the end", sendfile(p[1], in, &off, 100));
	say("offset now %ld", (long)off);
	n = read(p[0], buf, sizeof(buf));
	say("pipe got: %.*s", (int)n, buf);
	off = 20;
	check("at the end", sendfile(p[1], in, &off, 10));
	check("count 0", sendfile(p[1], in, NULL, 0));
	(void)!write(1, "stdout: ", 8);
	off = 0;
	check("\nto stdout", sendfile(1, in, &off, 10));
	out = open("/dev/null", O_WRONLY);
	off = 0;
	check("to /dev/null", sendfile(out, in, &off, 20));
	close(out);

	/* A file longer than a piece, to another file. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 251);
	out = open("big", O_CREAT | O_RDWR | O_TRUNC, 0644);
	(void)!write(out, big, sizeof(big));
	close(out);
	in = open("big", O_RDONLY);
	out = open("copy", O_CREAT | O_RDWR | O_TRUNC, 0644);
	check("200000 bytes file to file", sendfile(out, in, NULL, sizeof(big)));
	check("out's position", lseek(out, 0, SEEK_CUR));
	lseek(out, 0, SEEK_SET);
	n = read(out, back, sizeof(back));
	say("copy: %ld bytes, same: %s", n, n == (long)sizeof(big) && memcmp(big, back, n) == 0 ? "yes" : "no");
	close(out);

	/* Refusals. */
	check("bad out_fd", sendfile(99, in, NULL, 1));
	check("bad in_fd", sendfile(p[1], 99, NULL, 1));
	wr = open("big", O_WRONLY);
	check("in_fd write-only", sendfile(p[1], wr, NULL, 1));
	check("out_fd read-only", sendfile(in, in, NULL, 1));
	ap = open("copy", O_WRONLY | O_APPEND);
	check("out_fd O_APPEND", sendfile(ap, in, NULL, 1));
	check("in_fd a pipe", sendfile(wr, p[0], NULL, 1));
	off = -1;
	check("negative offset", sendfile(p[1], in, &off, 1));
	check("bad offset pointer", sendfile(p[1], in, (off_t *)8, 1));
	signal(SIGPIPE, SIG_IGN);
	close(p[0]);
	off = 0;
	check("to a pipe without readers", sendfile(p[1], in, &off, 1));
	close(p[1]);
	close(ap);
	close(wr);
	close(in);
	unlink("in");
	unlink("big");
	unlink("copy");
	check("rmdir", rmdir(dir));
	return 0;
}

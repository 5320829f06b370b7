/*
 * pipeatomic: pipes between processes, compared with Linux. Two writer
 * children each write records of PIPE_BUF bytes (each must arrive
 * whole, never interleaved); a writer blocked on a full pipe goes on
 * as the reader drains it; a reader blocked on an empty pipe wakes at
 * the writer's exit (EOF); a write larger than the pipe arrives whole
 * and in order through a blocking reader.
 */
#include <limits.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

enum { RECORDS = 64 };

static void
writer(int fd, char tag)
{
	char rec[PIPE_BUF];

	memset(rec, tag, sizeof(rec));
	for (int i = 0; i < RECORDS; i++)
		if (write(fd, rec, sizeof(rec)) != sizeof(rec))
			_exit(1);
	_exit(0);
}

static long
read_full(int fd, char *buf, long len)
{
	long got = 0, n;

	while (got < len && (n = read(fd, buf + got, len - got)) > 0)
		got += n;
	return got;
}

static void
atomic_records(void)
{
	char rec[PIPE_BUF];
	int p[2], counts[2] = {0, 0}, torn = 0, st, ok = 1;
	pid_t a, b;

	pipe(p);
	if ((a = fork()) == 0) {
		close(p[0]);
		writer(p[1], 'a');
	}
	if ((b = fork()) == 0) {
		close(p[0]);
		writer(p[1], 'b');
	}
	close(p[1]);
	while (read_full(p[0], rec, sizeof(rec)) == sizeof(rec)) {
		int i;

		for (i = 1; i < PIPE_BUF && rec[i] == rec[0]; i++)
			;
		if (i < PIPE_BUF || (rec[0] != 'a' && rec[0] != 'b'))
			torn++;
		else
			counts[rec[0] - 'a']++;
	}
	waitpid(a, &st, 0);
	ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	waitpid(b, &st, 0);
	ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	say("PIPE_BUF %d; records from a %d, from b %d, torn %d; writers ok: "
	    "%s",
	    PIPE_BUF, counts[0], counts[1], torn, ok ? "yes" : "no");
	close(p[0]);
}

static void
big_write(void)
{
	enum { LEN = 300000 };
	char *out = malloc(LEN), *in = malloc(LEN);
	int p[2], st;
	pid_t pid;
	long got;

	for (int i = 0; i < LEN; i++)
		out[i] = (char)(i * 7 + i / 251);
	pipe(p);
	if ((pid = fork()) == 0) {
		close(p[0]);
		_exit(write(p[1], out, LEN) == LEN ? 0 : 1);
	}
	close(p[1]);
	got = read_full(p[0], in, LEN);
	waitpid(pid, &st, 0);
	say("one write of %d bytes: read %ld, same bytes %s, writer status "
	    "%d",
	    LEN, got, memcmp(in, out, LEN) == 0 ? "yes" : "no",
	    WEXITSTATUS(st));
	check("read after EOF", read(p[0], in, 1));
	close(p[0]);
	free(out);
	free(in);
}

static void
reader_wakes_at_exit(void)
{
	int p[2], st;
	char c;
	pid_t pid;

	pipe(p);
	if ((pid = fork()) == 0) {
		close(p[0]);
		usleep(50000);
		_exit(0);
	}
	close(p[1]);
	check("blocking read until the writer exits", read(p[0], &c, 1));
	waitpid(pid, &st, 0);
	close(p[0]);
}

int
main(void)
{
	atomic_records();
	big_write();
	reader_wakes_at_exit();
	return 0;
}

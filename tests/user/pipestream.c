/*
 * 100 MiB through a pipe: a child writes a pseudo-random stream in
 * writes of varying sizes (1 byte to 200 KiB), the parent reads it in
 * reads of other sizes and checks every byte against the same stream.
 * Then the same with the ends' O_NONBLOCK set and poll deciding when to
 * go on. Prints only what Linux prints too: the counts and the verdict.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "linuxtest.h"

static size_t TOTAL = 100UL << 20;	/* argv[1]: MiB */

/* The stream: byte i of a xorshift sequence, made in order. */
struct stream {
	uint64_t state;
	uint64_t word;
	int left;
};

static void
stream_init(struct stream *s)
{
	s->state = 0x9e3779b97f4a7c15ULL;
	s->left = 0;
}

static void
stream_fill(struct stream *s, unsigned char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s->left == 0) {
			s->state ^= s->state << 13;
			s->state ^= s->state >> 7;
			s->state ^= s->state << 17;
			s->word = s->state;
			s->left = 8;
		}
		buf[i] = (unsigned char)s->word;
		s->word >>= 8;
		s->left--;
	}
}

static unsigned char wbuf[200 << 10], rbuf[200 << 10], want[200 << 10];

static size_t
next_size(uint64_t *r, size_t max)
{
	*r = *r * 6364136223846793005ULL + 1442695040888963407ULL;
	switch ((*r >> 33) % 4) {
	case 0:
		return 1 + (*r >> 40) % 16;		/* small */
	case 1:
		return 4096;				/* PIPE_BUF */
	default:
		return 1 + (*r >> 20) % max;		/* anything */
	}
}

static void
writer(int fd, int nonblock)
{
	struct stream s;
	uint64_t r = 1;
	size_t done = 0;

	stream_init(&s);
	while (done < TOTAL) {
		size_t n = next_size(&r, sizeof(wbuf)), off = 0;

		if (n > TOTAL - done)
			n = TOTAL - done;
		stream_fill(&s, wbuf, n);
		while (off < n) {
			ssize_t k = write(fd, wbuf + off, n - off);

			if (k < 0 && errno == EAGAIN && nonblock) {
				struct pollfd p = { fd, POLLOUT, 0 };

				poll(&p, 1, -1);
				continue;
			}
			if (k <= 0)
				_exit(20);
			off += (size_t)k;
		}
		done += n;
	}
	_exit(0);
}

static void
run(const char *what, int nonblock)
{
	struct stream s;
	uint64_t r = 7, bad = 0, reads = 0;
	size_t done = 0;
	int p[2], status;
	pid_t pid;

	if (pipe2(p, nonblock ? O_NONBLOCK : 0) != 0) {
		say("%s: pipe2: %s", what, errname(errno));
		return;
	}
	if ((pid = fork()) == 0) {
		close(p[0]);
		writer(p[1], nonblock);
	}
	close(p[1]);
	stream_init(&s);
	for (;;) {
		size_t n = next_size(&r, sizeof(rbuf));
		ssize_t k = read(p[0], rbuf, n);

		if (k < 0 && errno == EAGAIN && nonblock) {
			struct pollfd q = { p[0], POLLIN, 0 };

			poll(&q, 1, -1);
			continue;
		}
		if (k <= 0)
			break;
		reads++;
		stream_fill(&s, want, (size_t)k);
		if (memcmp(rbuf, want, (size_t)k) != 0)
			bad++;
		done += (size_t)k;
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	say("%s: %zu bytes, %s, writer exit %d", what, done,
	    bad == 0 && done == TOTAL ? "every byte as written" : "MISMATCH",
	    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	if (bad != 0)
		say("%s: %lu reads of %lu differ", what, (unsigned long)bad, (unsigned long)reads);
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		TOTAL = strtoul(argv[1], NULL, 0) << 20;
	run("blocking", 0);
	run("O_NONBLOCK with poll", 1);
	return 0;
}

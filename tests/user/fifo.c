/*
 * FIFOs (fifo(7)): mkfifo, opens that wait for the other end (and the
 * O_NONBLOCK ones that do not: ENXIO for a writer without a reader),
 * O_RDWR, data through the node, poll, fstat of the node, EOF and EPIPE
 * when an end goes, a signal interrupting a waiting open and read, and
 * the bad cases. Runs in a fresh directory under /tmp (on lichen the
 * tmpfs of disk.manifest).
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "linuxtest.h"

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
show_stat(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		say("stat %s: -1 %s", what, errname(errno));
		return;
	}
	say("stat %s: fifo %d, mode %#o, size %ld, nlink %ld", what, S_ISFIFO(st.st_mode),
	    st.st_mode & 07777, (long)st.st_size, (long)st.st_nlink);
}

int
main(void)
{
	char dir[] = "/tmp/lx-fifo-XXXXXX", buf[128];
	struct sigaction sa;
	struct pollfd pfd;
	struct stat st;
	int r, w, rw, status, n;
	pid_t pid;

	if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
		say("no directory under /tmp: %s", errname(errno));
		return 1;
	}
	umask(022);
	check("mkfifo f", mkfifo("f", 0666));
	check("mkfifo f again", mkfifo("f", 0666));
	check("mkfifo in a missing directory", mkfifo("no/f", 0666));
	check("mknod S_IFIFO g", mknod("g", S_IFIFO | 0640, 0));
	show_stat("f", "f");
	show_stat("g", "g");

	/* Opens that do not wait. */
	check("open O_WRONLY|O_NONBLOCK, no reader", open("f", O_WRONLY | O_NONBLOCK));
	r = open("f", O_RDONLY | O_NONBLOCK);
	check("open O_RDONLY|O_NONBLOCK", r >= 0 ? 0 : -1);
	check("read, no writer yet", read(r, buf, sizeof(buf)));
	w = open("f", O_WRONLY | O_NONBLOCK);
	check("open O_WRONLY|O_NONBLOCK with a reader", w >= 0 ? 0 : -1);
	check("read, empty, a writer", read(r, buf, sizeof(buf)));
	check("write 5", write(w, "hello", 5));
	check("fstat of the write end", fstat(w, &st));
	say("fstat: fifo %d, mode %#o, size %ld", S_ISFIFO(st.st_mode), st.st_mode & 07777,
	    (long)st.st_size);
	pfd.fd = r;
	pfd.events = POLLIN;
	check("poll the reader", poll(&pfd, 1, 0));
	say("revents %#x", pfd.revents);
	check("ioctl FIONREAD", ioctl(r, FIONREAD, &n));
	say("FIONREAD: %d", n);
	check("read 3", read(r, buf, 3));
	check("read the rest", read(r, buf, sizeof(buf)));
	check("lseek", lseek(r, 0, SEEK_SET));
	close(w);
	check("read after the writer closed", read(r, buf, sizeof(buf)));
	pfd.events = POLLIN;
	check("poll after the writer closed", poll(&pfd, 1, 0));
	say("revents %#x", pfd.revents);
	close(r);

	/* O_RDWR never waits; the data stays while it is open. */
	rw = open("f", O_RDWR);
	check("open O_RDWR", rw >= 0 ? 0 : -1);
	check("write through O_RDWR", write(rw, "abc", 3));
	n = (int)read(rw, buf, sizeof(buf));
	check("read it back", n);
	close(rw);
	rw = open("f", O_RDWR | O_NONBLOCK);
	check("reopened: the data went with the last end", read(rw, buf, sizeof(buf)));
	close(rw);

	/* A reader waits for a writer: a child opens and writes. */
	pid = fork();
	if (pid == 0) {
		int fd = open("f", O_WRONLY);	/* waits for the parent's reader */

		if (fd < 0)
			_exit(10);
		(void)!write(fd, "from the child", 14);
		_exit(0);
	}
	r = open("f", O_RDONLY);
	check("blocking open O_RDONLY (child writes)", r >= 0 ? 0 : -1);
	n = 0;
	for (;;) {
		int k = (int)read(r, buf + n, sizeof(buf) - 1 - n);

		if (k <= 0)
			break;
		n += k;
	}
	buf[n] = '\0';
	say("read until EOF: \"%s\"", buf);
	waitpid(pid, &status, 0);
	say("child: exit %d", WEXITSTATUS(status));
	close(r);

	/* A writer waits for a reader, then the reader goes: EPIPE. */
	pid = fork();
	if (pid == 0) {
		int fd = open("f", O_RDONLY);

		if (fd < 0)
			_exit(10);
		_exit(close(fd) == 0 ? 0 : 11);
	}
	signal(SIGPIPE, SIG_IGN);
	w = open("f", O_WRONLY);
	check("blocking open O_WRONLY (child reads)", w >= 0 ? 0 : -1);
	waitpid(pid, &status, 0);
	say("child: exit %d", WEXITSTATUS(status));
	check("write, the reader gone", write(w, "x", 1));
	close(w);

	/* Signals: an open and a read that wait are interrupted. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	check("open O_RDONLY, nobody writes, SIGALRM", open("f", O_RDONLY));
	rw = open("f", O_RDWR);
	r = open("f", O_RDONLY);
	check("open O_RDONLY beside an O_RDWR end", r >= 0 ? 0 : -1);
	alarm(1);
	check("read, empty, SIGALRM", read(r, buf, sizeof(buf)));
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		usleep(300000);
		(void)!write(rw, "late", 4);
		_exit(0);
	}
	alarm(1);
	check("read with SA_RESTART, the child writes later", read(r, buf, sizeof(buf)));
	waitpid(pid, &status, 0);
	alarm(0);
	close(r);
	close(rw);

	/* Bad cases. */
	check("open O_WRONLY|O_NONBLOCK|O_CREAT on a FIFO, no reader",
	    open("f", O_WRONLY | O_NONBLOCK | O_CREAT, 0644));
	check("open f/x", open("f/x", O_RDONLY));
	check("ftruncate a FIFO", ({ int fd = open("f", O_RDWR); long k = ftruncate(fd, 0); close(fd); k; }));
	check("unlink f", unlink("f"));
	check("unlink g", unlink("g"));
	check("rmdir", rmdir(dir));
	return 0;
}

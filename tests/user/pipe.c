/*
 * pipe: pipes, compared with Linux. pipe2 and its flags (O_CLOEXEC,
 * O_NONBLOCK, bad flags), reading what was written, EOF once every
 * writer is closed, EPIPE with SIGPIPE (handled, ignored, and as the
 * default action in a child), O_NONBLOCK's EAGAIN on both ends,
 * FIONREAD, F_GETPIPE_SZ, fstat's S_IFIFO, lseek's ESPIPE, reads and
 * writes on the wrong end (EBADF), and EFAULT for a bad buffer.
 *
 * Left out: pipe2 with an unknown flag bit (qemu-aarch64 drops bits it
 * does not know and succeeds; Linux says EINVAL).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

static volatile sig_atomic_t sigpipes;

static void
on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void
flags(void)
{
	int p[2];

	check("pipe2(0)", pipe2(p, 0));
	say("fd flags: %d %d, status flags: %#o %#o", fcntl(p[0], F_GETFD),
	    fcntl(p[1], F_GETFD), fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
	close(p[0]);
	close(p[1]);
	check("pipe2(O_CLOEXEC | O_NONBLOCK)", pipe2(p, O_CLOEXEC | O_NONBLOCK));
	say("fd flags: %d %d, status flags: %#o %#o", fcntl(p[0], F_GETFD),
	    fcntl(p[1], F_GETFD), fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
	close(p[0]);
	close(p[1]);
	check("pipe2(O_RDWR)", pipe2(p, O_RDWR));
	check("pipe2(bad pointer)", syscall(SYS_pipe2, BAD_PTR, 0));
}

static void
data_and_eof(void)
{
	char buf[64];
	struct stat st;
	int p[2], n;

	pipe(p);
	check("write 5", write(p[1], "hello", 5));
	check("write 6", write(p[1], " world", 6));
	check("ioctl(FIONREAD)", ioctl(p[0], FIONREAD, &n));
	say("FIONREAD: %d", n);
	check("read 4", read(p[0], buf, 4));
	check("read rest (asks 64)", n = read(p[0], buf, sizeof(buf)));
	say("read: \"%.*s\"", n > 0 ? n : 0, buf);
	check("read 0 bytes", read(p[0], buf, 0));
	check("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
	check("fstat(read end)", fstat(p[0], &st));
	expect("S_ISFIFO", S_ISFIFO(st.st_mode));
	say("mode bits: %#o", st.st_mode & 0777);
	check("lseek(pipe)", lseek(p[0], 0, SEEK_SET));
	check("pread(pipe)", pread(p[0], buf, 1, 0));
	check("write(read end)", write(p[0], "x", 1));
	check("read(write end)", read(p[1], buf, 1));
	check("write(bad buffer)", syscall(SYS_write, p[1], BAD_PTR, 4));
	check("FIONREAD after a bad write", ioctl(p[0], FIONREAD, &n));
	say("FIONREAD: %d", n);
	write(p[1], "abc", 3);
	check("read(bad buffer) with data", syscall(SYS_read, p[0], BAD_PTR, 3));
	check("ioctl(FIONREAD, bad pointer)",
	    syscall(SYS_ioctl, p[0], FIONREAD, BAD_PTR));
	close(p[1]);
	n = read(p[0], buf, sizeof(buf));
	say("after closing the writer: read %d bytes, then %ld", n,
	    (long)read(p[0], buf, sizeof(buf)));
	close(p[0]);
}

static void
epipe(void)
{
	struct sigaction sa = {.sa_handler = on_sigpipe};
	int p[2], st;
	pid_t pid;

	pipe(p);
	close(p[0]);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
	check("write, no reader, SIGPIPE handled", write(p[1], "x", 1));
	say("SIGPIPE handler ran %d", sigpipes);
	signal(SIGPIPE, SIG_IGN);
	check("write, no reader, SIGPIPE ignored", write(p[1], "x", 1));
	signal(SIGPIPE, SIG_DFL);
	pid = fork();
	if (pid == 0) {
		close(2);
		write(p[1], "x", 1);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	say("child writing with SIGPIPE default: %s %d",
	    WIFSIGNALED(st) ? "killed by signal" : "exited",
	    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	close(p[1]);
}

static void
nonblocking(void)
{
	static char big[65536 + 4096];
	char c;
	int p[2], n;
	long w;

	pipe2(p, O_NONBLOCK);
	check("read(empty, O_NONBLOCK)", read(p[0], &c, 1));
	w = write(p[1], big, sizeof(big));
	say("write 68 KiB to an empty 64 KiB pipe: %ld", w);
	check("write 1 more (full)", write(p[1], "x", 1));
	ioctl(p[0], FIONREAD, &n);
	say("FIONREAD when full: %d", n);
	check("read 1", read(p[0], &c, 1));
	check("write 4096 when 1 byte is free", write(p[1], big, 4096));
	check("write 1 when 1 byte is free", write(p[1], big, 1));
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	flags();
	data_and_eof();
	epipe();
	nonblocking();
	return 0;
}

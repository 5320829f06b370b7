/*
 * tty: terminal ioctls, sessions and job control, compared with Linux.
 *
 * The terminal is a fresh pseudo-terminal where there is one (Linux,
 * under qemu-aarch64: /dev/ptmx) and lichen's console otherwise (no
 * devpts yet): both start with Linux's tty_std_termios. Run on the disk
 * root (disk.manifest), where /dev is devtmpfs's; as pid 1 there it
 * first gives up its controlling terminal (TIOCNOTTY) so that a new
 * session can take the console.
 *
 *   - ENOTTY for terminal ioctls on a pipe, /dev/null and a directory,
 *     EBADF on a closed fd, isatty's answers;
 *   - TCGETS's defaults (c_cflag without HUPCL and CLOCAL, which a pty
 *     and a serial console set differently), TIOCGWINSZ, FIONREAD,
 *     TCSETS, TCFLSH and TCXONC's EINVAL, EFAULT for bad pointers;
 *   - setsid (EPERM for a group leader), the first open without
 *     O_NOCTTY making the terminal the controlling one, TIOCGPGRP and
 *     TIOCGSID (ENOTTY when it is not), TIOCSCTTY again, TIOCSPGRP's
 *     EINVAL, ESRCH, EPERM (a group of another session) and EFAULT;
 *   - job control from a background group: a read stops with SIGTTIN
 *     (EIO with SIGTTIN ignored), TCSETS stops with SIGTTOU (allowed
 *     with SIGTTOU ignored), a write with TOSTOP stops with SIGTTOU,
 *     tcsetpgrp with SIGTTOU ignored moves the foreground and back;
 *   - TIOCNOTTY by the session leader (SIGHUP ignored: Linux sends it).
 *
 * Nothing is written to the terminal, so the console shows only the
 * report.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "linuxtest.h"

static char term[64];			/* the terminal's path */
static volatile int hups[32];		/* SIGHUP and SIGCONT seen */

static void
count_hup(int sig)
{
	hups[sig]++;
}

static int
open_terminal(int flags)
{
	return open(term, flags);
}

static void
not_a_tty(const char *what, int fd)
{
	struct termios t;
	struct winsize ws;
	char buf[96];
	int pg = 0;

	snprintf(buf, sizeof(buf), "%s TCGETS", what);
	check(buf, ioctl(fd, TCGETS, &t));
	snprintf(buf, sizeof(buf), "%s TIOCGPGRP", what);
	check(buf, ioctl(fd, TIOCGPGRP, &pg));
	snprintf(buf, sizeof(buf), "%s TIOCGWINSZ", what);
	check(buf, ioctl(fd, TIOCGWINSZ, &ws));
	snprintf(buf, sizeof(buf), "%s TIOCSPGRP", what);
	check(buf, ioctl(fd, TIOCSPGRP, &pg));
	errno = 0;
	snprintf(buf, sizeof(buf), "%s isatty", what);
	say("%s: %d %s", buf, isatty(fd), errno ? errname(errno) : "");
}

static void
defaults(int fd)
{
	struct termios t;
	struct winsize ws;
	int n = -1;
	char cc[128];
	size_t len = 0;

	check("TCGETS", ioctl(fd, TCGETS, &t));
	say("termios: iflag %#o oflag %#o cflag %#o lflag %#o line %d", t.c_iflag, t.c_oflag,
	    t.c_cflag & (CBAUD | CSIZE | CREAD | CSTOPB | PARENB), t.c_lflag, t.c_line);
	for (int i = 0; i < 17; i++)
		len += (size_t)snprintf(cc + len, sizeof(cc) - len, " %d", t.c_cc[i]);
	say("c_cc:%s", cc);
	check("TIOCGWINSZ", ioctl(fd, TIOCGWINSZ, &ws));
	say("winsize: %d rows %d cols", ws.ws_row, ws.ws_col);
	check("FIONREAD", ioctl(fd, FIONREAD, &n));
	say("FIONREAD: %d bytes", n);
	check("TCSETS (the same)", ioctl(fd, TCSETS, &t));
	check("TCFLSH TCIFLUSH", ioctl(fd, TCFLSH, TCIFLUSH));
	check("TCFLSH 99", ioctl(fd, TCFLSH, 99));
	check("TCXONC 99", ioctl(fd, TCXONC, 99));
	check("TCGETS bad pointer", ioctl(fd, TCGETS, (void *)16));
	check("TCSETS bad pointer", ioctl(fd, TCSETS, (void *)16));
	check("TIOCGWINSZ bad pointer", ioctl(fd, TIOCGWINSZ, (void *)16));
	check("FIONREAD bad pointer", ioctl(fd, FIONREAD, (void *)16));
	check("TIOCGPGRP, not the controlling terminal", ioctl(fd, TIOCGPGRP, &n));
	check("TIOCGSID, not the controlling terminal", ioctl(fd, TIOCGSID, &n));
	check("lseek on the terminal", lseek(fd, 0, SEEK_SET));
}

/* A child in a background group of our session runs fn; how it ended. */
static void
background(const char *what, int fd, void (*fn)(int))
{
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		setpgid(0, 0);
		fn(fd);
		_exit(0);
	}
	setpgid(pid, pid);
	waitpid(pid, &st, WUNTRACED);
	if (WIFSTOPPED(st)) {
		say("%s: stopped by %s", what, WSTOPSIG(st) == SIGTTIN ? "SIGTTIN" :
		    WSTOPSIG(st) == SIGTTOU ? "SIGTTOU" : "another signal");
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	} else {
		say("%s: exited %d", what, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
}

static void
bg_read(int fd)
{
	char c;

	check("  read", read(fd, &c, 1));
}

static void
bg_read_ignored(int fd)
{
	signal(SIGTTIN, SIG_IGN);
	bg_read(fd);
}

static void
bg_tcsets(int fd)
{
	struct termios t;

	ioctl(fd, TCGETS, &t);
	check("  TCSETS", ioctl(fd, TCSETS, &t));
}

static void
bg_tcsets_ignored(int fd)
{
	signal(SIGTTOU, SIG_IGN);
	bg_tcsets(fd);
}

static void
bg_write(int fd)
{
	check("  write", write(fd, "x", 1));
}

static void
bg_foreground(int fd)
{
	pid_t fg = tcgetpgrp(fd);

	signal(SIGTTOU, SIG_IGN);
	check("  tcsetpgrp(ours)", tcsetpgrp(fd, getpgrp()));
	say("  the foreground is ours: %s", tcgetpgrp(fd) == getpgrp() ? "yes" : "no");
	check("  tcsetpgrp(back)", tcsetpgrp(fd, fg));
}

static void
session(int inherited)
{
	struct termios t;
	int fd, v, pg;

	check("setsid", setsid() == getpid() ? 0 : -1);
	check("TIOCGPGRP before the terminal is ours", ioctl(inherited, TIOCGPGRP, &v));
	fd = open_terminal(O_RDWR);
	check("open without O_NOCTTY", fd >= 0 ? 0 : -1);
	v = -1;
	check("TIOCGPGRP", ioctl(fd, TIOCGPGRP, &v));
	say("TIOCGPGRP is getpgrp(): %s", v == getpgrp() ? "yes" : "no");
	check("TIOCGSID", ioctl(fd, TIOCGSID, &v));
	say("TIOCGSID is getsid(0): %s", v == getsid(0) ? "yes" : "no");
	say("the inherited fd names it too: %s",
	    ioctl(inherited, TIOCGPGRP, &v) == 0 && v == getpgrp() ? "yes" : "no");
	check("TIOCSCTTY again", ioctl(fd, TIOCSCTTY, 0));
	check("TIOCGPGRP bad pointer", ioctl(fd, TIOCGPGRP, (void *)16));
	pg = -5;
	check("TIOCSPGRP -5", ioctl(fd, TIOCSPGRP, &pg));
	pg = 99999;
	check("TIOCSPGRP no such group", ioctl(fd, TIOCSPGRP, &pg));
	pg = getpgid(getppid());
	check("TIOCSPGRP another session's group", ioctl(fd, TIOCSPGRP, &pg));
	check("TIOCSPGRP bad pointer", ioctl(fd, TIOCSPGRP, (void *)16));
	pg = getpgrp();
	check("TIOCSPGRP our own", ioctl(fd, TIOCSPGRP, &pg));
	background("background read", fd, bg_read);
	background("background read, SIGTTIN ignored", fd, bg_read_ignored);
	background("background TCSETS", fd, bg_tcsets);
	background("background TCSETS, SIGTTOU ignored", fd, bg_tcsets_ignored);
	ioctl(fd, TCGETS, &t);
	t.c_lflag |= TOSTOP;
	check("TCSETS TOSTOP", ioctl(fd, TCSETS, &t));
	background("background write with TOSTOP", fd, bg_write);
	t.c_lflag &= ~TOSTOP;
	ioctl(fd, TCSETS, &t);
	background("background tcsetpgrp, SIGTTOU ignored", fd, bg_foreground);
	say("the foreground is ours again: %s", tcgetpgrp(fd) == getpgrp() ? "yes" : "no");
	/* Linux's TIOCNOTTY by the leader hangs the foreground group up. */
	signal(SIGHUP, count_hup);
	signal(SIGCONT, count_hup);
	check("TIOCNOTTY", ioctl(fd, TIOCNOTTY));
	say("the foreground group got SIGHUP %d, SIGCONT %d", hups[SIGHUP], hups[SIGCONT]);
	signal(SIGHUP, SIG_IGN);
	signal(SIGCONT, SIG_DFL);
	check("TIOCGPGRP after TIOCNOTTY", ioctl(fd, TIOCGPGRP, &v));
	check("TIOCNOTTY again", ioctl(fd, TIOCNOTTY));
}

int
main(void)
{
	int p[2], fd, st, master;
	pid_t pid;

	signal(SIGHUP, SIG_IGN);	/* TIOCNOTTY hangs the foreground up */
	ioctl(0, TIOCNOTTY);		/* pid 1 on lichen: the console is free for a new session */
	signal(SIGHUP, SIG_DFL);
	pipe(p);
	not_a_tty("pipe", p[0]);
	fd = open("/dev/null", O_RDWR);
	not_a_tty("/dev/null", fd);
	close(fd);
	fd = open("/", O_RDONLY | O_DIRECTORY);
	not_a_tty("/", fd);
	close(fd);
	check("TCGETS on a closed fd", ioctl(fd, TCGETS, &(struct termios){ 0 }));

	if ((master = posix_openpt(O_RDWR | O_NOCTTY)) >= 0 && grantpt(master) == 0 &&
	    unlockpt(master) == 0 && ptsname(master) != NULL)
		snprintf(term, sizeof(term), "%s", ptsname(master));
	else
		snprintf(term, sizeof(term), "/dev/console");
	fd = open_terminal(O_RDWR | O_NOCTTY);
	check("open the terminal with O_NOCTTY", fd >= 0 ? 0 : -1);
	errno = 0;
	say("isatty: %d", isatty(fd));
	defaults(fd);

	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		check("setsid as a group leader", setsid());
		_exit(0);
	}
	waitpid(pid, &st, 0);
	if ((pid = fork()) == 0) {
		session(fd);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	say("session child: %s %d", WIFEXITED(st) ? "exit" : "signal",
	    WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return 0;
}

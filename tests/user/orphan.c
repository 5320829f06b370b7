/*
 * Orphaned process groups (POSIX, Linux's kill_orphaned_pgrp): when a
 * process's exit leaves a process group with a stopped member without
 * a parent in another group of the session, every member gets SIGHUP
 * then SIGCONT. Two ways in: the group of the exiting process itself,
 * and a child's group. And one that must not: a group still held by a
 * parent outside it, and a group without stopped members.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "linuxtest.h"

static int report;			/* the pipe the stopped process writes to */

static void
on_signal(int sig)
{
	char c = sig == SIGHUP ? 'H' : 'C';

	(void)!write(report, &c, 1);
}

/* A process that stops itself; woken, it tells what it got and exits. */
static void
stopper(void)
{
	signal(SIGHUP, on_signal);
	signal(SIGCONT, on_signal);
	raise(SIGSTOP);
	usleep(100000);			/* SIGCONT's handler runs after SIGHUP's */
	_exit(0);
}

/* Waits until pid is stopped (WUNTRACED from its parent is not ours to use). */
static void
until_stopped(pid_t pid)
{
	char path[64], buf[512];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(path, "r");
		char *p;

		if (f == NULL)
			return;
		p = fgets(buf, sizeof(buf), f) != NULL ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p != NULL && p[2] == 'T')
			return;
		usleep(10000);
	}
}

static void
show(const char *what, int fd)
{
	char got[8] = "";
	int n;

	usleep(300000);
	n = (int)read(fd, got, sizeof(got) - 1);
	got[n > 0 ? n : 0] = '\0';
	say("%s: %s", what, n > 0 ? got : "nothing");
}

int
main(void)
{
	int p[2], st;
	pid_t a, b;

	setpgid(0, 0);
	/* 1: a leaves its own group (a and its stopped child b) orphaned. */
	pipe(p);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	report = p[1];
	if ((a = fork()) == 0) {
		setpgid(0, 0);
		if ((b = fork()) == 0)
			stopper();
		until_stopped(b);
		_exit(0);
	}
	waitpid(a, &st, 0);
	show("a's group, a gone, b stopped", p[0]);
	close(p[0]);
	close(p[1]);

	/* 2: a's child c in a group of its own, stopped; a exits. */
	pipe(p);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	report = p[1];
	if ((a = fork()) == 0) {
		if ((b = fork()) == 0) {
			setpgid(0, 0);
			stopper();
		}
		setpgid(b, b);
		until_stopped(b);
		_exit(0);
	}
	waitpid(a, &st, 0);
	show("a child's group, its parent gone", p[0]);
	close(p[0]);
	close(p[1]);

	/* 3: the group keeps a parent outside it (us): nothing. */
	pipe(p);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	report = p[1];
	if ((b = fork()) == 0) {
		setpgid(0, 0);
		if (fork() == 0)
			stopper();
		pause();
		_exit(0);
	}
	setpgid(b, b);
	if ((a = fork()) == 0)
		_exit(0);		/* someone else's exit changes nothing */
	waitpid(a, &st, 0);
	show("a group with a parent outside", p[0]);
	kill(-b, SIGKILL);
	waitpid(b, &st, 0);
	close(p[0]);
	close(p[1]);

	/* 4: orphaned but nobody stopped: nothing either. */
	pipe(p);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	report = p[1];
	if ((a = fork()) == 0) {
		setpgid(0, 0);
		if (fork() == 0) {
			signal(SIGHUP, on_signal);
			usleep(500000);
			_exit(0);
		}
		_exit(0);
	}
	waitpid(a, &st, 0);
	show("orphaned, nobody stopped", p[0]);
	return 0;
}

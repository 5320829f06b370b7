/*
 * linuxtest.h: what the Linux test programs in tests/user share.
 *
 * Each program prints lines "name: result" and is compared with the
 * same binary on Linux, so a line holds only what must be the same
 * there: outcomes and errno names, never pids, addresses or times.
 * A line is one write(2), made at once: output never waits in a stdio
 * buffer that fork would copy or a signal handler would find half full.
 */
#ifndef LINUXTEST_H
#define LINUXTEST_H

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The symbolic name of an errno value ("EFAULT"), or its number. */
static inline const char *
errname(int e)
{
	static const char *const names[] = {
	    [EPERM] = "EPERM",
	    [ENOENT] = "ENOENT",
	    [ESRCH] = "ESRCH",
	    [EINTR] = "EINTR",
	    [EIO] = "EIO",
	    [ENXIO] = "ENXIO",
	    [E2BIG] = "E2BIG",
	    [ENOEXEC] = "ENOEXEC",
	    [EBADF] = "EBADF",
	    [ECHILD] = "ECHILD",
	    [EAGAIN] = "EAGAIN",
	    [ENOMEM] = "ENOMEM",
	    [EACCES] = "EACCES",
	    [EFAULT] = "EFAULT",
	    [EBUSY] = "EBUSY",
	    [EEXIST] = "EEXIST",
	    [EXDEV] = "EXDEV",
	    [ENODEV] = "ENODEV",
	    [ENOTDIR] = "ENOTDIR",
	    [EISDIR] = "EISDIR",
	    [EINVAL] = "EINVAL",
	    [EMFILE] = "EMFILE",
	    [ENOTTY] = "ENOTTY",
	    [EFBIG] = "EFBIG",
	    [ENOSPC] = "ENOSPC",
	    [ESPIPE] = "ESPIPE",
	    [EROFS] = "EROFS",
	    [EPIPE] = "EPIPE",
	    [EDOM] = "EDOM",
	    [ERANGE] = "ERANGE",
	    [EDEADLK] = "EDEADLK",
	    [ENAMETOOLONG] = "ENAMETOOLONG",
	    [ENOSYS] = "ENOSYS",
	    [ENOTEMPTY] = "ENOTEMPTY",
	    [ELOOP] = "ELOOP",
	    [EOVERFLOW] = "EOVERFLOW",
	    [EOPNOTSUPP] = "EOPNOTSUPP",
	    [ETIMEDOUT] = "ETIMEDOUT",
	    [EOWNERDEAD] = "EOWNERDEAD",
	};
	static char num[16];

	if (e > 0 && (size_t)e < NELEM(names) && names[e] != NULL)
		return names[e];
	snprintf(num, sizeof(num), "errno %d", e);
	return num;
}

/* Print one line (the newline is added) with a single write. */
static inline void
say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(1, line, n);
}

/*
 * "what: R" for a call returning R >= 0, "what: -1 ENAME" for one that
 * failed with -1 and errno (libc wrappers and syscall()). Reads errno
 * first: call it straight after the call it reports.
 */
static inline void
check(const char *what, long r)
{
	int e = errno;

	if (r < 0)
		say("%s: %ld %s", what, r, errname(e));
	else
		say("%s: %ld", what, r);
}

/* For calls that return an error number (pthread_*, clock_nanosleep). */
static inline void
check_err(const char *what, int e)
{
	if (e == 0)
		say("%s: 0", what);
	else
		say("%s: %s", what, errname(e));
}

/* The symbolic name of a siginfo si_code for signal sig. */
static inline const char *
codename(int sig, int code)
{
	static char num[24];

	switch (code) {
	case SI_USER:
		return "SI_USER";
	case SI_KERNEL:
		return "SI_KERNEL";
	case SI_QUEUE:
		return "SI_QUEUE";
	case SI_TIMER:
		return "SI_TIMER";
	case SI_TKILL:
		return "SI_TKILL";
	}
	if (sig == SIGCHLD) {
		switch (code) {
		case CLD_EXITED:
			return "CLD_EXITED";
		case CLD_KILLED:
			return "CLD_KILLED";
		case CLD_DUMPED:
			return "CLD_DUMPED";
		case CLD_STOPPED:
			return "CLD_STOPPED";
		case CLD_CONTINUED:
			return "CLD_CONTINUED";
		}
	}
	if (sig == SIGSEGV) {
		switch (code) {
		case SEGV_MAPERR:
			return "SEGV_MAPERR";
		case SEGV_ACCERR:
			return "SEGV_ACCERR";
		}
	}
	snprintf(num, sizeof(num), "si_code %d", code);
	return num;
}

/* "what: yes" or "what: no". */
static inline void
expect(const char *what, int cond)
{
	say("%s: %s", what, cond ? "yes" : "no");
}

/*
 * An address no program maps (in the first page), hidden from the
 * compiler so that it neither warns about nor folds the bad access.
 */
static inline void *
bad_ptr(void)
{
	void *p = (void *)8;

	__asm__("" : "+r"(p));
	return p;
}
#define BAD_PTR bad_ptr()

#endif

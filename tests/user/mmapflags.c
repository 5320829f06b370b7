/*
 * mmapflags: mmap's flags and arguments for anonymous memory, compared
 * with Linux. MAP_PRIVATE and MAP_SHARED zero-filled, a hint address
 * that is free (used), MAP_FIXED at a chosen address, PROT_NONE
 * (SIGSEGV on touch, readable after mprotect), MAP_POPULATE,
 * MAP_NORESERVE and MAP_STACK accepted, a length rounded up to pages,
 * munmap of an unmapped range, and the errors: EINVAL (no type, both
 * types, length 0, an unaligned offset or MAP_FIXED address), EBADF
 * for a file mapping without an fd, ENOMEM for a huge length.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linuxtest.h"

static sigjmp_buf jb;

static void
on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	siglongjmp(jb, si->si_code == SEGV_ACCERR ? 2 : 1);
}

static const char *
touch(volatile char *p)
{
	switch (sigsetjmp(jb, 1)) {
	case 0:
		(void)*p;
		return "readable";
	case 1:
		return "SEGV_MAPERR";
	default:
		return "SEGV_ACCERR";
	}
}

static void
mmap_check(const char *what, void *addr, size_t len, int prot, int flags,
    int fd, off_t off)
{
	void *p = mmap(addr, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		say("%s: -1 %s", what, errname(errno));
	else {
		say("%s: ok%s", what, addr && p == addr ? ", at the address asked" : "");
		munmap(p, len);
	}
}

int
main(void)
{
	struct sigaction sa = {.sa_sigaction = on_segv, .sa_flags = SA_SIGINFO};
	const int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
	char *p, *q;
	int zero = 1;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	p = mmap(NULL, 3 * 4096, rw, anon, -1, 0);
	for (int i = 0; i < 3 * 4096; i++)
		zero &= p[i] == 0;
	say("private: zero-filled %s, page aligned %s", zero ? "yes" : "no",
	    ((uintptr_t)p & 4095) == 0 ? "yes" : "no");
	munmap(p, 3 * 4096);
	q = mmap(p, 4096, rw, anon, -1, 0);
	say("hint at a free address: used %s", q == p ? "yes" : "no");
	munmap(q, 4096);
	q = mmap(p + 4096, 4096, rw, anon | MAP_FIXED, -1, 0);
	say("MAP_FIXED: at the address %s", q == p + 4096 ? "yes" : "no");
	q[0] = 1;
	say("neighbours: %s, %s", touch(p), touch(p + 8192));
	munmap(q, 4096);

	p = mmap(NULL, 4096, PROT_NONE, anon, -1, 0);
	say("PROT_NONE: %s", touch(p));
	mprotect(p, 4096, PROT_READ);
	say("after mprotect(PROT_READ): %s", touch(p));
	munmap(p, 4096);
	say("after munmap: %s", touch(p));

	p = mmap(NULL, 100, rw, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	p[4095] = 1;
	say("MAP_SHARED of 100 bytes: the whole page usable, next page %s",
	    touch(p + 4096));
	munmap(p, 100);

	mmap_check("MAP_POPULATE", NULL, 65536, rw, anon | MAP_POPULATE, -1, 0);
	mmap_check("MAP_NORESERVE", NULL, 65536, rw, anon | MAP_NORESERVE, -1, 0);
	mmap_check("MAP_STACK", NULL, 65536, rw, anon | MAP_STACK, -1, 0);
	mmap_check("PROT_EXEC", NULL, 4096, rw | PROT_EXEC, anon, -1, 0);
	mmap_check("fd 7 ignored with MAP_ANONYMOUS", NULL, 4096, rw, anon, 7, 0);
	mmap_check("neither private nor shared", NULL, 4096, rw, MAP_ANONYMOUS, -1, 0);
	mmap_check("length 0", NULL, 0, rw, anon, -1, 0);
	mmap_check("offset 100", NULL, 4096, rw, anon, -1, 100);
	mmap_check("MAP_FIXED at an unaligned address", (void *)0x100001, 4096, rw,
	    anon | MAP_FIXED, -1, 0);
	mmap_check("file mapping of fd -1", NULL, 4096, rw, MAP_PRIVATE, -1, 0);
	mmap_check("file mapping of fd 99", NULL, 4096, rw, MAP_SHARED, 99, 0);
	mmap_check("length 1 << 62", NULL, 1UL << 62, rw, anon, -1, 0);
	check("munmap(an unmapped range)", munmap(p, 4096));
	check("munmap(length 0)", munmap(p, 0));
	check("munmap(unaligned)", munmap(p + 1, 4096));
	return 0;
}

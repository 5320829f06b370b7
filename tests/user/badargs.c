/*
 * badargs: thousands of system calls with garbage arguments (random
 * numbers, bad and odd pointers, wild fds and flags), from a fixed
 * seed. Only calls that cannot hurt the caller are made (readers,
 * getters, wakes, polls with no wait). Whatever each answers, the
 * process must survive them and the system go on: it prints one line.
 * (Results are not printed: which garbage address happens to be mapped
 * differs between any two kernels. qemu-aarch64 itself crashes on such
 * garbage, so this runs on lichen only: tests/qemu, linuxemu-badargs.)
 */
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linuxtest.h"

static uint64_t seed = 0x2545f4914f6cdd1dULL;

static uint64_t
rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return seed;
}

static char scratch[8192];

/* An argument: small numbers, huge ones, bad pointers, real pointers, offsets into them. */
static long
arg(void)
{
	switch (rnd() % 8) {
	case 0: return (long)(rnd() % 64);
	case 1: return -(long)(rnd() % 4096);
	case 2: return (long)rnd();
	case 3: return (long)(uintptr_t)BAD_PTR + (long)(rnd() % 4096);
	case 4: return (long)(0xffff000000000000ULL | rnd());	/* kernel half */
	case 5: return (long)(uintptr_t)(scratch + rnd() % sizeof(scratch));
	case 6: return (long)(uintptr_t)(scratch + sizeof(scratch) - rnd() % 16);	/* runs off the end */
	default: return (long)(rnd() & 0xffffffffUL);
	}
}

/* A file descriptor that is never a terminal to wait on (0-2 are left alone). */
static long
fdarg(void)
{
	long fd = rnd() % 4 == 0 ? arg() : 3 + (long)(rnd() % 300);

	return fd >= 0 && fd <= 2 ? fd + 3 : fd;
}

static const long zero_timeout[2] = { 0, 0 };

int
main(void)
{
	for (int i = 0; i < 20000; i++) {
		switch (rnd() % 26) {
		case 0: syscall(SYS_getcwd, arg(), arg()); break;
		case 1: syscall(SYS_fstat, fdarg(), arg()); break;
		case 2: syscall(SYS_newfstatat, -100, arg(), arg(), rnd() % 2 ? 0x100 : arg()); break;
		case 3: syscall(SYS_readlinkat, -100, arg(), arg(), arg()); break;
		case 4: syscall(SYS_faccessat, -100, arg(), rnd() % 8, 0); break;
		case 5: syscall(SYS_getdents64, fdarg(), arg(), arg()); break;
		case 6: syscall(SYS_read, fdarg(), arg(), rnd() % 64); break;
		case 7: syscall(SYS_lseek, fdarg(), arg(), arg()); break;
		case 8: syscall(SYS_readv, fdarg(), arg(), rnd() % 8); break;
		case 9: syscall(SYS_uname, arg()); break;
		case 10: syscall(SYS_sysinfo, arg()); break;
		case 11: syscall(SYS_getrusage, rnd() % 3 - 1, arg()); break;
		case 12: syscall(SYS_clock_gettime, rnd() % 12, arg()); break;
		case 13: syscall(SYS_clock_getres, arg(), arg()); break;
		case 14: syscall(SYS_prlimit64, 0, rnd() % 20, 0, arg()); break;
		case 15: syscall(SYS_sched_getaffinity, 0, arg(), arg()); break;
		case 16: syscall(SYS_rt_sigpending, arg(), rnd() % 2 ? 8 : arg()); break;
		case 17: syscall(SYS_sigaltstack, 0, arg()); break;
		case 18: syscall(SYS_get_robust_list, 0, arg(), arg()); break;
		case 19: syscall(SYS_getgroups, rnd() % 64, arg()); break;
		case 20: syscall(SYS_getresuid, arg(), arg(), arg()); break;
		case 21: syscall(SYS_futex, arg(), 1 | (rnd() % 2 ? 128 : 0), rnd() % 4, 0, 0, 0); break;
		case 22: syscall(SYS_ppoll, arg(), rnd() % 4, zero_timeout, 0, 8); break;
		case 23: syscall(SYS_getrandom, arg(), rnd() % 64, rnd() % 8); break;
		case 24: syscall(SYS_prctl, 16, arg(), 0, 0, 0); break;
		default: syscall(SYS_waitid, 1, arg(), arg(), 5, 0); break;	/* P_PID, WNOHANG|WEXITED */
		}
	}
	say("20000 calls with garbage arguments: survived");
	return 0;
}

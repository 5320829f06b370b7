/*
 * The Linux system calls linuxemu knows: the one listing (number from
 * asm-generic/unistd.h, name for tracing, the sys_ function that answers).
 * The dispatch table and strace's names are both derived from it.
 */
#ifndef LINUXEMU_SYSCALLS_H
#define LINUXEMU_SYSCALLS_H

#define LX_SYSCALLS(X) \
	X(17,  getcwd,          sys_getcwd) \
	X(25,  fcntl,           sys_fcntl) \
	X(29,  ioctl,           sys_ioctl) \
	X(64,  write,           sys_write) \
	X(66,  writev,          sys_writev) \
	X(78,  readlinkat,      sys_readlinkat) \
	X(79,  newfstatat,      sys_newfstatat) \
	X(80,  fstat,           sys_fstat) \
	X(93,  exit,            sys_exit_group)	/* one thread is the whole group today */ \
	X(94,  exit_group,      sys_exit_group) \
	X(96,  set_tid_address, sys_set_tid_address) \
	X(99,  set_robust_list, sys_set_robust_list) \
	X(101, nanosleep,       sys_nanosleep) \
	X(113, clock_gettime,   sys_clock_gettime) \
	X(114, clock_getres,    sys_clock_getres) \
	X(115, clock_nanosleep, sys_clock_nanosleep) \
	X(124, sched_yield,     sys_sched_yield) \
	X(160, uname,           sys_uname) \
	X(167, prctl,           sys_prctl) \
	X(169, gettimeofday,    sys_gettimeofday) \
	X(172, getpid,          sys_getpid) \
	X(174, getuid,          sys_ids) \
	X(175, geteuid,         sys_ids) \
	X(176, getgid,          sys_ids) \
	X(177, getegid,         sys_ids) \
	X(178, gettid,          sys_getpid)	/* one thread */ \
	X(214, brk,             sys_brk) \
	X(215, munmap,          sys_munmap) \
	X(222, mmap,            sys_mmap) \
	X(226, mprotect,        sys_mprotect) \
	X(261, prlimit64,       sys_prlimit64) \
	X(278, getrandom,       sys_getrandom)

/* The name of system call nr, or NULL if linuxemu does not know it. */
const char *lx_syscall_name(unsigned long nr);

#endif

/*
 * The Linux system calls linuxemu answers: the one listing (number from
 * asm-generic/unistd.h, name, the function that answers). The dispatch
 * table (sys.c) is derived from it; docs/linuxemu.md lists each call's
 * status and its differences from Linux.
 */
#ifndef LINUXEMU_SYSCALLS_H
#define LINUXEMU_SYSCALLS_H

#define LX_SYSCALLS(X) \
	X(17,  getcwd,          sys_getcwd) \
	X(23,  dup,             sys_dup) \
	X(24,  dup3,            sys_dup3) \
	X(25,  fcntl,           sys_fcntl) \
	X(29,  ioctl,           sys_ioctl) \
	X(48,  faccessat,       sys_faccessat2) \
	X(49,  chdir,           sys_chdir) \
	X(50,  fchdir,          sys_fchdir) \
	X(56,  openat,          sys_openat) \
	X(57,  close,           sys_close) \
	X(59,  pipe2,           sys_pipe2) \
	X(61,  getdents64,      sys_getdents64) \
	X(62,  lseek,           sys_lseek) \
	X(63,  read,            sys_read) \
	X(64,  write,           sys_write) \
	X(65,  readv,           sys_readv) \
	X(66,  writev,          sys_writev) \
	X(67,  pread64,         sys_pread64) \
	X(68,  pwrite64,        sys_pwrite64) \
	X(69,  preadv,          sys_preadv) \
	X(70,  pwritev,         sys_pwritev) \
	X(73,  ppoll,           sys_ppoll) \
	X(78,  readlinkat,      sys_readlinkat) \
	X(79,  newfstatat,      sys_newfstatat) \
	X(80,  fstat,           sys_fstat) \
	X(93,  exit,            sys_exit) \
	X(94,  exit_group,      sys_exit_group) \
	X(95,  waitid,          sys_waitid) \
	X(96,  set_tid_address, sys_set_tid_address) \
	X(98,  futex,           sys_futex) \
	X(99,  set_robust_list, sys_set_robust_list) \
	X(100, get_robust_list, sys_get_robust_list) \
	X(101, nanosleep,       sys_nanosleep) \
	X(102, getitimer,       sys_getitimer) \
	X(103, setitimer,       sys_setitimer) \
	X(107, timer_create,    sys_timer_create) \
	X(108, timer_gettime,   sys_timer_gettime) \
	X(109, timer_getoverrun, sys_timer_getoverrun) \
	X(110, timer_settime,   sys_timer_settime) \
	X(111, timer_delete,    sys_timer_delete) \
	X(112, clock_settime,   sys_clock_settime) \
	X(113, clock_gettime,   sys_clock_gettime) \
	X(114, clock_getres,    sys_clock_getres) \
	X(115, clock_nanosleep, sys_clock_nanosleep) \
	X(118, sched_setparam,  sys_sched_setparam) \
	X(119, sched_setscheduler, sys_sched_setscheduler) \
	X(120, sched_getscheduler, sys_sched_getscheduler) \
	X(121, sched_getparam,  sys_sched_getparam) \
	X(122, sched_setaffinity, sys_sched_setaffinity) \
	X(123, sched_getaffinity, sys_sched_getaffinity) \
	X(124, sched_yield,     sys_sched_yield) \
	X(125, sched_get_priority_max, sys_sched_get_priority_max) \
	X(126, sched_get_priority_min, sys_sched_get_priority_min) \
	X(129, kill,            sys_kill) \
	X(130, tkill,           sys_tkill) \
	X(131, tgkill,          sys_tgkill) \
	X(132, sigaltstack,     sys_sigaltstack) \
	X(133, rt_sigsuspend,   sys_rt_sigsuspend) \
	X(134, rt_sigaction,    sys_rt_sigaction) \
	X(135, rt_sigprocmask,  sys_rt_sigprocmask) \
	X(136, rt_sigpending,   sys_rt_sigpending) \
	X(137, rt_sigtimedwait, sys_rt_sigtimedwait) \
	X(138, rt_sigqueueinfo, sys_rt_sigqueueinfo) \
	X(139, rt_sigreturn,    sys_rt_sigreturn) \
	X(140, setpriority,     sys_setpriority) \
	X(141, getpriority,     sys_getpriority) \
	X(143, setregid,        sys_setregid) \
	X(144, setgid,          sys_setgid) \
	X(145, setreuid,        sys_setreuid) \
	X(146, setuid,          sys_setuid) \
	X(147, setresuid,       sys_setresuid) \
	X(148, getresuid,       sys_getresuid) \
	X(149, setresgid,       sys_setresgid) \
	X(150, getresgid,       sys_getresgid) \
	X(153, times,           sys_times) \
	X(154, setpgid,         sys_setpgid) \
	X(155, getpgid,         sys_getpgid) \
	X(156, getsid,          sys_getsid) \
	X(157, setsid,          sys_setsid) \
	X(158, getgroups,       sys_getgroups) \
	X(159, setgroups,       sys_setgroups) \
	X(160, uname,           sys_uname) \
	X(163, getrlimit,       sys_getrlimit) \
	X(164, setrlimit,       sys_setrlimit) \
	X(165, getrusage,       sys_getrusage) \
	X(166, umask,           sys_umask) \
	X(167, prctl,           sys_prctl) \
	X(169, gettimeofday,    sys_gettimeofday) \
	X(170, settimeofday,    sys_settimeofday) \
	X(172, getpid,          sys_getpid) \
	X(173, getppid,         sys_getppid) \
	X(174, getuid,          sys_getuid) \
	X(175, geteuid,         sys_geteuid) \
	X(176, getgid,          sys_getgid) \
	X(177, getegid,         sys_getegid) \
	X(178, gettid,          sys_gettid) \
	X(179, sysinfo,         sys_sysinfo) \
	X(214, brk,             sys_brk) \
	X(215, munmap,          sys_munmap) \
	X(216, mremap,          sys_mremap) \
	X(220, clone,           sys_clone) \
	X(221, execve,          sys_execve) \
	X(222, mmap,            sys_mmap) \
	X(226, mprotect,        sys_mprotect) \
	X(233, madvise,         sys_madvise) \
	X(240, rt_tgsigqueueinfo, sys_rt_tgsigqueueinfo) \
	X(260, wait4,           sys_wait4) \
	X(261, prlimit64,       sys_prlimit64) \
	X(278, getrandom,       sys_getrandom) \
	X(435, clone3,          sys_clone3) \
	X(436, close_range,     sys_close_range) \
	X(439, faccessat2,      sys_faccessat2)

#endif

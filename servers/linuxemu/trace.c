/*
 * The strace-like decoder behind lichen.strace=1 (trace.h): one table of
 * every system call aarch64 has (asm-generic numbers 0..294 and 424..469;
 * aarch64 uses none of 244..259 and none of the 32-bit time64 calls
 * 403..423), and lx_trace_format, which prints a call from its signature.
 * linuxemu's event loop (main.c) calls it for each answered call. Nothing
 * here blocks or keeps state; the traced program's memory is read only
 * through the peek callback, a page at a time, and whatever it cannot
 * read prints as the raw pointer, as strace does.
 *
 * A signature has one character per argument register:
 *
 *   d int            l long          u unsigned long     x hex
 *   p pointer (NULL or hex)          _ a register the call ignores
 *   s C string in memory, quoted and escaped as strace does, 32 characters
 *     and then "..."
 *   b bytes in memory, as many as the next argument (write)
 *   B bytes the call filled, as many as the result (read)
 *   v struct iovec array, as many as the next argument (writev)
 *   V one the call filled, the result's bytes in all (readv)
 *   Z a string the call filled (getcwd)     Y int[2] the call filled (pipe2)
 *   t struct timespec                       T one the call filled
 *   a argv: ["sh", "-c", "x"]
 *   e envp, counted: 0x7ffc0010 followed by the comment "3 vars"
 *   D dirfd (AT_FDCWD)      f AT_ flags     o open flags (O_RDONLY|O_CREAT)
 *   K open flags without the access mode (pipe2, dup3)
 *   m mode in octal; right after an 'o', printed only with O_CREAT or
 *     O_TMPFILE (and the call's arguments end there), as strace does
 *   P mmap prot     M mmap flags    c clone flags   S signal     k clock id
 *   F fcntl command (which also decides fcntl's third argument)
 *   C FD_ flags     q futex op (which also decides futex's arguments)
 *   w wait options  W lseek whence  h sigprocmask how
 *   R rlimit resource   A access mode (R_OK|W_OK)   I ioctl request
 *
 * and then, optionally, "=" and how the result prints: x hex (mmap, brk),
 * o octal (umask), ? not at all (exit). Otherwise a result is decimal, and
 * -4095..-1 is "-1 ENAME (message)".
 */
#include <stdarg.h>

#include <lichen/compiler.h>
#include <lichen/fmt.h>
#include <lichen/string.h>

#include "trace.h"

#define STR_MAX		32	/* string and buffer bytes shown (strace -s 32) */
#define ARRAY_MAX	32	/* argv and iovec elements shown */
#define ENV_MAX		65536	/* envp entries counted before giving up */
#define PEEK_PAGE	4096UL	/* peek never crosses one: a bad page fails alone */
#define ERRNO_MAX	4095	/* -4095..-1 are errors, as the kernel's IS_ERR_VALUE */

#define O_CREAT_	0100
#define O_TMPFILE_	020000000	/* __O_TMPFILE, O_TMPFILE without O_DIRECTORY */

const struct lx_trace_call lx_trace_calls[] = {
	{ 0,   "io_setup",                "up" },
	{ 1,   "io_destroy",              "x" },
	{ 2,   "io_submit",               "xlp" },
	{ 3,   "io_cancel",               "xpp" },
	{ 4,   "io_getevents",            "xllpt" },
	{ 5,   "setxattr",                "ssbud" },
	{ 6,   "lsetxattr",               "ssbud" },
	{ 7,   "fsetxattr",               "dsbud" },
	{ 8,   "getxattr",                "ssBu" },
	{ 9,   "lgetxattr",               "ssBu" },
	{ 10,  "fgetxattr",               "dsBu" },
	{ 11,  "listxattr",               "spu" },
	{ 12,  "llistxattr",              "spu" },
	{ 13,  "flistxattr",              "dpu" },
	{ 14,  "removexattr",             "ss" },
	{ 15,  "lremovexattr",            "ss" },
	{ 16,  "fremovexattr",            "ds" },
	{ 17,  "getcwd",                  "Zu" },
	{ 18,  "lookup_dcookie",          "upu" },
	{ 19,  "eventfd2",                "ux" },
	{ 20,  "epoll_create1",           "x" },
	{ 21,  "epoll_ctl",               "dddp" },
	{ 22,  "epoll_pwait",             "dpddpu" },
	{ 23,  "dup",                     "d" },
	{ 24,  "dup3",                    "ddK" },
	{ 25,  "fcntl",                   "dFx" },
	{ 26,  "inotify_init1",           "x" },
	{ 27,  "inotify_add_watch",       "dsx" },
	{ 28,  "inotify_rm_watch",        "dd" },
	{ 29,  "ioctl",                   "dIx" },
	{ 30,  "ioprio_set",              "ddd" },
	{ 31,  "ioprio_get",              "dd" },
	{ 32,  "flock",                   "dd" },
	{ 33,  "mknodat",                 "Dsmu" },
	{ 34,  "mkdirat",                 "Dsm" },
	{ 35,  "unlinkat",                "Dsf" },
	{ 36,  "symlinkat",               "sDs" },
	{ 37,  "linkat",                  "DsDsf" },
	{ 38,  "renameat",                "DsDs" },
	{ 39,  "umount2",                 "sx" },
	{ 40,  "mount",                   "sssxp" },
	{ 41,  "pivot_root",              "ss" },
	{ 42,  "nfsservctl",              "dpp" },
	{ 43,  "statfs",                  "sp" },
	{ 44,  "fstatfs",                 "dp" },
	{ 45,  "truncate",                "sl" },
	{ 46,  "ftruncate",               "dl" },
	{ 47,  "fallocate",               "ddll" },
	{ 48,  "faccessat",               "DsA" },
	{ 49,  "chdir",                   "s" },
	{ 50,  "fchdir",                  "d" },
	{ 51,  "chroot",                  "s" },
	{ 52,  "fchmod",                  "dm" },
	{ 53,  "fchmodat",                "Dsm" },
	{ 54,  "fchownat",                "Dsddf" },
	{ 55,  "fchown",                  "ddd" },
	{ 56,  "openat",                  "Dsom" },
	{ 57,  "close",                   "d" },
	{ 58,  "vhangup",                 "" },
	{ 59,  "pipe2",                   "YK" },
	{ 60,  "quotactl",                "xsdp" },
	{ 61,  "getdents64",              "dpu" },
	{ 62,  "lseek",                   "dlW" },
	{ 63,  "read",                    "dBu" },
	{ 64,  "write",                   "dbu" },
	{ 65,  "readv",                   "dVu" },
	{ 66,  "writev",                  "dvu" },
	{ 67,  "pread64",                 "dBul" },
	{ 68,  "pwrite64",                "dbul" },
	{ 69,  "preadv",                  "dVul" },
	{ 70,  "pwritev",                 "dvul" },
	{ 71,  "sendfile",                "ddpu" },
	{ 72,  "pselect6",                "dppptp" },
	{ 73,  "ppoll",                   "putpu" },
	{ 74,  "signalfd4",               "dpux" },
	{ 75,  "vmsplice",                "dpux" },
	{ 76,  "splice",                  "dpdpux" },
	{ 77,  "tee",                     "ddux" },
	{ 78,  "readlinkat",              "DsBu" },
	{ 79,  "newfstatat",              "Dspf" },
	{ 80,  "fstat",                   "dp" },
	{ 81,  "sync",                    "" },
	{ 82,  "fsync",                   "d" },
	{ 83,  "fdatasync",               "d" },
	{ 84,  "sync_file_range",         "dllx" },
	{ 85,  "timerfd_create",          "kx" },
	{ 86,  "timerfd_settime",         "dxpp" },
	{ 87,  "timerfd_gettime",         "dp" },
	{ 88,  "utimensat",               "Dspf" },
	{ 89,  "acct",                    "s" },
	{ 90,  "capget",                  "pp" },
	{ 91,  "capset",                  "pp" },
	{ 92,  "personality",             "x" },
	{ 93,  "exit",                    "d=?" },
	{ 94,  "exit_group",              "d=?" },
	{ 95,  "waitid",                  "ddpwp" },
	{ 96,  "set_tid_address",         "p" },
	{ 97,  "unshare",                 "c" },
	{ 98,  "futex",                   "pqdtpx" },
	{ 99,  "set_robust_list",         "pu" },
	{ 100, "get_robust_list",         "dpp" },
	{ 101, "nanosleep",               "tp" },
	{ 102, "getitimer",               "dp" },
	{ 103, "setitimer",               "dpp" },
	{ 104, "kexec_load",              "xupx" },
	{ 105, "init_module",             "pus" },
	{ 106, "delete_module",           "sx" },
	{ 107, "timer_create",            "kpp" },
	{ 108, "timer_gettime",           "dp" },
	{ 109, "timer_getoverrun",        "d" },
	{ 110, "timer_settime",           "dxpp" },
	{ 111, "timer_delete",            "d" },
	{ 112, "clock_settime",           "kt" },
	{ 113, "clock_gettime",           "kT" },
	{ 114, "clock_getres",            "kT" },
	{ 115, "clock_nanosleep",         "kxtp" },
	{ 116, "syslog",                  "dpd" },
	{ 117, "ptrace",                  "ddpp" },
	{ 118, "sched_setparam",          "dp" },
	{ 119, "sched_setscheduler",      "ddp" },
	{ 120, "sched_getscheduler",      "d" },
	{ 121, "sched_getparam",          "dp" },
	{ 122, "sched_setaffinity",       "dup" },
	{ 123, "sched_getaffinity",       "dup" },
	{ 124, "sched_yield",             "" },
	{ 125, "sched_get_priority_max",  "d" },
	{ 126, "sched_get_priority_min",  "d" },
	{ 127, "sched_rr_get_interval",   "dT" },
	{ 128, "restart_syscall",         "" },
	{ 129, "kill",                    "dS" },
	{ 130, "tkill",                   "dS" },
	{ 131, "tgkill",                  "ddS" },
	{ 132, "sigaltstack",             "pp" },
	{ 133, "rt_sigsuspend",           "pu" },
	{ 134, "rt_sigaction",            "Sppu" },
	{ 135, "rt_sigprocmask",          "hppu" },
	{ 136, "rt_sigpending",           "pu" },
	{ 137, "rt_sigtimedwait",         "pptu" },
	{ 138, "rt_sigqueueinfo",         "dSp" },
	{ 139, "rt_sigreturn",            "" },
	{ 140, "setpriority",             "ddd" },
	{ 141, "getpriority",             "dd" },
	{ 142, "reboot",                  "xxxp" },
	{ 143, "setregid",                "dd" },
	{ 144, "setgid",                  "d" },
	{ 145, "setreuid",                "dd" },
	{ 146, "setuid",                  "d" },
	{ 147, "setresuid",               "ddd" },
	{ 148, "getresuid",               "ppp" },
	{ 149, "setresgid",               "ddd" },
	{ 150, "getresgid",               "ppp" },
	{ 151, "setfsuid",                "d" },
	{ 152, "setfsgid",                "d" },
	{ 153, "times",                   "p" },
	{ 154, "setpgid",                 "dd" },
	{ 155, "getpgid",                 "d" },
	{ 156, "getsid",                  "d" },
	{ 157, "setsid",                  "" },
	{ 158, "getgroups",               "dp" },
	{ 159, "setgroups",               "dp" },
	{ 160, "uname",                   "p" },
	{ 161, "sethostname",             "bu" },
	{ 162, "setdomainname",           "bu" },
	{ 163, "getrlimit",               "Rp" },
	{ 164, "setrlimit",               "Rp" },
	{ 165, "getrusage",               "dp" },
	{ 166, "umask",                   "m=o" },
	{ 167, "prctl",                   "dxxxx" },
	{ 168, "getcpu",                  "ppp" },
	{ 169, "gettimeofday",            "pp" },
	{ 170, "settimeofday",            "pp" },
	{ 171, "adjtimex",                "p" },
	{ 172, "getpid",                  "" },
	{ 173, "getppid",                 "" },
	{ 174, "getuid",                  "" },
	{ 175, "geteuid",                 "" },
	{ 176, "getgid",                  "" },
	{ 177, "getegid",                 "" },
	{ 178, "gettid",                  "" },
	{ 179, "sysinfo",                 "p" },
	{ 180, "mq_open",                 "somp" },
	{ 181, "mq_unlink",               "s" },
	{ 182, "mq_timedsend",            "dbuut" },
	{ 183, "mq_timedreceive",         "dBupt" },
	{ 184, "mq_notify",               "dp" },
	{ 185, "mq_getsetattr",           "dpp" },
	{ 186, "msgget",                  "xx" },
	{ 187, "msgctl",                  "ddp" },
	{ 188, "msgrcv",                  "dpuld" },
	{ 189, "msgsnd",                  "dpud" },
	{ 190, "semget",                  "xdx" },
	{ 191, "semctl",                  "dddx" },
	{ 192, "semtimedop",              "dput" },
	{ 193, "semop",                   "dpu" },
	{ 194, "shmget",                  "xux" },
	{ 195, "shmctl",                  "ddp" },
	{ 196, "shmat",                   "dpx=x" },
	{ 197, "shmdt",                   "p" },
	{ 198, "socket",                  "ddd" },
	{ 199, "socketpair",              "dddp" },
	{ 200, "bind",                    "dpu" },
	{ 201, "listen",                  "dd" },
	{ 202, "accept",                  "dpp" },
	{ 203, "connect",                 "dpu" },
	{ 204, "getsockname",             "dpp" },
	{ 205, "getpeername",             "dpp" },
	{ 206, "sendto",                  "dbuxpu" },
	{ 207, "recvfrom",                "dBuxpp" },
	{ 208, "setsockopt",              "dddpu" },
	{ 209, "getsockopt",              "dddpp" },
	{ 210, "shutdown",                "dd" },
	{ 211, "sendmsg",                 "dpx" },
	{ 212, "recvmsg",                 "dpx" },
	{ 213, "readahead",               "dlu" },
	{ 214, "brk",                     "p=x" },
	{ 215, "munmap",                  "pu" },
	{ 216, "mremap",                  "puuxp=x" },
	{ 217, "add_key",                 "ssbud" },
	{ 218, "request_key",             "sssd" },
	{ 219, "keyctl",                  "dxxxx" },
	{ 220, "clone",                   "cpppp" },	/* CLONE_BACKWARDS: tls before child_tid */
	{ 221, "execve",                  "sae" },
	{ 222, "mmap",                    "puPMdx=x" },
	{ 223, "fadvise64",               "dlld" },
	{ 224, "swapon",                  "sx" },
	{ 225, "swapoff",                 "s" },
	{ 226, "mprotect",                "puP" },
	{ 227, "msync",                   "pux" },
	{ 228, "mlock",                   "pu" },
	{ 229, "munlock",                 "pu" },
	{ 230, "mlockall",                "x" },
	{ 231, "munlockall",              "" },
	{ 232, "mincore",                 "pup" },
	{ 233, "madvise",                 "pud" },
	{ 234, "remap_file_pages",        "puuux" },
	{ 235, "mbind",                   "pudpux" },
	{ 236, "get_mempolicy",           "ppupx" },
	{ 237, "set_mempolicy",           "dpu" },
	{ 238, "migrate_pages",           "dupp" },
	{ 239, "move_pages",              "dupppx" },
	{ 240, "rt_tgsigqueueinfo",       "ddSp" },
	{ 241, "perf_event_open",         "pdddx" },
	{ 242, "accept4",                 "dppK" },
	{ 243, "recvmmsg",                "dpuxt" },
	{ 260, "wait4",                   "dpwp" },
	{ 261, "prlimit64",               "dRpp" },
	{ 262, "fanotify_init",           "xx" },
	{ 263, "fanotify_mark",           "dxxDs" },
	{ 264, "name_to_handle_at",       "Dsppf" },
	{ 265, "open_by_handle_at",       "dpo" },
	{ 266, "clock_adjtime",           "kp" },
	{ 267, "syncfs",                  "d" },
	{ 268, "setns",                   "dc" },
	{ 269, "sendmmsg",                "dpux" },
	{ 270, "process_vm_readv",        "dpupux" },
	{ 271, "process_vm_writev",       "dpupux" },
	{ 272, "kcmp",                    "dddxx" },
	{ 273, "finit_module",            "dsx" },
	{ 274, "sched_setattr",           "dpx" },
	{ 275, "sched_getattr",           "dpux" },
	{ 276, "renameat2",               "DsDsx" },
	{ 277, "seccomp",                 "dxp" },
	{ 278, "getrandom",               "Bux" },
	{ 279, "memfd_create",            "sx" },
	{ 280, "bpf",                     "dpu" },
	{ 281, "execveat",                "Dsaef" },
	{ 282, "userfaultfd",             "x" },
	{ 283, "membarrier",              "dxd" },
	{ 284, "mlock2",                  "pux" },
	{ 285, "copy_file_range",         "dpdpux" },
	{ 286, "preadv2",                 "dVul_x" },
	{ 287, "pwritev2",                "dvul_x" },
	{ 288, "pkey_mprotect",           "puPd" },
	{ 289, "pkey_alloc",              "xx" },
	{ 290, "pkey_free",               "d" },
	{ 291, "statx",                   "Dsfxp" },
	{ 292, "io_pgetevents",           "xllptp" },
	{ 293, "rseq",                    "puxx" },
	{ 294, "kexec_file_load",         "ddusx" },
	{ 424, "pidfd_send_signal",       "dSpx" },
	{ 425, "io_uring_setup",          "up" },
	{ 426, "io_uring_enter",          "duuxpu" },
	{ 427, "io_uring_register",       "dupu" },
	{ 428, "open_tree",               "Dsx" },
	{ 429, "move_mount",              "DsDsx" },
	{ 430, "fsopen",                  "sx" },
	{ 431, "fsconfig",                "ddspd" },
	{ 432, "fsmount",                 "dxx" },
	{ 433, "fspick",                  "Dsx" },
	{ 434, "pidfd_open",              "dx" },
	{ 435, "clone3",                  "pu" },
	{ 436, "close_range",             "dux" },
	{ 437, "openat2",                 "Dspu" },
	{ 438, "pidfd_getfd",             "ddx" },
	{ 439, "faccessat2",              "DsAf" },
	{ 440, "process_madvise",         "dpudx" },
	{ 441, "epoll_pwait2",            "dpdtpu" },
	{ 442, "mount_setattr",           "Dsfpu" },
	{ 443, "quotactl_fd",             "dxdp" },
	{ 444, "landlock_create_ruleset", "pux" },
	{ 445, "landlock_add_rule",       "ddpx" },
	{ 446, "landlock_restrict_self",  "dx" },
	{ 447, "memfd_secret",            "x" },
	{ 448, "process_mrelease",        "dx" },
	{ 449, "futex_waitv",             "puxtk" },
	{ 450, "set_mempolicy_home_node", "puux" },
	{ 451, "cachestat",               "dppx" },
	{ 452, "fchmodat2",               "Dsmf" },
	{ 453, "map_shadow_stack",        "pux=x" },
	{ 454, "futex_wake",              "pxdx" },
	{ 455, "futex_wait",              "pxxxtk" },
	{ 456, "futex_requeue",           "pxdd" },
	{ 457, "statmount",               "ppux" },
	{ 458, "listmount",               "ppux" },
	{ 459, "lsm_get_self_attr",       "dppx" },
	{ 460, "lsm_set_self_attr",       "dpux" },
	{ 461, "lsm_list_modules",        "ppx" },
	{ 462, "mseal",                   "pux" },
	{ 463, "setxattrat",              "Dsfspu" },
	{ 464, "getxattrat",              "Dsfspu" },
	{ 465, "listxattrat",             "Dsfpu" },
	{ 466, "removexattrat",           "Dsfs" },
	{ 467, "open_tree_attr",          "Dsxpu" },
	{ 468, "file_getattr",            "Dspuf" },
	{ 469, "file_setattr",            "Dspuf" },
};

const size_t lx_trace_ncalls = ARRAY_SIZE(lx_trace_calls);

/* Linux's errno names and glibc's messages for them (what strace prints). */
static const char *const errnos[][2] = {
	[1] = { "EPERM", "Operation not permitted" },
	[2] = { "ENOENT", "No such file or directory" },
	[3] = { "ESRCH", "No such process" },
	[4] = { "EINTR", "Interrupted system call" },
	[5] = { "EIO", "Input/output error" },
	[6] = { "ENXIO", "No such device or address" },
	[7] = { "E2BIG", "Argument list too long" },
	[8] = { "ENOEXEC", "Exec format error" },
	[9] = { "EBADF", "Bad file descriptor" },
	[10] = { "ECHILD", "No child processes" },
	[11] = { "EAGAIN", "Resource temporarily unavailable" },
	[12] = { "ENOMEM", "Cannot allocate memory" },
	[13] = { "EACCES", "Permission denied" },
	[14] = { "EFAULT", "Bad address" },
	[15] = { "ENOTBLK", "Block device required" },
	[16] = { "EBUSY", "Device or resource busy" },
	[17] = { "EEXIST", "File exists" },
	[18] = { "EXDEV", "Invalid cross-device link" },
	[19] = { "ENODEV", "No such device" },
	[20] = { "ENOTDIR", "Not a directory" },
	[21] = { "EISDIR", "Is a directory" },
	[22] = { "EINVAL", "Invalid argument" },
	[23] = { "ENFILE", "Too many open files in system" },
	[24] = { "EMFILE", "Too many open files" },
	[25] = { "ENOTTY", "Inappropriate ioctl for device" },
	[26] = { "ETXTBSY", "Text file busy" },
	[27] = { "EFBIG", "File too large" },
	[28] = { "ENOSPC", "No space left on device" },
	[29] = { "ESPIPE", "Illegal seek" },
	[30] = { "EROFS", "Read-only file system" },
	[31] = { "EMLINK", "Too many links" },
	[32] = { "EPIPE", "Broken pipe" },
	[33] = { "EDOM", "Numerical argument out of domain" },
	[34] = { "ERANGE", "Numerical result out of range" },
	[35] = { "EDEADLK", "Resource deadlock avoided" },
	[36] = { "ENAMETOOLONG", "File name too long" },
	[37] = { "ENOLCK", "No locks available" },
	[38] = { "ENOSYS", "Function not implemented" },
	[39] = { "ENOTEMPTY", "Directory not empty" },
	[40] = { "ELOOP", "Too many levels of symbolic links" },
	/* 41 is unused (EWOULDBLOCK is EAGAIN) */
	[42] = { "ENOMSG", "No message of desired type" },
	[43] = { "EIDRM", "Identifier removed" },
	[44] = { "ECHRNG", "Channel number out of range" },
	[45] = { "EL2NSYNC", "Level 2 not synchronized" },
	[46] = { "EL3HLT", "Level 3 halted" },
	[47] = { "EL3RST", "Level 3 reset" },
	[48] = { "ELNRNG", "Link number out of range" },
	[49] = { "EUNATCH", "Protocol driver not attached" },
	[50] = { "ENOCSI", "No CSI structure available" },
	[51] = { "EL2HLT", "Level 2 halted" },
	[52] = { "EBADE", "Invalid exchange" },
	[53] = { "EBADR", "Invalid request descriptor" },
	[54] = { "EXFULL", "Exchange full" },
	[55] = { "ENOANO", "No anode" },
	[56] = { "EBADRQC", "Invalid request code" },
	[57] = { "EBADSLT", "Invalid slot" },
	/* 58 is unused (EDEADLOCK is EDEADLK) */
	[59] = { "EBFONT", "Bad font file format" },
	[60] = { "ENOSTR", "Device not a stream" },
	[61] = { "ENODATA", "No data available" },
	[62] = { "ETIME", "Timer expired" },
	[63] = { "ENOSR", "Out of streams resources" },
	[64] = { "ENONET", "Machine is not on the network" },
	[65] = { "ENOPKG", "Package not installed" },
	[66] = { "EREMOTE", "Object is remote" },
	[67] = { "ENOLINK", "Link has been severed" },
	[68] = { "EADV", "Advertise error" },
	[69] = { "ESRMNT", "Srmount error" },
	[70] = { "ECOMM", "Communication error on send" },
	[71] = { "EPROTO", "Protocol error" },
	[72] = { "EMULTIHOP", "Multihop attempted" },
	[73] = { "EDOTDOT", "RFS specific error" },
	[74] = { "EBADMSG", "Bad message" },
	[75] = { "EOVERFLOW", "Value too large for defined data type" },
	[76] = { "ENOTUNIQ", "Name not unique on network" },
	[77] = { "EBADFD", "File descriptor in bad state" },
	[78] = { "EREMCHG", "Remote address changed" },
	[79] = { "ELIBACC", "Can not access a needed shared library" },
	[80] = { "ELIBBAD", "Accessing a corrupted shared library" },
	[81] = { "ELIBSCN", ".lib section in a.out corrupted" },
	[82] = { "ELIBMAX", "Attempting to link in too many shared libraries" },
	[83] = { "ELIBEXEC", "Cannot exec a shared library directly" },
	[84] = { "EILSEQ", "Invalid or incomplete multibyte or wide character" },
	[85] = { "ERESTART", "Interrupted system call should be restarted" },
	[86] = { "ESTRPIPE", "Streams pipe error" },
	[87] = { "EUSERS", "Too many users" },
	[88] = { "ENOTSOCK", "Socket operation on non-socket" },
	[89] = { "EDESTADDRREQ", "Destination address required" },
	[90] = { "EMSGSIZE", "Message too long" },
	[91] = { "EPROTOTYPE", "Protocol wrong type for socket" },
	[92] = { "ENOPROTOOPT", "Protocol not available" },
	[93] = { "EPROTONOSUPPORT", "Protocol not supported" },
	[94] = { "ESOCKTNOSUPPORT", "Socket type not supported" },
	[95] = { "EOPNOTSUPP", "Operation not supported" },
	[96] = { "EPFNOSUPPORT", "Protocol family not supported" },
	[97] = { "EAFNOSUPPORT", "Address family not supported by protocol" },
	[98] = { "EADDRINUSE", "Address already in use" },
	[99] = { "EADDRNOTAVAIL", "Cannot assign requested address" },
	[100] = { "ENETDOWN", "Network is down" },
	[101] = { "ENETUNREACH", "Network is unreachable" },
	[102] = { "ENETRESET", "Network dropped connection on reset" },
	[103] = { "ECONNABORTED", "Software caused connection abort" },
	[104] = { "ECONNRESET", "Connection reset by peer" },
	[105] = { "ENOBUFS", "No buffer space available" },
	[106] = { "EISCONN", "Transport endpoint is already connected" },
	[107] = { "ENOTCONN", "Transport endpoint is not connected" },
	[108] = { "ESHUTDOWN", "Cannot send after transport endpoint shutdown" },
	[109] = { "ETOOMANYREFS", "Too many references: cannot splice" },
	[110] = { "ETIMEDOUT", "Connection timed out" },
	[111] = { "ECONNREFUSED", "Connection refused" },
	[112] = { "EHOSTDOWN", "Host is down" },
	[113] = { "EHOSTUNREACH", "No route to host" },
	[114] = { "EALREADY", "Operation already in progress" },
	[115] = { "EINPROGRESS", "Operation now in progress" },
	[116] = { "ESTALE", "Stale file handle" },
	[117] = { "EUCLEAN", "Structure needs cleaning" },
	[118] = { "ENOTNAM", "Not a XENIX named type file" },
	[119] = { "ENAVAIL", "No XENIX semaphores available" },
	[120] = { "EISNAM", "Is a named type file" },
	[121] = { "EREMOTEIO", "Remote I/O error" },
	[122] = { "EDQUOT", "Disk quota exceeded" },
	[123] = { "ENOMEDIUM", "No medium found" },
	[124] = { "EMEDIUMTYPE", "Wrong medium type" },
	[125] = { "ECANCELED", "Operation canceled" },
	[126] = { "ENOKEY", "Required key not available" },
	[127] = { "EKEYEXPIRED", "Key has expired" },
	[128] = { "EKEYREVOKED", "Key has been revoked" },
	[129] = { "EKEYREJECTED", "Key was rejected by service" },
	[130] = { "EOWNERDEAD", "Owner died" },
	[131] = { "ENOTRECOVERABLE", "State not recoverable" },
	[132] = { "ERFKILL", "Operation not possible due to RF-kill" },
	[133] = { "EHWPOISON", "Memory page has hardware error" },
};

static const char *const signals[] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL",
	[5] = "SIGTRAP", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE",
	[9] = "SIGKILL", [10] = "SIGUSR1", [11] = "SIGSEGV", [12] = "SIGUSR2",
	[13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM", [16] = "SIGSTKFLT",
	[17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU",
	[25] = "SIGXFSZ", [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH",
	[29] = "SIGIO", [30] = "SIGPWR", [31] = "SIGSYS", [32] = "SIGRTMIN",
};

#define SIG_MAX	64

/* A value or a flag bit (or several: O_SYNC) and its name. */
struct name {
	uint64_t v;
	const char *s;
};

/* Open flags after the access mode, in strace's order (aarch64 values). */
static const struct name open_flags[] = {
	{ 0100, "O_CREAT" }, { 0200, "O_EXCL" }, { 0400, "O_NOCTTY" },
	{ 01000, "O_TRUNC" }, { 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" },
	{ 04010000, "O_SYNC" }, { 010000, "O_DSYNC" }, { 020000, "O_ASYNC" },
	{ 0200000, "O_DIRECT" }, { 0400000, "O_LARGEFILE" },
	{ 0100000, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" },
	{ 020040000, "O_TMPFILE" }, { 040000, "O_DIRECTORY" },
};

static const struct name access_modes[] = {
	{ 0, "O_RDONLY" }, { 1, "O_WRONLY" }, { 2, "O_RDWR" }, { 3, "O_ACCMODE" },
};

static const struct name at_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" },
	{ 0x400, "AT_SYMLINK_FOLLOW" }, { 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" }, { 0x2000, "AT_STATX_FORCE_SYNC" },
	{ 0x4000, "AT_STATX_DONT_SYNC" }, { 0x8000, "AT_RECURSIVE" },
};

static const struct name prot_flags[] = {
	{ 0x1, "PROT_READ" }, { 0x2, "PROT_WRITE" }, { 0x4, "PROT_EXEC" },
	{ 0x8, "PROT_SEM" }, { 0x10, "PROT_BTI" }, { 0x20, "PROT_MTE" },
	{ 0x1000000, "PROT_GROWSDOWN" }, { 0x2000000, "PROT_GROWSUP" },
};

#define MAP_TYPE_	0xf

static const struct name map_types[] = {
	{ 1, "MAP_SHARED" }, { 2, "MAP_PRIVATE" }, { 3, "MAP_SHARED_VALIDATE" },
};

static const struct name map_flags[] = {
	{ 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" },
	{ 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" },
	{ 0x1000, "MAP_EXECUTABLE" }, { 0x2000, "MAP_LOCKED" },
	{ 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" }, { 0x20000, "MAP_STACK" },
	{ 0x40000, "MAP_HUGETLB" }, { 0x80000, "MAP_SYNC" },
	{ 0x100000, "MAP_FIXED_NOREPLACE" }, { 0x4000000, "MAP_UNINITIALIZED" },
};

#define CSIGNAL_	0xff	/* clone's low byte: the signal sent at exit */

static const struct name clone_flags[] = {
	{ 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" }, { 0x400, "CLONE_FILES" },
	{ 0x800, "CLONE_SIGHAND" }, { 0x1000, "CLONE_PIDFD" },
	{ 0x2000, "CLONE_PTRACE" }, { 0x4000, "CLONE_VFORK" },
	{ 0x8000, "CLONE_PARENT" }, { 0x10000, "CLONE_THREAD" },
	{ 0x20000, "CLONE_NEWNS" }, { 0x40000, "CLONE_SYSVSEM" },
	{ 0x80000, "CLONE_SETTLS" }, { 0x100000, "CLONE_PARENT_SETTID" },
	{ 0x200000, "CLONE_CHILD_CLEARTID" }, { 0x400000, "CLONE_DETACHED" },
	{ 0x800000, "CLONE_UNTRACED" }, { 0x1000000, "CLONE_CHILD_SETTID" },
	{ 0x2000000, "CLONE_NEWCGROUP" }, { 0x4000000, "CLONE_NEWUTS" },
	{ 0x8000000, "CLONE_NEWIPC" }, { 0x10000000, "CLONE_NEWUSER" },
	{ 0x20000000, "CLONE_NEWPID" }, { 0x40000000, "CLONE_NEWNET" },
	{ 0x80000000, "CLONE_IO" }, { 0x100000000, "CLONE_CLEAR_SIGHAND" },
	{ 0x200000000, "CLONE_INTO_CGROUP" },
};

static const struct name fd_flags[] = {
	{ 1, "FD_CLOEXEC" },
};

static const struct name wait_flags[] = {
	{ 0x1, "WNOHANG" }, { 0x2, "WUNTRACED" }, { 0x4, "WEXITED" },
	{ 0x8, "WCONTINUED" }, { 0x1000000, "WNOWAIT" },
	{ 0x20000000, "__WNOTHREAD" }, { 0x40000000, "__WALL" },
	{ 0x80000000, "__WCLONE" },
};

static const struct name access_flags[] = {
	{ 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" },
};

/* A command and the arguments the call has with it (the rest are unused). */
struct cmd {
	uint64_t v;
	const char *s;
	const char *sig;
};

static const struct cmd fcntl_cmds[] = {
	{ 0, "F_DUPFD", "dFd" }, { 1, "F_GETFD", "dF" },
	{ 2, "F_SETFD", "dFC" }, { 3, "F_GETFL", "dF" },
	{ 4, "F_SETFL", "dFo" }, { 5, "F_GETLK", "dFp" },
	{ 6, "F_SETLK", "dFp" }, { 7, "F_SETLKW", "dFp" },
	{ 8, "F_SETOWN", "dFd" }, { 9, "F_GETOWN", "dF" },
	{ 10, "F_SETSIG", "dFS" }, { 11, "F_GETSIG", "dF" },
	{ 15, "F_SETOWN_EX", "dFp" }, { 16, "F_GETOWN_EX", "dFp" },
	{ 17, "F_GETOWNER_UIDS", "dFp" }, { 36, "F_OFD_GETLK", "dFp" },
	{ 37, "F_OFD_SETLK", "dFp" }, { 38, "F_OFD_SETLKW", "dFp" },
	{ 1024, "F_SETLEASE", "dFd" }, { 1025, "F_GETLEASE", "dF" },
	{ 1026, "F_NOTIFY", "dFx" }, { 1030, "F_DUPFD_CLOEXEC", "dFd" },
	{ 1031, "F_SETPIPE_SZ", "dFd" }, { 1032, "F_GETPIPE_SZ", "dF" },
	{ 1033, "F_ADD_SEALS", "dFx" }, { 1034, "F_GET_SEALS", "dF" },
	{ 1035, "F_GET_RW_HINT", "dFp" }, { 1036, "F_SET_RW_HINT", "dFp" },
	{ 1037, "F_GET_FILE_RW_HINT", "dFp" }, { 1038, "F_SET_FILE_RW_HINT", "dFp" },
};

static const struct name clocks[] = {
	{ 0, "CLOCK_REALTIME" }, { 1, "CLOCK_MONOTONIC" },
	{ 2, "CLOCK_PROCESS_CPUTIME_ID" }, { 3, "CLOCK_THREAD_CPUTIME_ID" },
	{ 4, "CLOCK_MONOTONIC_RAW" }, { 5, "CLOCK_REALTIME_COARSE" },
	{ 6, "CLOCK_MONOTONIC_COARSE" }, { 7, "CLOCK_BOOTTIME" },
	{ 8, "CLOCK_REALTIME_ALARM" }, { 9, "CLOCK_BOOTTIME_ALARM" },
	{ 11, "CLOCK_TAI" },
};

static const struct name whences[] = {
	{ 0, "SEEK_SET" }, { 1, "SEEK_CUR" }, { 2, "SEEK_END" },
	{ 3, "SEEK_DATA" }, { 4, "SEEK_HOLE" },
};

static const struct name sigmask_hows[] = {
	{ 0, "SIG_BLOCK" }, { 1, "SIG_UNBLOCK" }, { 2, "SIG_SETMASK" },
};

static const struct name rlimits[] = {
	{ 0, "RLIMIT_CPU" }, { 1, "RLIMIT_FSIZE" }, { 2, "RLIMIT_DATA" },
	{ 3, "RLIMIT_STACK" }, { 4, "RLIMIT_CORE" }, { 5, "RLIMIT_RSS" },
	{ 6, "RLIMIT_NPROC" }, { 7, "RLIMIT_NOFILE" }, { 8, "RLIMIT_MEMLOCK" },
	{ 9, "RLIMIT_AS" }, { 10, "RLIMIT_LOCKS" }, { 11, "RLIMIT_SIGPENDING" },
	{ 12, "RLIMIT_MSGQUEUE" }, { 13, "RLIMIT_NICE" }, { 14, "RLIMIT_RTPRIO" },
	{ 15, "RLIMIT_RTTIME" },
};

/* The tty and file ioctls a shell or a C library issues. */
static const struct name ioctls[] = {
	{ 0x5401, "TCGETS" }, { 0x5402, "TCSETS" }, { 0x5403, "TCSETSW" },
	{ 0x5404, "TCSETSF" }, { 0x540b, "TCFLSH" }, { 0x540e, "TIOCSCTTY" },
	{ 0x540f, "TIOCGPGRP" }, { 0x5410, "TIOCSPGRP" },
	{ 0x5413, "TIOCGWINSZ" }, { 0x5414, "TIOCSWINSZ" },
	{ 0x541b, "FIONREAD" }, { 0x5421, "FIONBIO" }, { 0x5422, "TIOCNOTTY" },
	{ 0x5429, "TIOCGSID" }, { 0x5450, "FIONCLEX" }, { 0x5451, "FIOCLEX" },
	{ 0x5452, "FIOASYNC" },
};

#define FUTEX_PRIVATE_		128
#define FUTEX_CLOCK_REALTIME_	256
#define FUTEX_CMD(op)	((op) & ~(uint64_t)(FUTEX_PRIVATE_ | FUTEX_CLOCK_REALTIME_))

static const struct cmd futex_cmds[] = {
	{ 0, "FUTEX_WAIT", "pqdt" },
	{ 1, "FUTEX_WAKE", "pqd" },
	{ 2, "FUTEX_FD", "pqd" },
	{ 3, "FUTEX_REQUEUE", "pqdup" },
	{ 4, "FUTEX_CMP_REQUEUE", "pqdupd" },
	{ 5, "FUTEX_WAKE_OP", "pqdupx" },
	{ 6, "FUTEX_LOCK_PI", "pq_t" },
	{ 7, "FUTEX_UNLOCK_PI", "pq" },
	{ 8, "FUTEX_TRYLOCK_PI", "pq" },
	{ 9, "FUTEX_WAIT_BITSET", "pqdt_x" },
	{ 10, "FUTEX_WAKE_BITSET", "pqd__x" },
	{ 11, "FUTEX_WAIT_REQUEUE_PI", "pqdtp" },
	{ 12, "FUTEX_CMP_REQUEUE_PI", "pqdupd" },
	{ 13, "FUTEX_LOCK_PI2", "pq_t" },
};

/* Where the output goes: buf[len] is always the NUL, len < cap. */
struct out {
	char *buf;
	size_t cap, len;
	lx_peek_fn peek;
	void *ctx;
};

static void
put(struct out *o, const char *s, size_t n)
{
	size_t room = o->cap - 1 - o->len;

	if (n > room)
		n = room;
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static __printf(2, 3) void
putf(struct out *o, const char *fmt, ...)
{
	size_t room = o->cap - o->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(o->buf + o->len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < room ? (size_t)n : room - 1;
}

/*
 * Reads up to len bytes at uva, never asking for more than one page at a
 * time; returns how many bytes it read before the first failure.
 */
static size_t
peek_some(struct out *o, uint64_t uva, void *buf, size_t len)
{
	size_t done = 0;

	if (o->peek == NULL)
		return 0;
	while (done < len) {
		uint64_t at = uva + done;
		size_t n = PEEK_PAGE - (at & (PEEK_PAGE - 1));

		if (at < uva)
			break;		/* the range wraps */
		if (n > len - done)
			n = len - done;
		if (o->peek(o->ctx, at, (char *)buf + done, n) != 0)
			break;
		done += n;
	}
	return done;
}

static void
put_ptr(struct out *o, uint64_t v)
{
	if (v == 0)
		puts_(o, "NULL");
	else
		putf(o, "%#lx", v);
}

static const char *
escape(uint8_t c)
{
	switch (c) {
	case '"':	return "\\\"";
	case '\\':	return "\\\\";
	case '\t':	return "\\t";
	case '\n':	return "\\n";
	case '\v':	return "\\v";
	case '\f':	return "\\f";
	case '\r':	return "\\r";
	default:	return NULL;
	}
}

/*
 * s[0..n) quoted as strace quotes it: C escapes, other unprintable bytes
 * in the shortest octal unless a digit follows; "..." after when more.
 */
static void
put_quoted(struct out *o, const uint8_t *s, size_t n, int more)
{
	put(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		const char *e = escape(s[i]);
		char c = (char)s[i];

		if (e != NULL)
			puts_(o, e);
		else if (s[i] >= ' ' && s[i] < 0x7f)
			put(o, &c, 1);
		else if (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7')
			putf(o, "\\%03o", s[i]);
		else
			putf(o, "\\%o", s[i]);
	}
	put(o, "\"", 1);
	if (more)
		put(o, "...", 3);
}

static void
put_string(struct out *o, uint64_t uva)
{
	uint8_t s[STR_MAX + 1] = { 0 };	/* for gcc: only what peek_some filled is read */
	size_t n;
	const uint8_t *nul;

	if (uva == 0) {
		puts_(o, "NULL");
		return;
	}
	n = peek_some(o, uva, s, sizeof(s));
	nul = memchr(s, '\0', n);
	if (nul != NULL)
		put_quoted(o, s, (size_t)(nul - s), 0);
	else if (n == sizeof(s))
		put_quoted(o, s, STR_MAX, 1);
	else
		put_ptr(o, uva);	/* it runs into memory we cannot read */
}

static void
put_bytes(struct out *o, uint64_t uva, uint64_t len)
{
	uint8_t s[STR_MAX];
	size_t n = len < STR_MAX ? len : STR_MAX;

	if (uva == 0 || peek_some(o, uva, s, n) != n)
		put_ptr(o, uva);
	else
		put_quoted(o, s, n, len > STR_MAX);
}

/* An iovec array of count; filled: only the first limit bytes in all. */
static void
put_iovec(struct out *o, uint64_t uva, uint64_t count, int filled, uint64_t limit)
{
	uint64_t iov[2 * ARRAY_MAX];
	size_t n = count < ARRAY_MAX ? count : ARRAY_MAX;

	if (uva == 0 || peek_some(o, uva, iov, n * 16) != n * 16) {
		put_ptr(o, uva);
		return;
	}
	put(o, "[", 1);
	for (size_t i = 0; i < n; i++) {
		uint64_t len = iov[2 * i + 1];
		uint64_t shown = filled && len > limit ? limit : len;

		if (i > 0)
			put(o, ", ", 2);
		puts_(o, "{iov_base=");
		put_bytes(o, iov[2 * i], shown);
		putf(o, ", iov_len=%lu}", len);
		limit -= filled ? shown : 0;
	}
	if (count > n)
		put(o, ", ...", 5);
	put(o, "]", 1);
}

static void
put_argv(struct out *o, uint64_t uva)
{
	uint64_t p[ARRAY_MAX + 1];
	size_t n, i;

	if (uva == 0) {
		puts_(o, "NULL");
		return;
	}
	n = peek_some(o, uva, p, sizeof(p)) / sizeof(p[0]);
	for (i = 0; i < n && p[i] != 0; i++)
		;
	if (i == n && n < ARRAY_MAX + 1) {
		put_ptr(o, uva);	/* no NULL before memory we cannot read */
		return;
	}
	put(o, "[", 1);
	for (size_t j = 0; j < i && j < ARRAY_MAX; j++) {
		if (j > 0)
			put(o, ", ", 2);
		put_string(o, p[j]);
	}
	if (i > ARRAY_MAX)
		put(o, ", ...", 5);
	put(o, "]", 1);
}

static void
put_envp(struct out *o, uint64_t uva)
{
	uint64_t p[64];
	size_t count = 0;

	if (uva == 0) {
		puts_(o, "NULL");
		return;
	}
	for (;;) {
		size_t n = peek_some(o, uva + 8 * count, p, sizeof(p)) / 8, i;

		for (i = 0; i < n && p[i] != 0; i++)
			;
		count += i;
		if (i < n)
			break;
		if (n < ARRAY_SIZE(p) || count >= ENV_MAX) {
			put_ptr(o, uva);
			return;
		}
	}
	putf(o, "%#lx /* %zu vars */", uva, count);
}

static void
put_timespec(struct out *o, uint64_t uva)
{
	int64_t ts[2];

	if (uva == 0 || peek_some(o, uva, ts, sizeof(ts)) != sizeof(ts))
		put_ptr(o, uva);
	else
		putf(o, "{tv_sec=%ld, tv_nsec=%ld}", (long)ts[0], (long)ts[1]);
}

static void
put_fd_pair(struct out *o, uint64_t uva)
{
	int32_t fd[2];

	if (uva == 0 || peek_some(o, uva, fd, sizeof(fd)) != sizeof(fd))
		put_ptr(o, uva);
	else
		putf(o, "[%d, %d]", fd[0], fd[1]);
}

static const char *
lookup(const struct name *t, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].s;
	return NULL;
}

/* The name of v in t, or v in fmt (decimal or hex, as strace would). */
static void
put_value(struct out *o, const struct name *t, size_t n, uint64_t v, int hex)
{
	const char *s = lookup(t, n, v);

	if (s != NULL)
		puts_(o, s);
	else if (hex)
		putf(o, "%#lx", v);
	else
		putf(o, "%d", (int)v);
}

/*
 * The flags of t set in v joined by '|', then any bits left in hex; sep
 * says something is already printed (a '|' goes first). 0 alone is "0".
 */
static void
put_flags(struct out *o, const struct name *t, size_t n, uint64_t v, int sep)
{
	for (size_t i = 0; i < n; i++) {
		if ((v & t[i].v) != t[i].v)
			continue;
		if (sep)
			put(o, "|", 1);
		puts_(o, t[i].s);
		v &= ~t[i].v;
		sep = 1;
	}
	if (v != 0 || !sep)
		putf(o, sep ? "|%#lx" : "%#lx", v);
}

static void
put_signal(struct out *o, uint64_t v)
{
	if (v < ARRAY_SIZE(signals) && signals[v] != NULL)
		puts_(o, signals[v]);
	else if (v > 32 && v <= SIG_MAX)
		putf(o, "SIGRT_%lu", v - 32);
	else
		putf(o, "%d", (int)v);
}

static void
put_clone(struct out *o, uint64_t v)
{
	uint64_t sig = v & CSIGNAL_, flags = v & ~(uint64_t)CSIGNAL_;

	if (flags != 0 || sig == 0)
		put_flags(o, clone_flags, ARRAY_SIZE(clone_flags), flags, 0);
	if (sig != 0) {
		if (flags != 0)
			put(o, "|", 1);
		put_signal(o, sig);
	}
}

static const struct cmd *
find_cmd(const struct cmd *t, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return &t[i];
	return NULL;
}

static void
put_futex_op(struct out *o, uint64_t v)
{
	const struct cmd *c = find_cmd(futex_cmds, ARRAY_SIZE(futex_cmds), FUTEX_CMD(v));

	if (c == NULL) {
		putf(o, "%#lx", v);
		return;
	}
	puts_(o, c->s);
	if (v & FUTEX_PRIVATE_)
		puts_(o, "_PRIVATE");
	if (v & FUTEX_CLOCK_REALTIME_)
		puts_(o, "|FUTEX_CLOCK_REALTIME");
}

static void
put_fcntl_cmd(struct out *o, uint64_t v)
{
	const struct cmd *c = find_cmd(fcntl_cmds, ARRAY_SIZE(fcntl_cmds), v);

	if (c != NULL)
		puts_(o, c->s);
	else
		putf(o, "%d", (int)v);
}

/* The arguments fcntl and futex have depend on their command. */
static const char *
call_sig(uint64_t nr, const char *sig, const uint64_t a[6])
{
	const struct cmd *c = NULL;

	if (nr == 25)
		c = find_cmd(fcntl_cmds, ARRAY_SIZE(fcntl_cmds), (uint32_t)a[1]);
	else if (nr == 98)
		c = find_cmd(futex_cmds, ARRAY_SIZE(futex_cmds), FUTEX_CMD((uint32_t)a[1]));
	return c != NULL ? c->sig : sig;
}

/* Argument i of signature sig; r is the call's result. */
static void
put_arg(struct out *o, const char *sig, int i, const uint64_t a[6], long r)
{
	uint64_t v = a[i], next = i < 5 ? a[i + 1] : 0;
	uint32_t w = (uint32_t)v;	/* an int argument: the kernel reads only Wn */
	int filled = r >= 0;		/* what the call wrote can be shown */

	switch (sig[i]) {
	case 'd': putf(o, "%d", (int)v); break;
	case 'l': putf(o, "%ld", (long)v); break;
	case 'u': putf(o, "%lu", v); break;
	case 'x': putf(o, "%#lx", v); break;
	case 's': put_string(o, v); break;
	case 'b': put_bytes(o, v, next); break;
	case 'B': filled ? put_bytes(o, v, (uint64_t)r) : put_ptr(o, v); break;
	case 'v': put_iovec(o, v, next, 0, 0); break;
	case 'V': filled ? put_iovec(o, v, next, 1, (uint64_t)r) : put_ptr(o, v); break;
	case 'Z': filled ? put_string(o, v) : put_ptr(o, v); break;
	case 'Y': filled ? put_fd_pair(o, v) : put_ptr(o, v); break;
	case 't': put_timespec(o, v); break;
	case 'T': filled ? put_timespec(o, v) : put_ptr(o, v); break;
	case 'a': put_argv(o, v); break;
	case 'e': put_envp(o, v); break;
	case 'D':
		if ((int)v == -100)
			puts_(o, "AT_FDCWD");
		else
			putf(o, "%d", (int)v);
		break;
	case 'f': put_flags(o, at_flags, ARRAY_SIZE(at_flags), w, 0); break;
	case 'o':
		puts_(o, access_modes[w & 3].s);
		if (w & ~3U)
			put_flags(o, open_flags, ARRAY_SIZE(open_flags), w & ~3U, 1);
		break;
	case 'K': put_flags(o, open_flags, ARRAY_SIZE(open_flags), w, 0); break;
	case 'm': putf(o, "%#03o", w); break;
	case 'P':
		if (v == 0)
			puts_(o, "PROT_NONE");
		else
			put_flags(o, prot_flags, ARRAY_SIZE(prot_flags), v, 0);
		break;
	case 'M':
		put_value(o, map_types, ARRAY_SIZE(map_types), v & MAP_TYPE_, 1);
		if (v & ~(uint64_t)MAP_TYPE_)
			put_flags(o, map_flags, ARRAY_SIZE(map_flags),
			    v & ~(uint64_t)MAP_TYPE_, 1);
		break;
	case 'c': put_clone(o, v); break;
	case 'S': put_signal(o, w); break;
	case 'k': put_value(o, clocks, ARRAY_SIZE(clocks), w, 0); break;
	case 'F': put_fcntl_cmd(o, w); break;
	case 'C': put_flags(o, fd_flags, ARRAY_SIZE(fd_flags), w, 0); break;
	case 'q': put_futex_op(o, w); break;
	case 'w': put_flags(o, wait_flags, ARRAY_SIZE(wait_flags), w, 0); break;
	case 'W': put_value(o, whences, ARRAY_SIZE(whences), w, 0); break;
	case 'h': put_value(o, sigmask_hows, ARRAY_SIZE(sigmask_hows), w, 0); break;
	case 'R': put_value(o, rlimits, ARRAY_SIZE(rlimits), w, 0); break;
	case 'A':
		if (w == 0)
			puts_(o, "F_OK");
		else
			put_flags(o, access_flags, ARRAY_SIZE(access_flags), w, 0);
		break;
	case 'I': put_value(o, ioctls, ARRAY_SIZE(ioctls), w, 1); break;
	default: put_ptr(o, v); break;	/* 'p' */
	}
}

static void
put_result(struct out *o, char kind, long r)
{
	if (r == LX_TRACE_DEFERRED)
		puts_(o, " = ? <deferred>");
	else if (kind == '?' || r == LX_TRACE_DONE)
		puts_(o, " = ?");
	else if (r < 0 && r >= -ERRNO_MAX && lx_trace_errno_name(-r) != NULL)
		putf(o, " = -1 %s (%s)", lx_trace_errno_name(-r), lx_trace_errno_msg(-r));
	else if (r < 0 && r >= -ERRNO_MAX)
		putf(o, " = -1 ERRNO_%ld (Unknown error %ld)", -r, -r);
	else if (kind == 'x')
		putf(o, " = %#lx", (uint64_t)r);
	else if (kind == 'o')
		putf(o, " = %#03lo", (uint64_t)r);
	else
		putf(o, " = %ld", r);
}

static const struct lx_trace_call *
find(uint64_t nr)
{
	size_t lo = 0, hi = lx_trace_ncalls;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (lx_trace_calls[mid].nr < nr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < lx_trace_ncalls && lx_trace_calls[lo].nr == nr)
		return &lx_trace_calls[lo];
	return NULL;
}

size_t
lx_trace_format(char *buf, size_t cap, uint64_t nr, const uint64_t a[6],
    long result, lx_peek_fn peek, void *ctx)
{
	struct out o = { buf, cap, 0, peek, ctx };
	const struct lx_trace_call *c = find(nr);
	const char *sig, *ret;
	int shown = 0;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	if (c == NULL) {
		putf(&o, "syscall_%lu(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)", nr,
		    a[0], a[1], a[2], a[3], a[4], a[5]);
		put_result(&o, 0, result);
		return o.len;
	}
	sig = call_sig(nr, c->sig, a);
	puts_(&o, c->name);
	put(&o, "(", 1);
	for (int i = 0; i < 6 && sig[i] != '\0' && sig[i] != '='; i++) {
		if (sig[i] == '_')
			continue;
		if (sig[i] == 'm' && i > 0 && sig[i - 1] == 'o' &&
		    (a[i - 1] & (O_CREAT_ | O_TMPFILE_)) == 0)
			break;	/* no mode without O_CREAT, and nothing after it */
		if (shown++ > 0)
			put(&o, ", ", 2);
		put_arg(&o, sig, i, a, result);
	}
	put(&o, ")", 1);
	ret = strchr(c->sig, '=');
	put_result(&o, ret != NULL ? ret[1] : 0, result);
	return o.len;
}

const char *
lx_trace_name(uint64_t nr)
{
	const struct lx_trace_call *c = find(nr);

	return c != NULL ? c->name : NULL;
}

const char *
lx_trace_errno_name(long e)
{
	if (e <= 0 || (unsigned long)e >= ARRAY_SIZE(errnos))
		return NULL;
	return errnos[e][0];
}

const char *
lx_trace_errno_msg(long e)
{
	if (e <= 0 || (unsigned long)e >= ARRAY_SIZE(errnos))
		return NULL;
	return errnos[e][1];
}

/*
 * linuxemu's state (DESIGN.md §5): every Linux process and thread, the
 * things clone may share between them (address space, signal actions,
 * files), and the entry points of each part.
 *
 * linuxemu is one event loop (main.c). A Linux thread's SVC arrives as a
 * LABEL_SYSCALL message holding a reply token; the thread stays stopped
 * until that token is answered. A call that has to wait (a sleep, wait4,
 * a futex) keeps the token in its struct lthread and returns LX_SUSPEND;
 * whoever ends the wait answers it with lx_finish().
 */
#ifndef LINUXEMU_H
#define LINUXEMU_H

#include <stddef.h>
#include <stdint.h>
#include <lichen/ipc.h>

#define PAGE		4096UL
#define LX_NPROC	128		/* Linux processes at once */
#define LX_NTHREAD	256		/* Linux threads at once */
#define LX_NFILE	256		/* open files at once */
#define LX_NOFILE	256		/* fds per table */
#define LX_NRLIMITS	16
#define LX_NSIG		64

/* lx_syscall's answers besides a result or -errno. */
#define LX_SUSPEND	(-0x10000L)	/* the thread waits; its token is kept */
#define LX_DONE		(-0x10001L)	/* already answered (exit, execve) */
#define LX_RESTART	(-0x10002L)	/* lx_finish: interrupted; restart with SA_RESTART */

/* An address space, shared by CLONE_VM. */
struct lmm {
	int refs;
	handle_t vs;
	uint64_t id;			/* futex keys: unique per address space */
	uint64_t brk_start, brk;	/* the heap: [brk_start, brk) */
	uint64_t mmap_next;		/* mmap without a hint: below this, growing down */
	int incomplete;			/* a mapping was not recorded (no room) */
	/*
	 * mem.c's record of the mappings, sorted and disjoint (the kernel's
	 * are not visible to us). A range with no record is unmapped, or was
	 * mapped by someone who did not tell mem.c (lx_mm_note).
	 */
	int nmap;
	struct lx_map {
		uint64_t start, end;
		uint32_t prot;		/* PROT_R | PROT_W | PROT_X */
		uint16_t marks;		/* madvise: MADV_DONTFORK, MADV_WIPEONFORK */
		uint16_t obj;		/* MAP_SHARED: mem.c's memory object; 0: private */
		uint64_t off;		/* where start is in that object */
	} map[512];
};

/* Signal actions, shared by CLONE_SIGHAND (the kernel's struct sigaction). */
struct lx_sigaction {
	uint64_t handler, flags, restorer, mask;
};

struct lsighand {
	int refs;
	struct lx_sigaction act[LX_NSIG];
};

/* The parts of a siginfo_t linuxemu fills (128 bytes in all). */
struct lx_siginfo {
	int32_t signo, errno_, code, pad;
	union {
		struct { int32_t pid; uint32_t uid; int32_t status; int32_t pad; int64_t utime, stime; } kill;
		uint64_t addr;		/* SIGSEGV, SIGBUS */
		int32_t raw[28];
	} u;
};

_Static_assert(sizeof(struct lx_siginfo) == 128, "siginfo_t is 128 bytes");

/*
 * Pending signals: one instance of each standard signal (1-31) with its
 * siginfo; real-time signals (32-64) queue, in order, up to LX_RTQ.
 */
#define LX_SIGRTMIN	32
#define LX_RTQ		32

struct lx_sigpend {
	uint64_t set;
	struct lx_siginfo info[LX_SIGRTMIN - 1];
	int nq;
	struct lx_siginfo q[LX_RTQ];	/* real-time instances, oldest first */
};

/* An open file: what an fd names (several fds and processes may share one). */
enum lfile_kind { LF_FREE, LF_CONSOLE, LF_PIPE, LF_NODE, LF_VFS };

/* A node of the interim root tree (rootfs.c): the boot archive and /dev. */
enum lnode_dev { DEV_NONE, DEV_CONSOLE, DEV_NULL, DEV_ZERO, DEV_FULL, DEV_STRACE };

struct lnode {
	char path[256];			/* canonical, without the leading "/" */
	uint32_t mode, rdev;		/* st_mode, st_rdev */
	uint64_t ino, size;
	const void *data;		/* a file's bytes, a link's target */
	enum lnode_dev dev;
};

struct lpipe;

struct lfile {
	int refs;
	enum lfile_kind kind;
	uint32_t flags;			/* O_ACCMODE, O_APPEND, O_NONBLOCK, O_PATH */
	struct lpipe *pipe;		/* LF_PIPE: O_RDONLY is the read end */
	struct lnode node;		/* LF_NODE */
	uint64_t off;			/* LF_NODE: the file offset, a directory's position */
	uint64_t vid;			/* LF_VFS: vfs's file id (vfs.c) */
	uint32_t vmode;			/* LF_VFS: the node's type and mode at open */
	int borrowed;			/* LF_VFS: the id is not ours to close (the root) */
	uint64_t vpipe;			/* LF_VFS: a pipe's or FIFO's id in vfs, else 0 */
	uint16_t vrev, vwev;		/* ... what its readers and writers poll (VFS_READY) */
	uint64_t vino, vrdev;		/* LF_VFS: the node's st_ino and st_rdev at open (tty.c) */
};

/* An fd table, shared by CLONE_FILES. */
struct lfiles {
	int refs;
	struct lfile *fd[LX_NOFILE];
	uint8_t cloexec[LX_NOFILE];
};

enum lwait {
	W_NONE,			/* running, or its call is being answered */
	W_SLEEP,		/* nanosleep, clock_nanosleep */
	W_FUTEX,		/* futex wait: futex_mm, futex_addr, futex_bits */
	W_CHILD,		/* wait4/waitid: answered by lx_wait_check */
	W_VFORK,		/* a vfork parent: until the child execs or exits */
	W_SIGNAL,		/* pause, rt_sigsuspend, rt_sigtimedwait */
	W_READ,			/* a read with no data yet: wait_obj (a pipe), or the console */
	W_WRITE,		/* a write to a full pipe: wait_obj */
	W_POLL,			/* ppoll: run again when a pipe moves or the deadline passes */
	W_STOPPED,		/* stopped by SIGSTOP & co. with its call answered on SIGCONT */
	W_VFS,			/* waiting for vfs's answer (vfs.c): vfs_done finishes the call */
};

struct ipc_msg;
struct lthread;
typedef long (*lx_vfs_done_fn)(struct lthread *t, const struct ipc_msg *m, const void *data,
    size_t len);

struct lproc;

struct lthread {
	int tid;			/* 0: a free slot */
	struct lproc *proc;
	handle_t thread;		/* the kernel thread */
	uint64_t koid;			/* its messages' badge */
	/* The call it is stopped in (token != HANDLE_NONE). */
	handle_t token;
	uint64_t label, nr, a[6], pc;
	enum lwait wait;
	uint64_t deadline;		/* ns, the boot clock; 0: none */
	uint64_t futex_mm, futex_addr;
	uint32_t futex_bits;
	uint64_t stop_x0;		/* W_STOPPED: the answer it gets on SIGCONT */
	void *wait_obj;			/* W_READ, W_WRITE: what it waits on */
	uint64_t io_done;		/* a blocking write: bytes already written */
	uint64_t waitset;		/* rt_sigtimedwait: the signals it takes */
	/* Signals. */
	uint64_t sigmask;
	struct lx_sigpend pend;		/* sent to this thread */
	uint64_t saved_mask;		/* rt_sigsuspend: restored after the handler */
	int has_saved_mask;
	uint64_t ss_sp, ss_size;	/* sigaltstack */
	int ss_flags;
	uint64_t clear_child_tid;	/* CLONE_CHILD_CLEARTID, set_tid_address */
	uint64_t robust_list, robust_len;
	/* sys.c */
	int nice;			/* -20..19 */
	int ioprio;			/* ioprio_set's class << 13 | level; 0: none */
	int policy;			/* SCHED_*, with SCHED_RESET_ON_FORK */
	int rt_priority;		/* SCHED_FIFO, SCHED_RR: 1..99 */
	uint64_t affinity;		/* sched_setaffinity's CPUs; 0: every CPU */
	lx_vfs_done_fn vfs_done;	/* W_VFS: what the answer goes to */
	/* mem.c: an mmap of a file being filled (io_done: bytes so far) */
	uint64_t fmap_at, fmap_len, fmap_fill;
	uint32_t fmap_prot;
	/* sendfile.c: a sendfile under way (io_done: bytes written) */
	uint64_t sf_pos, sf_count, sf_piece;
	long sf_result;
};

enum lstate { LP_FREE, LP_ALIVE, LP_ZOMBIE };

struct lproc {
	enum lstate state;
	int pid, pgid, sid;
	struct lproc *parent;
	handle_t kproc;			/* the kernel process (NONE once it is gone) */
	struct lmm *mm;
	struct lsighand *sig;
	struct lfiles *files;
	int nthreads;
	int exit_signal;		/* sent to the parent at exit (SIGCHLD) */
	int wstatus;			/* a zombie's wait status */
	int stopped;			/* by a stop signal: the wait status to report, 0 if reported */
	int continued;			/* SIGCONT arrived and is not yet reported */
	int is_stopped;
	struct lthread *vfork_parent;	/* answered when we exec or exit */
	struct lx_sigpend pend;		/* sent to the process */
	uint32_t uid, euid, suid, gid, egid, sgid;
	uint32_t umask;
	uint64_t rlimit[LX_NRLIMITS][2];	/* cur, max */
	char comm[16];			/* prctl(PR_SET_NAME) */
	char exe[256];			/* the executable (/proc/self/exe) */
	int pdeathsig;			/* PR_SET_PDEATHSIG: 0 at fork */
	int undumpable;			/* PR_SET_DUMPABLE(0); exec resets it */
	int no_new_privs;		/* PR_SET_NO_NEW_PRIVS: inherited, never cleared */
	char cwd[256];			/* standalone: the working directory's path */
	struct lfile *cwdf;		/* vfs mode: the working directory (O_PATH) */
	uint64_t start_ns;
	uint64_t alarm_at, alarm_period;	/* ITIMER_REAL: deadline, interval (ns) */
	uint64_t sigtramp;		/* where the rt_sigreturn trampoline is */
	/* sys.c */
	int ptimer_next;		/* the next POSIX timer id */
	struct lx_ptimer {		/* timer_create's timers */
		int used, id, clock;
		int notify, signo, tid;		/* sigevent: SIGEV_*, the signal, SIGEV_THREAD_ID's */
		uint64_t value;			/* sigev_value */
		uint64_t at, period;		/* ns, the boot clock; at 0: disarmed */
		int overrun;			/* periods missed at the last expiry */
	} ptimer[16];
	uint64_t cpu_itimer[2][2];	/* ITIMER_VIRTUAL, ITIMER_PROF: deadline, interval (ns) */
	/* CPU time (the kernel counts each thread's: SYSINFO_THREAD_CPU). */
	uint64_t cpu_gone;		/* of its threads that have ended */
	uint64_t cpu_children;		/* of its reaped children, theirs included */
};

extern struct lproc lx_procs[LX_NPROC];
extern struct lthread lx_threads[LX_NTHREAD];
extern handle_t lx_pers;		/* our endpoint: every Linux SVC arrives here */
extern int lx_strace;
extern unsigned long lx_unknown_calls;

/* main.c */
void lx_finish(struct lthread *t, long result);	/* answer t's pending call */
void lx_reply(struct lthread *t, uint64_t label, uint64_t w0);
void lx_timer_update(void);			/* after a deadline changed */
long lx_read(struct lproc *p, uint64_t uva, void *buf, uint64_t len);
long lx_write(struct lproc *p, uint64_t uva, const void *buf, uint64_t len);
long lx_read_string(struct lproc *p, uint64_t uva, char *buf, uint64_t cap);

/* sys.c */
long lx_syscall(struct lthread *t, uint64_t nr, const uint64_t *a);
void lx_proc_defaults(struct lproc *p, const char *name);
void lx_sleep_interrupted(struct lthread *t);
void lx_set_realtime(uint64_t ns);
uint64_t lx_realtime_offset(void);
int lx_may_signal(const struct lproc *from, const struct lproc *to);
void lx_sched_fork(const struct lthread *t, struct lthread *nt);	/* clone: nt inherits t's */
uint64_t lx_ptimers_next(uint64_t next);	/* lx_timer_update: POSIX timers' deadlines */
void lx_ptimers_expired(uint64_t now);		/* timers_expired: fire POSIX timers due */
void lx_sys_exec(struct lthread *t);		/* execve: t's new kernel thread is in place */

/* proc.c: processes and threads */
struct lthread *lx_thread_alloc(struct lproc *p, handle_t kthread);
struct lproc *lx_proc_alloc(void);
struct lproc *lx_proc_find(int pid);
struct lthread *lx_thread_find(int tid);
struct lthread *lx_thread_by_koid(uint64_t koid);
void lx_thread_unhash(struct lthread *t);
void lx_thread_hash(struct lthread *t);
struct lmm *lx_mm_new(handle_t vs);
void lx_mm_put(struct lmm *mm);
uint64_t lx_thread_cpu(const struct lthread *t);
uint64_t lx_proc_cpu(const struct lproc *p);
void lx_exit_group(struct lproc *p, int wstatus);
void lx_thread_exit(struct lthread *t);
void lx_wait_check(struct lproc *parent);
void lx_proc_stopped(struct lproc *p, int sig);
void lx_proc_continued(struct lproc *p);
long lx_sys_clone(struct lthread *t, uint64_t flags, uint64_t sp, uint64_t ptid,
    uint64_t tls, uint64_t ctid, int exit_signal);
long lx_sys_wait4(struct lthread *t, const uint64_t *a);
long lx_sys_waitid(struct lthread *t, const uint64_t *a);
long lx_sys_execve(struct lthread *t, const uint64_t *a);
void lx_proc_set_exe(struct lproc *p, const char *path);
long lx_sys_exit(struct lthread *t, const uint64_t *a);
long lx_sys_exit_group(struct lthread *t, const uint64_t *a);

struct lx_image;

/* mem.c: the record of an address space's mappings */
void lx_mm_note(struct lmm *mm, uint64_t start, uint64_t len, uint32_t prot);
void lx_mm_note_image(struct lmm *mm, const char *path, uint64_t brk);
void lx_mm_copy_map(struct lmm *to, const struct lmm *from);
void lx_mm_drop_map(struct lmm *mm);
int lx_mm_futex_key(struct lmm *mm, uint64_t addr, uint64_t *key_space, uint64_t *key_addr);
void lx_mm_note_new(struct lmm *mm, const char *path, const struct lx_image *im);

/* exec.c: a new image for p (not yet started; p is unchanged). */
struct lx_image {
	handle_t vs, kproc, kthread;
	uint64_t brk;			/* the heap's start: above the last segment */
	uint64_t mmap_top;		/* mmap without a hint: below this */
	uint64_t sigtramp;		/* the rt_sigreturn trampoline */
	uint64_t stack_lo, stack_len;	/* the stack's mapping */
	uint32_t stack_prot;
};

long lx_exec_image(struct lproc *p, const char *path, int argc, char *const *argv,
    int envc, char *const *envp, struct lx_image *im);
int lx_exec_open(const char *path, const void **data, uint64_t *len);
extern char lx_exec_canon[256];

/* signal.c */
int lx_signal_send_proc(struct lproc *p, int sig, const struct lx_siginfo *info);
int lx_signal_send_thread(struct lthread *t, int sig, const struct lx_siginfo *info);
int lx_signal_deliver(struct lthread *t, long *x0);	/* at a call's answer */
void lx_signal_fault(struct lthread *t, uint64_t esr, uint64_t far, int mapped);
int lx_signal_pending(const struct lthread *t);
struct lx_siginfo *lx_signal_find_timer(struct lproc *p, struct lthread *to, int sig, int id);
void lx_sighand_put(struct lsighand *s);
struct lsighand *lx_sighand_copy(const struct lsighand *s);
void lx_signals_exec(struct lproc *p);

/* futex.c */
long lx_sys_futex(struct lthread *t, const uint64_t *a);
int lx_futex_wake(uint64_t mm, uint64_t addr, int n, uint32_t bits);
void lx_futex_robust_exit(struct lthread *t);

/* fd.c */
struct lfiles *lx_files_new(void);
struct lfiles *lx_files_copy(const struct lfiles *f);
void lx_files_put(struct lfiles *f);
void lx_files_exec(struct lfiles *f);
int lx_fd_is_open(struct lthread *t, uint64_t fd);
struct lfile *lx_fd_get(struct lthread *t, uint64_t fd);
long lx_fd_open(struct lthread *t, struct lfile *f, int cloexec);	/* a new fd for f */
struct lfile *lx_file_new(enum lfile_kind kind, uint32_t flags);
void lx_file_put(struct lfile *f);
long lx_stat_node(struct lthread *t, const struct lnode *n, uint64_t uva);

/* rootfs.c: the root tree until the vfs (the boot archive and /dev) */
void lx_rootfs_init(const void *base, uint64_t len);
void lx_rootfs_self(const char *exe);	/* whose /proc/self the next walks see */
int lx_rootfs_walk(const char *start, const char *path, int follow, struct lnode *n);
int lx_rootfs_readdir(const char *dir, uint64_t *pos, char *name, size_t cap,
    struct lnode *n);
void lx_poll_wake(void);

/* vfs.c: files through vfs (vfs mode: lx_vfs != HANDLE_NONE) */
struct fs_setattr;
struct fs_attr;
extern handle_t lx_vfs;
int lx_vfs_init(handle_t name_ep);
int lx_vfs_hello(void);
uint64_t lx_mm_writable(struct lmm *mm, uint64_t uva, uint64_t len);
void lx_vfs_ready(const struct ipc_msg *m);
void lx_vfs_cancel(struct lthread *t);
long lx_vfs_pipe(struct lthread *t, const uint64_t *a);
long lx_vfs_fionread(struct lthread *t, struct lfile *f);
long lx_vfs_setfl(struct lthread *t, struct lfile *f, uint64_t flags);
long lx_vfs_blk_ioctl(struct lthread *t, struct lfile *f, const uint64_t *a);
long lx_vfs_mounts(char *buf, size_t cap);
const char *lx_hostname(void);		/* sys.c: uname's nodename */
long lx_node_statfs(struct lthread *t, const struct lnode *n, uint64_t uva);
long lx_own_statfs(struct lthread *t, const uint64_t *a);
void lx_files_pipe_ready(uint64_t pipe, uint16_t rev, uint16_t wev);
#define LX_READY_BADGE	3		/* VFS_READY's (timers are 1 and 2) */
void lx_vfs_shutdown(void);
int lx_vfs_cwd_path(const struct lproc *p, char *out, size_t cap);
/* vfs.c's machinery, for vfspath.c */
#define LX_VFS_DATA	(4096 * 2 + 256)
extern char lx_vfs_path[4096], lx_vfs_data[LX_VFS_DATA];
long lx_vfs_send(struct lthread *t, uint64_t label, uint64_t *w, const void *data, size_t len,
    lx_vfs_done_fn done);
long lx_vfs_read_path(struct lthread *t, uint64_t upath, size_t *len);
long lx_vfs_start_dir(struct lthread *t, int dirfd, uint64_t *id);
long lx_vfs_path_call(struct lthread *t, uint64_t label, int dirfd, uint64_t upath, uint64_t w1,
    uint64_t w2, const void *extra, size_t extralen, lx_vfs_done_fn done);
long lx_vfs_done_status(struct lthread *t, const struct ipc_msg *m, const void *data, size_t len);
struct lfile *lx_vfs_root_file(void);
void lx_vfs_close(struct lfile *f);
int lx_vfs_read_file(const char *path, uint32_t cred_uid, const void **data, uint64_t *len,
    char *canon, size_t canon_cap, int exec);
void lx_vfs_thread_new(struct lthread *t);
int lx_vfs_is_reply(const struct ipc_msg *m);
void lx_vfs_reply(const struct ipc_msg *m, const void *data, size_t len);
int lx_vfs_claims(struct lthread *t, int dirfd, uint64_t upath);
long lx_vfs_openat(struct lthread *t, const uint64_t *a);
long lx_vfs_chdir(struct lthread *t, const uint64_t *a);
long lx_vfs_fchdir(struct lthread *t, struct lfile *f);
long lx_vfs_getcwd(struct lthread *t, const uint64_t *a);
long lx_vfs_fstat(struct lthread *t, struct lfile *f);
long lx_vfs_statx(struct lthread *t, const uint64_t *a, struct lfile *fd);
void lx_statx_fill(void *out, const struct fs_attr *a, uint64_t dev);
long lx_vfs_newfstatat(struct lthread *t, const uint64_t *a);
long lx_vfs_faccessat(struct lthread *t, const uint64_t *a, uint64_t flags);
long lx_vfs_readlinkat(struct lthread *t, const uint64_t *a);
long lx_vfs_getdents64(struct lthread *t, struct lfile *f, uint64_t count);
long lx_vfs_mkdirat(struct lthread *t, const uint64_t *a);
long lx_vfs_mknodat(struct lthread *t, const uint64_t *a);
long lx_vfs_unlinkat(struct lthread *t, const uint64_t *a);
long lx_vfs_symlinkat(struct lthread *t, const uint64_t *a);
long lx_vfs_rename(struct lthread *t, const uint64_t *a, uint64_t label, uint64_t flags);
long lx_vfs_setattr(struct lthread *t, int dirfd, uint64_t upath, uint64_t flags,
    const struct fs_setattr *sa);
long lx_vfs_fsetattr(struct lthread *t, struct lfile *f, const struct fs_setattr *sa);
long lx_vfs_ftruncate(struct lthread *t, struct lfile *f, uint64_t size);
long lx_vfs_fsync(struct lthread *t, struct lfile *f);
long lx_vfs_sync(struct lthread *t);
long lx_vfs_statfs(struct lthread *t, const uint64_t *a);
long lx_vfs_fstatfs(struct lthread *t, struct lfile *f);
long lx_vfs_mount(struct lthread *t, const uint64_t *a);
long lx_vfs_umount(struct lthread *t, const uint64_t *a);
long lx_vfs_lseek(struct lthread *t, struct lfile *f, const uint64_t *a);
long lx_vfs_io(struct lthread *t, struct lfile *f, int writing, uint64_t off, const void *data,
    uint64_t len, lx_vfs_done_fn done);

/* io.c: reading and writing, pipes */
void lx_pipe_release(struct lpipe *pp, int writer);
uint64_t lx_pipe_bytes(const struct lpipe *pp);
uint64_t lx_pipe_ino(const struct lpipe *pp);
int lx_pipe_poll(const struct lfile *f);
long sys_close(struct lthread *t, const uint64_t *a);

/*
 * --- procfs.c, procfs_gen.c (issue 8): /proc from the process table ---
 * Nodes are named "proc/..." like the rest of rootfs.c's tree; a
 * generated file's text is made when it is opened (a snapshot in
 * f->node.data, freed at the last close).
 */
struct lx_pbuf {			/* a growing text buffer */
	char *p;
	size_t len, cap;
	int failed;			/* out of memory */
};
void lx_pbuf_printf(struct lx_pbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lx_pbuf_put(struct lx_pbuf *b, const void *data, size_t len);
int lx_procfs_is(const char *path);		/* path (canonical) is under proc */
void lx_procfs_self(struct lthread *t);		/* whose /proc/self the next walks see */
void lx_procfs_self_exe(const char *exe);	/* lx_rootfs_self: the process owning exe */
int lx_procfs_find(const char *name, struct lnode *n);
int lx_procfs_readdir(const char *dir, uint64_t *pos, char *name, size_t cap, struct lnode *n);
long lx_procfs_open(struct lfile *f);		/* openat: a file's snapshot */
void lx_procfs_close(struct lfile *f);		/* lx_file_put: the last reference went */
/* procfs_gen.c: the contents; 0 or -errno */
int lx_procfs_gen_pid(struct lx_pbuf *b, const char *what, struct lproc *p, struct lthread *t);
int lx_procfs_gen_sys(struct lx_pbuf *b, const char *what);
/* --- end of procfs --- */

/*
 * --- tty.c (issue 8): the terminal, devtmpfs's console through vfs ---
 * Its events come to our endpoint with LX_TTY_BADGE (FS_TTY_SIGNAL,
 * FS_TTY_READY), as do the answers of requests nobody waits for.
 */
#define LX_TTY_BADGE	4
extern handle_t lx_name_ep;		/* init's name service (vfs mode) */
extern int lx_vfs_dev;			/* /dev is vfs's (devtmpfs is mounted there) */
long lx_vfs_call(uint64_t label, const uint64_t *w, const void *data, size_t len, void *rbuf,
    size_t rcap, uint64_t *rw, size_t *rlen);	/* blocking: start-up, power-off */
struct lfile *lx_vfs_open_console(void);
int lx_tty_is(const struct lfile *f);
void lx_tty_start(struct lproc *p);
void lx_tty_drain(void);
long lx_tty_opened(struct lthread *t, struct lfile *f, uint32_t flags);
void lx_tty_exit(struct lproc *p);
void lx_tty_orphans(struct lproc *p);
long lx_tty_jobctl(struct lthread *t, int sig);
long lx_tty_write_check(struct lthread *t);
int lx_tty_poll(void);
void lx_tty_event(const struct ipc_msg *m);
long lx_tty_ioctl(struct lthread *t, struct lfile *f, const uint64_t *a);
/* --- end of tty --- */

/* The system calls, in the listing (syscalls.h). */
#define LX_DECL(nr, name, fn) long fn(struct lthread *t, const uint64_t *a);

#endif

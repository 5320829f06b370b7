/*
 * linuxemu's shared state (DESIGN.md §5). Today it runs one Linux program
 * (issue 6 grows it into the whole process model).
 */
#ifndef LINUXEMU_H
#define LINUXEMU_H

#include <stdint.h>
#include <lichen/ipc.h>

/* The Linux program being run: its process, address space, thread. */
#define LX_NRLIMITS	16

struct lproc {
	handle_t proc, vs, thread;
	uint64_t brk_start, brk;	/* the heap: [brk_start, brk) */
	long exit_status;		/* set by exit/exit_group */
	int exited;
	uint64_t rlimit[LX_NRLIMITS][2];	/* cur, max */
	uint64_t robust_list, robust_len;
	char comm[16];			/* prctl(PR_SET_NAME) */
	uint64_t rng;			/* getrandom's state (not yet a CSPRNG) */
	uint64_t mmap_next;		/* mmap without a hint: below this, growing down */
	handle_t timer;			/* bound to our endpoint: sleeps end here */
};

/*
 * A system call that answers later (a sleep): lx_syscall returns this,
 * main.c keeps the reply token and answers when the event comes.
 */
#define LX_SUSPEND	(-0x10000L)

/* sys.c: the defaults a new program starts with (rlimits, comm). */
void lx_proc_init(struct lproc *lp, const char *name);

/* exec.c: load a static aarch64 ELF (file, len) as a new process whose SVCs go to pers. */
long lx_exec(struct lproc *lp, handle_t pers, const char *name, const void *file,
    uint64_t len, int argc, const char *const *argv);

/* sys.c: answer one system call (nr, args); a Linux result or -errno. */
long lx_syscall(struct lproc *lp, uint64_t nr, const uint64_t *a);
extern unsigned long lx_unknown_calls;

#endif

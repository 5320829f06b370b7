/*
 * linuxemu's shared state (DESIGN.md §5). Today it runs one Linux program
 * (issue 6 grows it into the whole process model).
 */
#ifndef LINUXEMU_H
#define LINUXEMU_H

#include <stdint.h>
#include <lichen/ipc.h>

/* The Linux program being run: its process, address space, thread. */
struct lproc {
	handle_t proc, vs, thread;
	uint64_t brk_start;
	long exit_status;	/* set by exit/exit_group */
	int exited;
};

/* exec.c: load a static aarch64 ELF (file, len) as a new process whose SVCs go to pers. */
long lx_exec(struct lproc *lp, handle_t pers, const char *name, const void *file,
    uint64_t len, int argc, const char *const *argv);

/* sys.c: answer one system call (nr, args); a Linux result or -errno. */
long lx_syscall(struct lproc *lp, uint64_t nr, const uint64_t *a);
extern unsigned long lx_unknown_calls;

#endif

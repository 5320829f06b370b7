/*
 * linuxemu: the Linux personality (DESIGN.md §5). This is its seed: run
 * as the first process (lichen.init=linuxemu linuxemu.run=NAME), it
 * loads the static aarch64 program NAME from the boot archive into a
 * process whose every SVC arrives here as LABEL_SYSCALL, answers them
 * (sys.c), and powers the machine off with the program's exit status.
 * Issue 6 turns it into the full process model behind init.
 */
#include <lichen/cpio.h>
#include <lichen/fmt.h>
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "linuxemu.h"
#include "syscalls.h"

int main(int argc, char **argv);

/* lichen.strace=1: each call as strace prints it (raw arguments for now). */
static void
trace(uint64_t nr, const uint64_t *a, long r)
{
	const char *name = lx_syscall_name(nr);
	char unknown[24];

	if (name == NULL) {
		fmt_snprintf(unknown, sizeof(unknown), "syscall_%lu", nr);
		name = unknown;
	}
	if (r == LX_SUSPEND)
		printf("linuxemu: %s(0x%lx, 0x%lx, 0x%lx, 0x%lx) = ? <deferred>\n", name,
		    a[0], a[1], a[2], a[3]);
	else if (r < 0 && r > -4096)
		printf("linuxemu: %s(0x%lx, 0x%lx, 0x%lx, 0x%lx) = -1 (errno %ld)\n", name,
		    a[0], a[1], a[2], a[3], -r);
	else
		printf("linuxemu: %s(0x%lx, 0x%lx, 0x%lx, 0x%lx) = 0x%lx\n", name,
		    a[0], a[1], a[2], a[3], (uint64_t)r);
}

int
main(int argc, char **argv)
{
	handle_t dev = (handle_t)native_start_word(0);
	const void *archive = (const void *)native_start_word(1);
	uint64_t archive_len = native_start_word(2);
	const char *run = NULL, *pargv[16];
	int pargc = 1;
	struct lproc lp = { 0 };
	struct cpio_entry e;
	struct ipc_msg m;
	handle_t sleeper = HANDLE_NONE;		/* the token of a sleep in progress */
	int strace = 0;
	long pers, r, timer;

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "linuxemu.run=", 13) == 0)
			run = argv[i] + 13;
		else if (strncmp(argv[i], "linuxemu.arg=", 13) == 0 && pargc < 16)
			pargv[pargc++] = argv[i] + 13;
		else if (strcmp(argv[i], "lichen.strace=1") == 0)
			strace = 1;
	if (run == NULL || cpio_find(archive, archive_len, run, &e) != 1) {
		printf("linuxemu: no program to run (linuxemu.run=NAME, from the boot archive)\n");
		return 1;
	}
	pers = ep_create(0);
	timer = timer_create();
	if (pers < 0 || timer < 0 || obj_bind((handle_t)timer, (handle_t)pers, 1) != 0) {
		printf("linuxemu: no endpoint or timer\n");
		return 1;
	}
	lp.timer = (handle_t)timer;
	pargv[0] = run;
	if (pers < 0 || (r = lx_exec(&lp, (handle_t)pers, run, e.data, e.size, pargc, pargv)) != 0) {
		printf("linuxemu: cannot run %s: error %ld\n", run, pers < 0 ? pers : r);
		return 1;
	}
	memset(&m, 0, sizeof(m));
	while (!lp.exited && ipc_recv((handle_t)pers, &m, NULL) == 0) {
		handle_t token = m.token;
		uint64_t nr = m.w[6], a[6];

		for (int i = 0; i < 6; i++)
			a[i] = m.w[i];
		if (m.label == LABEL_TIMER) {		/* a sleep ended: answer it now */
			token = sleeper;
			sleeper = HANDLE_NONE;
			memset(&m, 0, sizeof(m));
			m.label = LABEL_SYSCALL;
			if (token != HANDLE_NONE)
				ipc_reply(token, &m, NULL);
			continue;
		}
		if (m.label == LABEL_SYSCALL) {
			r = lx_syscall(&lp, nr, a);
			if (strace)
				trace(nr, a, r);
			if (r == LX_SUSPEND) {		/* answered when the timer fires */
				sleeper = token;
				continue;
			}
			memset(&m, 0, sizeof(m));
			m.label = lp.exited ? LABEL_EXIT : LABEL_SYSCALL;
			m.w[0] = lp.exited ? (uint64_t)lp.exit_status : (uint64_t)r;
		} else {			/* LABEL_FAULT: SIGSEGV's status */
			printf("linuxemu: %s: fault at 0x%lx (pc 0x%lx)\n", run, m.w[1], m.w[7]);
			lp.exited = 1;
			lp.exit_status = 128 + 11;
			memset(&m, 0, sizeof(m));
			m.label = LABEL_EXIT;
			m.w[0] = (uint64_t)lp.exit_status;
		}
		ipc_reply(token, &m, NULL);
	}
	process_wait(lp.proc);
	if (lx_unknown_calls > 0)
		printf("linuxemu: %lu system calls answered -ENOSYS\n", lx_unknown_calls);
	system_poweroff(dev, lp.exit_status);
	return (int)lp.exit_status;
}

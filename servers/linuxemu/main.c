/*
 * linuxemu: the Linux personality (DESIGN.md §5), one event loop.
 *
 * Started as the first process (lichen.init=linuxemu) with the boot
 * archive mapped, it runs the Linux program linuxemu.run=PATH from the
 * archive as Linux pid 1, and every process that one forks and execs.
 * Each Linux thread's SVC, unresolved fault and interruption arrives on
 * our endpoint as a message with a reply token; the thread stays stopped
 * until the token is answered, now (most calls) or later (a call that
 * waits keeps its token: lx_finish answers it when the wait ends). When
 * pid 1 exits, the machine powers off with its status.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/native.h>
#include <lichen/proto/vfs.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "linuxemu.h"
#include "syscalls.h"
#include "trace.h"

int main(int argc, char **argv);

handle_t lx_pers;
int lx_strace;
static handle_t timer;
static uint64_t timer_at;

/* --- the traced process's memory --- */

#define CHUNK	65536UL

long
lx_read(struct lproc *p, uint64_t uva, void *buf, uint64_t len)
{
	for (uint64_t done = 0; done < len; done += CHUNK) {
		uint64_t n = len - done < CHUNK ? len - done : CHUNK;
		long r = vm_read(p->mm->vs, uva + done, (char *)buf + done, n);

		if (r != 0)
			return r;
	}
	return 0;
}

long
lx_write(struct lproc *p, uint64_t uva, const void *buf, uint64_t len)
{
	for (uint64_t done = 0; done < len; done += CHUNK) {
		uint64_t n = len - done < CHUNK ? len - done : CHUNK;
		long r = vm_write(p->mm->vs, uva + done, (const char *)buf + done, n);

		if (r != 0)
			return r;
	}
	return 0;
}

/*
 * A NUL-terminated string at uva into buf (cap bytes): its length, or
 * -EFAULT, or -ENAMETOOLONG if it does not fit (buf then holds cap - 1
 * bytes and a NUL). Read a page at a time, so a string that ends just
 * before an unmapped page is fine.
 */
long
lx_read_string(struct lproc *p, uint64_t uva, char *buf, uint64_t cap)
{
	uint64_t done = 0;

	while (done < cap) {
		uint64_t n = PAGE - ((uva + done) & (PAGE - 1));
		char *nul;
		long r;

		if (n > cap - done)
			n = cap - done;
		if ((r = vm_read(p->mm->vs, uva + done, buf + done, n)) != 0)
			return r;
		if ((nul = memchr(buf + done, '\0', n)) != NULL)
			return nul - buf;
		done += n;
	}
	buf[cap - 1] = '\0';
	return -ENAMETOOLONG;
}

/* --- answering --- */

void
lx_reply(struct lthread *t, uint64_t label, uint64_t w0)
{
	struct ipc_msg m;

	if (t->token == HANDLE_NONE)
		return;
	memset(&m, 0, sizeof(m));
	m.label = label;
	m.w[0] = w0;
	ipc_reply(t->token, &m, NULL);
	t->token = HANDLE_NONE;
	t->wait = W_NONE;
}

/*
 * Answer t's call with result: a signal pending for t is delivered first
 * (its handler then starts, and the call's result is in the frame), a
 * stopped process keeps the thread until SIGCONT.
 */
void
lx_finish(struct lthread *t, long result)
{
	long x0 = result;

	if (t->token == HANDLE_NONE)
		return;
	t->wait = W_NONE;
	t->wait_obj = NULL;
	t->deadline = 0;
	if (t->proc->is_stopped) {
		t->wait = W_STOPPED;
		t->stop_x0 = (uint64_t)x0;
		return;
	}
	if (lx_signal_deliver(t, &x0))
		return;
	lx_reply(t, LABEL_SYSCALL, (uint64_t)x0);
}

/* --- time: one kernel timer for every deadline --- */

void
lx_timer_update(void)
{
	uint64_t next = 0;

	for (int i = 0; i < LX_NTHREAD; i++) {
		const struct lthread *t = &lx_threads[i];

		if (t->tid != 0 && t->deadline != 0 && t->token != HANDLE_NONE &&
		    (next == 0 || t->deadline < next))
			next = t->deadline;
	}
	for (int i = 0; i < LX_NPROC; i++) {
		const struct lproc *p = &lx_procs[i];

		if (p->state == LP_ALIVE && p->alarm_at != 0 && (next == 0 || p->alarm_at < next))
			next = p->alarm_at;
	}
	next = lx_ptimers_next(next);
	if (next != timer_at) {
		timer_at = next;
		timer_set(timer, next, 0);
	}
}

static void
timers_expired(void)
{
	uint64_t now = clock_get();

	timer_at = 0;
	for (int i = 0; i < LX_NTHREAD; i++) {
		struct lthread *t = &lx_threads[i];

		if (t->tid == 0 || t->deadline == 0 || t->deadline > now || t->token == HANDLE_NONE)
			continue;
		switch (t->wait) {
		case W_SLEEP:
			lx_finish(t, 0);
			break;
		case W_FUTEX:
			lx_finish(t, -ETIMEDOUT);
			break;
		case W_SIGNAL:
			lx_finish(t, -EAGAIN);		/* rt_sigtimedwait */
			break;
		case W_POLL: {				/* it writes its revents, answers 0 */
			long r;

			t->wait = W_NONE;
			if ((r = lx_syscall(t, t->nr, t->a)) != LX_SUSPEND)
				lx_finish(t, r);
			break;
		}
		default:
			break;
		}
	}
	for (int i = 0; i < LX_NPROC; i++) {
		struct lproc *p = &lx_procs[i];
		struct lx_siginfo si;

		if (p->state != LP_ALIVE || p->alarm_at == 0 || p->alarm_at > now)
			continue;
		p->alarm_at = p->alarm_period != 0 ? now + p->alarm_period : 0;
		memset(&si, 0, sizeof(si));
		si.signo = 14;			/* SIGALRM */
		si.code = 0x80;			/* SI_KERNEL */
		lx_signal_send_proc(p, 14, &si);
	}
	lx_ptimers_expired(now);
	lx_timer_update();
}

/* --- tracing --- */

static long
peek(void *ctx, uint64_t uva, void *buf, size_t len)
{
	return lx_read(ctx, uva, buf, len);
}

/*
 * lichen.strace=1: each call as strace -f prints it (trace.c decodes).
 * Each is formatted before it runs, while its arguments are there to
 * read (exit and a successful execve print that), and again with its
 * result if its thread is still there.
 */
static char trace_line[1024];

static void
trace_format(struct lthread *t, long r)
{
	lx_trace_format(trace_line, sizeof(trace_line), t->nr, t->a, r, peek, t->proc);
}


/*
 * The time of day from the PL031 real-time clock the kernel found
 * (lichen.rtc=PA): its data register counts seconds since 1970. Without
 * one, CLOCK_REALTIME starts at 0 at boot.
 */
#define RTC_VA	0x7e0000000000UL

static void
read_rtc(handle_t dev, uint64_t pa)
{
	long vs = process_vmspace(0);

	if (vs < 0 || mmio_map(dev, (handle_t)vs, RTC_VA, pa & ~(PAGE - 1), PAGE) != 0) {
		printf("linuxemu: cannot map the real-time clock at 0x%lx\n", pa);
		return;
	}
	lx_set_realtime((uint64_t)*(volatile uint32_t *)(RTC_VA + (pa & (PAGE - 1))) *
	    1000000000UL);
	vm_unmap((handle_t)vs, RTC_VA, PAGE);
	handle_close((handle_t)vs);
}

/* --- the first process --- */

#define MAX_ARGS	32

static char *init_argv[MAX_ARGS + 1];
static char argfile_text[MAX_ARGS][4096];
static char *init_envp[] = { "HOME=/", "TERM=linux", NULL };

static struct lproc *
start_init(const char *path, int argc, char **args)
{
	struct lproc *p = lx_proc_alloc();
	struct lx_image im;
	struct lthread *t;
	long r;

	if (p == NULL)
		return NULL;
	lx_proc_defaults(p, path);
	p->pgid = p->sid = p->pid;
	p->files = lx_files_new();
	p->sig = lx_sighand_copy(NULL);
	if (lx_vfs != HANDLE_NONE)
		p->cwdf = lx_vfs_root_file();
	if (p->files == NULL || p->sig == NULL || (lx_vfs != HANDLE_NONE && p->cwdf == NULL))
		return NULL;
	if (lx_vfs != HANDLE_NONE)
		lx_tty_start(p);		/* fds 0-2 on the terminal, if devtmpfs is on /dev */
	if ((r = lx_exec_image(p, path, argc, args, 2, init_envp, &im)) != 0) {
		printf("linuxemu: cannot run %s: error %ld\n", path, r);
		return NULL;
	}
	p->kproc = im.kproc;
	p->sigtramp = im.sigtramp;
	if ((p->mm = lx_mm_new(im.vs)) == NULL || (t = lx_thread_alloc(p, im.kthread)) == NULL)
		return NULL;
	p->mm->brk_start = p->mm->brk = im.brk;
	p->mm->mmap_next = im.mmap_top;
	lx_mm_note_new(p->mm, path, &im);
	{
		const char *base = strrchr(path, '/');

		strlcpy(p->comm, base != NULL ? base + 1 : path, sizeof(p->comm));
	}
	lx_proc_set_exe(p, path);
	if (thread_start(t->thread) != 0)
		return NULL;
	return p;
}

/*
 * linuxemu.watchdog=1: every 5 s in which no message came, print every
 * thread and what it waits for (to find a wake-up that never comes).
 */
static void
dump_threads(void)
{
	printf("linuxemu: 5 s without a message; threads:\n");
	for (int i = 0; i < LX_NTHREAD; i++) {
		const struct lthread *t = &lx_threads[i];

		uint32_t word = 0;

		if (t->tid == 0)
			continue;
		if (t->wait == W_FUTEX)
			lx_read(t->proc, t->a[0], &word, 4);
		if (t->wait == W_FUTEX) {
			uint32_t around[12];

			if (lx_read(t->proc, (t->a[0] & ~31UL), around, sizeof(around)) == 0)
				printf("linuxemu:   words at 0x%lx: %u %u %u %u %u %u %u %u %u %u %u %u\n",
				    t->a[0] & ~31UL, around[0], around[1], around[2], around[3],
				    around[4], around[5], around[6], around[7], around[8], around[9],
				    around[10], around[11]);
		}
		printf("linuxemu:   tid %d pid %d %s nr %lu wait %d futex 0x%lx/0x%lx (now %u) "
		    "deadline %lu\n", t->tid, t->proc->pid,
		    t->token != HANDLE_NONE ? "stopped" : "running", t->nr, t->wait,
		    t->futex_mm, t->futex_addr, word, t->deadline);
	}
}

/* One message from a Linux thread: a call, a fault, or an interruption. */
static void
handle(struct ipc_msg *m)
{
	struct lthread *t = lx_thread_by_koid(m->badge);
	long r;

	if (t == NULL) {		/* a thread of a process that is ending */
		m->label = LABEL_EXIT;
		memset(m->w, 0, sizeof(m->w));
		ipc_reply(m->token, m, NULL);
		return;
	}
	t->token = m->token;
	t->label = m->label;
	t->pc = m->w[7];
	t->wait = W_NONE;
	t->wait_obj = NULL;
	t->io_done = 0;
	if (m->label == LABEL_SYSCALL) {
		t->nr = m->w[6];
		for (int i = 0; i < 6; i++)
			t->a[i] = m->w[i];
		int tid = t->tid;

		if (lx_strace)
			trace_format(t, LX_DONE);	/* now, while its memory is there */
		r = lx_syscall(t, t->nr, t->a);
		/* A call may end its own process (kill of itself): t is then free. */
		if (lx_strace) {
			if (r != LX_DONE && t->tid == tid)
				trace_format(t, r);
			printf("[%d] %s\n", tid, trace_line);
		}
		if (r != LX_SUSPEND && r != LX_DONE)
			lx_finish(t, r);
	} else if (m->label == LABEL_FAULT) {
		t->nr = 0;
		t->a[0] = m->w[0];
		t->a[1] = m->w[1];
		lx_signal_fault(t, m->w[0], m->w[1], (int)m->w[2]);
		lx_finish(t, 0);
	} else {			/* LABEL_INTERRUPT: a signal waits for it */
		lx_finish(t, 0);
	}
}

int
main(int argc, char **argv)
{
	handle_t dev = (handle_t)native_start_word(0);
	const void *archive = (const void *)native_start_word(1);
	uint64_t archive_len = native_start_word(2);
	struct handle_info hi;
	static char rbuf[IPC_BUF_MAX + 4096];
	struct ipc_ext x;

	/*
	 * Started by the kernel (lichen.init=linuxemu): a device handle and
	 * the archive, which is the root. Started by init (a manifest's
	 * `driver linux linuxemu $BOOTARGS`): init's name endpoint and the
	 * device handle; files are vfs's.
	 */
	if (handle_info(dev, &hi) == 0 && hi.type == OBJ_ENDPOINT) {
		handle_t name_ep = dev;
		long r0;

		dev = (handle_t)native_start_word(1);
		archive = NULL;
		archive_len = 0;
		if ((r0 = lx_vfs_init(name_ep)) != 0) {
			printf("linuxemu: no vfs: error %d\n", (int)r0);
			return 1;
		}
	}
	const char *run = NULL;
	int pargc = 1, nfiles = 0, status, quiet = 0, watchdog = 0, quiet_for = 0;
	uint64_t rtc = 0;
	struct ipc_msg m;
	struct lproc *init;
	long r;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "linuxemu.run=", 13) == 0) {
			run = argv[i] + 13;
		} else if (strncmp(argv[i], "linuxemu.arg=", 13) == 0 && pargc < MAX_ARGS) {
			init_argv[pargc++] = argv[i] + 13;
		} else if (strncmp(argv[i], "linuxemu.argfile=", 17) == 0 && pargc < MAX_ARGS) {
			/* One argument: the text of an archive file (run-qemu.sh -c). */
			struct lnode n;
			const void *text;
			uint64_t tlen;

			if (lx_vfs != HANDLE_NONE) {
				char path[256];

				/* The archive is vfs's root, or at /boot on a disk root. */
				fmt_snprintf(path, sizeof(path), "/%s", argv[i] + 17);
				r = lx_vfs_read_file(path, 0, &text, &tlen, NULL, 0, 0);
				if (r != 0) {
					fmt_snprintf(path, sizeof(path), "/boot/%s", argv[i] + 17);
					r = lx_vfs_read_file(path, 0, &text, &tlen, NULL, 0, 0);
				}
				if (r != 0 || tlen >= sizeof(argfile_text[0])) {
					printf("linuxemu: %s: no such file (or too long)\n", path);
					return 1;
				}
				memcpy(argfile_text[nfiles], text, tlen);
				argfile_text[nfiles][tlen] = '\0';
				init_argv[pargc++] = argfile_text[nfiles++];
				continue;
			}
			lx_rootfs_init(archive, archive_len);
			if (lx_rootfs_walk("", argv[i] + 17, 1, &n) != 0 || n.dev != DEV_NONE ||
			    (n.mode & 0170000) != 0100000 || n.size >= sizeof(argfile_text[0])) {
				printf("linuxemu: %s: no such file in the boot archive (or too long)\n",
				    argv[i] + 17);
				return 1;
			}
			memcpy(argfile_text[nfiles], n.data, n.size);
			argfile_text[nfiles][n.size] = '\0';
			init_argv[pargc++] = argfile_text[nfiles++];
		} else if (strcmp(argv[i], "lichen.strace=1") == 0) {
			lx_strace = 1;
		} else if (strncmp(argv[i], "lichen.rtc=", 11) == 0) {
			rtc = strtoul(argv[i] + 11, NULL, 16);
		} else if (strcmp(argv[i], "linuxemu.watchdog=1") == 0) {
			watchdog = 1;
		} else if (strcmp(argv[i], "lichen.quiet=1") == 0) {
			quiet = 1;
		}
	}
	lx_rootfs_init(archive, archive_len);
	if (rtc != 0)
		read_rtc(dev, rtc);
	if (run == NULL) {
		printf("linuxemu: no program to run (linuxemu.run=PATH, from the boot archive)\n");
		return 1;
	}
	/* Deep: every thread's call, vfs's answers and its VFS_READY news queue here. */
	if ((r = ep_create(1024)) < 0) {
		printf("linuxemu: no endpoint: error %ld\n", r);
		return 1;
	}
	lx_pers = (handle_t)r;
	if ((r = lx_vfs_hello()) != 0) {
		printf("linuxemu: vfs refused its endpoint: error %ld\n", r);
		return 1;
	}
	if ((r = timer_create()) < 0 || obj_bind((handle_t)r, lx_pers, 1) != 0) {
		printf("linuxemu: no timer\n");
		return 1;
	}
	timer = (handle_t)r;
	init_argv[0] = (char *)run;
	{
		/* A bare name is an archive entry at the top: "hello" is "/hello". */
		static char path[256];

		fmt_snprintf(path, sizeof(path), "%s%s", run[0] == '/' ? "" : "/", run);
		if ((init = start_init(path, pargc, init_argv)) == NULL)
			return 1;
	}
	if (watchdog && ((r = timer_create()) < 0 || obj_bind((handle_t)r, lx_pers, 2) != 0 ||
	    timer_set((handle_t)r, clock_get() + 5000000000UL, 5000000000UL) != 0))
		printf("linuxemu: no watchdog timer\n");
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	x.rbuf = (uint64_t)(uintptr_t)rbuf;
	x.rcap = sizeof(rbuf);
	while (init->state == LP_ALIVE && ipc_recv(lx_pers, &m, &x) == 0) {
		if (lx_vfs_is_reply(&m)) {
			lx_vfs_reply(&m, rbuf, x.rlen);
			continue;
		}
		if (m.label == VFS_READY && m.badge == LX_READY_BADGE) {
			lx_vfs_ready(&m);
			continue;
		}
		if (m.badge == LX_TTY_BADGE && m.token == HANDLE_NONE) {
			lx_tty_event(&m);	/* the terminal's news, or an answer nobody waits for */
			continue;
		}
		if (m.label == LABEL_TIMER && m.badge == 2) {
			if (quiet_for++ > 0)
				dump_threads();
			continue;
		}
		quiet_for = 0;
		if (m.label == LABEL_TIMER)
			timers_expired();
		else if (m.label == LABEL_SYSCALL || m.label == LABEL_FAULT ||
		    m.label == LABEL_INTERRUPT)
			handle(&m);
		else if (m.token != HANDLE_NONE)
			handle_close(m.token);
	}
	/* The shell's convention: an exit code, or 128 + the signal that ended it. */
	status = (init->wstatus & 0x7f) == 0 ? (init->wstatus >> 8) & 0xff :
	    128 + (init->wstatus & 0x7f);
	if (lx_unknown_calls > 0 && !quiet)
		printf("linuxemu: %lu system calls answered -ENOSYS\n", lx_unknown_calls);
	lx_vfs_shutdown();
	system_poweroff(dev, status);
	return status;
}

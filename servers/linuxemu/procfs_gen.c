/*
 * The text of /proc's files (procfs.c has the tree), in Linux's formats
 * (proc(5); fs/proc/array.c, meminfo.c, stat.c, task_mmu.c): field
 * counts and spacing as Linux prints them, since ps, top and free parse
 * them. Everything comes from linuxemu's tables: the processes and
 * threads (proc.c), the mappings linuxemu recorded (mem.c), the kernel's
 * per-thread CPU time and free pages (sys_info).
 *
 * What linuxemu cannot know is left as Linux leaves what it does not
 * count (0): page faults, context switches, the kernel's own memory.
 * Resident memory is not counted by the kernel, so VmRSS and rss are
 * the mapped pages but the stack's reservation (docs/linuxemu.md).
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define STACK_TOP	0x7ffff0000000UL	/* exec.c's: the initial stack ends here */
#define HZ		100			/* USER_HZ: clock ticks in stat */
#define NS_PER_TICK	(1000000000UL / HZ)

/* --- a process's arguments and environment, where exec.c put them --- */

struct args {
	uint64_t vec;			/* the initial sp: argc, then argv[] */
	uint64_t arg_start, arg_end, env_start, env_end;
};

/*
 * Finds argv and envp on p's stack as exec.c laid it out: from
 * STACK_TOP down, the exec path, "aarch64", the environment strings,
 * the argument strings; below them the vector argc, argv[], NULL,
 * envp[], NULL, auxv (AT_PHDR first). The last string's pointer is found
 * among the words below and the vector walked back from it, each pointer
 * checked against the strings it must name. 0, or -ENOENT.
 */
static uint64_t words[16384];		/* 128 KiB below the strings */
static char top[65536];

static int
find_args(struct lproc *p, struct args *a)
{
	uint64_t lo = STACK_TOP - sizeof(top), strings, last, base, i, n;
	int64_t k;
	int has_env;

	if (p->state != LP_ALIVE || p->mm == NULL || lx_read(p, lo, top, sizeof(top)) != 0)
		return -ENOENT;
	/* top ends with "...envN\0aarch64\0/exec/path\0". */
	for (k = (int64_t)sizeof(top) - 2; k >= 0 && top[k] != '\0'; k--)
		;
	if (k < 9 || memcmp(top + k - 7, "aarch64", 8) != 0 || top[k - 8] != '\0')
		return -ENOENT;
	strings = lo + (uint64_t)k - 7;		/* the argument and environment strings end here */
	for (k = k - 9; k >= 0 && top[k] != '\0'; k--)
		;
	if (k < 0)
		return -ENOENT;
	last = lo + (uint64_t)k + 1;		/* the last string */
	base = (last & ~7UL) - sizeof(words);
	if (lx_read(p, base, words, sizeof(words)) != 0)
		return -ENOENT;
	for (i = sizeof(words) / 8 - 4; i > 0; i--)
		if (words[i] == last && words[i + 1] == 0 &&
		    (words[i + 2] == 3 || (words[i + 2] == 0 && words[i + 3] == 3)))
			break;
	if (i == 0)
		return -ENOENT;
	/* Back from the last pointer: the environment, its NULL, the arguments, argc. */
	a->env_start = a->env_end = strings;
	if ((has_env = words[i + 2] == 3)) {
		for (n = i; n > 0 && words[n] >= base && words[n] < strings; n--)
			a->env_start = words[n];
		if (n == 0 || words[n] != 0)
			return -ENOENT;
		i = n - 1;
	}
	for (n = i; n > 0 && words[n] >= base && words[n] < strings; n--)
		;
	if (words[n] != i - n || n == i)
		return -ENOENT;		/* argc must count them */
	a->vec = base + n * 8;
	a->arg_start = words[n + 1];
	a->arg_end = has_env ? a->env_start : strings;
	return 0;
}

/* [from, to) of p's memory into b. */
static void
put_user(struct lx_pbuf *b, struct lproc *p, uint64_t from, uint64_t to)
{
	static char chunk[4096];

	while (from < to) {
		uint64_t n = to - from < sizeof(chunk) ? to - from : sizeof(chunk);

		if (lx_read(p, from, chunk, n) != 0)
			return;
		lx_pbuf_put(b, chunk, n);
		from += n;
	}
}

/* --- memory --- */

struct vm {
	uint64_t size, stack, exe, data, rss;	/* bytes */
	uint64_t start_code, end_code, start_data, end_data;
};

/*
 * The image's mappings: the one holding the heap's start (its last
 * segment and the heap may be one record) and the run below it with
 * gaps under 2 MiB (segment alignment).
 */
static uint64_t
heap_start(const struct lmm *mm)
{
	return (mm->brk_start + PAGE - 1) & ~(PAGE - 1);
}

static int
image_start(const struct lmm *mm)
{
	int i;

	for (i = mm->nmap - 1; i >= 0 && mm->map[i].start >= heap_start(mm); i--)
		;
	if (i < 0 || mm->map[i].end < heap_start(mm))
		return mm->nmap;
	while (i > 0 && mm->map[i].start - mm->map[i - 1].end < (2UL << 20))
		i--;
	return i;
}

static int
is_image(const struct lmm *mm, int first, int i)
{
	return i >= first && mm->map[i].start < heap_start(mm);
}

static int
is_stack(const struct lx_map *m)
{
	return m->end == STACK_TOP;
}

static void
vm_of(const struct lproc *p, struct vm *v)
{
	const struct lmm *mm = p->mm;
	int first;

	memset(v, 0, sizeof(*v));
	if (p->state != LP_ALIVE || mm == NULL)
		return;
	first = image_start(mm);
	for (int i = 0; i < mm->nmap; i++) {
		const struct lx_map *m = &mm->map[i];
		uint64_t len = m->end - m->start;

		v->size += len;
		if (is_stack(m)) {
			v->stack += len;
			continue;
		}
		v->rss += len;
		if (is_image(mm, first, i) && m->end > heap_start(mm))
			len = heap_start(mm) - m->start;	/* the rest is heap: data */
		if (is_image(mm, first, i) && (m->prot & PROT_X)) {
			v->exe += len;
			if (v->start_code == 0)
				v->start_code = m->start;
			v->end_code = m->end;
		} else if ((m->prot & PROT_W) && m->obj == 0) {
			v->data += m->end - m->start;
			if (is_image(mm, first, i)) {
				if (v->start_data == 0)
					v->start_data = m->start;
				v->end_data = m->end;
			}
		}
	}
	v->rss += PAGE;			/* the stack's top page: the arguments */
}

/* --- /proc/<pid>/stat, status, statm --- */

static int
thread_running(const struct lthread *t)
{
	return t->token == HANDLE_NONE || t->wait == W_NONE;
}

/* Linux's state letter and name. */
static char
state_of(const struct lproc *p, const struct lthread *only, const char **name)
{
	int running = 0;

	if (p->state == LP_ZOMBIE) {
		*name = "zombie";
		return 'Z';
	}
	if (p->is_stopped) {
		*name = "stopped";
		return 'T';
	}
	for (int i = 0; i < LX_NTHREAD; i++)
		if (lx_threads[i].tid != 0 && lx_threads[i].proc == p &&
		    (only == NULL || only == &lx_threads[i]))
			running |= thread_running(&lx_threads[i]);
	*name = running ? "running" : "sleeping";
	return running ? 'R' : 'S';
}

/* The signals the actions ignore and catch. */
static void
sig_sets(const struct lproc *p, uint64_t *ign, uint64_t *cgt)
{
	*ign = *cgt = 0;
	if (p->sig == NULL)
		return;
	for (int s = 1; s <= LX_NSIG; s++) {
		uint64_t h = p->sig->act[s - 1].handler;

		if (h == 1)			/* SIG_IGN */
			*ign |= 1UL << (s - 1);
		else if (h != 0)
			*cgt |= 1UL << (s - 1);
	}
}

static const struct lthread *
main_thread(const struct lproc *p, const struct lthread *t)
{
	if (t != NULL)
		return t;
	for (int i = 0; i < LX_NTHREAD; i++)
		if (lx_threads[i].tid != 0 && lx_threads[i].proc == p)
			return &lx_threads[i];
	return NULL;
}

static void
gen_stat(struct lx_pbuf *b, struct lproc *p, struct lthread *t)
{
	const struct lthread *mt = main_thread(p, t);
	uint64_t cpu = t != NULL ? lx_thread_cpu(t) : p->state == LP_ALIVE ? lx_proc_cpu(p) :
	    p->cpu_gone;
	uint64_t ign, cgt, blocked = mt != NULL ? mt->sigmask : 0;
	struct args a = { 0, 0, 0, 0, 0 };
	const char *sname;
	char state = state_of(p, t, &sname);
	struct vm v;

	vm_of(p, &v);
	sig_sets(p, &ign, &cgt);
	find_args(p, &a);
	lx_pbuf_printf(b, "%d (%s) %c %d %d %d 0 -1 %u 0 0 0 0 %lu 0 %lu 0 %d %d %d 0 %lu %lu %lu "
	    "%lu %lu %lu %lu 0 0 %lu %lu %lu %lu 0 0 0 %d 0 %u %u 0 0 0 %lu %lu %lu %lu %lu %lu %lu "
	    "%d\n",
	    t != NULL ? t->tid : p->pid, p->comm, state, p->parent != NULL ? p->parent->pid : 0,
	    p->pgid, p->sid, 0x400000u,					/* PF_RANDOMIZE */
	    (unsigned long)(cpu / NS_PER_TICK), (unsigned long)(p->cpu_children / NS_PER_TICK),
	    20 + (mt != NULL ? mt->nice : 0), mt != NULL ? mt->nice : 0, p->nthreads,
	    (unsigned long)(p->start_ns / NS_PER_TICK), (unsigned long)v.size,
	    (unsigned long)(v.rss / PAGE), (unsigned long)p->rlimit[5][0],	/* RLIMIT_RSS */
	    (unsigned long)v.start_code, (unsigned long)v.end_code, (unsigned long)a.vec,
	    (unsigned long)(p->pend.set | (mt != NULL ? mt->pend.set : 0)), (unsigned long)blocked,
	    (unsigned long)ign, (unsigned long)cgt, p->exit_signal,
	    mt != NULL ? (unsigned)mt->rt_priority : 0u, mt != NULL ? (unsigned)(mt->policy & 7) : 0u,
	    (unsigned long)v.start_data, (unsigned long)v.end_data,
	    (unsigned long)(p->mm != NULL ? p->mm->brk_start : 0), (unsigned long)a.arg_start,
	    (unsigned long)a.arg_end, (unsigned long)a.env_start, (unsigned long)a.env_end,
	    p->state == LP_ZOMBIE ? p->wstatus : 0);
}

static void
kb(struct lx_pbuf *b, const char *label, uint64_t bytes)
{
	lx_pbuf_printf(b, "%s:\t%8lu kB\n", label, (unsigned long)(bytes / 1024));
}

static void
gen_status(struct lx_pbuf *b, struct lproc *p, struct lthread *t)
{
	const struct lthread *mt = main_thread(p, t);
	uint64_t ign, cgt, queued = 0;
	const char *sname;
	char state = state_of(p, t, &sname);
	int id = t != NULL ? t->tid : p->pid, ppid = p->parent != NULL ? p->parent->pid : 0;
	uint64_t caps = p->euid == 0 ? 0x1ffffffffffUL : 0;	/* Linux 6.1's 41 capabilities */
	int ncpu = (int)sys_info(SYSINFO_NCPUS, 0);
	struct vm v;

	vm_of(p, &v);
	sig_sets(p, &ign, &cgt);
	if (mt != NULL)
		queued = (uint64_t)mt->pend.nq;
	lx_pbuf_printf(b, "Name:\t%s\nUmask:\t%04o\nState:\t%c (%s)\nTgid:\t%d\nNgid:\t0\n"
	    "Pid:\t%d\nPPid:\t%d\nTracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n"
	    "FDSize:\t%d\nGroups:\t\nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n",
	    p->comm, p->umask, state, sname, p->pid, id, ppid, p->uid, p->euid, p->suid, p->euid,
	    p->gid, p->egid, p->sgid, p->egid, p->files != NULL ? LX_NOFILE : 0, p->pid, id,
	    p->pgid, p->sid);
	if (p->state == LP_ALIVE && p->mm != NULL) {
		kb(b, "VmPeak", v.size);
		kb(b, "VmSize", v.size);
		kb(b, "VmLck", 0);
		kb(b, "VmPin", 0);
		kb(b, "VmHWM", v.rss);
		kb(b, "VmRSS", v.rss);
		kb(b, "RssAnon", v.rss - v.exe);
		kb(b, "RssFile", v.exe);
		kb(b, "RssShmem", 0);
		kb(b, "VmData", v.data);
		kb(b, "VmStk", v.stack);
		kb(b, "VmExe", v.exe);
		kb(b, "VmLib", 0);
		kb(b, "VmPTE", 0);
		kb(b, "VmSwap", 0);
		lx_pbuf_printf(b, "HugetlbPages:\t%8d kB\n", 0);
	}
	lx_pbuf_printf(b, "CoreDumping:\t0\nTHP_enabled:\t0\nThreads:\t%d\nSigQ:\t%lu/%lu\n"
	    "SigPnd:\t%016lx\nShdPnd:\t%016lx\nSigBlk:\t%016lx\nSigIgn:\t%016lx\nSigCgt:\t%016lx\n"
	    "CapInh:\t0000000000000000\nCapPrm:\t%016lx\nCapEff:\t%016lx\nCapBnd:\t000001ffffffffff\n"
	    "CapAmb:\t0000000000000000\nNoNewPrivs:\t%d\nSeccomp:\t0\nSeccomp_filters:\t0\n"
	    "Speculation_Store_Bypass:\tnot vulnerable\nSpeculationIndirectBranch:\tunknown\n"
	    "Cpus_allowed:\t%x\nCpus_allowed_list:\t0-%d\nMems_allowed:\t1\nMems_allowed_list:\t0\n"
	    "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n",
	    p->nthreads, (unsigned long)queued, (unsigned long)p->rlimit[11][0],	/* SIGPENDING */
	    (unsigned long)(mt != NULL ? mt->pend.set : 0), (unsigned long)p->pend.set,
	    (unsigned long)(mt != NULL ? mt->sigmask : 0), (unsigned long)ign, (unsigned long)cgt,
	    (unsigned long)caps, (unsigned long)caps, p->no_new_privs,
	    ncpu > 0 && ncpu < 32 ? (1u << ncpu) - 1 : 1u, ncpu > 1 ? ncpu - 1 : 0);
}

/* --- /proc/<pid>/maps --- */

static void
map_line(struct lx_pbuf *b, const struct lx_map *m, const char *name)
{
	size_t start = b->len;

	lx_pbuf_printf(b, "%08lx-%08lx %c%c%c%c %08lx 00:%02x %lu ",
	    (unsigned long)m->start, (unsigned long)m->end, (m->prot & PROT_R) ? 'r' : '-',
	    (m->prot & PROT_W) ? 'w' : '-', (m->prot & PROT_X) ? 'x' : '-',
	    m->obj != 0 ? 's' : 'p', (unsigned long)(m->obj != 0 ? m->off : 0),
	    m->obj != 0 ? 1 : 0, (unsigned long)m->obj);
	if (name != NULL) {
		while (b->len - start < 72)	/* Linux pads the name to column 73 (seq_pad) */
			lx_pbuf_put(b, " ", 1);
		lx_pbuf_printf(b, "%s", name);
	}
	lx_pbuf_put(b, "\n", 1);
}

static void
gen_maps(struct lx_pbuf *b, struct lproc *p)
{
	const struct lmm *mm = p->mm;
	int first;

	if (p->state != LP_ALIVE || mm == NULL)
		return;
	first = image_start(mm);
	for (int i = 0; i < mm->nmap; i++) {
		struct lx_map m = mm->map[i];

		if (is_image(mm, first, i) && m.end > heap_start(mm)) {
			/* The last segment and the heap in one record: Linux's two lines. */
			struct lx_map seg = m;

			seg.end = m.start = heap_start(mm);
			map_line(b, &seg, p->exe);
		}
		if (is_image(mm, first, i) && m.start < heap_start(mm))
			map_line(b, &m, p->exe);
		else if (m.start < mm->brk && m.end > mm->brk_start)
			map_line(b, &m, "[heap]");
		else
			map_line(b, &m, is_stack(&m) ? "[stack]" : NULL);
	}
}

/* --- /proc/mounts: what linuxemu knows of the tree --- */

/*
 * Standalone the root is the boot archive and /dev is linuxemu's own; in
 * vfs mode the table is vfs's (VFS_MOUNTS: the root, /dev on devtmpfs,
 * /tmp, /boot...). /proc is linuxemu's own in both.
 */
static void
gen_mounts(struct lx_pbuf *b)
{
	static char table[4096];
	long n;

	if (lx_vfs == HANDLE_NONE) {
		lx_pbuf_printf(b, "rootfs / rootfs ro 0 0\n"
		    "devtmpfs /dev devtmpfs rw,nosuid 0 0\n");
	} else if ((n = lx_vfs_mounts(table, sizeof(table) - 1)) > 0) {
		table[n] = '\0';
		lx_pbuf_printf(b, "%s", table);
	}
	lx_pbuf_printf(b, "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n");
}

int
lx_procfs_gen_pid(struct lx_pbuf *b, const char *what, struct lproc *p, struct lthread *t)
{
	struct args a;

	if (strcmp(what, "stat") == 0)
		gen_stat(b, p, t);
	else if (strcmp(what, "status") == 0)
		gen_status(b, p, t);
	else if (strcmp(what, "statm") == 0) {
		struct vm v;

		vm_of(p, &v);
		lx_pbuf_printf(b, "%lu %lu 0 %lu 0 %lu 0\n", (unsigned long)(v.size / PAGE),
		    (unsigned long)(v.rss / PAGE), (unsigned long)(v.exe / PAGE),
		    (unsigned long)((v.data + v.stack) / PAGE));
	} else if (strcmp(what, "comm") == 0)
		lx_pbuf_printf(b, "%s\n", p->comm);
	else if (strcmp(what, "cmdline") == 0) {
		if (find_args(p, &a) == 0)		/* a zombie's is empty */
			put_user(b, p, a.arg_start, a.arg_end);
	} else if (strcmp(what, "environ") == 0) {
		if (find_args(p, &a) == 0)
			put_user(b, p, a.env_start, a.env_end);
	} else if (strcmp(what, "maps") == 0)
		gen_maps(b, p);
	else if (strcmp(what, "mounts") == 0)
		gen_mounts(b);
	else
		return -EINVAL;
	return 0;
}

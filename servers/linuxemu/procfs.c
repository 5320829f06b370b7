/*
 * /proc, served from linuxemu's own tables (DESIGN.md §6; issue 8):
 * the tree, its links and its directories. procfs_gen.c writes the
 * files' text. rootfs.c hands every name under "proc" here (in both
 * modes: vfs never sees /proc), path.c opens, stats and lists them.
 *
 *   /proc/self, /proc/thread-self	links to the caller's pid (and tid)
 *   /proc/<pid>/			every live or zombie process
 *	stat status statm cmdline comm environ maps mounts	files
 *	exe cwd root			links
 *	fd/<n>				links: a path, pipe:[ino], /dev/console
 *	task/<tid>/			each thread: the same, without task/
 *   /proc/{meminfo,cpuinfo,stat,uptime,loadavg,version,filesystems}
 *   /proc/mounts			a link to self/mounts, as Linux's
 *   /proc/sys/kernel/{hostname,ostype,osrelease,pid_max}
 *   /proc/lichen/strace		linuxemu's tracing switch (io.c)
 *
 * A file's text is made when it is opened, like a seq_file's at its
 * first read: a snapshot that reads, preads and lseeks see unchanged;
 * it is freed with the open file (lx_procfs_close). Modes are Linux's
 * (dr-xr-xr-x, -r--r--r--, lrwxrwxrwx; fd/ dr-x------), sizes 0.
 */
#include <lichen/errno.h>
#include <lichen/fmt.h>
#include <lichen/ipc.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define S_IFDIR_	0040000
#define S_IFLNK_	0120000
#define S_IFREG_	0100000

/* The fixed part of the tree, below proc/: name, mode, a link's target. */
static const struct {
	const char *name;
	uint32_t mode;
	const char *target;
} fixed[] = {
	{ "self", S_IFLNK_ | 0777, NULL },
	{ "thread-self", S_IFLNK_ | 0777, NULL },
	{ "mounts", S_IFLNK_ | 0777, "self/mounts" },
	{ "meminfo", S_IFREG_ | 0444, NULL },
	{ "cpuinfo", S_IFREG_ | 0444, NULL },
	{ "stat", S_IFREG_ | 0444, NULL },
	{ "uptime", S_IFREG_ | 0444, NULL },
	{ "loadavg", S_IFREG_ | 0444, NULL },
	{ "version", S_IFREG_ | 0444, NULL },
	{ "filesystems", S_IFREG_ | 0444, NULL },
	{ "sys", S_IFDIR_ | 0555, NULL },
	{ "sys/kernel", S_IFDIR_ | 0555, NULL },
	{ "sys/kernel/hostname", S_IFREG_ | 0644, NULL },
	{ "sys/kernel/ostype", S_IFREG_ | 0444, NULL },
	{ "sys/kernel/osrelease", S_IFREG_ | 0444, NULL },
	{ "sys/kernel/pid_max", S_IFREG_ | 0644, NULL },
	{ "lichen", S_IFDIR_ | 0555, NULL },
	{ "lichen/strace", S_IFREG_ | 0644, NULL },
};
#define NFIXED	(sizeof(fixed) / sizeof(fixed[0]))

/* What a process's directory holds (a thread's: all but task). */
static const struct {
	const char *name;
	uint32_t mode;
} per_pid[] = {
	{ "cmdline", S_IFREG_ | 0444 },
	{ "comm", S_IFREG_ | 0644 },
	{ "cwd", S_IFLNK_ | 0777 },
	{ "environ", S_IFREG_ | 0400 },
	{ "exe", S_IFLNK_ | 0777 },
	{ "fd", S_IFDIR_ | 0500 },
	{ "maps", S_IFREG_ | 0444 },
	{ "mounts", S_IFREG_ | 0444 },
	{ "root", S_IFLNK_ | 0777 },
	{ "stat", S_IFREG_ | 0444 },
	{ "statm", S_IFREG_ | 0444 },
	{ "status", S_IFREG_ | 0444 },
	{ "task", S_IFDIR_ | 0555 },
};
#define NPERPID	(sizeof(per_pid) / sizeof(per_pid[0]))
#define TASK	(NPERPID - 1)		/* per_pid's last: only in a process's directory */

/* A name under proc/, taken apart. */
enum pkind { PK_ROOT, PK_FIXED, PK_PID, PK_ENTRY, PK_FD };

struct pref {
	enum pkind kind;
	int index;			/* PK_FIXED: fixed[]; PK_ENTRY: per_pid[] */
	struct lproc *p;		/* PK_PID, PK_ENTRY, PK_FD */
	struct lthread *t;		/* a task/<tid>/ (NULL: the process's own) */
	int fd;				/* PK_FD */
};

static struct lproc *self_proc;
static struct lthread *self_thread;

void
lx_procfs_self(struct lthread *t)
{
	self_thread = t;
	self_proc = t != NULL ? t->proc : NULL;
}

/* execve and lx_proc_set_exe name their process by its exe (rootfs.c's lx_rootfs_self). */
void
lx_procfs_self_exe(const char *exe)
{
	for (int i = 0; i < LX_NPROC; i++)
		if (lx_procs[i].exe == exe) {
			if (self_proc != &lx_procs[i])
				self_thread = NULL;
			self_proc = &lx_procs[i];
			return;
		}
}

int
lx_procfs_is(const char *path)
{
	return strncmp(path, "proc", 4) == 0 && (path[4] == '\0' || path[4] == '/');
}

/* A decimal component ("0" and leading zeros are not pids, as Linux's name_to_int): -1 else. */
static int
number(const char *s, size_t len)
{
	int v = 0;

	if (len == 0 || len > 9 || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static struct lproc *
proc_of(int pid)
{
	for (int i = 0; i < LX_NPROC; i++)
		if (lx_procs[i].state != LP_FREE && lx_procs[i].pid == pid)
			return &lx_procs[i];
	return NULL;
}

static struct lthread *
thread_of(const struct lproc *p, int tid)
{
	for (int i = 0; i < LX_NTHREAD; i++)
		if (lx_threads[i].tid == tid && lx_threads[i].proc == p)
			return &lx_threads[i];
	return NULL;
}

/* The next component of *s (no "/"): its length, *s moved past it and its slashes. */
static size_t
component(const char **s, const char **comp)
{
	const char *p = *s, *e;

	while (*p == '/')
		p++;
	for (e = p; *e != '\0' && *e != '/'; e++)
		;
	*comp = p;
	*s = e;
	return (size_t)(e - p);
}

/* The part of a pid directory named by rest ("" or "/..."): 0 or -ENOENT. */
static int
parse_pid(const char *rest, struct pref *r)
{
	const char *c;
	size_t len = component(&rest, &c);
	int n;

	if (len == 0) {
		r->kind = PK_PID;
		return 0;
	}
	for (size_t i = 0; i < NPERPID; i++) {
		if (strlen(per_pid[i].name) != len || memcmp(per_pid[i].name, c, len) != 0)
			continue;
		if (i == TASK && r->t != NULL)
			return -ENOENT;
		r->kind = PK_ENTRY;
		r->index = (int)i;
		if (i == TASK) {
			if ((len = component(&rest, &c)) == 0)
				return 0;
			if ((n = number(c, len)) < 0 || (r->t = thread_of(r->p, n)) == NULL)
				return -ENOENT;
			return parse_pid(rest, r);
		}
		if (strcmp(per_pid[i].name, "fd") == 0 && (len = component(&rest, &c)) != 0) {
			if ((n = number(c, len)) < 0 || n >= LX_NOFILE || r->p->files == NULL ||
			    r->p->files->fd[n] == NULL)
				return -ENOENT;
			r->kind = PK_FD;
			r->fd = n;
		}
		return component(&rest, &c) == 0 ? 0 : -ENOENT;
	}
	return -ENOENT;
}

/* name (canonical, "proc" or "proc/..."): 0 and *r, or -ENOENT. */
static int
parse(const char *name, struct pref *r)
{
	const char *rest = name + 4, *c;
	size_t len = component(&rest, &c);
	int pid;

	memset(r, 0, sizeof(*r));
	if (len == 0) {
		r->kind = PK_ROOT;
		return 0;
	}
	if ((pid = number(c, len)) > 0) {
		if ((r->p = proc_of(pid)) == NULL)
			return -ENOENT;
		return parse_pid(rest, r);
	}
	len = strlen(c);
	for (size_t i = 0; i < NFIXED; i++)
		if (strlen(fixed[i].name) == len && memcmp(fixed[i].name, c, len) == 0) {
			r->kind = PK_FIXED;
			r->index = (int)i;
			return 0;
		}
	return -ENOENT;
}

/* Links' targets: a few at once, since a walk may hold one while finding the next. */
static char targets[4][256];
static unsigned next_target;

/* The file's path in vfs (lx_vfs_cwd_path asks VFS_GETPATH for any file it is given). */
static int
vfs_file_path(struct lfile *f, char *out, size_t cap)
{
	static struct lproc asker;

	asker.cwdf = f;
	return lx_vfs_cwd_path(&asker, out, cap);
}

/* What an open file's fd link names (Linux's d_path or its pipe:[ino]). */
static void
file_target(struct lfile *f, char *out, size_t cap)
{
	switch (f->kind) {
	case LF_CONSOLE:
		strlcpy(out, "/dev/console", cap);
		break;
	case LF_PIPE:
		fmt_snprintf(out, cap, "pipe:[%lu]", (unsigned long)lx_pipe_ino(f->pipe));
		break;
	case LF_NODE:
		fmt_snprintf(out, cap, "/%s", f->node.path);
		break;
	case LF_VFS:
		if (f->vpipe != 0)	/* vfs's pipes and FIFOs: their pipe id is the inode */
			fmt_snprintf(out, cap, "pipe:[%lu]", (unsigned long)f->vpipe);
		else if (vfs_file_path(f, out, cap) != 0)
			strlcpy(out, "(deleted)", cap);
		break;
	default:
		strlcpy(out, "", cap);
	}
}

/* A link's target: 0, or -ENOENT (a zombie's exe and cwd, say). */
static int
link_target(const struct pref *r, char *out, size_t cap)
{
	const char *what;

	if (r->kind == PK_FIXED) {
		if (fixed[r->index].target != NULL)
			strlcpy(out, fixed[r->index].target, cap);
		else if (self_proc == NULL)
			return -ENOENT;
		else if (strcmp(fixed[r->index].name, "self") == 0)
			fmt_snprintf(out, cap, "%d", self_proc->pid);
		else if (self_thread == NULL)
			return -ENOENT;
		else
			fmt_snprintf(out, cap, "%d/task/%d", self_proc->pid, self_thread->tid);
		return 0;
	}
	if (r->kind == PK_FD) {
		file_target(r->p->files->fd[r->fd], out, cap);
		return 0;
	}
	what = per_pid[r->index].name;
	if (r->p->state != LP_ALIVE)
		return -ENOENT;
	if (strcmp(what, "exe") == 0)
		strlcpy(out, r->p->exe, cap);
	else if (strcmp(what, "root") == 0)
		strlcpy(out, "/", cap);
	else if (r->p->cwdf == NULL)		/* standalone, or in linuxemu's own /dev, /proc */
		strlcpy(out, r->p->cwd, cap);
	else if (lx_vfs_cwd_path(r->p, out, cap) != 0)
		return -ENOENT;
	return 0;
}

/* Inode numbers: fixed ones low, a process's above 2^32 by pid, tid, entry and fd. */
static uint64_t
ino_of(const struct pref *r)
{
	uint64_t base;

	if (r->kind == PK_ROOT)
		return 1;
	if (r->kind == PK_FIXED)
		return 0x1000 + (uint64_t)r->index;
	base = (uint64_t)r->p->pid << 32 | (uint64_t)(r->t != NULL ? r->t->tid : 0) << 16;
	if (r->kind == PK_PID)
		return base;
	if (r->kind == PK_ENTRY)
		return base | (uint64_t)(r->index + 1) << 9;
	return base | (uint64_t)(NPERPID + 1) << 9 | (uint64_t)r->fd;
}

/* The node for *r (n->path is already its name). */
static int
node_of(const struct pref *r, struct lnode *n)
{
	n->ino = ino_of(r);
	n->size = 0;
	n->data = NULL;
	n->dev = DEV_NONE;
	switch (r->kind) {
	case PK_ROOT:
	case PK_PID:
		n->mode = S_IFDIR_ | 0555;
		return 0;
	case PK_FD: {
		uint32_t acc = r->p->files->fd[r->fd]->flags & 3;

		n->mode = S_IFLNK_ | (acc != 1 ? 0400 : 0) | (acc != 0 ? 0200 : 0) | 0100;
		break;
	}
	case PK_FIXED:
		n->mode = fixed[r->index].mode;
		if (strcmp(fixed[r->index].name, "lichen/strace") == 0)
			n->dev = DEV_STRACE;
		break;
	case PK_ENTRY:
		n->mode = per_pid[r->index].mode;
		break;
	}
	if ((n->mode & 0170000) == S_IFLNK_) {
		char *out = targets[next_target++ % 4];
		int e = link_target(r, out, sizeof(targets[0]));

		if (e != 0)
			return e;	/* a zombie's exe or cwd; /proc/self with nobody asking */
		n->data = out;
		n->size = strlen(out);
	}
	return 0;
}

int
lx_procfs_find(const char *name, struct lnode *n)
{
	struct pref r;
	int e;

	if ((e = parse(name, &r)) != 0)
		return e;
	return node_of(&r, n);
}

/*
 * A directory's next entry at or after *pos: 1 with its name and node, 0
 * at the end. Positions: 0 ".", 1 "..", then the fixed entries, then
 * (at 1024 + pid or tid, or 1024 + fd) the numbered ones, so a process
 * that comes or goes between two calls moves nobody else.
 */
#define NUMBERED	1024

static int
entry_at(const char *dir, const struct pref *r, uint64_t at, char *name, size_t cap)
{
	size_t dlen = strlen(dir) - 4;		/* after "proc": "" or "/sys", ... */

	if (r->kind == PK_ROOT || r->kind == PK_FIXED) {
		if (at - 2 >= NFIXED)
			return -1;
		{
			const char *e = fixed[at - 2].name;

			if (dlen > 0 && (strncmp(e, dir + 5, dlen - 1) != 0 || e[dlen - 1] != '/'))
				return 0;
			if (strchr(e + (dlen > 0 ? dlen : 0), '/') != NULL)
				return 0;
			strlcpy(name, e + (dlen > 0 ? dlen : 0), cap);
			return 1;
		}
	}
	if (r->kind == PK_PID) {
		if (at - 2 >= NPERPID)
			return -1;
		if (at - 2 == TASK && r->t != NULL)
			return 0;
		strlcpy(name, per_pid[at - 2].name, cap);
		return 1;
	}
	return -1;		/* fd/ and task/ hold numbered entries only */
}

/* The next numbered entry at or after n: its number, or -1. */
static int
numbered_from(const struct pref *r, int n)
{
	int best = -1;

	if (r->kind == PK_ROOT) {
		for (int i = 0; i < LX_NPROC; i++)
			if (lx_procs[i].state != LP_FREE && lx_procs[i].pid >= n &&
			    (best < 0 || lx_procs[i].pid < best))
				best = lx_procs[i].pid;
	} else if (r->kind == PK_ENTRY && r->index == (int)TASK) {
		for (int i = 0; i < LX_NTHREAD; i++)
			if (lx_threads[i].tid >= n && lx_threads[i].proc == r->p &&
			    (best < 0 || lx_threads[i].tid < best))
				best = lx_threads[i].tid;
	} else if (r->kind == PK_ENTRY && r->p->files != NULL) {	/* fd/ */
		for (int fd = n; fd < LX_NOFILE; fd++)
			if (r->p->files->fd[fd] != NULL)
				return fd;
	}
	return best;
}

int
lx_procfs_readdir(const char *dir, uint64_t *pos, char *name, size_t cap, struct lnode *n)
{
	char full[256];
	struct pref r;
	int k;

	if (parse(dir, &r) != 0)
		return 0;
	for (;;) {
		uint64_t at = (*pos)++;

		if (at == 0 || at == 1) {
			strlcpy(name, at == 0 ? "." : "..", cap);
			memset(n, 0, sizeof(*n));
			n->mode = S_IFDIR_ | 0555;
			n->ino = 1;
			return 1;
		}
		if (at < NUMBERED) {
			if ((k = entry_at(dir, &r, at, name, cap)) == 0)
				continue;
			if (k < 0) {
				if (r.kind == PK_FIXED)
					return 0;
				*pos = NUMBERED;
				continue;
			}
		} else {
			if (r.kind != PK_ROOT && r.kind != PK_ENTRY)
				return 0;
			if ((k = numbered_from(&r, (int)(at - NUMBERED))) < 0)
				return 0;
			*pos = NUMBERED + (uint64_t)k + 1;
			fmt_snprintf(name, cap, "%d", k);
		}
		if (fmt_snprintf(full, sizeof(full), "%s/%s", dir, name) >= (int)sizeof(full))
			return 0;
		memset(n, 0, sizeof(*n));
		strlcpy(n->path, full, sizeof(n->path));
		if (lx_procfs_find(full, n) == 0)
			return 1;
	}
}

/* --- open files: the snapshots --- */

static struct {
	struct lfile *f;
	char *text;
} snaps[LX_NFILE];

static void
pbuf_sink(void *ctx, const char *s, size_t n)
{
	lx_pbuf_put(ctx, s, n);
}

void
lx_pbuf_put(struct lx_pbuf *b, const void *data, size_t len)
{
	if (b->failed)
		return;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap < 4096 ? 4096 : b->cap;
		char *p;

		while (cap < b->len + len + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void
lx_pbuf_printf(struct lx_pbuf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vformat(pbuf_sink, b, fmt, ap);
	va_end(ap);
}

/* The text of the file r names. */
static int
generate(const char *path, const struct pref *r, struct lx_pbuf *b)
{
	if (r->kind == PK_FIXED) {
		const char *slash = strrchr(path, '/');

		return lx_procfs_gen_sys(b, slash + 1);
	}
	return lx_procfs_gen_pid(b, per_pid[r->index].name, r->p, r->t);
}

/*
 * openat found f's node: a generated file gets its text now. 0, or
 * -ENOENT (the process went), -ENOMEM, -ENFILE.
 */
long
lx_procfs_open(struct lfile *f)
{
	struct lx_pbuf b = { NULL, 0, 0, 0 };
	struct pref r;
	int e, slot = -1;

	if ((f->node.mode & 0170000) != S_IFREG_ || f->node.dev != DEV_NONE ||
	    (f->flags & 010000000))		/* O_PATH: nothing is read */
		return 0;
	if ((e = parse(f->node.path, &r)) != 0)
		return e;
	for (int i = 0; i < LX_NFILE && slot < 0; i++)
		if (snaps[i].f == NULL)
			slot = i;
	if (slot < 0)
		return -ENFILE;
	if ((e = generate(f->node.path, &r, &b)) != 0 || b.failed) {
		free(b.p);
		return e != 0 ? e : -ENOMEM;
	}
	snaps[slot].f = f;
	snaps[slot].text = b.p;
	f->node.data = b.p;
	f->node.size = b.len;
	return 0;
}

void
lx_procfs_close(struct lfile *f)
{
	for (int i = 0; i < LX_NFILE; i++)
		if (snaps[i].f == f) {
			free(snaps[i].text);
			snaps[i].f = NULL;
			snaps[i].text = NULL;
			f->node.data = NULL;
			return;
		}
}

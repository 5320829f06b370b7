/*
 * procfs: /proc as ps, top and free read it, compared with Linux. Lines
 * hold what is the same on both: fields checked against the calls that
 * tell the same thing (getpid, getppid, argv, environ, fstat's st_ino,
 * uname), the formats' shapes (field counts, " kB", two numbers), the
 * modes, and the errors. qemu-aarch64 makes up some of /proc/self
 * (stat, cmdline, exe, maps) and shows the qemu process elsewhere, so
 * comm is set with prctl before it is read, stat's field count is read
 * from /proc/self/task/TID/stat, and listings are searched, not shown.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "linuxtest.h"

extern char **environ;

static char text[65536];

/* The whole of path into text: its length, or -1 with errno. */
static long
slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	long n = 0, r;

	if (fd < 0)
		return -1;
	while ((r = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += r;
	close(fd);
	text[n] = '\0';
	return r < 0 ? -1 : n;
}

/* The value after "Key:" in a status-like text, or NULL. */
static const char *
field(const char *key)
{
	size_t k = strlen(key);

	for (const char *p = text; p != NULL && *p; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, key, k) == 0 && p[k] == ':')
			return p + k + 1 + strspn(p + k + 1, " \t");
	return NULL;
}

static void
check_stat(void)
{
	char comm[64], state, tpath[64];
	int pid, ppid, fields = 0;
	char *close_paren;

	if (slurp("/proc/self/stat") < 0) {
		say("stat: %s", errname(errno));
		return;
	}
	if (sscanf(text, "%d (%63[^)]) %c %d", &pid, comm, &state, &ppid) != 4) {
		say("stat: does not parse");
		return;
	}
	say("stat pid is getpid: %s", pid == getpid() ? "yes" : "no");
	say("stat comm: %s", comm);
	say("stat ppid is getppid: %s", ppid == getppid() ? "yes" : "no");
	/* qemu-aarch64 writes its own self/stat: count a task's, which it does not. */
	snprintf(tpath, sizeof(tpath), "/proc/self/task/%ld/stat", (long)syscall(SYS_gettid));
	if (slurp(tpath) < 0 || (close_paren = strrchr(text, ')')) == NULL) {
		say("task stat: %s", errname(errno));
		return;
	}
	say("task stat state: %c", close_paren[2]);	/* the caller runs */
	for (char *p = strtok(close_paren + 1, " \n"); p != NULL; p = strtok(NULL, " \n"))
		fields++;
	say("task stat fields: %d", fields + 2);
}

static void
check_status(void)
{
	const char *v;
	unsigned u[4];

	if (slurp("/proc/self/status") < 0) {
		say("status: %s", errname(errno));
		return;
	}
	static const char *const keys[] = { "Name", "State", "Tgid", "Pid", "PPid", "Uid", "Gid",
	    "VmSize", "VmRSS", "Threads", "SigBlk", "SigIgn", "SigCgt" };
	for (size_t i = 0; i < NELEM(keys); i++)
		say("status has %s: %s", keys[i], field(keys[i]) != NULL ? "yes" : "no");
	say("status Pid is getpid: %s", (v = field("Pid")) && atoi(v) == getpid() ? "yes" : "no");
	say("status PPid is getppid: %s", (v = field("PPid")) && atoi(v) == getppid() ? "yes" : "no");
	say("status Uid: %s", (v = field("Uid")) && sscanf(v, "%u %u %u %u", &u[0], &u[1], &u[2],
	    &u[3]) == 4 && u[0] == getuid() && u[1] == geteuid() ? "real and effective" : "wrong");
	say("status VmRSS in kB: %s", (v = field("VmRSS")) && strstr(v, " kB\n") ? "yes" : "no");
	say("status SigBlk is 16 hex digits: %s", (v = field("SigBlk")) &&
	    strspn(v, "0123456789abcdef") == 16 ? "yes" : "no");
}

/* NUL-separated strings in text[0..n) against a vector. */
static int
same_strings(long n, char **vec)
{
	long at = 0;

	for (; *vec != NULL; vec++) {
		size_t k = strlen(*vec) + 1;

		if (at + (long)k > n || memcmp(text + at, *vec, k) != 0)
			return 0;
		at += k;
	}
	return at == n;
}

/* Whether s is one of the NUL-separated strings in text[0..n). */
static int
in_strings(long n, const char *s)
{
	for (long at = 0; at < n; at += (long)strlen(text + at) + 1)
		if (strcmp(text + at, s) == 0)
			return 1;
	return 0;
}

static void
check_args(char **argv)
{
	long n;

	n = slurp("/proc/self/cmdline");
	say("cmdline is argv: %s", n > 0 && same_strings(n, argv) ? "yes" : "no");
	n = slurp("/proc/self/environ");	/* qemu-aarch64's may hold more: each of ours is there */
	for (char **e = environ; n >= 0 && *e != NULL; e++)
		if (!in_strings(n, *e))
			n = -1;
	say("environ holds environ: %s", n >= 0 ? "yes" : "no");
	prctl(PR_SET_NAME, "renamed");
	slurp("/proc/self/comm");
	say("comm after PR_SET_NAME: %s", text);
}

/* readlink into buf (NUL-terminated): the length, or -1. */
static long
link_of(const char *path, char *buf, size_t cap)
{
	long n = readlink(path, buf, cap - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* Whether getdents of the open directory fd lists name. */
static int
lists(int fd, const char *name)
{
	DIR *d = fdopendir(fcntl(fd, F_DUPFD, 100));	/* not a number being looked for */
	struct dirent *e;
	int found = 0;

	if (d == NULL)
		return 0;
	rewinddir(d);			/* the dup shares the offset: from the start again */
	while ((e = readdir(d)) != NULL)
		found |= strcmp(e->d_name, name) == 0;
	closedir(d);
	return found;
}

static void
check_fds(void)
{
	char path[64], buf[256], want[64], name[16];
	int p[2], dfd, nfd;
	struct stat st;

	if (pipe(p) != 0)
		return;
	fstat(p[0], &st);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	link_of(path, buf, sizeof(buf));
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	say("pipe's fd link is pipe:[st_ino]: %s", strcmp(buf, want) == 0 ? "yes" : buf);
	nfd = open("/dev/null", O_WRONLY);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", nfd);
	link_of(path, buf, sizeof(buf));
	say("/dev/null's fd link: %s", buf);
	lstat(path, &st);
	say("fd link mode: %o", st.st_mode);
	close(nfd);
	nfd = open("/proc/self/status", O_RDONLY);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", nfd);
	link_of(path, buf, sizeof(buf));
	snprintf(want, sizeof(want), "/proc/%d/status", getpid());
	say("a /proc file's fd link: %s", strcmp(buf, want) == 0 ? "/proc/PID/status" : buf);
	close(nfd);
	dfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY);
	snprintf(name, sizeof(name), "%d", p[1]);
	say("fd/ lists the pipe's write end: %s", lists(dfd, name) ? "yes" : "no");
	close(p[1]);
	say("fd/ lists it after its close: %s", lists(dfd, name) ? "yes" : "no");
	snprintf(name, sizeof(name), "%d", dfd);
	say("fd/ lists its own fd: %s", lists(dfd, name) ? "yes" : "no");
	close(dfd);
	close(p[0]);
}

static void
check_links(void)
{
	char buf[256], want[64];

	snprintf(want, sizeof(want), "%d", getpid());
	link_of("/proc/self", buf, sizeof(buf));
	say("/proc/self is the pid: %s", strcmp(buf, want) == 0 ? "yes" : buf);
	snprintf(want, sizeof(want), "%d/task/%ld", getpid(), (long)syscall(SYS_gettid));
	link_of("/proc/thread-self", buf, sizeof(buf));
	say("/proc/thread-self is pid/task/tid: %s", strcmp(buf, want) == 0 ? "yes" : buf);
	link_of("/proc/mounts", buf, sizeof(buf));
	say("/proc/mounts: %s", buf);
	link_of("/proc/self/exe", buf, sizeof(buf));
	say("exe's last name: %s", strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf);
	chdir("/");
	link_of("/proc/self/cwd", buf, sizeof(buf));
	say("cwd at /: %s", buf);
	link_of("/proc/self/root", buf, sizeof(buf));
	say("root: %s", buf);
}

static void
check_maps(void)
{
	int local = 0, in_stack = 0, lines = 0, parsed = 0;
	unsigned long lo, hi, me = (unsigned long)&local, code = (unsigned long)check_maps;
	int code_found = 0;
	char perms[8];

	if (slurp("/proc/self/maps") < 0)
		return;
	for (char *p = text; *p; p = strchr(p, '\n') + 1) {
		unsigned long off, ino;
		unsigned maj, min;

		lines++;
		if (sscanf(p, "%lx-%lx %4s %lx %x:%x %lu", &lo, &hi, perms, &off, &maj, &min,
		    &ino) == 7)
			parsed++;
		if (me >= lo && me < hi && strstr(p, "[stack]") < strchr(p, '\n') &&
		    strstr(p, "[stack]") != NULL)
			in_stack = 1;
		if (code >= lo && code < hi && perms[2] == 'x')
			code_found = 1;
		if (strchr(p, '\n') == NULL)
			break;
	}
	say("maps lines all parse: %s", lines > 0 && parsed == lines ? "yes" : "no");
	say("a local is in [stack]: %s", in_stack ? "yes" : "no");
	say("code is in an executable mapping: %s", code_found ? "yes" : "no");
}

static void
check_machine(void)
{
	const char *v;
	unsigned long total, freep, avail;
	double up, idle;
	float l1, l5, l15;
	int run, all, last, cpus = 0;
	struct utsname u;
	char want[128];

	slurp("/proc/meminfo");
	say("meminfo starts MemTotal: %s", strncmp(text, "MemTotal:       ", 16) == 0 ? "yes" : "no");
	if ((v = field("MemTotal")) && sscanf(v, "%lu", &total) == 1 && (v = field("MemFree")) &&
	    sscanf(v, "%lu", &freep) == 1 && (v = field("MemAvailable")) &&
	    sscanf(v, "%lu", &avail) == 1)
		say("meminfo free <= total: %s", freep <= total && avail <= total ? "yes" : "no");
	say("meminfo in kB: %s", (v = field("MemFree")) && strncmp(strchr(v, '\n') - 3, " kB", 3)
	    == 0 ? "yes" : "no");
	slurp("/proc/uptime");
	say("uptime: %d numbers", sscanf(text, "%lf %lf", &up, &idle));
	slurp("/proc/loadavg");
	say("loadavg: %d fields", sscanf(text, "%f %f %f %d/%d %d", &l1, &l5, &l15, &run, &all,
	    &last));
	slurp("/proc/stat");
	say("stat starts \"cpu  \": %s", strncmp(text, "cpu  ", 5) == 0 ? "yes" : "no");
	say("stat has btime, processes, procs_running: %s", strstr(text, "\nbtime ") &&
	    strstr(text, "\nprocesses ") && strstr(text, "\nprocs_running ") ? "yes" : "no");
	slurp("/proc/cpuinfo");
	for (char *p = text; (p = strstr(p, "processor\t: ")) != NULL; p++)
		cpus++;
	say("cpuinfo counts the CPUs: %s", cpus == sysconf(_SC_NPROCESSORS_ONLN) ? "yes" : "no");
	slurp("/proc/version");
	say("version starts \"Linux version \": %s", strncmp(text, "Linux version ", 14) == 0 ?
	    "yes" : "no");
	slurp("/proc/filesystems");
	say("filesystems has proc: %s", strstr(text, "nodev\tproc\n") ? "yes" : "no");
	uname(&u);
	slurp("/proc/sys/kernel/ostype");
	say("ostype: %s", text);
	slurp("/proc/sys/kernel/osrelease");
	snprintf(want, sizeof(want), "%s\n", u.release);
	say("osrelease is uname's: %s", strcmp(text, want) == 0 ? "yes" : "no");
	slurp("/proc/sys/kernel/hostname");
	snprintf(want, sizeof(want), "%s\n", u.nodename);
	say("hostname is uname's: %s", strcmp(text, want) == 0 ? "yes" : "no");
	slurp("/proc/self/mounts");
	say("mounts has /proc: %s", strstr(text, " /proc proc ") ? "yes" : "no");
}

static void
check_modes(void)
{
	static const char *const paths[] = { "/proc", "/proc/self/", "/proc/self/stat",
	    "/proc/self/fd", "/proc/meminfo", "/proc/self/task" };
	struct stat st;

	for (size_t i = 0; i < NELEM(paths); i++) {
		if (stat(paths[i], &st) != 0)
			say("stat %s: %s", paths[i], errname(errno));
		else
			say("stat %s: mode %o%s", paths[i], st.st_mode,
			    S_ISREG(st.st_mode) ? st.st_size == 0 ? ", size 0" : ", size not 0" : "");
	}
	lstat("/proc/self", &st);
	say("lstat /proc/self: mode %o", st.st_mode);
}

static void
check_reads(void)
{
	char a[64], b[64];
	int fd = open("/proc/self/stat", O_RDONLY);
	long n1 = read(fd, a, sizeof(a)), n2;

	check("lseek to 0", lseek(fd, 0, SEEK_SET));
	n2 = read(fd, b, sizeof(b));
	say("reread is the same: %s", n1 == n2 && memcmp(a, b, n1) == 0 ? "yes" : "no");
	n2 = pread(fd, b, 10, 5);
	say("pread at 5 is the same: %s", n2 == 10 && memcmp(a + 5, b, 10) == 0 ? "yes" : "no");
	check("lseek SEEK_CUR +3", lseek(fd, 3, SEEK_CUR) - n1);
	close(fd);
	fd = open("/proc/self/status", O_RDONLY);
	check("write to an O_RDONLY status", write(fd, "x", 1));
	close(fd);
}

static void
check_errors(void)
{
	char buf[64];
	pid_t pid;
	int st, fd;

	check("open /proc/999999/stat", open("/proc/999999/stat", O_RDONLY));
	check("open /proc/self/nothing", open("/proc/self/nothing", O_RDONLY));
	check("readlink /proc/self/stat", readlink("/proc/self/stat", buf, sizeof(buf)));
	check("readlink /proc/self/fd/999", readlink("/proc/self/fd/999", buf, sizeof(buf)));
	/* Writing: a user who is not root (root may open, then write fails). */
	if ((pid = fork()) == 0) {
		if (getuid() == 0 && setuid(65534) != 0)
			_exit(1);
		fd = open("/proc/self/status", O_WRONLY);
		say("open status O_WRONLY as a user: %s", fd < 0 ? errname(errno) : "opened");
		fd = open("/proc/meminfo", O_RDWR);
		say("open meminfo O_RDWR as a user: %s", fd < 0 ? errname(errno) : "opened");
		_exit(0);
	}
	waitpid(pid, &st, 0);
	/* A process that is gone: its directory and files. */
	if ((pid = fork()) == 0) {
		pause();
		_exit(0);
	}
	snprintf(buf, sizeof(buf), "/proc/%d/fd", pid);
	fd = open(buf, O_RDONLY | O_DIRECTORY);
	say("a child's fd/ opens: %s", fd >= 0 ? "yes" : errname(errno));
	snprintf(buf, sizeof(buf), "/proc/%d", pid);
	say("/proc lists the child: %s", lists(open("/proc", O_RDONLY | O_DIRECTORY),
	    buf + 6) ? "yes" : "no");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	check("getdents of a reaped child's fd/", syscall(SYS_getdents64, fd, buf, sizeof(buf)));
	close(fd);
	snprintf(buf, sizeof(buf), "/proc/%d/stat", pid);
	check("open a reaped child's stat", open(buf, O_RDONLY));
}

int
main(int argc, char **argv)
{
	(void)argc;
	check_stat();
	check_status();
	check_args(argv);
	check_links();
	check_fds();
	check_maps();
	check_machine();
	check_modes();
	check_reads();
	check_errors();
	return 0;
}

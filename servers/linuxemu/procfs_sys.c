/*
 * The machine-wide files of /proc (procfs.c has the tree): meminfo,
 * cpuinfo, stat, uptime, loadavg, version, filesystems and
 * sys/kernel/..., in Linux's formats (fs/proc/meminfo.c, stat.c,
 * loadavg.c, uptime.c; arch/arm64/kernel/cpuinfo.c).
 *
 * The kernel tells free pages, the CPU count, and each thread's CPU
 * time; all of it is user time, and idle is what the CPUs did not spend
 * on Linux threads. The load average is Linux's (5 s steps of an
 * exponential decay over the runnable threads), sampled whenever a
 * /proc file is made rather than by a timer, so a step between two
 * samples sees the count at the later one.
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/string.h>

#include "linuxemu.h"

#define HZ		100
#define NS_PER_TICK	(1000000000UL / HZ)

/* Linux's load average (include/linux/sched/loadavg.h). */
#define FSHIFT		11
#define FIXED_1		(1UL << FSHIFT)
static const uint64_t load_exp[3] = { 1884, 2014, 2037 };	/* 1, 5, 15 minutes */
static uint64_t load[3], load_at;

static int
runnable_threads(int *total)
{
	int n = 0;

	*total = 0;
	for (int i = 0; i < LX_NTHREAD; i++) {
		const struct lthread *t = &lx_threads[i];

		if (t->tid == 0)
			continue;
		(*total)++;
		n += t->token == HANDLE_NONE || t->wait == W_NONE;
	}
	return n;
}

static void
load_sample(void)
{
	uint64_t now = clock_get(), step = 5000000000UL;
	int total, steps = 0;
	uint64_t active = (uint64_t)runnable_threads(&total) * FIXED_1;

	if (load_at == 0)
		load_at = now;
	while (now - load_at >= step && steps++ < 720) {	/* an hour converges */
		for (int i = 0; i < 3; i++) {
			uint64_t l = load[i] * load_exp[i] + active * (FIXED_1 - load_exp[i]);

			load[i] = (l + (active >= load[i] ? FIXED_1 - 1 : 0)) / FIXED_1;
		}
		load_at += step;
	}
	if (now - load_at >= step)
		load_at = now;
}

/* Every CPU's time on Linux threads: the live processes', the reaped ones' (their parents'). */
static uint64_t
busy_ns(void)
{
	uint64_t ns = 0;

	for (int i = 0; i < LX_NPROC; i++) {
		const struct lproc *p = &lx_procs[i];

		if (p->state == LP_ALIVE)
			ns += lx_proc_cpu(p) + p->cpu_children;
		else if (p->state == LP_ZOMBIE)
			ns += p->cpu_gone + p->cpu_children;
	}
	return ns;
}

static int
ncpus(void)
{
	long n = sys_info(SYSINFO_NCPUS, 0);

	return n > 0 ? (int)n : 1;
}

/* The newest process's pid (loadavg's last field; stat's processes): pids only grow, but wrap. */
static int
last_pid(void)
{
	int pid = 0;

	for (int i = 0; i < LX_NPROC; i++)
		if (lx_procs[i].state != LP_FREE && lx_procs[i].pid > pid)
			pid = lx_procs[i].pid;
	return pid;
}

static void
gen_stat(struct lx_pbuf *b)
{
	uint64_t up = clock_get(), n = (uint64_t)ncpus(), busy = busy_ns() / NS_PER_TICK;
	uint64_t idle = up / NS_PER_TICK * n > busy ? up / NS_PER_TICK * n - busy : 0;
	int total, running = runnable_threads(&total), blocked = 0;

	/* Per CPU: shares of the whole (the kernel does not say where a thread ran). */
	lx_pbuf_printf(b, "cpu  %lu 0 0 %lu 0 0 0 0 0 0\n", (unsigned long)busy,
	    (unsigned long)idle);
	for (uint64_t c = 0; c < n; c++)
		lx_pbuf_printf(b, "cpu%lu %lu 0 0 %lu 0 0 0 0 0 0\n", (unsigned long)c,
		    (unsigned long)(busy / n), (unsigned long)(idle / n));
	for (int i = 0; i < LX_NTHREAD; i++)
		blocked += lx_threads[i].tid != 0 && lx_threads[i].wait == W_VFS;
	lx_pbuf_printf(b, "intr 0\nctxt 0\nbtime %lu\nprocesses %d\nprocs_running %d\n"
	    "procs_blocked %d\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
	    (unsigned long)(lx_realtime_offset() / 1000000000), last_pid(), running, blocked);
}

static void
kb(struct lx_pbuf *b, const char *label, uint64_t pages)
{
	lx_pbuf_printf(b, "%-16s%8lu kB\n", label, (unsigned long)(pages * (PAGE / 1024)));
}

/*
 * MemTotal: the pages the kernel's allocator manages; MemFree: those
 * free; AnonPages: what the processes have mapped (an upper bound: the
 * kernel does not count resident pages).
 */
static void
gen_meminfo(struct lx_pbuf *b)
{
	long r = sys_info(SYSINFO_FREE_PAGES, 0), t = sys_info(SYSINFO_TOTAL_PAGES, 0);
	uint64_t freep = r > 0 ? (uint64_t)r : 0, total = t > 0 ? (uint64_t)t : freep, mapped = 0;

	for (int i = 0; i < LX_NPROC; i++) {
		const struct lmm *mm = lx_procs[i].mm;

		if (lx_procs[i].state != LP_ALIVE || mm == NULL)
			continue;
		for (int k = 0; k < mm->nmap; k++)
			if (mm->map[k].end != 0x7ffff0000000UL)	/* not the stack's reservation */
				mapped += (mm->map[k].end - mm->map[k].start) / PAGE;
	}

	kb(b, "MemTotal:", total);
	kb(b, "MemFree:", freep);
	kb(b, "MemAvailable:", freep);
	static const char *const zero[] = {
		"Buffers:", "Cached:", "SwapCached:", "Active:", "Inactive:", "Active(anon):",
		"Inactive(anon):", "Active(file):", "Inactive(file):", "Unevictable:", "Mlocked:",
		"SwapTotal:", "SwapFree:", "Dirty:", "Writeback:", "AnonPages:", "Mapped:",
		"Shmem:", "KReclaimable:", "Slab:", "SReclaimable:", "SUnreclaim:",
		"KernelStack:", "PageTables:", "NFS_Unstable:", "Bounce:", "WritebackTmp:",
	};
	for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++)
		kb(b, zero[i], strcmp(zero[i], "AnonPages:") == 0 ? mapped : 0);
	kb(b, "CommitLimit:", total / 2);
	kb(b, "Committed_AS:", mapped);
	static const char *const zero2[] = {
		"VmallocTotal:", "VmallocUsed:", "VmallocChunk:", "Percpu:", "AnonHugePages:",
		"ShmemHugePages:", "ShmemPmdMapped:", "FileHugePages:", "FilePmdMapped:",
	};
	for (size_t i = 0; i < sizeof(zero2) / sizeof(zero2[0]); i++)
		kb(b, zero2[i], 0);
	lx_pbuf_printf(b, "HugePages_Total:   %5d\nHugePages_Free:    %5d\nHugePages_Rsvd:    %5d\n"
	    "HugePages_Surp:    %5d\nHugepagesize:   %8d kB\nHugetlb:        %8d kB\n",
	    0, 0, 0, 0, 2048, 0);
}

/*
 * Linux's lines for each CPU, of what linuxemu knows: the features are
 * those AT_HWCAP promises (exec.c); BogoMIPS and the MIDR fields (which
 * EL0 cannot read here) are left out.
 */
static void
gen_cpuinfo(struct lx_pbuf *b)
{
	for (int c = 0; c < ncpus(); c++)
		lx_pbuf_printf(b, "processor\t: %d\nFeatures\t: fp asimd\nCPU architecture: 8\n\n", c);
}

/* seconds.centiseconds */
static void
secs(struct lx_pbuf *b, uint64_t ns, const char *after)
{
	lx_pbuf_printf(b, "%lu.%02lu%s", (unsigned long)(ns / 1000000000),
	    (unsigned long)(ns / 10000000 % 100), after);
}

static void
gen_loadavg(struct lx_pbuf *b)
{
	int total, running = runnable_threads(&total);

	for (int i = 0; i < 3; i++) {
		uint64_t l = load[i] + FIXED_1 / 200;	/* rounded to 0.01, as Linux's */

		lx_pbuf_printf(b, "%lu.%02lu ", (unsigned long)(l >> FSHIFT),
		    (unsigned long)(((l & (FIXED_1 - 1)) * 100) >> FSHIFT));
	}
	lx_pbuf_printf(b, "%d/%d %d\n", running, total, last_pid());
}

int
lx_procfs_gen_sys(struct lx_pbuf *b, const char *what)
{
	uint64_t up = clock_get(), busy = busy_ns(), n = (uint64_t)ncpus();

	load_sample();
	if (strcmp(what, "stat") == 0)
		gen_stat(b);
	else if (strcmp(what, "meminfo") == 0)
		gen_meminfo(b);
	else if (strcmp(what, "cpuinfo") == 0)
		gen_cpuinfo(b);
	else if (strcmp(what, "uptime") == 0) {
		secs(b, up, " ");
		secs(b, up * n > busy ? up * n - busy : 0, "\n");
	} else if (strcmp(what, "loadavg") == 0)
		gen_loadavg(b);
	else if (strcmp(what, "version") == 0)	/* uname's (sys.c) */
		lx_pbuf_printf(b, "Linux version 6.1.0-lichen (lichen@lichen) (%s) #1 SMP lichen 0.1.0\n",
		    __VERSION__);
	else if (strcmp(what, "filesystems") == 0)
		lx_pbuf_printf(b, "nodev\tproc\nnodev\tdevtmpfs\nnodev\ttmpfs\n\tvfat\n");
	else if (strcmp(what, "hostname") == 0)
		lx_pbuf_printf(b, "%s\n", lx_hostname());
	else if (strcmp(what, "ostype") == 0)
		lx_pbuf_printf(b, "Linux\n");
	else if (strcmp(what, "osrelease") == 0)
		lx_pbuf_printf(b, "6.1.0-lichen\n");
	else if (strcmp(what, "pid_max") == 0)
		lx_pbuf_printf(b, "32768\n");		/* proc.c's PID_MAX */
	else
		return -EINVAL;
	return 0;
}

/*
 * ipcbench: what an IPC costs, measured in the guest. Reports
 *   - call/reply round trip between two processes on the same CPU (the
 *     direct switch: both kernel entries and exits, two address-space
 *     switches),
 *   - the same across two CPUs (a wakeup by IPI each way),
 *   - one-way asynchronous send throughput into a deep queue,
 *   - a switch between two processes on one CPU (thread_yield),
 * in nanoseconds of guest time. Under QEMU -icount shift=0 a guest
 * nanosecond is one instruction, so the numbers are instructions.
 * Started as the first process: lichen.init=ipcbench (run-qemu.sh
 * --icount). A benchmark reports; it does not pass or fail.
 */
#include "../native/nt.h"

const char *nt_name = "ipcbench";

#define CALLS	20000
#define SENDS	50000

static void
echo_server(uint64_t cpu)
{
	handle_t token = HANDLE_NONE;
	struct ipc_msg m;

	thread_affinity(0, 1UL << cpu);
	memset(&m, 0, sizeof(m));
	for (;;) {
		if (ipc_reply_recv(token, nt_given[0], &m, NULL) != 0)
			process_exit(1);
		token = m.token;
	}
}

static void
sink_server(uint64_t cpu)
{
	struct ipc_msg m;

	thread_affinity(0, 1UL << cpu);
	memset(&m, 0, sizeof(m));
	for (;;)
		if (ipc_recv(nt_given[0], &m, NULL) != 0)
			process_exit(1);
		else if (m.token != HANDLE_NONE)
			ipc_reply(m.token, &m, NULL);	/* the end marker */
}

/* Start a server process on cpu serving a new endpoint; our send handle. */
static handle_t
server(void (*fn)(uint64_t), unsigned cpu, unsigned depth, long *proc)
{
	handle_t give[1] = { (handle_t)ep_create(depth) };
	handle_t send = (handle_t)handle_dup(give[0], RIGHT_SEND, 0);

	*proc = nt_fork("ipcbench-server", fn, cpu, give, 1, NULL);
	handle_close(give[0]);
	return send;
}

static void
round_trips(const char *what, unsigned server_cpu)
{
	long p;
	handle_t ep = server(echo_server, server_cpu, 0, &p);
	struct ipc_msg m;
	uint64_t t0, t1;

	memset(&m, 0, sizeof(m));
	for (int i = 0; i < 100; i++)		/* warm up: both sides settled, pages in */
		ipc_call(ep, &m, NULL);
	t0 = clock_get();
	for (int i = 0; i < CALLS; i++)
		ipc_call(ep, &m, NULL);
	t1 = clock_get();
	printf("ipcbench: call/reply round trip, %s: %lu ns\n", what, (t1 - t0) / CALLS);
	process_kill((handle_t)p, 0);
	process_wait((handle_t)p);
	handle_close((handle_t)p);
	handle_close(ep);
}

static void
yielder(uint64_t cpu)
{
	struct ipc_msg m;

	thread_affinity(0, 1UL << cpu);
	memset(&m, 0, sizeof(m));
	ipc_send(nt_given[0], &m, NULL);	/* "I am on the CPU now" */
	for (;;)
		thread_yield();
}

/* Two processes on one CPU taking turns: a switch (and a syscall) each. */
static void
yield_switches(void)
{
	handle_t ready = (handle_t)ep_create(0);
	long p = nt_fork("ipcbench-yield", yielder, 0, &ready, 1, NULL);
	struct ipc_msg m;
	uint64_t t0, t1;

	memset(&m, 0, sizeof(m));
	ipc_recv(ready, &m, NULL);		/* it runs on CPU 0 with us */
	handle_close(ready);
	for (int i = 0; i < 100; i++)
		thread_yield();
	t0 = clock_get();
	for (int i = 0; i < CALLS; i++)
		thread_yield();
	t1 = clock_get();
	printf("ipcbench: thread_yield between two processes on one CPU: %lu ns per switch\n",
	    (t1 - t0) / CALLS / 2);
	process_kill((handle_t)p, 0);
	process_wait((handle_t)p);
	handle_close((handle_t)p);
}

static void
throughput(void)
{
	long p;
	handle_t ep = server(sink_server, 1, IPC_DEPTH_MAX, &p);
	struct ipc_msg m;
	uint64_t t0, t1, full = 0;

	memset(&m, 0, sizeof(m));
	t0 = clock_get();
	for (int i = 0; i < SENDS; i++)
		while (ipc_send(ep, &m, NULL) == -EAGAIN)
			full++;
	ipc_call(ep, &m, NULL);			/* everything before it was received */
	t1 = clock_get();
	printf("ipcbench: one-way send, deep queue, CPU 0 -> CPU 1: %lu ns per message "
	    "(%lu messages/s, queue full %lu times)\n", (t1 - t0) / SENDS,
	    SENDS * 1000000000UL / (t1 - t0), full);
	process_kill((handle_t)p, 0);
	process_wait((handle_t)p);
	handle_close((handle_t)p);
	handle_close(ep);
}

int main(int argc, char **argv);

int
main(int argc, char **argv)
{
	uint64_t t0 = clock_get(), t1;
	(void)argc, (void)argv;

	thread_affinity(0, 1);			/* the client runs on CPU 0 */
	for (int i = 0; i < 1000; i++)
		sys_info(SYSINFO_CPU, 0);
	t0 = clock_get();
	for (int i = 0; i < CALLS; i++)
		sys_info(SYSINFO_CPU, 0);
	t1 = clock_get();
	printf("ipcbench: null native call: %lu ns\n", (t1 - t0) / CALLS);
	yield_switches();
	round_trips("same CPU", 0);
	if (sys_info(SYSINFO_NCPUS, 0) > 1) {
		round_trips("CPU 0 <-> CPU 1", 1);
		throughput();
	}
	return 0;
}

/*
 * ipcstress: two processes exchange a million messages across every CPU,
 * none lost or duplicated. The client process runs one thread per CPU,
 * each making synchronous calls with its own sequence numbers; the
 * server process runs one thread per CPU too, each serving its own
 * endpoint, and checks per client thread that sequence numbers arrive
 * exactly in order. Client i talks to server i on its own CPU (the direct
 * switch) and every eighth call to server i+1 on the next CPU.
 * Half the traffic is calls, half asynchronous sends answered to a reply
 * endpoint. The exchange runs in two rounds with the same threads (a
 * tenth, then the rest; ipcstress.n=N messages in all, a million by
 * default): free pages after the second round must equal those after
 * the first (nothing leaks per message).
 */
#include <stdbool.h>
#include "nt.h"

const char *nt_name = "ipcstress";

#define MAX_THREADS	8
#define WINDOW		16	/* async requests in flight per client thread */

static unsigned nthreads;
static uint64_t per_thread;
static handle_t server_ep[MAX_THREADS];	/* the client's send handles */

/* --- the server (a child process) --- */

static uint64_t expect[MAX_THREADS];	/* next sequence number per client */
static volatile uint64_t seen, bad;

static void
serve(uint64_t i)
{
	handle_t token = HANDLE_NONE;
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	for (;;) {
		if (ipc_reply_recv(token, nt_given[i], &m, NULL) != 0)
			process_exit(-1);
		if (m.label == 2) {		/* the client's "how did it go" */
			m.w[0] = __atomic_load_n(&seen, __ATOMIC_RELAXED);
			m.w[1] = __atomic_load_n(&bad, __ATOMIC_RELAXED);
			token = m.token;
			continue;
		}
		uint64_t who = m.w[0], seq = m.w[1];
		/* One client thread's messages arrive in order: its calls are sequential. */
		if (who >= MAX_THREADS ||
		    !__atomic_compare_exchange_n(&expect[who], &seq, seq + 1, false,
		    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			__atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&seen, 1, __ATOMIC_RELAXED);
		m.w[2] = m.w[1] * 3 + 1;
		token = m.token;
	}
}

static void
server_main(uint64_t n)
{
	for (uint64_t i = 1; i < n; i++)
		nt_thread(serve, i, (int)i);
	thread_affinity(0, 1);
	serve(0);
}

/* --- the client --- */

static volatile unsigned finished;
static volatile uint64_t client_bad;
static uint64_t round_base;
static handle_t start_ep;	/* one message per client thread starts a round */

static void
client_round(uint64_t who, handle_t rep)
{
	uint64_t seq = round_base, inflight = 0, answered = 0;
	struct ipc_ext x;
	struct ipc_msg m;

	memset(&x, 0, sizeof(x));
	x.reply_ep = (handle_t)rep;
	for (uint64_t i = 0; i < per_thread; i++) {
		memset(&m, 0, sizeof(m));
		m.label = 1;
		m.w[0] = who;
		m.w[1] = seq;
		if (i % 2 == 0) {		/* a call; every eighth to another CPU's server */
			handle_t ep = server_ep[(who + (i % 8 == 0)) % nthreads];

			if (ipc_call(ep, &m, NULL) != 0 || m.w[2] != seq * 3 + 1)
				__atomic_fetch_add(&client_bad, 1, __ATOMIC_RELAXED);
			seq++;
			continue;
		}
		/* An async send; its answer comes back on rep with the cookie. */
		x.cookie = seq;
		while (ipc_send(server_ep[who], &m, &x) == -EAGAIN)
			thread_yield();
		seq++;
		inflight++;
		/* Calls and sends of one thread stay ordered: drain before the next call. */
		while (inflight > 0) {
			if (ipc_recv((handle_t)rep, &m, NULL) != 0 || m.w[2] != m.badge * 3 + 1)
				__atomic_fetch_add(&client_bad, 1, __ATOMIC_RELAXED);
			inflight--;
			answered++;
		}
	}
	__atomic_fetch_add(&finished, 1, __ATOMIC_RELEASE);
}

/* A client thread lives through every round (so a round allocates nothing). */
static void
client(uint64_t who)
{
	long rep = ep_create(WINDOW * 2);
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	while (ipc_recv(start_ep, &m, NULL) == 0)
		client_round(who, (handle_t)rep);
}

static uint64_t sent_total;

/* One round of per_thread messages from each client thread. */
static void
run_round(unsigned round)
{
	uint64_t t0 = clock_get(), t1, total = per_thread * nthreads;
	struct ipc_msg m;

	finished = 0;
	memset(&m, 0, sizeof(m));
	for (unsigned i = 0; i < nthreads; i++)
		ipc_send(start_ep, &m, NULL);
	while (__atomic_load_n(&finished, __ATOMIC_ACQUIRE) < nthreads)
		thread_sleep(2000000);
	t1 = clock_get();
	memset(&m, 0, sizeof(m));
	m.label = 2;
	CHECK_EQ(ipc_call(server_ep[0], &m, NULL), 0);
	printf("ipcstress: round %u: %lu messages in %lu ms on %u CPUs; server saw %lu, "
	    "%lu out of order; client saw %lu wrong answers\n", round, total,
	    (t1 - t0) / 1000000, nthreads, m.w[0] - sent_total, m.w[1], client_bad);
	sent_total += total;
	round_base += per_thread;	/* sequence numbers go on across rounds */
	CHECK_EQ(m.w[0], sent_total);
	CHECK_EQ(m.w[1], 0);
	CHECK_EQ(client_bad, 0);
}

int main(int argc, char **argv);

int
main(int argc, char **argv)
{
	uint64_t total = 1000000;
	long p, free1, free2;
	handle_t give[MAX_THREADS];

	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "ipcstress.n=", 12) == 0)
			total = strtoul(argv[i] + 12, NULL, 10);
	nthreads = (unsigned)sys_info(SYSINFO_NCPUS, 0);
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	if (total < 10 * nthreads)
		total = 10 * nthreads;
	for (unsigned i = 0; i < nthreads; i++) {
		give[i] = (handle_t)ep_create(IPC_DEPTH_MAX);
		server_ep[i] = (handle_t)handle_dup(give[i], RIGHT_SEND, 0);
	}
	p = nt_fork("ipcstress-server", server_main, nthreads, give, nthreads, NULL);
	for (unsigned i = 0; i < nthreads; i++)
		handle_close(give[i]);	/* the server has the only receive rights */
	CHECK(p > 0, "fork: %ld", p);
	start_ep = (handle_t)ep_create(0);
	for (unsigned i = 0; i < nthreads; i++)
		nt_thread(client, i, (int)i);
	/* A tenth first, then the rest: the second round must leak nothing. */
	per_thread = total / 10 / nthreads;
	run_round(0);
	thread_sleep(20000000);
	free1 = sys_info(SYSINFO_FREE_PAGES, 0);
	per_thread = (total - sent_total) / nthreads;
	run_round(1);
	thread_sleep(20000000);
	free2 = sys_info(SYSINFO_FREE_PAGES, 0);
	printf("ipcstress: free pages after round 0: %ld, after round 1: %ld\n", free1, free2);
	CHECK(free2 >= free1, "%ld pages lost in a round", free1 - free2);
	process_kill((handle_t)p, 0);
	CHECK_EQ(process_wait((handle_t)p), 0);
	return nt_summary();
}

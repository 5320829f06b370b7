/*
 * devtmpfs: /dev over PROTO_FS (docs/devtmpfs.md). Started by init with
 * the manifest's `driver` verb (x0 = init's name service, x1 = the
 * device handle), it seeds the random number generator, takes the
 * console's PL011 (console.c), registers as "fs/devtmpfs" and serves the
 * tree, the devices and the UART's interrupts from one loop. Without a
 * device handle (`start`) it serves everything but the terminal, whose
 * nodes then answer -ENXIO.
 */
#include <lichen/errno.h>
#include <lichen/ipc_server.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/rt.h>
#include <lichen/string.h>
#include <lichen/syscall.h>

#include "console.h"
#include "devfs.h"
#include "disk.h"
#include "handlers.h"

int main(int argc, char **argv);

#define EP_DEPTH	256u
#define UART_VA		0x10000000000UL
#define NCONTS		256u		/* disk.c's requests in flight */

static struct ipc_server srv;
static struct ipc_cont conts[NCONTS];
static char buf[IPC_BUF_MAX];		/* the largest request: a write */

static struct fs_time
realtime(void)
{
	long ns = sys_info(SYSINFO_REALTIME, 0);
	struct fs_time t = { 0, 0 };

	if (ns > 0) {
		t.sec = ns / 1000000000L;
		t.nsec = ns % 1000000000L;
	}
	return t;
}

/*
 * What there is to seed with: the clock (ns since boot: the generic
 * timer's counter), the RTC's time of day, free pages and ids, and the
 * jitter of 256 clock reads around yields to the other threads. The
 * kernel passes on no boot entropy yet (no /chosen/rng-seed, no RNDR on
 * cortex-a72); console interrupt times and writes to /dev/random are
 * mixed in later.
 */
static void
seed(void)
{
	uint64_t s[8];

	s[0] = clock_get();
	s[1] = (uint64_t)sys_info(SYSINFO_REALTIME, 0);
	s[2] = (uint64_t)sys_info(SYSINFO_FREE_PAGES, 0);
	s[3] = (uint64_t)sys_info(SYSINFO_PID, 0) << 32 | (uint64_t)sys_info(SYSINFO_TID, 0);
	s[4] = (uint64_t)sys_info(SYSINFO_THREAD_CPU, 0);
	s[5] = (uint64_t)(uintptr_t)&s;
	rng_mix(s, 6 * sizeof(s[0]));
	for (int i = 0; i < 256; i++) {
		uint64_t t0 = clock_get();

		if (i % 16 == 0)
			thread_yield();
		s[i % 8] ^= clock_get() - t0 + ((uint64_t)i << 56);
		if (i % 8 == 7)
			rng_mix(s, sizeof(s));
	}
	memset(s, 0, sizeof(s));
}

int
main(int argc, char **argv)
{
	handle_t names = (handle_t)native_start_word(0);
	handle_t device = (handle_t)native_start_word(1);
	int quiet = 0;
	long ep, vs, r;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "lichen.quiet=1") == 0)
			quiet = 1;
	seed();
	devfs_init(realtime);
	if ((ep = ep_create(EP_DEPTH)) < 0 || (vs = process_vmspace(0)) < 0) {
		printf("devtmpfs: no endpoint or vmspace\n");
		return 1;
	}
	ipc_server_init(&srv, (handle_t)ep, devtmpfs_handlers, devtmpfs_nhandlers,
	    conts, NCONTS, buf, sizeof(buf), NULL);
	if (device == HANDLE_NONE)
		printf("devtmpfs: no device handle (start it with `driver`): no console\n");
	else if ((r = console_init(device, (handle_t)vs, UART_VA, (handle_t)ep)) != 0)
		printf("devtmpfs: no console: error %ld\n", r);
	else if (!quiet)
		printf("devtmpfs: console on the PL011, tty line discipline\n");
	disk_init(&srv, names);		/* the answers wait in ep for the loop */
	if ((r = name_register(names, DEVTMPFS_NAME, (handle_t)ep)) != 0) {
		printf("devtmpfs: cannot register %s: error %ld\n", DEVTMPFS_NAME, r);
		return 1;
	}
	r = ipc_server_run(&srv);
	printf("devtmpfs: the loop stopped: error %ld\n", r);
	return (int)r;
}

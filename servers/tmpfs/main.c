/*
 * tmpfs: filesystems in memory, served over PROTO_FS (docs/tmpfs.md).
 * Started by init (x0 = its name service), it registers as "fs/tmpfs"
 * and serves every instance vfs mounts from one loop over one endpoint:
 * each FS_MOUNT is a new instance with its own root, each request names
 * its node (node ids are unique across instances).
 */
#include <lichen/errno.h>
#include <lichen/ipc_server.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/rt.h>
#include <lichen/syscall.h>

#include "tmpfs.h"

int main(int argc, char **argv);

static struct ipc_server srv;
static char buf[IPC_BUF_MAX]; /* the largest request: a write */

/* The kernel's time of day (the RTC at boot plus the clock); 0 without one. */
static struct fs_time
realtime(void *ctx)
{
	long ns = sys_info(SYSINFO_REALTIME, 0);
	struct fs_time t = {0, 0};

	(void)ctx;
	if (ns > 0) {
		t.sec = ns / 1000000000L;
		t.nsec = ns % 1000000000L;
	}
	return t;
}

int
main(int argc, char **argv)
{
	handle_t name_ep = (handle_t)native_start_word(0);
	struct tmpfs_params params = {.now = realtime};
	struct tmpfs *fs;
	long ep, r;

	(void)argc;
	(void)argv;
	/* What is free now is nearly all memory: Linux's defaults are half of
	 * it. */
	if ((r = sys_info(SYSINFO_FREE_PAGES, 0)) > 0)
		params.ram_pages = (uint64_t)r;
	if ((fs = tmpfs_new(&params)) == NULL) {
		printf("tmpfs: out of memory\n");
		return 1;
	}
	if ((ep = ep_create(IPC_DEPTH_MAX)) < 0) {
		printf("tmpfs: no endpoint: error %ld\n", ep);
		return 1;
	}
	tmpfs_fill_init(name_ep);
	ipc_server_init(&srv, (handle_t)ep, tmpfs_handlers, tmpfs_nhandlers,
	    NULL, 0, buf, sizeof(buf), fs);
	if ((r = name_register(name_ep, TMPFS_NAME, (handle_t)ep)) != 0) {
		printf("tmpfs: cannot register %s: error %ld\n", TMPFS_NAME, r);
		return 1;
	}
	return (int)ipc_server_run(&srv);
}

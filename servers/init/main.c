/*
 * init: the first process (docs/init.md). The kernel starts it with x0 =
 * a device handle, x1/x2 = the boot archive's address and length, and
 * argv = "init" and the boot arguments. init reads the boot manifest
 * from the archive, starts what it lists, and serves the name service on
 * its endpoint for as long as the machine runs.
 */
#include <lichen/ipc_server.h>
#include <lichen/native.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "bootfs.h"
#include "init_core.h"

#define INIT_EP_DEPTH	256u	/* every server's first requests land here */

int main(int argc, char **argv);

static handle_t device;

static long
spawn(void *ctx, const struct init_spawn *s, handle_t *proc)
{
	struct init_spawn with_device = *s;

	(void)ctx;
	with_device.device = s->driver ? device : HANDLE_NONE;	/* a `driver` line */
	return init_spawn(&with_device, proc);
}

static void
poweroff(void *ctx, long status)
{
	(void)ctx;
	system_poweroff(device, status);
}

static void
print(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

static struct init in;
static struct ipc_server srv;
static char buf[512];			/* the largest request: an fs name */
static struct ipc_handler handlers[32];	/* init's and bootfs's */

/* Registers bootfs under its name: a message to ourselves, first in line. */
static void
bootfs_register(handle_t ep)
{
	static const char name[] = "fs/bootfs";
	struct ipc_msg m;
	struct ipc_ext x;
	long h = handle_dup(ep, NAME_EP_RIGHTS, 0);

	if (h < 0)
		return;
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = NAME_REGISTER;
	x.sbuf = (uint64_t)(uintptr_t)name;
	x.slen = sizeof(name) - 1;
	x.shandles[0] = (handle_t)h;
	x.nshandles = 1;
	if (ipc_send(ep, &m, &x) != 0)
		handle_close((handle_t)h);
}

int
main(int argc, char **argv)
{
	const struct init_ops ops = { spawn, poweroff, print, NULL };
	const char *manifest = init_manifest_name(argc, argv);
	long ep, r;

	device = (handle_t)native_start_word(0);
	ep = ep_create(INIT_EP_DEPTH);
	if (ep < 0) {
		printf("init: cannot create an endpoint: error %ld\n", ep);
		system_poweroff(device, 1);
		return 1;
	}
	if (init_begin(&in, (const void *)native_start_word(1),
	    (size_t)native_start_word(2), manifest, (handle_t)ep, &ops) != 0) {
		system_poweroff(device, 1);
		return 1;
	}
	if (init_nhandlers + bootfs_nhandlers > sizeof(handlers) / sizeof(handlers[0])) {
		printf("init: handler table too small\n");
		system_poweroff(device, 1);
		return 1;
	}
	in.bootargc = argc - 1;
	in.bootargv = argv + 1;
	memcpy(handlers, init_handlers, init_nhandlers * sizeof(handlers[0]));
	memcpy(handlers + init_nhandlers, bootfs_handlers,
	    bootfs_nhandlers * sizeof(handlers[0]));
	bootfs_init((const void *)native_start_word(1), (size_t)native_start_word(2));
	bootfs_register((handle_t)ep);
	ipc_server_init(&srv, (handle_t)ep, handlers, init_nhandlers + bootfs_nhandlers, NULL,
	    0, buf, sizeof(buf), &in);
	init_step(&in);
	r = ipc_server_run(&srv);
	printf("init: the name service stopped: error %ld\n", r);
	system_poweroff(device, r);
	return (int)r;
}

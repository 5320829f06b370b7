/*
 * Running the boot manifest (docs/init.md). init_step executes lines
 * until one must wait: a `run` returns to init's server loop, and the
 * child's LABEL_EXIT (init_child_exited) resumes the manifest, so the
 * name service keeps answering while a program runs. Programs are
 * started through in->ops (main.c: init_spawn; tests: fakes), each in a
 * slot of in->child with a cookie of its own: its badge on the name
 * service and the tag on its LABEL_EXIT.
 *
 * Also init's handler table: PROTO_NAME (names.c) and LABEL_EXIT.
 */
#include <lichen/cpio.h>
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/proto/name.h>
#include <lichen/string.h>

#include "init_core.h"

#define say(in, ...)	init_printf((in)->ops.print, (in)->ops.ctx, __VA_ARGS__)

int
init_begin(struct init *in, const void *archive, size_t len,
    const char *manifest, handle_t ep, const struct init_ops *ops)
{
	struct cpio_entry e;
	int r;

	memset(in, 0, sizeof(*in));
	in->archive = archive;
	in->archive_len = len;
	in->ep = ep;
	in->ops = *ops;
	in->waiting = -1;
	in->next_cookie = INIT_COOKIE_BASE;
	in->mf.file = manifest;
	names_init(&in->names);
	r = archive != NULL ? cpio_find(archive, len, manifest, &e) : 0;
	if (r != 1) {
		if (r < 0)
			say(in, "init: the boot archive is corrupt");
		else
			say(in, "init: no %s in the boot archive", manifest);
		in->manifest_done = true;
		return r < 0 ? r : -ENOENT;
	}
	manifest_init(&in->mf, manifest, e.data, e.size, ops->print, ops->ctx);
	in->have_manifest = true;
	return 0;
}

static int
child_alloc(struct init *in, const char *name)
{
	for (unsigned i = 0; i < INIT_CHILDREN_MAX; i++) {
		if (in->child[i].name[0] == '\0') {
			LK_NAME(strlcpy)(in->child[i].name, name,
			    sizeof(in->child[i].name));
			return (int)i;
		}
	}
	return -1;
}

static void
child_free(struct init *in, int i)
{
	if (in->child[i].proc != HANDLE_NONE)
		handle_close(in->child[i].proc);
	memset(&in->child[i], 0, sizeof(in->child[i]));
}

/* Starts cmd's program: its child slot, or -1 (reported). */
static int
start(struct init *in, const struct manifest_cmd *cmd)
{
	struct init_spawn s;
	struct cpio_entry e;
	handle_t proc;
	const char *argv[INIT_SPAWN_ARGV_MAX + 1];
	unsigned argc = 0;
	long r;
	int i;

	if (cpio_find(in->archive, in->archive_len, cmd->path, &e) != 1) {
		say(in, "init: %s:%u: no %s in the boot archive", in->mf.file,
		    cmd->line, cmd->path);
		return -1;
	}
	if ((i = child_alloc(in, cmd->name)) < 0) {
		say(in, "init: %s:%u: cannot start %s: already %u programs",
		    in->mf.file, cmd->line, cmd->name, INIT_CHILDREN_MAX);
		return -1;
	}
	/* $BOOTARGS: every boot argument, e.g. for linuxemu's linuxemu.run=. */
	for (unsigned k = 0; k < cmd->argc; k++) {
		if (strcmp(cmd->argv[k], INIT_BOOTARGS) != 0) {
			if (argc < INIT_SPAWN_ARGV_MAX)
				argv[argc++] = cmd->argv[k];
			continue;
		}
		for (int b = 0; b < in->bootargc && argc < INIT_SPAWN_ARGV_MAX; b++)
			argv[argc++] = in->bootargv[b];
	}
	argv[argc] = NULL;
	s = (struct init_spawn){
		.name = cmd->name,
		.elf = e.data,
		.len = e.size,
		.argc = argc,
		.argv = argv,
		.name_ep = in->ep,
		.cookie = in->next_cookie++,
		.driver = cmd->verb == MANIFEST_DRIVER,
	};
	r = in->ops.spawn(in->ops.ctx, &s, &proc);
	if (r != 0) {
		say(in, "init: %s:%u: cannot start %s from %s: error %ld",
		    in->mf.file, cmd->line, cmd->name, cmd->path, r);
		child_free(in, i);
		return -1;
	}
	in->child[i].proc = proc;
	in->child[i].cookie = s.cookie;
	in->child[i].running = true;
	return i;
}

static unsigned
children_running(const struct init *in)
{
	unsigned n = 0;

	for (unsigned i = 0; i < INIT_CHILDREN_MAX; i++)
		n += in->child[i].running;
	return n;
}

/*
 * Only init's children can reach its endpoint (their send handles cannot
 * be passed on) and only they post exits to it: with the manifest done
 * and none of them left, nothing can ever happen again.
 */
static void
check_idle(struct init *in)
{
	if (!in->manifest_done || children_running(in) > 0)
		return;
	say(in, "init: %s done and nothing is running; powering off",
	    in->mf.file);
	in->ops.poweroff(in->ops.ctx, in->last_status);
	say(in, "init: poweroff failed");
}

void
init_step(struct init *in)
{
	struct manifest_cmd cmd;
	int i;

	while (in->waiting < 0 && !in->manifest_done) {
		if (manifest_next(&in->mf, &cmd) == 0) {
			in->manifest_done = true;
			break;
		}
		switch (cmd.verb) {
		case MANIFEST_START:
		case MANIFEST_DRIVER:
			start(in, &cmd);
			break;
		case MANIFEST_RUN:
			if ((i = start(in, &cmd)) >= 0)
				in->waiting = i;
			else
				in->last_status = INIT_STATUS_NOT_RUN;
			break;
		case MANIFEST_POWEROFF:
			in->ops.poweroff(in->ops.ctx, in->last_status);
			say(in, "init: %s:%u: poweroff failed", in->mf.file,
			    cmd.line);
			break;
		}
	}
	check_idle(in);
}

void
init_child_exited(struct init *in, uint64_t cookie, long status)
{
	unsigned i;

	for (i = 0; i < INIT_CHILDREN_MAX; i++)
		if (in->child[i].running && in->child[i].cookie == cookie)
			break;
	if (i == INIT_CHILDREN_MAX)
		return;		/* not ours, or reported already */
	say(in, "init: %s exited with status %ld", in->child[i].name, status);
	names_drop_owner(&in->names, cookie);
	child_free(in, (int)i);
	if (in->waiting == (int)i) {
		in->waiting = -1;
		in->last_status = status;
	}
	init_step(in);		/* goes on after a `run`; checks for idle */
}

/* The handlers. */

static long
do_register(struct ipc_server *srv, struct ipc_req *req)
{
	return names_do_register(&((struct init *)srv->ctx)->names, req);
}

static long
do_lookup(struct ipc_server *srv, struct ipc_req *req)
{
	return names_do_lookup(&((struct init *)srv->ctx)->names, req);
}

static long
do_wait(struct ipc_server *srv, struct ipc_req *req)
{
	return names_do_wait(&((struct init *)srv->ctx)->names, req);
}

static long
do_exit(struct ipc_server *srv, struct ipc_req *req)
{
	init_child_exited(srv->ctx, req->msg.badge, (long)req->msg.w[0]);
	return 0;
}

const struct ipc_handler init_handlers[] = {
	{ NAME_REGISTER, do_register },
	{ NAME_LOOKUP, do_lookup },
	{ NAME_WAIT, do_wait },
	{ LABEL_EXIT, do_exit },
};
const unsigned init_nhandlers =
    sizeof(init_handlers) / sizeof(init_handlers[0]);

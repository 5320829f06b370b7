/*
 * init's host-testable core (docs/init.md):
 *   manifest.c   the boot manifest parser
 *   init_core.c  running the manifest: start, run and wait, poweroff;
 *                the children and their exits; init's handler table
 *   names.c      the name service (PROTO_NAME, lichen/proto/name.h)
 *   load.c       starting a program from an ELF in the boot archive
 *                with native calls (process, vm, thread, bind)
 * main.c is the rest: start words, the endpoint, the loop, poweroff.
 */
#ifndef INIT_CORE_H
#define INIT_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lichen/ipc.h>
#include <lichen/ipc_server.h>
#include <lichen/proto/name.h>

/* --- the manifest (manifest.c) --- */

#define MANIFEST_DEFAULT	"boot.manifest"
#define MANIFEST_ARG		"lichen.manifest="
#define MANIFEST_LINE_MAX	255u	/* bytes in a line, without its newline */
#define MANIFEST_ARGV_MAX	16u	/* a program's argv: NAME and its ARGS */
#define INIT_NAME_MAX		31u	/* a program's NAME (the kernel's limit) */
#define INIT_SPAWN_ARGV_MAX	64u	/* a program's argv with $BOOTARGS expanded */
#define INIT_BOOTARGS		"$BOOTARGS"	/* an ARG that stands for every boot argument */

enum manifest_verb {
	MANIFEST_START = 1,	/* start NAME PATH [ARGS...] */
	MANIFEST_RUN,		/* run NAME PATH [ARGS...]: and wait for its exit */
	MANIFEST_POWEROFF,	/* poweroff */
	MANIFEST_DRIVER,	/* driver NAME PATH [ARGS...]: start, with the device handle */
};

struct manifest_cmd {
	enum manifest_verb verb;
	unsigned line;			/* 1-based */
	const char *name, *path;	/* start, run and driver */
	unsigned argc;			/* argv[0] = NAME, then ARGS */
	const char *argv[MANIFEST_ARGV_MAX + 1];	/* NULL-terminated */
	char buf[MANIFEST_LINE_MAX + 1];	/* the words, NUL-separated */
};

/* A diagnostic: one whole line of text, without the newline. */
typedef void (*init_print_fn)(void *ctx, const char *line);

/* Formats one diagnostic line (at most 255 bytes) and hands it to print. */
void init_printf(init_print_fn print, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct manifest {
	const char *file;		/* its name in the archive, for messages */
	const char *text;
	size_t len, off;
	unsigned line;			/* the last line read */
	unsigned errors;		/* lines reported and skipped */
	init_print_fn print;
	void *ctx;
};

void manifest_init(struct manifest *mf, const char *file, const char *text,
    size_t len, init_print_fn print, void *ctx);

/*
 * The next command: 1 and *cmd, or 0 at the end. A bad line is reported
 * ("init: FILE:LINE: why") and skipped.
 */
int manifest_next(struct manifest *mf, struct manifest_cmd *cmd);

/* The manifest named by "lichen.manifest=NAME" in argv, or the default. */
const char *init_manifest_name(int argc, char *const *argv);

/* --- the name service (names.c) --- */

#define NAMES_MAX		64u
#define NAME_WAITERS_MAX	32u

struct name_entry {
	char name[NAME_LEN_MAX + 1];	/* "" while the slot is free */
	handle_t ep;			/* NAME_EP_RIGHTS */
	uint64_t owner;			/* the registering handle's badge */
};

struct name_waiter {
	char name[NAME_LEN_MAX + 1];	/* "" while the slot is free */
	handle_t token;
};

struct names {
	struct name_entry e[NAMES_MAX];
	struct name_waiter w[NAME_WAITERS_MAX];
	unsigned n, nwaiting;
};

void names_init(struct names *ns);

/* The three requests, for a handler given the table (status or SUSPEND). */
long names_do_register(struct names *ns, struct ipc_req *req);
long names_do_lookup(struct names *ns, struct ipc_req *req);
long names_do_wait(struct names *ns, struct ipc_req *req);

/* Forgets (and closes) every name registered through badge owner. */
unsigned names_drop_owner(struct names *ns, uint64_t owner);

/* --- starting programs (load.c) --- */

struct init_spawn {
	const char *name;		/* the process's name */
	const void *elf;		/* the file, in the boot archive */
	size_t len;
	unsigned argc;
	const char *const *argv;	/* argc strings */
	handle_t name_ep;		/* init's endpoint (RIGHT_SEND|RIGHT_TRANSFER) */
	uint64_t cookie;		/* badges the child's name handle and its exit */
	/*
	 * A `driver` line: the child also gets the device handle, with
	 * RIGHT_MANAGE only (it cannot pass it on), its number in x1. init's
	 * core sets driver; main.c, which holds the handle, sets device.
	 */
	bool driver;
	handle_t device;
};

/*
 * Loads s->elf into a new process, gives it a badged send handle to
 * init's endpoint (its x0) and, for a driver, the device handle (its
 * x1), binds its exit to that endpoint (LABEL_EXIT, badge = cookie) and
 * starts it: 0 and *proc, or -errno (nothing is left behind; a driver
 * without a device handle: -EPERM).
 */
long init_spawn(const struct init_spawn *s, handle_t *proc);

/*
 * The initial stack of a native program (lichen/ipc.h): argv's strings
 * at the top, below them argc, argv[] and a NULL at a 16-byte aligned sp.
 * buf holds the cap bytes just below top; the image ends at buf + cap.
 * Returns its size (top - *sp), or -E2BIG if it does not fit.
 */
long init_stack_build(void *buf, size_t cap, uint64_t top, unsigned argc,
    const char *const *argv, uint64_t *sp);

/* --- running the manifest (init_core.c) --- */

#define INIT_CHILDREN_MAX	32u
#define INIT_STATUS_NOT_RUN	127	/* a `run` whose program did not start */

struct init_child {
	char name[INIT_NAME_MAX + 1];	/* "" while the slot is free */
	handle_t proc;
	uint64_t cookie;		/* its badge and exit cookie, never reused */
	bool running;
};

/* What init_core asks of the machine (main.c; fakes in tests). */
struct init_ops {
	long (*spawn)(void *ctx, const struct init_spawn *s, handle_t *proc);
	void (*poweroff)(void *ctx, long status);	/* returns if it failed */
	init_print_fn print;
	void *ctx;
};

struct init {
	const void *archive;
	int bootargc;			/* the kernel's boot arguments (init's argv[1..]) */
	char *const *bootargv;
	size_t archive_len;
	handle_t ep;			/* init's endpoint */
	struct init_ops ops;
	struct manifest mf;
	bool have_manifest;
	bool manifest_done;
	int waiting;			/* the child a `run` waits for, or -1 */
	long last_status;		/* of the last `run` */
	uint64_t next_cookie;
	struct init_child child[INIT_CHILDREN_MAX];
	struct names names;
};

/*
 * Sets in up over the archive and finds the manifest in it: 0, or
 * -ENOENT (reported) when it is missing.
 */
int init_begin(struct init *in, const void *archive, size_t len,
    const char *manifest, handle_t ep, const struct init_ops *ops);

/* Runs manifest lines until a `run` waits, the manifest ends or poweroff. */
void init_step(struct init *in);

/* A child's LABEL_EXIT (badge = its cookie, w0 = its status). */
void init_child_exited(struct init *in, uint64_t cookie, long status);

/* init's handler table: PROTO_NAME and LABEL_EXIT; srv->ctx = the init. */
extern const struct ipc_handler init_handlers[];
extern const unsigned init_nhandlers;

/* Children's badges and exit cookies count up from here. */
#define INIT_COOKIE_BASE	0x100u

#endif

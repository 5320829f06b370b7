/*
 * The boot manifest (docs/init.md has the format): read line by line in
 * place, each line split into words in a manifest_cmd's own buffer, so
 * nothing is allocated and the archive is never written. Every bad line
 * is reported with its number and skipped; the rest still runs.
 */
#include <stdarg.h>
#include <lichen/fmt.h>
#include <lichen/string.h>

#include "init_core.h"

void
init_printf(init_print_fn print, void *ctx, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	print(ctx, line);
}

void
manifest_init(struct manifest *mf, const char *file, const char *text,
    size_t len, init_print_fn print, void *ctx)
{
	mf->file = file;
	mf->text = text;
	mf->len = text != NULL ? len : 0;
	mf->off = 0;
	mf->line = 0;
	mf->errors = 0;
	mf->print = print;
	mf->ctx = ctx;
}

const char *
init_manifest_name(int argc, char *const *argv)
{
	size_t n = strlen(MANIFEST_ARG);

	for (int i = 1; i < argc; i++)
		if (argv[i] != NULL && strncmp(argv[i], MANIFEST_ARG, n) == 0 &&
		    argv[i][n] != '\0')
			return argv[i] + n;
	return MANIFEST_DEFAULT;
}

static void
bad_line(struct manifest *mf, const char *why, const char *word)
{
	mf->errors++;
	if (word != NULL)
		init_printf(mf->print, mf->ctx, "init: %s:%u: %s '%.32s'", mf->file,
		    mf->line, why, word);
	else
		init_printf(mf->print, mf->ctx, "init: %s:%u: %s", mf->file,
		    mf->line, why);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * Splits the line in cmd->buf into words in place: their count, with
 * words[] filled; or -1 (reported) if there are more than max.
 */
static int
split(struct manifest *mf, char *p, const char **words, unsigned max)
{
	unsigned n = 0;

	for (;;) {
		while (is_space(*p))
			*p++ = '\0';
		if (*p == '\0' || *p == '#')
			return (int)n;
		if (n == max) {
			mf->errors++;
			init_printf(mf->print, mf->ctx,
			    "init: %s:%u: too many ARGS (at most %u)", mf->file,
			    mf->line, max - 3);
			return -1;
		}
		words[n++] = p;
		while (*p != '\0' && !is_space(*p))
			p++;
	}
}

/* Makes words (verb first) into *cmd: 1, or 0 (reported) if they are bad. */
static int
parse_words(struct manifest *mf, const char **w, unsigned n,
    struct manifest_cmd *cmd)
{
	if (strcmp(w[0], "poweroff") == 0) {
		if (n > 1) {
			bad_line(mf, "poweroff takes no arguments:", w[1]);
			return 0;
		}
		cmd->verb = MANIFEST_POWEROFF;
		return 1;
	}
	if (strcmp(w[0], "start") == 0)
		cmd->verb = MANIFEST_START;
	else if (strcmp(w[0], "run") == 0)
		cmd->verb = MANIFEST_RUN;
	else if (strcmp(w[0], "driver") == 0)
		cmd->verb = MANIFEST_DRIVER;
	else {
		bad_line(mf, "unknown verb", w[0]);
		return 0;
	}
	if (n < 3) {
		bad_line(mf, n == 1 ? "missing NAME and PATH after" :
		    "missing PATH after", w[n - 1]);
		return 0;
	}
	if (strlen(w[1]) > INIT_NAME_MAX) {
		bad_line(mf, "NAME longer than 31 bytes:", w[1]);
		return 0;
	}
	cmd->name = w[1];
	cmd->path = w[2];
	cmd->argv[0] = w[1];
	cmd->argc = 1;
	for (unsigned i = 3; i < n; i++)
		cmd->argv[cmd->argc++] = w[i];
	cmd->argv[cmd->argc] = NULL;
	return 1;
}

/*
 * Copies the next line into cmd->buf: its length, or -1 (reported and
 * skipped) if it is too long or holds a control character. 0 with
 * mf->off == mf->len at the end.
 */
static long
read_line(struct manifest *mf, struct manifest_cmd *cmd, bool *eof)
{
	const char *p = mf->text + mf->off;
	size_t rest = mf->len - mf->off, n;
	const char *nl;

	*eof = rest == 0;
	if (*eof)
		return 0;
	nl = memchr(p, '\n', rest);
	n = nl != NULL ? (size_t)(nl - p) : rest;
	mf->off += nl != NULL ? n + 1 : n;
	mf->line++;
	if (n > MANIFEST_LINE_MAX) {
		bad_line(mf, "line longer than 255 bytes", NULL);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if ((c < ' ' && c != '\t' && c != '\r') || c == 0x7f) {
			bad_line(mf, "control character in line", NULL);
			return -1;
		}
	}
	memcpy(cmd->buf, p, n);
	cmd->buf[n] = '\0';
	return (long)n;
}

int
manifest_next(struct manifest *mf, struct manifest_cmd *cmd)
{
	/* The verb, NAME, PATH and the ARGS after NAME in argv. */
	const char *w[MANIFEST_ARGV_MAX + 2];
	bool eof;
	int n;

	for (;;) {
		memset(cmd, 0, sizeof(*cmd));
		if (read_line(mf, cmd, &eof) < 0)
			continue;
		if (eof)
			return 0;
		cmd->line = mf->line;
		n = split(mf, cmd->buf, w, MANIFEST_ARGV_MAX + 2);
		if (n > 0 && parse_words(mf, w, (unsigned)n, cmd))
			return 1;
	}
}

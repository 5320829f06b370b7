/*
 * tty_core.c - one terminal's line discipline: Linux's n_tty behaviour
 * (docs/tty.md), without its locking. Input: byte by byte through input
 * processing (ISTRIP, IUCLC, ICRNL, INLCR, IGNCR), flow control (IXON),
 * signal characters (ISIG), canonical editing (erase, kill, word erase,
 * literal next, reprint, EOF, EOL, EOL2) and echo. Output: one queue for
 * writes and echoes, in order, through output processing (OPOST) with the
 * cursor's column tracked, so that erasing a tab goes back the right way.
 *
 * The input buffer is a ring of TTY_INBUF bytes with free-running indices:
 * [in_tail, in_canon) are complete lines, the last byte of each flagged;
 * [in_canon, in_head) is the line being edited. Out of canonical mode
 * everything in [in_tail, in_head) may be read. An EOF character ends its
 * line as a flagged byte that reads never return. Reads take nothing
 * until they are complete, so a read that waits holds nothing.
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#ifdef LK_HOST
#include <stdlib.h>
#else
#include <lichen/rt.h>
#endif

#include "tty_core.h"

#define IMASK(i) ((i) & (TTY_INBUF - 1))
#define OMASK(i) ((i) & (TTY_OUTBUF - 1))

#define IN_EOL 1u /* the last byte of a line */
#define IN_EOF 2u /* ... and it is the EOF character: not read */

struct tty {
	struct tty_termios tio;
	struct tty_winsize ws;

	uint8_t in[TTY_INBUF];
	uint8_t in_flag[TTY_INBUF];
	uint32_t in_tail, in_canon, in_head;
	bool lnext;   /* the next byte is taken literally */
	bool erasing; /* inside an ECHOPRT "\...", to be closed by "/" */

	uint8_t out[TTY_OUTBUF];
	uint32_t out_tail, out_head;
	unsigned column;       /* the cursor's, as output has moved it */
	unsigned canon_column; /* where the line being edited started */
	int xchar;	       /* TCIOFF/TCION's character, -1 when none */
	bool stopped;	       /* by ^S or TCOOFF */
	bool tco_stopped;      /* by TCOOFF: ^Q does not restart it */
};

#define I_(t, f) (((t)->tio.c_iflag & (f)) != 0)
#define O_(t, f) (((t)->tio.c_oflag & (f)) != 0)
#define L_(t, f) (((t)->tio.c_lflag & (f)) != 0)

/* --- Linux's ctype: ASCII, and Latin-1 above 159 --- */

static bool
is_cntrl(uint8_t c)
{
	return c < 32 || c == 127;
}

static bool
is_upper(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 192 && c <= 222 && c != 215);
}

static bool
is_lower(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 223 && c != 247);
}

static bool
is_alnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || is_upper(c) || is_lower(c);
}

static uint8_t
to_lower(uint8_t c)
{
	return is_upper(c) ? c + 32 : c;
}

static uint8_t
to_upper(uint8_t c)
{
	return is_lower(c) ? c - 32 : c;
}

/* A UTF-8 continuation byte, on a terminal in UTF-8 mode. */
static bool
is_cont(const struct tty *t, uint8_t c)
{
	return I_(t, IUTF8) && (c & 0xc0) == 0x80;
}

/* c is the character c_cc[v] names (0 disables one). */
static bool
cc_is(const struct tty *t, uint8_t c, int v)
{
	return t->tio.c_cc[v] != 0 && c == t->tio.c_cc[v];
}

/* --- setup --- */

void
tty_default_termios(struct tty_termios *tio)
{
	static const uint8_t cc[TTY_NCCS] = {
	    [VINTR] = 003,
	    [VQUIT] = 034,
	    [VERASE] = 0177,
	    [VKILL] = 025,
	    [VEOF] = 004,
	    [VTIME] = 0,
	    [VMIN] = 1,
	    [VSWTC] = 0,
	    [VSTART] = 021,
	    [VSTOP] = 023,
	    [VSUSP] = 032,
	    [VEOL] = 0,
	    [VREPRINT] = 022,
	    [VDISCARD] = 017,
	    [VWERASE] = 027,
	    [VLNEXT] = 026,
	    [VEOL2] = 0,
	};

	memset(tio, 0, sizeof(*tio));
	tio->c_iflag = ICRNL | IXON;
	tio->c_oflag = OPOST | ONLCR;
	tio->c_cflag = B38400 | CS8 | CREAD | HUPCL;
	tio->c_lflag =
	    ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(tio->c_cc, cc, sizeof(cc));
}

struct tty *
tty_new(void)
{
	struct tty *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	tty_default_termios(&t->tio);
	t->xchar = -1;
	return t;
}

void
tty_free(struct tty *t)
{
	free(t);
}

/* --- the output queue --- */

static size_t
out_used(const struct tty *t)
{
	return t->out_head - t->out_tail;
}

/* Room under limit: TTY_WRITE_ROOM for writes, TTY_OUTBUF for echoes. */
static size_t
out_room(const struct tty *t, size_t limit)
{
	return out_used(t) < limit ? limit - out_used(t) : 0;
}

static void
out_put(struct tty *t, uint8_t c)
{
	t->out[OMASK(t->out_head++)] = c;
}

/*
 * Queues one character with output processing (n_tty's do_output_char),
 * moving the column; false, with nothing changed, when it does not fit.
 */
static bool
out_char(struct tty *t, uint8_t c, size_t limit)
{
	size_t room = out_room(t, limit);
	unsigned spaces;

	if (room == 0)
		return false;
	if (!O_(t, OPOST)) {
		out_put(t, c);
		return true;
	}
	switch (c) {
	case '\n':
		if (O_(t, ONLCR)) {
			if (room < 2)
				return false;
			t->canon_column = t->column = 0;
			out_put(t, '\r');
			break;
		}
		if (O_(t, ONLRET))
			t->column = 0;
		t->canon_column = t->column;
		break;
	case '\r':
		if (O_(t, ONOCR) && t->column == 0)
			return true; /* nothing to return from */
		if (O_(t, OCRNL)) {
			c = '\n';
			if (O_(t, ONLRET))
				t->canon_column = t->column = 0;
			break;
		}
		t->canon_column = t->column = 0;
		break;
	case '\t':
		spaces = 8 - (t->column & 7);
		if ((t->tio.c_oflag & TABDLY) == XTABS) {
			if (room < spaces)
				return false;
			t->column += spaces;
			while (spaces-- > 1)
				out_put(t, ' ');
			c = ' ';
			break;
		}
		t->column += spaces;
		break;
	case '\b':
		if (t->column > 0)
			t->column--;
		break;
	default:
		if (!is_cntrl(c)) {
			if (O_(t, OLCUC))
				c = to_upper(c);
			if (!is_cont(t, c))
				t->column++;
		}
		break;
	}
	out_put(t, c);
	return true;
}

size_t
tty_write(struct tty *t, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (!out_char(t, p[i], TTY_WRITE_ROOM))
			break;
	return i;
}

size_t
tty_transmit(struct tty *t, void *buf, size_t room)
{
	uint8_t *p = buf;
	size_t n = 0;

	if (room > 0 && t->xchar >= 0) {
		p[n++] = (uint8_t)t->xchar;
		t->xchar = -1;
	}
	if (t->stopped)
		return n;
	while (n < room && t->out_tail != t->out_head)
		p[n++] = t->out[OMASK(t->out_tail++)];
	return n;
}

size_t
tty_outq(const struct tty *t)
{
	return out_used(t) + (t->xchar >= 0);
}

/* --- echo: into the output queue, past the writers' limit --- */

static void
echo_raw(struct tty *t, uint8_t c)
{
	(void)out_char(t, c, TTY_OUTBUF);
}

/* A character as the user sees it typed: ^X for controls with ECHOCTL. */
static void
echo_char(struct tty *t, uint8_t c)
{
	if (L_(t, ECHOCTL) && is_cntrl(c) && c != '\t') {
		if (out_room(t, TTY_OUTBUF) < 2)
			return;
		out_put(t, '^');
		out_put(t, c ^ 0100);
		t->column += 2;
	} else {
		echo_raw(t, c);
	}
}

/* Back over a tab: cols is the width of what precedes it in the line
 * (back to an earlier tab when after_tab, else to the line's start). */
static void
echo_erase_tab(struct tty *t, unsigned cols, bool after_tab)
{
	unsigned n = 8 - ((after_tab ? cols : cols + t->canon_column) & 7);

	if (out_room(t, TTY_OUTBUF) < n)
		return;
	while (n-- > 0) {
		out_put(t, '\b');
		if (t->column > 0)
			t->column--;
	}
}

static void
echo_rubout(struct tty *t)
{
	echo_raw(t, '\b');
	echo_raw(t, ' ');
	echo_raw(t, '\b');
}

/* Closes an ECHOPRT erase run. */
static void
finish_erasing(struct tty *t)
{
	if (t->erasing) {
		echo_raw(t, '/');
		t->erasing = false;
	}
}

/* Before echoing a line's first character: the column it starts at. */
static void
mark_canon_column(struct tty *t)
{
	if (t->in_canon == t->in_head)
		t->canon_column = t->column;
}

/* --- the input buffer --- */

static uint8_t
in_at(const struct tty *t, uint32_t i)
{
	return t->in[IMASK(i)];
}

static void
in_put(struct tty *t, uint8_t c)
{
	t->in_flag[IMASK(t->in_head)] = 0;
	t->in[IMASK(t->in_head++)] = c;
}

static void
in_end_line(struct tty *t, uint8_t c, uint8_t flag)
{
	t->in_flag[IMASK(t->in_head)] = flag;
	t->in[IMASK(t->in_head++)] = c;
	t->in_canon = t->in_head;
}

static void
in_reset(struct tty *t)
{
	t->in_tail = t->in_canon = t->in_head = 0;
	t->erasing = false;
}

/*
 * Whether one more byte may come in. One slot stays free for a line's
 * end; a canonical line with no end yet that fills the buffer goes on
 * taking bytes, each in place of the last, so that erasing and ending it
 * still work (n_tty_receive_buf_common).
 */
static bool
in_room(struct tty *t)
{
	long room = TTY_INBUF - (long)(t->in_head - t->in_tail) - 1;

	if (room > 0)
		return true;
	if (!L_(t, ICANON) || t->in_canon != t->in_tail)
		return false;
	if (room < 0)
		t->in_head--;
	return true;
}

/* --- flow control --- */

static void
start_output(struct tty *t)
{
	if (t->stopped && !t->tco_stopped)
		t->stopped = false;
}

bool
tty_stopped(const struct tty *t)
{
	return t->stopped;
}

int
tty_flow(struct tty *t, int action)
{
	switch (action) {
	case TCOOFF:
		t->tco_stopped = true;
		t->stopped = true;
		return 0;
	case TCOON:
		if (t->tco_stopped) {
			t->tco_stopped = false;
			t->stopped = false;
		}
		return 0;
	case TCIOFF:
	case TCION: {
		uint8_t c = t->tio.c_cc[action == TCIOFF ? VSTOP : VSTART];

		if (c != 0) /* sent ahead of the queue, even while stopped */
			t->xchar = c;
		return 0;
	}
	default:
		return -EINVAL;
	}
}

int
tty_flush(struct tty *t, int queue)
{
	if (queue != TCIFLUSH && queue != TCOFLUSH && queue != TCIOFLUSH)
		return -EINVAL;
	if (queue != TCOFLUSH)
		in_reset(t);
	if (queue != TCIFLUSH)
		t->out_tail = t->out_head;
	return 0;
}

/* --- editing --- */

/* Echo for one erased character c of cnt bytes starting at index at. */
static void
echo_erased(struct tty *t, uint8_t c, uint32_t at, uint32_t cnt, bool erase)
{
	if (L_(t, ECHOPRT)) {
		if (!t->erasing) {
			echo_raw(t, '\\');
			t->erasing = true;
		}
		echo_char(t, c);
		while (--cnt > 0) {
			echo_raw(t, in_at(t, ++at));
			if (t->column > 0)
				t->column--;
		}
	} else if (erase && !L_(t, ECHOE)) {
		echo_char(t, t->tio.c_cc[VERASE]);
	} else if (c == '\t') {
		unsigned cols = 0;
		bool after_tab = false;

		for (uint32_t i = t->in_head; i != t->in_canon;) {
			uint8_t x = in_at(t, --i);

			if (x == '\t') {
				after_tab = true;
				break;
			}
			if (is_cntrl(x))
				cols += L_(t, ECHOCTL) ? 2 : 0;
			else if (!is_cont(t, x))
				cols++;
		}
		echo_erase_tab(t, cols, after_tab);
	} else {
		if (is_cntrl(c) && L_(t, ECHOCTL))
			echo_rubout(t); /* the ^ of ^X */
		if (!is_cntrl(c) || L_(t, ECHOCTL))
			echo_rubout(t);
	}
}

/*
 * ERASE, WERASE (back over non-word characters, then a word of
 * alphanumerics and '_') or KILL (the whole line), with their echoes:
 * ECHOE rubs out, ECHOK/ECHOKE kill visibly or with a newline.
 */
static void
in_erase(struct tty *t, uint8_t c)
{
	enum { ERASE, WERASE, KILL } kind;
	unsigned alnums = 0;

	if (t->in_head == t->in_canon)
		return;
	if (c == t->tio.c_cc[VERASE]) {
		kind = ERASE;
	} else if (c == t->tio.c_cc[VWERASE]) {
		kind = WERASE;
	} else {
		if (!L_(t, ECHO)) {
			t->in_head = t->in_canon;
			return;
		}
		if (!L_(t, ECHOK) || !L_(t, ECHOKE) || !L_(t, ECHOE)) {
			t->in_head = t->in_canon;
			finish_erasing(t);
			echo_char(t, c);
			if (L_(t, ECHOK))
				echo_raw(t, '\n');
			return;
		}
		kind = KILL;
	}
	while (t->in_head != t->in_canon) {
		uint32_t at = t->in_head;
		uint8_t x;

		do /* a whole UTF-8 character */
			x = in_at(t, --at);
		while (is_cont(t, x) && at != t->in_canon);
		if (is_cont(t, x))
			break;
		if (kind == WERASE) {
			if (is_alnum(x) || x == '_')
				alnums++;
			else if (alnums > 0)
				break;
		}
		uint32_t cnt = t->in_head - at;
		t->in_head = at;
		if (L_(t, ECHO))
			echo_erased(t, x, at, cnt, kind == ERASE);
		if (kind == ERASE)
			break;
	}
	if (t->in_head == t->in_canon && L_(t, ECHO))
		finish_erasing(t);
}

/* REPRINT: the character, a newline, and the line so far. */
static void
in_reprint(struct tty *t, uint8_t c)
{
	finish_erasing(t);
	echo_char(t, c);
	echo_raw(t, '\n');
	for (uint32_t i = t->in_canon; i != t->in_head; i++)
		echo_char(t, in_at(t, i));
}

/* The canonical-mode characters; false when c is none of them. */
static bool
in_canon_char(struct tty *t, uint8_t c)
{
	if (c == t->tio.c_cc[VERASE] || c == t->tio.c_cc[VKILL] ||
	    (c == t->tio.c_cc[VWERASE] && L_(t, IEXTEN))) {
		in_erase(t, c);
		return true;
	}
	if (c == t->tio.c_cc[VLNEXT] && L_(t, IEXTEN)) {
		t->lnext = true;
		if (L_(t, ECHO)) {
			finish_erasing(t);
			if (L_(t, ECHOCTL)) {
				echo_raw(t, '^');
				echo_raw(t, '\b');
			}
		}
		return true;
	}
	if (c == t->tio.c_cc[VREPRINT] && L_(t, ECHO) && L_(t, IEXTEN)) {
		in_reprint(t, c);
		return true;
	}
	if (c == '\n') {
		if (L_(t, ECHO) || L_(t, ECHONL))
			echo_raw(t, '\n');
		in_end_line(t, c, IN_EOL);
		return true;
	}
	if (c == t->tio.c_cc[VEOF]) {
		in_end_line(t, 0, IN_EOL | IN_EOF);
		return true;
	}
	if (c == t->tio.c_cc[VEOL] ||
	    (c == t->tio.c_cc[VEOL2] && L_(t, IEXTEN))) {
		if (L_(t, ECHO)) {
			mark_canon_column(t);
			echo_char(t, c);
		}
		in_end_line(t, c, IN_EOL);
		return true;
	}
	return false;
}

/* ^C, ^\, ^Z: flush (unless NOFLSH), restart output, echo. */
static int
in_signal(struct tty *t, int sig, uint8_t c)
{
	if (!L_(t, NOFLSH)) {
		in_reset(t);
		t->out_tail = t->out_head;
	}
	if (I_(t, IXON))
		start_output(t);
	if (L_(t, ECHO))
		echo_char(t, c);
	return sig;
}

/* Any character restarts output stopped by ^S, with IXANY. */
static void
in_ixany(struct tty *t)
{
	if (t->stopped && !t->tco_stopped && I_(t, IXON) && I_(t, IXANY))
		t->stopped = false;
}

/* An ordinary character: echoed and queued. */
static void
in_plain(struct tty *t, uint8_t c, bool raw_newline)
{
	in_ixany(t);
	if (L_(t, ECHO)) {
		finish_erasing(t);
		if (c == '\n' && raw_newline) {
			echo_raw(t, '\n');
		} else {
			mark_canon_column(t);
			echo_char(t, c);
		}
	}
	in_put(t, c);
}

/*
 * Whether c needs more than in_plain: n_tty's char_map. A 0 in c_cc
 * disables its character, so NUL is never special.
 */
static bool
is_special(const struct tty *t, uint8_t c)
{
	const uint8_t *cc = t->tio.c_cc;

	if (c == 0)
		return false;
	if (c == '\r' && I_(t, IGNCR | ICRNL))
		return true;
	if (c == '\n' && I_(t, INLCR))
		return true;
	if (L_(t, ICANON)) {
		if (c == cc[VERASE] || c == cc[VKILL] || c == cc[VEOF] ||
		    c == '\n' || c == cc[VEOL])
			return true;
		if (L_(t, IEXTEN) &&
		    (c == cc[VWERASE] || c == cc[VLNEXT] || c == cc[VEOL2] ||
			(L_(t, ECHO) && c == cc[VREPRINT])))
			return true;
	}
	if (I_(t, IXON) && (c == cc[VSTART] || c == cc[VSTOP]))
		return true;
	return L_(t, ISIG) &&
	       (c == cc[VINTR] || c == cc[VQUIT] || c == cc[VSUSP]);
}

/* One special byte, in n_tty's order; the signal it asks for, or 0. */
static int
in_special(struct tty *t, uint8_t c)
{
	if (I_(t, IXON)) {
		if (cc_is(t, c, VSTART)) {
			start_output(t);
			return 0;
		}
		if (cc_is(t, c, VSTOP)) {
			t->stopped = true;
			return 0;
		}
	}
	if (L_(t, ISIG)) {
		if (cc_is(t, c, VINTR))
			return in_signal(t, TTY_SIGINT, c);
		if (cc_is(t, c, VQUIT))
			return in_signal(t, TTY_SIGQUIT, c);
		if (cc_is(t, c, VSUSP))
			return in_signal(t, TTY_SIGTSTP, c);
	}
	in_ixany(t);
	if (c == '\r') {
		if (I_(t, IGNCR))
			return 0;
		if (I_(t, ICRNL))
			c = '\n';
	} else if (c == '\n' && I_(t, INLCR)) {
		c = '\r';
	}
	if (L_(t, ICANON) && in_canon_char(t, c))
		return 0;
	in_plain(t, c, true);
	return 0;
}

static int
in_byte(struct tty *t, uint8_t c)
{
	if (I_(t, ISTRIP))
		c &= 0x7f;
	if (I_(t, IUCLC) && L_(t, IEXTEN))
		c = to_lower(c);
	if (t->lnext) {
		t->lnext = false;
		in_plain(t, c, false);
		return 0;
	}
	if (!is_special(t, c)) {
		in_plain(t, c, false);
		return 0;
	}
	return in_special(t, c);
}

size_t
tty_input(struct tty *t, const void *buf, size_t len, int *sig)
{
	const uint8_t *p = buf;
	size_t i = 0;

	*sig = 0;
	if (!(t->tio.c_cflag & CREAD))
		return len; /* the receiver is off */
	while (i < len && *sig == 0 && in_room(t))
		*sig = in_byte(t, p[i++]);
	return i;
}

/* --- reads --- */

/*
 * What is left of the first complete line, up to len bytes; the line's
 * EOF character is taken but not returned, also when the line ends just
 * where the read does (n_tty's canon_skip_eof).
 */
static size_t
take_line(struct tty *t, uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (t->in_tail != t->in_canon) {
		uint8_t flag = t->in_flag[IMASK(t->in_tail)];

		if (flag & IN_EOF) {
			t->in_tail++;
			break;
		}
		if (n == len)
			break;
		buf[n++] = in_at(t, t->in_tail++);
		if (flag & IN_EOL)
			break;
	}
	return n;
}

static size_t
take_raw(struct tty *t, uint8_t *buf, size_t len)
{
	size_t n = 0;

	while (n < len && t->in_tail != t->in_head)
		buf[n++] = in_at(t, t->in_tail++);
	return n;
}

void
tty_read_begin(
    struct tty *t, struct tty_read *rd, size_t len, bool nonblock, uint64_t now)
{
	rd->len = len;
	rd->nonblock = nonblock;
	rd->vmin = t->tio.c_cc[VMIN];
	rd->vtime = t->tio.c_cc[VTIME];
	rd->seen = 0;
	rd->deadline = TTY_NO_DEADLINE;
	if (rd->vmin == 0 && rd->vtime != 0)
		rd->deadline = now + rd->vtime * TTY_VTIME_NS;
}

/*
 * Out of canonical mode: VMIN 0 takes what there is, waiting up to
 * VTIME for a first byte; VMIN > 0 waits for that many bytes (or len),
 * forever with VTIME 0, else until VTIME has passed since the last byte
 * arrived, once one has.
 */
static long
read_raw(struct tty *t, struct tty_read *rd, uint8_t *buf, uint64_t now)
{
	size_t avail = t->in_head - t->in_tail;
	size_t need = rd->vmin < rd->len ? rd->vmin : rd->len;

	if (rd->vmin == 0) {
		if (avail > 0)
			return (long)take_raw(t, buf, rd->len);
		if (rd->vtime == 0 || now >= rd->deadline)
			return 0;
		return rd->nonblock ? -EAGAIN : TTY_WAIT;
	}
	if (avail >= need)
		return (long)take_raw(t, buf, rd->len);
	if (rd->nonblock)
		return avail > 0 ? (long)take_raw(t, buf, rd->len) : -EAGAIN;
	if (rd->vtime == 0)
		return TTY_WAIT;
	if (avail != rd->seen) { /* bytes came (or a flush took them) */
		rd->seen = avail;
		rd->deadline = TTY_NO_DEADLINE;
		if (avail > 0)
			rd->deadline = now + rd->vtime * TTY_VTIME_NS;
	} else if (avail > 0 && now >= rd->deadline) {
		return (long)take_raw(t, buf, rd->len);
	}
	return TTY_WAIT;
}

long
tty_read(struct tty *t, struct tty_read *rd, void *buf, uint64_t now)
{
	if (rd->len == 0)
		return 0;
	if (!L_(t, ICANON))
		return read_raw(t, rd, buf, now);
	if (t->in_canon != t->in_tail)
		return (long)take_line(t, buf, rd->len);
	return rd->nonblock ? -EAGAIN : TTY_WAIT;
}

size_t
tty_inq(const struct tty *t)
{
	size_t n = 0;

	if (!L_(t, ICANON))
		return t->in_head - t->in_tail;
	for (uint32_t i = t->in_tail; i != t->in_canon; i++)
		n += !(t->in_flag[IMASK(i)] & IN_EOF);
	return n;
}

unsigned
tty_poll(const struct tty *t)
{
	unsigned mask = 0;
	size_t want = 1;

	if (!L_(t, ICANON) && t->tio.c_cc[VTIME] == 0 && t->tio.c_cc[VMIN] > 0)
		want = t->tio.c_cc[VMIN];
	if (L_(t, ICANON) ? t->in_canon != t->in_tail
			  : t->in_head - t->in_tail >= want)
		mask |= TTY_POLLIN | TTY_POLLRDNORM;
	if (out_used(t) < TTY_WAKEUP)
		mask |= TTY_POLLOUT | TTY_POLLWRNORM;
	return mask;
}

/* --- termios and winsize --- */

void
tty_get_termios(const struct tty *t, struct tty_termios *tio)
{
	*tio = t->tio;
}

/*
 * Switching ICANON on makes what was typed one line (n_tty's push);
 * switching it off makes everything readable. Clearing IXON restarts
 * output stopped by ^S.
 */
void
tty_set_termios(struct tty *t, const struct tty_termios *tio)
{
	struct tty_termios old = t->tio;

	t->tio = *tio;
	if ((old.c_lflag ^ tio->c_lflag) & ICANON) {
		memset(t->in_flag, 0, sizeof(t->in_flag));
		t->in_canon = t->in_tail;
		if (L_(t, ICANON) && t->in_head != t->in_tail) {
			t->in_flag[IMASK(t->in_head - 1)] = IN_EOL;
			t->in_canon = t->in_head;
		}
		t->erasing = false;
		t->lnext = false;
	}
	if (!I_(t, IXON) && (old.c_iflag & IXON) && !t->tco_stopped)
		start_output(t);
}

void
tty_get_winsize(const struct tty *t, struct tty_winsize *ws)
{
	*ws = t->ws;
}

bool
tty_set_winsize(struct tty *t, const struct tty_winsize *ws)
{
	bool changed = memcmp(&t->ws, ws, sizeof(*ws)) != 0;

	t->ws = *ws;
	return changed;
}

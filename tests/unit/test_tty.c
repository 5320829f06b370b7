/*
 * test_tty.c - the tty line discipline (servers/devtmpfs/tty_core.c),
 * driven by byte sequences as a terminal sends them: canonical editing
 * and its echoes, EOF, signals and the flushes they make, input and
 * output processing, flow control, VMIN/VTIME with a fake clock, full
 * buffers, and the ioctls' edges. The expected bytes are what Linux's
 * n_tty gives. Built with ASan and UBSan (tests/unit/meson.build).
 */
#include <stdio.h>
#include <string.h>

#include <lichen/errno.h>

#include "../../servers/devtmpfs/tty_core.h"
#include "unit.h"

#define MS UINT64_C(1000000)

static struct tty *t;
static int sigs[64];
static int nsigs;
static uint64_t now;

static void
setup(void)
{
	t = tty_new();
	ck_assert_ptr_nonnull(t);
	nsigs = 0;
	now = 1000 * MS;
}

static void
teardown(void)
{
	tty_free(t);
	t = NULL;
}

/* --- helpers --- */

/* Feeds bytes as the device would, noting signals; returns bytes taken. */
static size_t
feed(const void *buf, size_t len)
{
	const char *p = buf;
	size_t total = 0;

	while (len > 0) {
		int sig;
		size_t n = tty_input(t, p, len, &sig);

		if (sig != 0 && nsigs < 64)
			sigs[nsigs++] = sig;
		if (n == 0)
			break;
		p += n;
		len -= n;
		total += n;
	}
	return total;
}

#define IN(s) feed(s, sizeof(s) - 1)

static const char *
show(const char *p, size_t n)
{
	static char s[2][512];
	static int k;
	char *o = s[k ^= 1];
	size_t j = 0;

	for (size_t i = 0; i < n && j < sizeof(s[0]) - 5; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 32 && c < 127 && c != '\\')
			o[j++] = (char)c;
		else
			j += (size_t)snprintf(o + j, 5, "\\%03o", c);
	}
	o[j] = '\0';
	return o;
}

static void
expect_bytes(const char *what, const char *got, size_t n, const char *want,
    size_t wlen, int line)
{
	ck_assert_msg(n == wlen && memcmp(got, want, n) == 0,
	    "line %d: %s \"%s\", want \"%s\"", line, what, show(got, n),
	    show(want, wlen));
}

/* Everything the device would transmit now. */
static void
expect_out_(const char *want, size_t wlen, int line)
{
	static char got[2 * TTY_OUTBUF];
	size_t n = tty_transmit(t, got, sizeof(got));

	expect_bytes("output", got, n, want, wlen, line);
}

#define EXPECT_OUT(s) expect_out_(s, sizeof(s) - 1, __LINE__)

static long
read_now(char *buf, size_t len, bool nonblock)
{
	struct tty_read rd;

	tty_read_begin(t, &rd, len, nonblock, now);
	return tty_read(t, &rd, buf, now);
}

static void
expect_read_(size_t len, const char *want, size_t wlen, int line)
{
	static char got[2 * TTY_INBUF];
	long n = read_now(got, len, false);

	ck_assert_msg(n >= 0, "line %d: read gave %ld", line, n);
	expect_bytes("read", got, (size_t)n, want, wlen, line);
}

#define EXPECT_READ(s)	      expect_read_(4096, s, sizeof(s) - 1, __LINE__)
#define EXPECT_READ_N(len, s) expect_read_(len, s, sizeof(s) - 1, __LINE__)

static void
expect_wait(void)
{
	char buf[16];

	ck_assert_int_eq(read_now(buf, sizeof(buf), false), TTY_WAIT);
}

static void
lflag(uint32_t set, uint32_t clear)
{
	struct tty_termios tio;

	tty_get_termios(t, &tio);
	tio.c_lflag = (tio.c_lflag | set) & ~clear;
	tty_set_termios(t, &tio);
}

static void
iflag(uint32_t set, uint32_t clear)
{
	struct tty_termios tio;

	tty_get_termios(t, &tio);
	tio.c_iflag = (tio.c_iflag | set) & ~clear;
	tty_set_termios(t, &tio);
}

static void
oflag(uint32_t set, uint32_t clear)
{
	struct tty_termios tio;

	tty_get_termios(t, &tio);
	tio.c_oflag = (tio.c_oflag | set) & ~clear;
	tty_set_termios(t, &tio);
}

static void
cc(int v, uint8_t c)
{
	struct tty_termios tio;

	tty_get_termios(t, &tio);
	tio.c_cc[v] = c;
	tty_set_termios(t, &tio);
}

/* stty raw -echo, then VMIN/VTIME. */
static void
raw(uint8_t vmin, uint8_t vtime)
{
	struct tty_termios tio;

	tty_get_termios(t, &tio);
	tio.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	tio.c_iflag &= ~(ICRNL | IXON);
	tio.c_cc[VMIN] = vmin;
	tio.c_cc[VTIME] = vtime;
	tty_set_termios(t, &tio);
}

/* --- defaults --- */

START_TEST(default_termios)
{
	struct tty_termios tio;
	struct tty_winsize ws;
	static const uint8_t want_cc[TTY_NCCS] = {003, 034, 0177, 025, 004, 0,
	    1, 0, 021, 023, 032, 0, 022, 017, 027, 026, 0, 0, 0};

	tty_get_termios(t, &tio);
	ck_assert_uint_eq(tio.c_iflag, 0x500);
	ck_assert_uint_eq(tio.c_oflag, 0x5);
	ck_assert_uint_eq(tio.c_cflag, 0x4bf);
	ck_assert_uint_eq(tio.c_lflag, 0x8a3b);
	ck_assert_uint_eq(tio.c_line, 0);
	ck_assert_mem_eq(tio.c_cc, want_cc, TTY_NCCS);
	tty_get_winsize(t, &ws);
	ck_assert_uint_eq(
	    ws.ws_row | ws.ws_col | ws.ws_xpixel | ws.ws_ypixel, 0);
	ck_assert_uint_eq(tty_outq(t), 0);
	ck_assert_uint_eq(tty_inq(t), 0);
	ck_assert(!tty_stopped(t));
}
END_TEST

/* --- canonical mode --- */

START_TEST(canon_line_with_cr)
{
	ck_assert_uint_eq(IN("hello\r"), 6);
	EXPECT_OUT("hello\r\n");
	ck_assert_uint_eq(tty_inq(t), 6);
	EXPECT_READ("hello\n");
	expect_wait();
}
END_TEST

START_TEST(canon_no_line_waits)
{
	char buf[8];

	IN("abc");
	expect_wait();
	ck_assert_int_eq(read_now(buf, sizeof(buf), true), -EAGAIN);
	ck_assert_uint_eq(tty_inq(t), 0);
	ck_assert_uint_eq(tty_poll(t) & TTY_POLLIN, 0);
	IN("\n");
	ck_assert_uint_eq(tty_poll(t) & TTY_POLLIN, TTY_POLLIN);
	ck_assert_int_eq(read_now(buf, 0, false), 0); /* read of 0 bytes */
	EXPECT_READ("abc\n");
}
END_TEST

START_TEST(canon_lines_one_per_read)
{
	IN("a\nbb\ncccccc\n");
	EXPECT_READ("a\n");
	EXPECT_READ("bb\n");
	EXPECT_READ_N(4, "cccc");
	EXPECT_READ_N(4, "cc\n");
	expect_wait();
}
END_TEST

START_TEST(canon_erase)
{
	IN("abx\177c\n");
	EXPECT_OUT("abx\b \bc\r\n");
	EXPECT_READ("abc\n");
	IN("\177\177q\177\177\n"); /* nothing to erase: no echo */
	EXPECT_OUT("q\b \b\r\n");
	EXPECT_READ("\n");
}
END_TEST

START_TEST(canon_erase_without_echoe)
{
	lflag(0, ECHOE);
	IN("ab\177\n");
	EXPECT_OUT("ab^?\r\n");
	EXPECT_READ("a\n");
}
END_TEST

START_TEST(canon_erase_control_char)
{
	IN("\001\177x\n");
	EXPECT_OUT("^A\b \b\b \bx\r\n"); /* two columns rubbed out */
	EXPECT_READ("x\n");
	lflag(0, ECHOCTL);
	IN("\001\177y\n");
	EXPECT_OUT("\001y\r\n"); /* an unseen control: nothing to rub */
	EXPECT_READ("y\n");
}
END_TEST

START_TEST(canon_erase_tab)
{
	ck_assert_uint_eq(tty_write(t, "$ ", 2), 2);
	IN("\t\177");
	EXPECT_OUT("$ \t\b\b\b\b\b\b"); /* from column 8 back to 2 */
	IN("ab\t\177");
	EXPECT_OUT("ab\t\b\b\b\b"); /* from 8 back to 4 */
	IN("\001\t\177");
	EXPECT_OUT("^A\t\b\b"); /* 4 + ^A: from 8 back to 6 */
	IN("\t\t\177\n");
	EXPECT_OUT("\t\t\b\b\b\b\b\b\b\b\r\n"); /* a tab after a tab: 8 */
	EXPECT_READ("ab\001\t\n");
}
END_TEST

START_TEST(canon_kill_echoke)
{
	IN("abc\025");
	EXPECT_OUT("abc\b \b\b \b\b \b");
	IN("x\n");
	EXPECT_OUT("x\r\n");
	EXPECT_READ("x\n");
}
END_TEST

START_TEST(canon_kill_echok)
{
	lflag(0, ECHOKE);
	IN("abc\025x\n");
	EXPECT_OUT("abc^U\r\nx\r\n");
	EXPECT_READ("x\n");
	lflag(0, ECHOK);
	IN("abc\025y\n");
	EXPECT_OUT("abc^Uy\r\n");
	EXPECT_READ("y\n");
}
END_TEST

START_TEST(canon_word_erase)
{
	IN("foo bar.\027");
	EXPECT_OUT("foo bar.\b \b\b \b\b \b\b \b");
	IN("\n");
	EXPECT_OUT("\r\n");
	EXPECT_READ("foo \n");
	IN("a b_c9  \027\n");
	EXPECT_READ("a \n");
	lflag(0, IEXTEN); /* WERASE is an extension */
	IN("ab\027\n");
	EXPECT_READ("ab\027\n");
}
END_TEST

START_TEST(canon_literal_next)
{
	IN("\026\003\026\177\n");
	ck_assert_int_eq(nsigs, 0);
	EXPECT_OUT("^\b^C^\b^?\r\n");
	EXPECT_READ("\003\177\n");
	IN("\026\n\n"); /* a literal newline ends nothing */
	EXPECT_READ("\n\n");
}
END_TEST

START_TEST(canon_eof_at_line_start)
{
	char buf[8];

	IN("\004");
	EXPECT_OUT(""); /* ^D is not echoed */
	ck_assert_uint_eq(tty_inq(t), 0);
	ck_assert_uint_eq(tty_poll(t) & TTY_POLLIN, TTY_POLLIN);
	ck_assert_int_eq(read_now(buf, sizeof(buf), false), 0);
	expect_wait();
}
END_TEST

START_TEST(canon_eof_mid_line)
{
	IN("abc\004");
	EXPECT_OUT("abc");
	ck_assert_uint_eq(tty_inq(t), 3);
	EXPECT_READ("abc");
	expect_wait();
	IN("abc\004"); /* a read that ends where the line does eats the ^D */
	EXPECT_READ_N(3, "abc");
	expect_wait();
	IN("abc\004\004");
	EXPECT_READ_N(2, "ab");
	EXPECT_READ_N(2, "c");
	EXPECT_READ("");
}
END_TEST

START_TEST(canon_eol_eol2)
{
	cc(VEOL, ';');
	cc(VEOL2, '|');
	IN("ab;cd|");
	EXPECT_OUT("ab;cd|");
	EXPECT_READ("ab;");
	EXPECT_READ("cd|");
	lflag(0, IEXTEN);
	IN("x|\n");
	EXPECT_READ("x|\n");
}
END_TEST

START_TEST(canon_reprint)
{
	IN("ab\022");
	EXPECT_OUT("ab^R\r\nab");
	IN("c\n");
	EXPECT_READ("abc\n");
}
END_TEST

START_TEST(canon_echoprt)
{
	lflag(ECHOPRT, 0);
	IN("abc\177\177d\n");
	EXPECT_OUT("abc\\cb/d\r\n");
	EXPECT_READ("ad\n");
}
END_TEST

START_TEST(canon_utf8_erase)
{
	iflag(IUTF8, 0);
	IN("a\303\251\177\n"); /* a, e-acute (2 bytes), erase */
	EXPECT_OUT("a\303\251\b \b\r\n");
	EXPECT_READ("a\n");
}
END_TEST

START_TEST(echo_forms)
{
	IN("\001b\n");
	EXPECT_OUT("^Ab\r\n");
	lflag(0, ECHOCTL);
	IN("\001b\n");
	EXPECT_OUT("\001b\r\n");
	lflag(ECHONL, ECHO);
	IN("xy\n");
	EXPECT_OUT("\r\n"); /* only the newline */
	lflag(0, ECHONL);
	IN("zz\n");
	EXPECT_OUT("");
	EXPECT_READ("\001b\n");
	EXPECT_READ("\001b\n");
	EXPECT_READ("xy\n");
	EXPECT_READ("zz\n");
}
END_TEST

START_TEST(echo_and_writes_in_order)
{
	tty_write(t, "p> ", 3);
	IN("ab");
	tty_write(t, "X\n", 2);
	IN("\177");
	EXPECT_OUT("p> abX\r\n\b \b");
}
END_TEST

/* --- signals --- */

START_TEST(sig_intr_flushes)
{
	tty_write(t, "unsent", 6);
	IN("abc\003");
	ck_assert_int_eq(nsigs, 1);
	ck_assert_int_eq(sigs[0], TTY_SIGINT);
	EXPECT_OUT("^C"); /* output and the echoes of abc were flushed */
	IN("d\n");
	EXPECT_READ("d\n");
}
END_TEST

START_TEST(sig_quit_susp)
{
	IN("\034\032");
	ck_assert_int_eq(nsigs, 2);
	ck_assert_int_eq(sigs[0], TTY_SIGQUIT);
	ck_assert_int_eq(sigs[1], TTY_SIGTSTP);
	EXPECT_OUT("^Z"); /* ^Z's flush took the echo of ^\ */
}
END_TEST

START_TEST(sig_stops_input_there)
{
	int sig;

	ck_assert_uint_eq(tty_input(t, "a\003bc\n", 5, &sig), 2);
	ck_assert_int_eq(sig, TTY_SIGINT);
	ck_assert_uint_eq(tty_input(t, "bc\n", 3, &sig), 3);
	ck_assert_int_eq(sig, 0);
	EXPECT_READ("bc\n");
}
END_TEST

START_TEST(sig_noflsh)
{
	lflag(NOFLSH, 0);
	tty_write(t, "w", 1);
	IN("ab\003\n");
	ck_assert_int_eq(nsigs, 1);
	EXPECT_OUT("wab^C\r\n");
	EXPECT_READ("ab\n");
}
END_TEST

START_TEST(sig_isig_off)
{
	lflag(0, ISIG);
	IN("\003\032\n");
	ck_assert_int_eq(nsigs, 0);
	EXPECT_OUT("^C^Z\r\n");
	EXPECT_READ("\003\032\n");
}
END_TEST

START_TEST(sig_in_raw_mode)
{
	raw(1, 0);
	lflag(ISIG, 0);
	IN("x\003");
	ck_assert_int_eq(nsigs, 1);
	ck_assert_uint_eq(tty_inq(t), 0);
}
END_TEST

/* --- input processing --- */

START_TEST(input_cr_modes)
{
	iflag(0, ICRNL);
	IN("a\r");
	expect_wait(); /* CR is just a character */
	IN("\n");
	EXPECT_READ("a\r\n");
	iflag(IGNCR, 0);
	IN("b\r\n");
	EXPECT_READ("b\n");
	iflag(INLCR, IGNCR);
	IN("c\n\004");		       /* NL became CR: the line needs ^D */
	EXPECT_OUT("a^M\r\nb\r\nc^M"); /* a CR that is no newline: ^M */
	EXPECT_READ("c\r");
}
END_TEST

START_TEST(input_istrip_iuclc)
{
	iflag(ISTRIP, 0);
	IN("\341\n");
	EXPECT_READ("a\n");
	iflag(IUCLC, ISTRIP);
	IN("ABc\n");
	EXPECT_READ("abc\n");
}
END_TEST

START_TEST(input_cread_off)
{
	struct tty_termios tio;

	tty_get_termios(t, &tio);
	tio.c_cflag &= ~CREAD;
	tty_set_termios(t, &tio);
	ck_assert_uint_eq(IN("abc\n"), 4);
	ck_assert_uint_eq(tty_inq(t), 0);
	EXPECT_OUT("");
}
END_TEST

/* --- output processing --- */

START_TEST(output_onlcr)
{
	ck_assert_uint_eq(tty_write(t, "a\nb", 3), 3);
	EXPECT_OUT("a\r\nb");
	oflag(0, ONLCR);
	tty_write(t, "a\nb", 3);
	EXPECT_OUT("a\nb");
	oflag(ONLCR, OPOST);
	tty_write(t, "a\n\t", 3);
	EXPECT_OUT("a\n\t");
}
END_TEST

START_TEST(output_cr_modes)
{
	oflag(OCRNL, 0);
	tty_write(t, "a\r", 2);
	EXPECT_OUT("a\n"); /* and that NL is not made CR NL */
	oflag(ONOCR, OCRNL);
	tty_write(t, "\r", 1);	     /* the NL above left the column at 1 */
	tty_write(t, "\rab\r\r", 5); /* CR at column 0 is dropped */
	EXPECT_OUT("\rab\r");
}
END_TEST

START_TEST(output_xtabs_olcuc)
{
	oflag(XTABS | OLCUC, 0);
	tty_write(t, "ab\tc\td", 6);
	EXPECT_OUT("AB      C       D");
}
END_TEST

START_TEST(output_queue_limits)
{
	static char big[10000];
	size_t n;

	memset(big, 'x', sizeof(big));
	ck_assert_uint_eq(tty_write(t, big, sizeof(big)), TTY_WRITE_ROOM);
	ck_assert_uint_eq(tty_outq(t), TTY_WRITE_ROOM);
	ck_assert_uint_eq(tty_poll(t) & TTY_POLLOUT, 0);
	ck_assert_uint_eq(tty_write(t, "y", 1), 0);
	IN("e"); /* echoes still fit */
	ck_assert_uint_eq(tty_outq(t), TTY_WRITE_ROOM + 1);
	n = tty_transmit(t, big, 2);
	ck_assert_uint_eq(n, 2);
	/* one slot: a newline that becomes CR NL does not fit */
	ck_assert_uint_eq(tty_write(t, "\n", 1), 0);
	ck_assert_uint_eq(tty_write(t, "z\n", 2), 1);
}
END_TEST

START_TEST(output_column_tracking)
{
	oflag(0, ONLCR); /* NL moves down only: the column stays at 3 */
	tty_write(t, "abc\n", 4);
	IN("\t\177");
	EXPECT_OUT("abc\n\t\b\b\b\b\b");
	oflag(ONLRET, 0); /* NL returns as well */
	tty_write(t, "abc\n", 4);
	IN("\t\177");
	EXPECT_OUT("abc\n\t\b\b\b\b\b\b\b\b");
	tty_write(t, "ab\b", 3); /* a backspace moves back */
	IN("\t\177");
	EXPECT_OUT("ab\b\t\b\b\b\b\b\b\b");
}
END_TEST

/*
 * Random termios, bytes, reads, writes, flushes and flow changes: nothing
 * may break the sanitizers or the queues' bounds.
 */
START_TEST(random_garbage)
{
	static const uint8_t specials[] = {0, 003, 004, 012, 015, 021, 023, 025,
	    026, 027, 032, 034, 0177, 'a', ' ', '\t', 0303, 0251};
	uint64_t seed = TEST_SEED;
	char buf[600] = {0}, out[512];

	for (int round = 0; round < 4000; round++) {
		uint64_t r = test_rand(&seed);
		struct tty_termios tio;

		switch (r % 8) {
		case 0:
			tty_get_termios(t, &tio);
			tio.c_iflag ^= (uint32_t)(r >> 8) & 0077777;
			tio.c_oflag ^= (uint32_t)(r >> 24) & 0014077;
			tio.c_lflag ^= (uint32_t)(r >> 40) & 0107777;
			tio.c_cflag |= CREAD;
			tio.c_cc[(r >> 56) % TTY_NCCS] =
			    specials[(r >> 59) % sizeof(specials)];
			tty_set_termios(t, &tio);
			break;
		case 1:
		case 2:
		case 3: {
			size_t n = (r >> 8) % sizeof(buf);

			for (size_t i = 0; i < n; i++) {
				uint64_t b = test_rand(&seed);

				buf[i] =
				    (char)(b & 1 ? specials[(b >> 1) %
							    sizeof(specials)]
						 : (uint8_t)(b >> 8));
			}
			quick_assert(feed(buf, n) <= n);
			break;
		}
		case 4: {
			struct tty_read rd;
			size_t len = (r >> 8) % sizeof(buf);
			long n;

			tty_read_begin(t, &rd, len, (r >> 20) & 1, now);
			n = tty_read(t, &rd, buf, now + (r >> 24) % (900 * MS));
			quick_assert(n == TTY_WAIT || n == -EAGAIN ||
				     (n >= 0 && (size_t)n <= len));
			break;
		}
		case 5:
			quick_assert(tty_write(t, buf, (r >> 8) % 300) <= 300);
			break;
		case 6:
			(void)tty_transmit(t, out, (r >> 8) % sizeof(out));
			break;
		case 7:
			if ((r >> 8) & 1)
				quick_assert(
				    tty_flush(t, (int)((r >> 9) % 4)) ==
				    ((r >> 9) % 4 == 3 ? -EINVAL : 0));
			else
				quick_assert(tty_flow(t, (int)((r >> 9) % 5)) ==
					     ((r >> 9) % 5 == 4 ? -EINVAL : 0));
			break;
		}
		quick_assert(tty_inq(t) < TTY_INBUF + 1);
		quick_assert(tty_outq(t) <= TTY_OUTBUF + 1);
	}
}
END_TEST

/* --- flow control --- */

START_TEST(flow_ixon)
{
	IN("\023");
	ck_assert(tty_stopped(t));
	tty_write(t, "hi", 2);
	IN("a");
	EXPECT_OUT("");
	ck_assert_uint_eq(tty_outq(t), 3);
	IN("\021");
	ck_assert(!tty_stopped(t));
	EXPECT_OUT("hia");
	IN("\n");
	EXPECT_READ("a\n"); /* ^S and ^Q were not input */
}
END_TEST

START_TEST(flow_ixany_and_ixon_off)
{
	iflag(IXANY, 0);
	IN("\023");
	tty_write(t, "w", 1);
	EXPECT_OUT("");
	IN("k");
	EXPECT_OUT("wk");
	IN("\023");
	ck_assert(tty_stopped(t));
	iflag(0, IXON); /* clearing IXON restarts output */
	ck_assert(!tty_stopped(t));
	IN("\023\n");
	EXPECT_READ("k\023\n");
}
END_TEST

START_TEST(flow_signal_restarts)
{
	IN("\023\003");
	ck_assert(!tty_stopped(t));
	EXPECT_OUT("^C");
}
END_TEST

START_TEST(flow_tcxonc)
{
	char c[4];

	ck_assert_int_eq(tty_flow(t, TCOOFF), 0);
	tty_write(t, "o", 1);
	IN("\021"); /* ^Q does not undo TCOOFF */
	ck_assert(tty_stopped(t));
	ck_assert_int_eq(tty_flow(t, TCIOFF), 0);
	ck_assert_uint_eq(tty_outq(t), 2);
	ck_assert_uint_eq(tty_transmit(t, c, sizeof(c)), 1);
	ck_assert_int_eq(c[0], 023); /* the STOP character goes out anyway */
	ck_assert_int_eq(tty_flow(t, TCOON), 0);
	ck_assert_int_eq(tty_flow(t, TCION), 0);
	EXPECT_OUT("\021o");
	ck_assert_int_eq(tty_flow(t, 4), -EINVAL);
	ck_assert_int_eq(tty_flow(t, -1), -EINVAL);
}
END_TEST

/* --- non-canonical reads: VMIN and VTIME --- */

START_TEST(raw_vmin1_vtime0)
{
	raw(1, 0);
	expect_wait();
	IN("ab\r\177");
	EXPECT_OUT(""); /* no echo */
	EXPECT_READ_N(3, "ab\r");
	EXPECT_READ("\177");
}
END_TEST

START_TEST(raw_vmin0_vtime0)
{
	char buf[8];

	raw(0, 0);
	ck_assert_int_eq(read_now(buf, sizeof(buf), false), 0);
	ck_assert_int_eq(read_now(buf, sizeof(buf), true), 0);
	IN("xy");
	EXPECT_READ("xy");
}
END_TEST

START_TEST(raw_vmin0_vtime_timeout)
{
	struct tty_read rd;
	char buf[8];

	raw(0, 5); /* 0.5 s for a first byte */
	tty_read_begin(t, &rd, sizeof(buf), false, now);
	ck_assert_int_eq(tty_read(t, &rd, buf, now), TTY_WAIT);
	ck_assert_uint_eq(rd.deadline, now + 500 * MS);
	ck_assert_int_eq(tty_read(t, &rd, buf, now + 499 * MS), TTY_WAIT);
	ck_assert_int_eq(tty_read(t, &rd, buf, now + 500 * MS), 0);
	tty_read_begin(t, &rd, sizeof(buf), false, now);
	IN("q");
	ck_assert_int_eq(tty_read(t, &rd, buf, now + 100 * MS), 1);
	ck_assert_int_eq(buf[0], 'q');
	tty_read_begin(t, &rd, sizeof(buf), true, now);
	ck_assert_int_eq(tty_read(t, &rd, buf, now), -EAGAIN);
}
END_TEST

START_TEST(raw_vmin_vtime0)
{
	struct tty_read rd;
	char buf[8];

	raw(3, 0);
	tty_read_begin(t, &rd, sizeof(buf), false, now);
	IN("ab");
	ck_assert_int_eq(tty_read(t, &rd, buf, now), TTY_WAIT);
	ck_assert_uint_eq(rd.deadline, TTY_NO_DEADLINE);
	ck_assert_uint_eq(tty_poll(t) & TTY_POLLIN, 0); /* poll wants VMIN */
	IN("cd");
	ck_assert_uint_eq(tty_poll(t) & TTY_POLLIN, TTY_POLLIN);
	ck_assert_int_eq(tty_read(t, &rd, buf, now), 4);
	ck_assert_mem_eq(buf, "abcd", 4);
	IN("ef"); /* a read shorter than VMIN needs only its length */
	EXPECT_READ_N(2, "ef");
	IN("g"); /* nonblocking: what there is */
	ck_assert_int_eq(read_now(buf, sizeof(buf), true), 1);
	ck_assert_int_eq(read_now(buf, sizeof(buf), true), -EAGAIN);
}
END_TEST

START_TEST(raw_vmin_vtime_interbyte)
{
	struct tty_read rd;
	char buf[8];

	raw(5, 2); /* 5 bytes, or 0.2 s after the last one */
	tty_read_begin(t, &rd, sizeof(buf), false, now);
	ck_assert_int_eq(tty_read(t, &rd, buf, now + 10000 * MS), TTY_WAIT);
	ck_assert_uint_eq(rd.deadline, TTY_NO_DEADLINE); /* no byte yet */
	now += 1000 * MS;
	IN("ab");
	ck_assert_int_eq(tty_read(t, &rd, buf, now), TTY_WAIT);
	ck_assert_uint_eq(rd.deadline, now + 200 * MS);
	IN("c"); /* a byte restarts the timer */
	ck_assert_int_eq(tty_read(t, &rd, buf, now + 100 * MS), TTY_WAIT);
	ck_assert_uint_eq(rd.deadline, now + 300 * MS);
	ck_assert_int_eq(tty_read(t, &rd, buf, now + 250 * MS), TTY_WAIT);
	ck_assert_int_eq(tty_read(t, &rd, buf, now + 300 * MS), 3);
	ck_assert_mem_eq(buf, "abc", 3);
	tty_read_begin(t, &rd, sizeof(buf), false, now);
	IN("12345678"); /* VMIN reached: at once, all there is */
	ck_assert_int_eq(tty_read(t, &rd, buf, now), 8);
}
END_TEST

START_TEST(raw_echo_and_icrnl)
{
	raw(1, 0);
	lflag(ECHO, 0);
	iflag(ICRNL, 0);
	IN("a\r\001\n");
	/* a NL typed as such is no special character here: ^J (n_tty) */
	EXPECT_OUT("a\r\n^A^J");
	EXPECT_READ("a\n\001\n");
}
END_TEST

START_TEST(icanon_switches)
{
	IN("abc");
	raw(1, 0); /* the unfinished line becomes readable */
	ck_assert_uint_eq(tty_inq(t), 3);
	IN("de");
	lflag(ICANON, 0); /* and back: what is there is one line */
	ck_assert_uint_eq(tty_inq(t), 5);
	EXPECT_READ("abcde");
	expect_wait();
}
END_TEST

/* --- full buffers --- */

START_TEST(full_raw_buffer)
{
	static char big[5000];
	char buf[100];

	memset(big, 'r', sizeof(big));
	raw(1, 0);
	ck_assert_uint_eq(IN("x"), 1);
	ck_assert_uint_eq(feed(big, sizeof(big)), TTY_INBUF - 2);
	ck_assert_uint_eq(tty_inq(t), TTY_INBUF - 1);
	ck_assert_uint_eq(IN("z"), 0);
	ck_assert_int_eq(read_now(buf, sizeof(buf), false), 100);
	ck_assert_int_eq(buf[0], 'x');
	ck_assert_uint_eq(feed(big, sizeof(big)), 100); /* room again */
}
END_TEST

START_TEST(full_canon_line)
{
	static char big[5000], got[8192];
	long n;

	memset(big, 'a', sizeof(big));
	lflag(0, ECHO);
	/* a line with no end keeps taking bytes, each in place of the last */
	ck_assert_uint_eq(feed(big, sizeof(big)), sizeof(big));
	IN("b\177c\n");
	n = read_now(got, sizeof(got), false);
	ck_assert_int_eq(n, TTY_INBUF);
	ck_assert_int_eq(got[TTY_INBUF - 3], 'a');
	ck_assert_int_eq(got[TTY_INBUF - 2], 'c');
	ck_assert_int_eq(got[TTY_INBUF - 1], '\n');
}
END_TEST

START_TEST(full_with_line_waiting)
{
	static char big[5000];

	memset(big, 'a', sizeof(big));
	IN("x\n");
	/* a complete line waits: no overflowing, input stops */
	ck_assert_uint_eq(feed(big, sizeof(big)), TTY_INBUF - 3);
	ck_assert_uint_eq(IN("\177"), 0);
	EXPECT_READ("x\n");
	ck_assert_uint_eq(IN("\n"), 1);
	ck_assert_uint_eq(tty_inq(t), TTY_INBUF - 2);
}
END_TEST

/* --- ioctls --- */

START_TEST(ioctl_fionread)
{
	IN("ab\n\004cd\004ef");
	ck_assert_uint_eq(tty_inq(t), 5); /* "ab\n" "" "cd", not "ef" */
	raw(1, 0);
	ck_assert_uint_eq(tty_inq(t), 9); /* raw: every byte, markers too */
}
END_TEST

START_TEST(ioctl_tcflsh)
{
	ck_assert_int_eq(tty_flush(t, 3), -EINVAL);
	ck_assert_int_eq(tty_flush(t, -1), -EINVAL);
	IN("in\n");
	ck_assert_uint_eq(tty_flush(t, TCIFLUSH), 0);
	ck_assert_uint_eq(tty_inq(t), 0);
	EXPECT_OUT("in\r\n"); /* output stays */
	IN("ab\n");
	ck_assert_int_eq(tty_flush(t, TCOFLUSH), 0);
	EXPECT_OUT("");
	EXPECT_READ("ab\n");
	IN("cd\n");
	ck_assert_int_eq(tty_flush(t, TCIOFLUSH), 0);
	ck_assert_uint_eq(tty_inq(t) + tty_outq(t), 0);
	IN("\004"); /* a flush ends the line being edited as well */
	EXPECT_READ("");
}
END_TEST

START_TEST(ioctl_winsize)
{
	struct tty_winsize ws = {24, 80, 0, 0}, got;

	ck_assert(tty_set_winsize(t, &ws));
	ck_assert(!tty_set_winsize(t, &ws)); /* no change: no SIGWINCH */
	tty_get_winsize(t, &got);
	ck_assert_uint_eq(got.ws_row, 24);
	ck_assert_uint_eq(got.ws_col, 80);
}
END_TEST

START_TEST(ioctl_tcsets_takes_effect)
{
	struct tty_termios tio;

	tty_get_termios(t, &tio);
	tio.c_cc[VERASE] = '#';
	tio.c_cc[VINTR] = 0; /* disabled */
	tty_set_termios(t, &tio);
	IN("ab#\003\000\n");
	ck_assert_int_eq(nsigs, 0);
	EXPECT_READ("a\003\000\n");
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("tty");
	TCase *canon = tcase_create("canonical");
	TCase *sig = tcase_create("signals");
	TCase *proc = tcase_create("processing");
	TCase *rawc = tcase_create("non-canonical");
	TCase *misc = tcase_create("buffers and ioctls");

	tcase_add_checked_fixture(canon, setup, teardown);
	tcase_add_test(canon, default_termios);
	tcase_add_test(canon, canon_line_with_cr);
	tcase_add_test(canon, canon_no_line_waits);
	tcase_add_test(canon, canon_lines_one_per_read);
	tcase_add_test(canon, canon_erase);
	tcase_add_test(canon, canon_erase_without_echoe);
	tcase_add_test(canon, canon_erase_control_char);
	tcase_add_test(canon, canon_erase_tab);
	tcase_add_test(canon, canon_kill_echoke);
	tcase_add_test(canon, canon_kill_echok);
	tcase_add_test(canon, canon_word_erase);
	tcase_add_test(canon, canon_literal_next);
	tcase_add_test(canon, canon_eof_at_line_start);
	tcase_add_test(canon, canon_eof_mid_line);
	tcase_add_test(canon, canon_eol_eol2);
	tcase_add_test(canon, canon_reprint);
	tcase_add_test(canon, canon_echoprt);
	tcase_add_test(canon, canon_utf8_erase);
	tcase_add_test(canon, echo_forms);
	tcase_add_test(canon, echo_and_writes_in_order);
	suite_add_tcase(s, canon);

	tcase_add_checked_fixture(sig, setup, teardown);
	tcase_add_test(sig, sig_intr_flushes);
	tcase_add_test(sig, sig_quit_susp);
	tcase_add_test(sig, sig_stops_input_there);
	tcase_add_test(sig, sig_noflsh);
	tcase_add_test(sig, sig_isig_off);
	tcase_add_test(sig, sig_in_raw_mode);
	suite_add_tcase(s, sig);

	tcase_add_checked_fixture(proc, setup, teardown);
	tcase_add_test(proc, input_cr_modes);
	tcase_add_test(proc, input_istrip_iuclc);
	tcase_add_test(proc, input_cread_off);
	tcase_add_test(proc, output_onlcr);
	tcase_add_test(proc, output_cr_modes);
	tcase_add_test(proc, output_xtabs_olcuc);
	tcase_add_test(proc, output_queue_limits);
	tcase_add_test(proc, output_column_tracking);
	tcase_add_test(proc, flow_ixon);
	tcase_add_test(proc, flow_ixany_and_ixon_off);
	tcase_add_test(proc, flow_signal_restarts);
	tcase_add_test(proc, flow_tcxonc);
	suite_add_tcase(s, proc);

	tcase_add_checked_fixture(rawc, setup, teardown);
	tcase_add_test(rawc, raw_vmin1_vtime0);
	tcase_add_test(rawc, raw_vmin0_vtime0);
	tcase_add_test(rawc, raw_vmin0_vtime_timeout);
	tcase_add_test(rawc, raw_vmin_vtime0);
	tcase_add_test(rawc, raw_vmin_vtime_interbyte);
	tcase_add_test(rawc, raw_echo_and_icrnl);
	tcase_add_test(rawc, icanon_switches);
	suite_add_tcase(s, rawc);

	tcase_add_checked_fixture(misc, setup, teardown);
	tcase_add_test(misc, full_raw_buffer);
	tcase_add_test(misc, full_canon_line);
	tcase_add_test(misc, full_with_line_waiting);
	tcase_add_test(misc, ioctl_fionread);
	tcase_add_test(misc, ioctl_tcflsh);
	tcase_add_test(misc, ioctl_winsize);
	tcase_add_test(misc, ioctl_tcsets_takes_effect);
	tcase_add_test(misc, random_garbage);
	suite_add_tcase(s, misc);
	return s;
}

/*
 * console.c - the console terminal (console.h, docs/devtmpfs.md): the
 * PL011 as a userspace driver under tty_core's line discipline.
 *
 * Receive: the RX and receive-timeout interrupts drain the UART's FIFO
 * into a ring, and the ring is fed to tty_input; a signal character it
 * reports becomes FS_TTY_SIGNAL to the watcher. Reads that cannot be
 * answered keep their reply token (struct waiter) and are tried again
 * after every input and at their VTIME deadline (one kernel timer, armed
 * for the earliest). Transmit: the output queue goes into the TX FIFO
 * while it has room; the TX interrupt is enabled only while bytes wait
 * for room, so output flows at the line's speed with no polling. Writes
 * the queue cannot take wait too (their bytes copied) and are answered
 * as it drains, as are TCSETSW, TCSETSF and TCSBRK.
 *
 * After anything happens, kick() runs the whole cycle again: input,
 * reads, output, writes, drains, the timer, the watcher's events. The
 * kernel keeps writing its own log to the same UART with polling
 * (kernel/arch/aarch64/pl011.c): bytes are never lost or corrupted, a
 * kernel line may fall between two pieces of user output.
 */
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/proto/fs.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#include "console.h"
#include "devfs.h"
#include "pl011.h"
#include "tty_core.h"

#define RING		1024u		/* received bytes not yet taken by the tty */
#define READERS_MAX	32u
#define WRITERS_MAX	16u
#define DRAINS_MAX	8u
#define BREAK_NS	250000000u	/* TCSBRK 0: a quarter of a second */
#define SIGWINCH_	28
#define CONSOLE_RDEV	DEVFS_MKDEV(204, 64)	/* the terminal's events name ttyAMA0 */

static volatile uint32_t *uart;
static struct tty *tty;
static handle_t irq = HANDLE_NONE, timer = HANDLE_NONE, watch_ep = HANDLE_NONE;
static uint64_t timer_at;		/* what the timer is armed for; 0: not */

static uint8_t ring[RING];
static uint32_t ring_head, ring_tail;	/* free-running */
static bool rx_masked;			/* the ring was full: RX interrupts off */

static uint32_t sig_pending;		/* bit n: signal n for the watcher */
static unsigned ready_sent = ~0u;	/* the poll events the watcher last heard */
static int32_t session, fg_pgrp;	/* TIOCSCTTY's; 0: none */

/* A request holding its reply token until the terminal can answer. */
struct waiter {
	handle_t token;			/* HANDLE_NONE: a free slot */
	uint64_t label;
	uint64_t badge, id;		/* FS_IOC_CANCEL's name for it */
	struct tty_read rd;		/* a read */
	uint8_t *data;			/* a write: its bytes, done of len sent */
	size_t len, done;
	int kind;			/* a drain: what to do once output is out */
	struct tty_termios tio;
	uint64_t break_end;		/* a break in progress: its end (ns) */
};

enum { DRAIN_SET, DRAIN_ONLY, DRAIN_BREAK };

static struct waiter readers[READERS_MAX], writers[WRITERS_MAX], drains[DRAINS_MAX];
static uint8_t io_buf[IPC_BUF_MAX];	/* a waiting read's bytes, for its answer */
static uint8_t read_buf[IPC_BUF_MAX];	/* a read answered at once (kick uses io_buf) */

static void kick(void);

static uint32_t
rd32(unsigned off)
{
	return uart[off / 4];
}

static void
wr32(unsigned off, uint32_t v)
{
	uart[off / 4] = v;
}

static void
imsc_set(uint32_t bits, bool on)
{
	uint32_t v = rd32(UART_IMSC);

	wr32(UART_IMSC, on ? v | bits : v & ~bits);
}

static struct waiter *
slot_get(struct waiter *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (w[i].token == HANDLE_NONE)
			return &w[i];
	return NULL;
}

static void
answer(struct waiter *w, long status, const void *data, size_t len)
{
	struct ipc_out out;

	memset(&out, 0, sizeof(out));
	out.data = data;
	out.len = len;
	ipc_answer(w->token, w->label, status, &out);
	free(w->data);
	memset(w, 0, sizeof(*w));
	w->token = HANDLE_NONE;
}

/* --- receive --- */

static void
rx_drain(void)
{
	while (!(rd32(UART_FR) & FR_RXFE)) {
		if (ring_head - ring_tail == RING) {
			imsc_set(INT_RX | INT_RT, false);	/* until tty_input takes some */
			rx_masked = true;
			return;
		}
		ring[ring_head++ % RING] = (uint8_t)rd32(UART_DR);
	}
}

/* The ring into the line discipline: true if it took anything. */
static bool
feed(void)
{
	bool took = false;

	while (ring_head != ring_tail) {
		uint32_t at = ring_tail % RING, n = ring_head - ring_tail;
		int sig = 0;
		size_t got;

		if (n > RING - at)
			n = RING - at;
		got = tty_input(tty, &ring[at], n, &sig);
		ring_tail += (uint32_t)got;
		if (sig > 0 && sig < 32)
			sig_pending |= 1u << sig;
		if (got == 0 && sig == 0)
			break;				/* the input buffer is full */
		took = true;
	}
	if (rx_masked && ring_head - ring_tail < RING) {
		rx_masked = false;
		imsc_set(INT_RX | INT_RT, true);
	}
	return took;
}

/* --- reads --- */

/* Tries every waiting read, oldest first: true if one was answered. */
static bool
serve_readers(uint64_t now)
{
	bool any = false;

	for (unsigned i = 0; i < READERS_MAX; i++) {
		struct waiter *w = &readers[i];
		long r;

		if (w->token == HANDLE_NONE)
			continue;
		if ((r = tty_read(tty, &w->rd, io_buf, now)) == TTY_WAIT)
			continue;
		answer(w, r, io_buf, r > 0 ? (size_t)r : 0);
		any = true;
	}
	return any;
}

long
console_read(struct ipc_req *req)
{
	const uint64_t *w = req->msg.w;
	size_t len = w[2] < IPC_BUF_MAX ? (size_t)w[2] : IPC_BUF_MAX;
	struct tty_read rd;
	struct waiter *s;
	long r;

	tty_read_begin(tty, &rd, len, (w[3] & FS_IO_NONBLOCK) != 0, clock_get());
	if ((r = tty_read(tty, &rd, read_buf, clock_get())) != TTY_WAIT) {
		if (r > 0) {
			req->out.data = read_buf;
			req->out.len = (size_t)r;
		}
	} else if ((s = slot_get(readers, READERS_MAX)) == NULL) {
		r = -EAGAIN;
	} else {
		s->token = req->msg.token;
		s->label = req->msg.label;
		s->badge = req->msg.badge;
		s->id = w[4];
		s->rd = rd;
		r = IPC_SUSPEND;
	}
	kick();			/* room in the input buffer: the ring's bytes */
	return r;
}

/* --- transmit --- */

/* The output queue into the TX FIFO while it has room; TX interrupts on
 * only while bytes wait for room. True if anything went out. */
static bool
tx_pump(void)
{
	bool sent = false, full = false;
	uint8_t c;

	for (;;) {
		if (rd32(UART_FR) & FR_TXFF) {
			full = true;
			break;
		}
		if (tty_transmit(tty, &c, 1) == 0)
			break;
		wr32(UART_DR, c);
		sent = true;
	}
	imsc_set(INT_TX, full && tty_outq(tty) > 0);
	return sent;
}

/* Waiting writes into the queue, oldest first, each whole before the next. */
static bool
serve_writers(void)
{
	bool any = false;

	for (unsigned i = 0; i < WRITERS_MAX; i++) {
		struct waiter *w = &writers[i];
		size_t n;

		if (w->token == HANDLE_NONE)
			continue;
		n = tty_write(tty, w->data + w->done, w->len - w->done);
		w->done += n;
		any |= n > 0;
		if (w->done < w->len)
			return any;			/* the queue is full again */
		answer(w, (long)w->len, NULL, 0);
	}
	return any;
}

static bool
writers_waiting(void)
{
	for (unsigned i = 0; i < WRITERS_MAX; i++)
		if (writers[i].token != HANDLE_NONE)
			return true;
	return false;
}

/* A free writer slot, after the ones in use (the order writes go out in). */
static struct waiter *
writer_slot(void)
{
	unsigned last = 0;

	for (unsigned i = 0; i < WRITERS_MAX; i++)
		if (writers[i].token != HANDLE_NONE)
			last = i + 1;
	if (last < WRITERS_MAX)
		return &writers[last];
	/* Compact: keep the order, free the tail. */
	for (unsigned i = 0, j = 0; i < WRITERS_MAX; i++)
		if (writers[i].token != HANDLE_NONE) {
			if (i != j) {
				writers[j] = writers[i];
				memset(&writers[i], 0, sizeof(writers[i]));
				writers[i].token = HANDLE_NONE;
			}
			j++;
		}
	return slot_get(writers, WRITERS_MAX);
}

/* Output and writers until neither moves (the FIFO full, or all sent). */
static void
output(void)
{
	for (unsigned i = 0; i < 256; i++) {
		bool sent = tx_pump();

		if (!serve_writers() && !sent)
			break;
	}
}

long
console_write(struct ipc_req *req)
{
	const uint64_t *w = req->msg.w;
	bool nonblock = (w[2] & FS_IO_NONBLOCK) != 0;
	size_t done = 0;
	struct waiter *s;

	if (!writers_waiting()) {
		for (;;) {
			done += tty_write(tty, (const uint8_t *)req->data + done, req->len - done);
			if (done == req->len || !tx_pump())
				break;
		}
		kick();
		if (done == req->len)
			return (long)done;
	}
	if (nonblock)
		return done > 0 ? (long)done : -EAGAIN;
	if ((s = writer_slot()) == NULL)
		return done > 0 ? (long)done : -EAGAIN;
	/* All of it, so the reply counts the bytes that went out now too. */
	if ((s->data = malloc(req->len)) == NULL)
		return done > 0 ? (long)done : -ENOMEM;
	memcpy(s->data, req->data, req->len);
	s->len = req->len;
	s->token = req->msg.token;
	s->label = req->msg.label;
	s->badge = req->msg.badge;
	s->id = w[4];
	s->done = done;
	return IPC_SUSPEND;
}

/* --- drains: TCSETSW, TCSETSF, TCSBRK --- */

static void
serve_drains(uint64_t now)
{
	for (unsigned i = 0; i < DRAINS_MAX; i++) {
		struct waiter *w = &drains[i];

		if (w->token == HANDLE_NONE)
			continue;
		if (w->break_end != 0) {
			if (now < w->break_end)
				continue;
			wr32(UART_LCR_H, rd32(UART_LCR_H) & ~LCR_BRK);
			answer(w, 0, NULL, 0);
			continue;
		}
		if (tty_outq(tty) != 0 || !(rd32(UART_FR) & FR_TXFE))
			continue;
		if (w->kind == DRAIN_SET)
			tty_set_termios(tty, &w->tio);
		if (w->kind == DRAIN_BREAK) {
			wr32(UART_LCR_H, rd32(UART_LCR_H) | LCR_BRK);
			w->break_end = now + BREAK_NS;
			continue;
		}
		answer(w, 0, NULL, 0);
	}
}

static long
drain_wait(struct ipc_req *req, int kind, const struct tty_termios *tio)
{
	struct waiter *s = slot_get(drains, DRAINS_MAX);

	if (s == NULL)
		return -EAGAIN;
	s->token = req->msg.token;
	s->label = req->msg.label;
	s->badge = req->msg.badge;
	s->kind = kind;
	if (tio != NULL)
		s->tio = *tio;
	return IPC_SUSPEND;
}

/* --- the cycle --- */

static void
timer_arm(void)
{
	uint64_t at = TTY_NO_DEADLINE;

	for (unsigned i = 0; i < READERS_MAX; i++)
		if (readers[i].token != HANDLE_NONE && readers[i].rd.deadline < at)
			at = readers[i].rd.deadline;
	for (unsigned i = 0; i < DRAINS_MAX; i++)
		if (drains[i].token != HANDLE_NONE && drains[i].break_end != 0 &&
		    drains[i].break_end < at)
			at = drains[i].break_end;
	if (at == TTY_NO_DEADLINE)
		at = 0;
	if (at != timer_at && timer_set(timer, at, 0) == 0)
		timer_at = at;
}

static void
send_event(uint64_t label, uint64_t w0)
{
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	m.label = label;
	m.w[0] = w0;
	m.w[1] = CONSOLE_RDEV;
	m.w[2] = (uint64_t)(int64_t)fg_pgrp;
	if (ipc_send(watch_ep, &m, NULL) != 0 && label == FS_TTY_SIGNAL)
		sig_pending |= 1u << w0;	/* the watcher's queue is full: later */
}

static void
events(void)
{
	unsigned ready;

	if (watch_ep == HANDLE_NONE)
		return;
	while (sig_pending != 0) {
		uint32_t pend = sig_pending;
		int sig = __builtin_ctz(pend);

		sig_pending &= ~(1u << sig);
		send_event(FS_TTY_SIGNAL, (uint64_t)sig);
		if (sig_pending & (1u << sig))
			break;				/* refused: try after the next event */
	}
	if ((ready = tty_poll(tty)) != ready_sent) {
		ready_sent = ready;
		send_event(FS_TTY_READY, ready);
	}
}

static void
kick(void)
{
	uint64_t now = clock_get();

	/* Echoes go out before the reads they complete are answered: the
	 * reader's next output must not come before what was typed. */
	for (unsigned pass = 0; pass < 8; pass++) {
		bool took = feed();

		if (took)
			output();
		if (!serve_readers(now) && !took)
			break;
	}
	output();
	serve_drains(now);
	timer_arm();
	events();
}

void
console_irq(void)
{
	uint32_t mis = rd32(UART_MIS);
	uint64_t t = clock_get();

	wr32(UART_ICR, mis & (INT_TX | INT_RT | INT_ERR));
	if (mis & (INT_RX | INT_RT))
		rng_mix(&t, sizeof(t));		/* when keys are pressed is entropy */
	rx_drain();
	kick();
	irq_ack(irq);
}

void
console_timer(void)
{
	timer_at = 0;				/* it fired: arm again if needed */
	kick();
}

/* --- ioctls --- */

static uint8_t ioctl_buf[64];

static long
reply_bytes(struct ipc_req *req, const void *p, size_t n)
{
	memcpy(ioctl_buf, p, n);
	req->out.data = ioctl_buf;
	req->out.len = n;
	return 0;
}

static long
reply_int(struct ipc_req *req, int32_t v)
{
	return reply_bytes(req, &v, sizeof(v));
}

static long
set_termios(struct ipc_req *req, uint64_t cmd)
{
	struct tty_termios tio;

	if (req->len != sizeof(tio))
		return -EINVAL;
	memcpy(&tio, req->data, sizeof(tio));
	if (cmd == TCSETS) {
		tty_set_termios(tty, &tio);
		return 0;
	}
	if (cmd == TCSETSF)
		tty_flush(tty, TCIFLUSH);
	return drain_wait(req, DRAIN_SET, &tio);
}

static long
do_cancel(uint64_t badge, uint64_t id)
{
	for (unsigned i = 0; id != 0 && i < READERS_MAX; i++)
		if (readers[i].token != HANDLE_NONE && readers[i].badge == badge &&
		    readers[i].id == id) {
			answer(&readers[i], -EINTR, NULL, 0);
			return 0;
		}
	for (unsigned i = 0; id != 0 && i < WRITERS_MAX; i++)
		if (writers[i].token != HANDLE_NONE && writers[i].badge == badge &&
		    writers[i].id == id) {
			struct waiter *w = &writers[i];

			answer(w, w->done > 0 ? (long)w->done : -EINTR, NULL, 0);
			return 0;
		}
	return -ENOENT;
}

static long
ioctl_dispatch(struct ipc_req *req)
{
	const uint64_t *w = req->msg.w;
	struct tty_termios tio;
	struct tty_winsize ws;
	int32_t v;

	switch (w[1]) {
	case TCGETS:
		tty_get_termios(tty, &tio);
		return reply_bytes(req, &tio, sizeof(tio));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(req, w[1]);
	case TIOCGWINSZ:
		tty_get_winsize(tty, &ws);
		return reply_bytes(req, &ws, sizeof(ws));
	case TIOCSWINSZ:
		if (req->len != sizeof(ws))
			return -EINVAL;
		memcpy(&ws, req->data, sizeof(ws));
		if (tty_set_winsize(tty, &ws))
			sig_pending |= 1u << SIGWINCH_;
		return 0;
	case FIONREAD:
		return reply_int(req, (int32_t)tty_inq(tty));
	case TIOCOUTQ:
		return reply_int(req, (int32_t)tty_outq(tty));
	case TCFLSH:
		return tty_flush(tty, (int)(int32_t)w[2]);
	case TCXONC:
		return tty_flow(tty, (int)(int32_t)w[2]);
	case TCSBRK:
		return drain_wait(req, (int32_t)w[2] == 0 ? DRAIN_BREAK : DRAIN_ONLY, NULL);
	case TIOCGPGRP:
		return session == 0 ? -ENOTTY : reply_int(req, fg_pgrp);
	case TIOCGSID:
		return session == 0 ? -ENOTTY : reply_int(req, session);
	case TIOCSPGRP:
		if (req->len != sizeof(v))
			return -EINVAL;
		memcpy(&v, req->data, sizeof(v));
		if (v <= 0)
			return -EINVAL;
		if (session == 0)
			return -ENOTTY;
		fg_pgrp = v;
		return 0;
	case TIOCSCTTY:
		if ((int32_t)w[3] <= 0 || (int32_t)w[4] <= 0)
			return -EINVAL;
		session = (int32_t)w[3];
		fg_pgrp = (int32_t)w[4];
		return 0;
	case TIOCNOTTY:
		session = fg_pgrp = 0;
		return 0;
	case FS_IOC_CANCEL:
		return do_cancel(req->msg.badge, w[2]);
	}
	return -ENOTTY;
}

long
console_ioctl(struct ipc_req *req)
{
	long r = ioctl_dispatch(req);

	kick();				/* a flush, a flow change, a new termios */
	return r;
}

unsigned
console_poll(unsigned events_wanted)
{
	return tty_poll(tty) & events_wanted;
}

long
console_watch(struct ipc_req *req)
{
	if (req->nhandles < 1 || req->handles[0] == HANDLE_NONE)
		return -EINVAL;
	if (watch_ep != HANDLE_NONE)
		handle_close(watch_ep);
	watch_ep = req->handles[0];
	req->handles[0] = HANDLE_NONE;
	ready_sent = ~0u;		/* the new watcher hears the state now */
	events();
	return 0;
}

/* --- start --- */

bool
console_present(void)
{
	return uart != NULL;
}

long
console_init(handle_t device, handle_t vs, uint64_t va, handle_t ep)
{
	struct dev_desc d;
	unsigned i;
	long r;

	for (i = 0; dev_list(device, i, &d) == 0; i++)
		if (strcmp(d.compatible, "arm,pl011") == 0)
			break;
	if (dev_list(device, i, &d) != 0)
		return -ENODEV;
	if ((r = mmio_map(device, vs, va, d.base & ~4095UL, 4096)) != 0)
		return r;
	if ((tty = tty_new()) == NULL)
		return -ENOMEM;
	if ((r = timer_create()) < 0)
		return r;
	timer = (handle_t)r;
	if ((r = obj_bind(timer, ep, CONSOLE_TIMER_COOKIE)) != 0)
		return r;
	if ((r = irq_create(device, d.intid)) < 0)
		return r;
	irq = (handle_t)r;
	if ((r = obj_bind(irq, ep, CONSOLE_IRQ_COOKIE)) != 0)
		return r;
	for (i = 0; i < READERS_MAX; i++)
		readers[i].token = HANDLE_NONE;
	for (i = 0; i < WRITERS_MAX; i++)
		writers[i].token = HANDLE_NONE;
	for (i = 0; i < DRAINS_MAX; i++)
		drains[i].token = HANDLE_NONE;
	uart = (volatile uint32_t *)(va + (d.base & 4095));
	/* The kernel enabled the UART and transmits with polling: keep its
	 * line settings, turn the FIFOs on, take the interrupts. */
	wr32(UART_IFLS, IFLS_TX_1_8 | IFLS_RX_1_8);
	wr32(UART_LCR_H, rd32(UART_LCR_H) | LCR_FEN | LCR_WLEN8);
	wr32(UART_ICR, INT_ALL);
	wr32(UART_IMSC, INT_RX | INT_RT);
	wr32(UART_CR, rd32(UART_CR) | CR_UARTEN | CR_TXE | CR_RXE);
	rx_drain();				/* typed before we were here */
	kick();
	return 0;
}

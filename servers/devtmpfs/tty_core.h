/*
 * tty_core.h - the line discipline of one terminal, as a library
 * (docs/tty.md): Linux's n_tty between a device (bytes received, bytes to
 * transmit) and the files open on it (read, write, ioctl). devtmpfs drives
 * it for the console; the unit tests drive it with byte sequences.
 *
 * The core does no IPC, keeps no time and knows no processes. The server
 * brings the time (ns, any monotonic clock) to the calls that need it,
 * delivers the signals a character asks for to the foreground process
 * group, arms the timer a read asks for, and decides job control
 * (SIGTTIN, SIGTTOU) before calling in. Nothing here is thread-safe.
 *
 * Every int function returns 0 (or a count) or a negative Linux errno and
 * changes nothing when it fails; TTY_WAIT is a named "not yet", as
 * IPC_SUSPEND: the server keeps the request and calls again later.
 */
#ifndef LICHEN_TTY_CORE_H
#define LICHEN_TTY_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* struct termios as TCGETS/TCSETS move it (Linux asm-generic, 36 bytes). */
#define TTY_NCCS 19

struct tty_termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[TTY_NCCS];
};
_Static_assert(sizeof(struct tty_termios) == 36, "Linux struct termios");

/* struct winsize (TIOCGWINSZ, TIOCSWINSZ). */
struct tty_winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};
_Static_assert(sizeof(struct tty_winsize) == 8, "Linux struct winsize");

/* c_cc indices */
#define VINTR	 0
#define VQUIT	 1
#define VERASE	 2
#define VKILL	 3
#define VEOF	 4
#define VTIME	 5
#define VMIN	 6
#define VSWTC	 7
#define VSTART	 8
#define VSTOP	 9
#define VSUSP	 10
#define VEOL	 11
#define VREPRINT 12
#define VDISCARD 13
#define VWERASE	 14
#define VLNEXT	 15
#define VEOL2	 16

/* c_iflag */
#define IGNBRK	0000001u
#define BRKINT	0000002u
#define IGNPAR	0000004u
#define PARMRK	0000010u
#define INPCK	0000020u
#define ISTRIP	0000040u
#define INLCR	0000100u
#define IGNCR	0000200u
#define ICRNL	0000400u
#define IUCLC	0001000u
#define IXON	0002000u
#define IXANY	0004000u
#define IXOFF	0010000u
#define IMAXBEL 0020000u
#define IUTF8	0040000u

/* c_oflag */
#define OPOST  0000001u
#define OLCUC  0000002u
#define ONLCR  0000004u
#define OCRNL  0000010u
#define ONOCR  0000020u
#define ONLRET 0000040u
#define OFILL  0000100u
#define OFDEL  0000200u
#define TABDLY 0014000u
#define XTABS  0014000u /* TAB3: tabs go out as spaces */

/* c_cflag */
#define CBAUD  0010017u
#define B9600  0000015u
#define B38400 0000017u
#define CSIZE  0000060u
#define CS8    0000060u
#define CSTOPB 0000100u
#define CREAD  0000200u
#define PARENB 0000400u
#define PARODD 0001000u
#define HUPCL  0002000u
#define CLOCAL 0004000u

/* c_lflag */
#define ISIG	0000001u
#define ICANON	0000002u
#define XCASE	0000004u
#define ECHO	0000010u
#define ECHOE	0000020u
#define ECHOK	0000040u
#define ECHONL	0000100u
#define NOFLSH	0000200u
#define TOSTOP	0000400u
#define ECHOCTL 0001000u
#define ECHOPRT 0002000u
#define ECHOKE	0004000u
#define FLUSHO	0010000u
#define PENDIN	0040000u
#define IEXTEN	0100000u
#define EXTPROC 0200000u

/* TCFLSH and TCXONC arguments */
#define TCIFLUSH  0
#define TCOFLUSH  1
#define TCIOFLUSH 2
#define TCOOFF	  0
#define TCOON	  1
#define TCIOFF	  2
#define TCION	  3

/* The ioctls the server decodes (Linux's numbers, asm-generic). */
#define TCGETS	   0x5401
#define TCSETS	   0x5402
#define TCSETSW	   0x5403
#define TCSETSF	   0x5404
#define TCSBRK	   0x5409
#define TCXONC	   0x540a
#define TCFLSH	   0x540b
#define TIOCSCTTY  0x540e
#define TIOCGPGRP  0x540f
#define TIOCSPGRP  0x5410
#define TIOCOUTQ   0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541b /* TIOCINQ */
#define TIOCNOTTY  0x5422
#define TIOCGSID   0x5429

/* Signals a character asks for (Linux's numbers). */
#define TTY_SIGINT  2
#define TTY_SIGQUIT 3
#define TTY_SIGTSTP 20

#define TTY_INBUF	4096 /* Linux's N_TTY_BUF_SIZE: at most 4095 bytes wait */
#define TTY_OUTBUF	8192 /* the output queue: writes, then echoes */
#define TTY_WRITE_ROOM	4096 /* writes fill the queue only this far */
#define TTY_WAKEUP	256  /* POLLOUT below this many queued (WAKEUP_CHARS) */
#define TTY_WAIT	(-0x10000L)
#define TTY_NO_DEADLINE UINT64_MAX
#define TTY_VTIME_NS	UINT64_C(100000000) /* VTIME counts tenths */

/* poll bits (Linux's) */
#define TTY_POLLIN     0x001u
#define TTY_POLLOUT    0x004u
#define TTY_POLLRDNORM 0x040u
#define TTY_POLLWRNORM 0x100u

struct tty;

/* A terminal with Linux's console defaults (tty_std_termios, 0x0 size);
 * NULL when out of memory. */
struct tty *tty_new(void);
void tty_free(struct tty *t);

/* What a fresh Linux tty has: stty sane, intr ^C, erase DEL, VMIN 1. */
void tty_default_termios(struct tty_termios *tio);

/* --- the device side --- */

/*
 * Bytes received, in order. Returns how many were taken: fewer than len
 * when the input buffer is full (non-canonical mode, or a complete line
 * waits; the caller keeps the rest and offers it again after a read), or
 * right after a byte that asked for a signal: then *sig is TTY_SIGINT,
 * _SIGQUIT or _SIGTSTP for the foreground process group (else 0), and
 * the caller delivers it before going on with the rest. Echoes go to the
 * output queue. Without CREAD every byte is taken and dropped.
 */
size_t tty_input(struct tty *t, const void *buf, size_t len, int *sig);

/*
 * Up to room bytes for the device, taken off the output queue: the
 * TCIOFF/TCION character first, then nothing while output is stopped
 * (^S, TCOOFF).
 */
size_t tty_transmit(struct tty *t, void *buf, size_t room);

/* --- the file side --- */

/*
 * A read of len bytes. tty_read_begin starts it at now (VMIN and VTIME
 * are those in force then); tty_read gives the read's result as soon as
 * there is one: bytes copied into buf (at most len; 0 is end of file, or
 * no data with VMIN 0), -EAGAIN when nonblock and nothing may be had, or
 * TTY_WAIT: call again when input has arrived, or at rd->deadline (ns)
 * unless it is TTY_NO_DEADLINE. In canonical mode a read gets at most one
 * line. A read interrupted by a signal ends with -EINTR (or -ERESTARTSYS):
 * nothing was taken from the tty.
 */
struct tty_read {
	size_t len;
	bool nonblock;
	uint8_t vmin, vtime;
	size_t seen;	   /* bytes there at the last call (VMIN, VTIME > 0) */
	uint64_t deadline; /* ns */
};

void tty_read_begin(struct tty *t, struct tty_read *rd, size_t len,
    bool nonblock, uint64_t now);
long tty_read(struct tty *t, struct tty_read *rd, void *buf, uint64_t now);

/*
 * Processes (OPOST) and queues bytes to write; returns how many were
 * taken: fewer than len when the output queue is full (the caller waits
 * for tty_transmit to make room, or returns a short count / -EAGAIN).
 */
size_t tty_write(struct tty *t, const void *buf, size_t len);

/* TTY_POLLIN|_RDNORM when a read would not wait, _POLLOUT|_WRNORM when a
 * write would take something. */
unsigned tty_poll(const struct tty *t);

/* FIONREAD: bytes a read could get (canonical: complete lines only). */
size_t tty_inq(const struct tty *t);
/* TIOCOUTQ: bytes not yet transmitted; TCSETSW, TCSETSF and tcdrain
 * wait for this to reach 0. */
size_t tty_outq(const struct tty *t);

/* TCFLSH: TCIFLUSH, TCOFLUSH or TCIOFLUSH; else -EINVAL. */
int tty_flush(struct tty *t, int queue);
/* TCXONC: TCOOFF, TCOON, TCIOFF, TCION; else -EINVAL. */
int tty_flow(struct tty *t, int action);
/* Output stopped by ^S or TCOOFF. */
bool tty_stopped(const struct tty *t);

void tty_get_termios(const struct tty *t, struct tty_termios *tio);
/*
 * TCSETS: the new termios takes effect now. TCSETSF is tty_flush
 * (TCIFLUSH), then waiting for tty_outq() == 0, then this; TCSETSW
 * the same without the flush.
 */
void tty_set_termios(struct tty *t, const struct tty_termios *tio);

void tty_get_winsize(const struct tty *t, struct tty_winsize *ws);
/* TIOCSWINSZ: true when the size changed (send SIGWINCH to the
 * foreground process group). */
bool tty_set_winsize(struct tty *t, const struct tty_winsize *ws);

#endif /* LICHEN_TTY_CORE_H */

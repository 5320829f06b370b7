/*
 * console.h - the console terminal: the PL011 driven from userspace
 * under tty_core's line discipline (console.c, docs/devtmpfs.md). Its
 * requests reply now or keep the token (IPC_SUSPEND) until the line
 * discipline or the UART can answer.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stdint.h>
#include <lichen/ipc_server.h>

#define CONSOLE_IRQ_COOKIE	0x1000u		/* badges of the kernel's messages */
#define CONSOLE_TIMER_COOKIE	0x1001u

/*
 * Finds the first PL011 of the device tree, maps it at va in vs, claims
 * its interrupt and a timer for ep, and takes the receive side: 0 or
 * -errno (no console then: its nodes answer -ENXIO).
 */
long console_init(handle_t device, handle_t vs, uint64_t va, handle_t ep);
bool console_present(void);

/* FS_READ / FS_WRITE / FS_IOCTL / FS_POLL / FS_TTY_WATCH on a tty node. */
long console_read(struct ipc_req *req);
long console_write(struct ipc_req *req);
long console_ioctl(struct ipc_req *req);
unsigned console_poll(unsigned events);
long console_watch(struct ipc_req *req);

/* LABEL_IRQ and LABEL_TIMER with the cookies above. */
void console_irq(void);
void console_timer(void);

#endif

/*
 * The native calls: the one listing. The kernel's dispatch table
 * (kernel/syscall.c) and libipc's wrappers (lichen/native.h) are both
 * derived from NATIVE_CALLS, so a number cannot mean two things.
 *
 * Convention: svc #0, number in x8, arguments in x0-x5, result in x0
 * (a negative Linux errno on failure). The IPC calls (marked "ipc") use
 * more registers, both ways:
 *   in:  x0 = endpoint or reply token, x1 = label, x2-x7 = w0-w5,
 *        x9 = w6, x10 = w7, x11 = struct ipc_ext * (or 0)
 *   out: x0 = status, x1 = label, x2-x7 = w0-w5, x9 = w6, x10 = w7,
 *        x11 = badge (or the reply cookie), x12 = reply token (or 0)
 * A process with a personality endpoint makes no native call: its SVCs
 * become LABEL_SYSCALL messages (lichen/ipc.h).
 *
 * X(number, name, number of arguments, what it does)
 */
#ifndef LICHEN_SYSCALL_H
#define LICHEN_SYSCALL_H

#define NATIVE_CALLS(X) \
	X(0,  log_write,        2, "write (buf, len) to the kernel log") \
	X(1,  handle_close,     1, "close a handle") \
	X(2,  handle_dup,       3, "(h, rights, badge): a new handle with fewer rights; badge 0 keeps it") \
	X(3,  handle_info,      2, "(h, struct handle_info *)") \
	X(4,  process_create,   4, "(name, namelen, personality ep or 0, vmspace or 0): a process (an empty vmspace if 0)") \
	X(5,  process_vmspace,  1, "(process, or 0 for the caller): a handle to its vmspace") \
	X(6,  process_give,     3, "(process, h, rights): copy h into the process; returns its number there") \
	X(7,  process_kill,     2, "(process, status): kill every thread") \
	X(8,  process_wait,     1, "(process): block until it exits; returns its status") \
	X(9,  process_exit,     1, "(status): end the calling process") \
	X(10, thread_create,    4, "(process or 0 for the caller, pc, sp, arg): a thread, not yet started") \
	X(11, thread_start,     1, "(thread)") \
	X(12, thread_exit,      0, "end the calling thread") \
	X(13, thread_kill,      1, "(thread)") \
	X(14, thread_wait,      1, "(thread): block until it exits") \
	X(15, thread_affinity,  2, "(thread or 0 for self, cpu mask)") \
	X(16, vm_map,           6, "(vmspace, uva, len, prot, memobj or 0, offset)") \
	X(17, vm_unmap,         3, "(vmspace, uva, len)") \
	X(18, vm_protect,       4, "(vmspace, uva, len, prot)") \
	X(19, vm_clone,         1, "(vmspace): a copy-on-write copy") \
	X(20, vm_read,          4, "(vmspace, uva, buf, len): copy out of another vmspace") \
	X(21, vm_write,         4, "(vmspace, uva, buf, len): copy into another vmspace") \
	X(22, memobj_create,    1, "(size): zeroed pages to map") \
	X(23, ep_create,        1, "(queue depth, 0 for the default)") \
	X(24, ipc_send,         0, "ipc: post a message; never blocks (-EAGAIN when full)") \
	X(25, ipc_call,         0, "ipc: send and wait for the reply") \
	X(26, ipc_recv,         0, "ipc: wait for the next message") \
	X(27, ipc_reply,        0, "ipc: answer a reply token (consumes it)") \
	X(28, ipc_reply_recv,   0, "ipc: reply (x0 = token) then wait on ep (x12)") \
	X(29, notify_create,    0, "a notification word") \
	X(30, notify_signal,    2, "(notification, bits)") \
	X(31, obj_bind,         3, "(notification/irq/timer/process, ep, cookie): deliver as messages") \
	X(32, irq_create,       2, "(device, interrupt id)") \
	X(33, irq_ack,          1, "(irq): unmask after a LABEL_IRQ") \
	X(34, timer_create,     0, "a timer") \
	X(35, timer_set,        3, "(timer, deadline ns or 0 to cancel, period ns)") \
	X(36, mmio_map,         5, "(device, vmspace, uva, pa, len): device memory") \
	X(37, clock_get,        0, "monotonic nanoseconds") \
	X(38, thread_yield,     0, "give up the CPU") \
	X(39, thread_sleep,     1, "(ns)") \
	X(40, system_poweroff,  2, "(device, status): turn the machine off") \
	X(41, ipc_recv_poll,    0, "ipc: like ipc_recv but -EAGAIN when empty") \
	X(42, sys_info,         2, "(what, arg): counters; SYSINFO_*") \
	X(43, thread_regs,      4, "(thread, THREAD_REGS_GET/SET, THREAD_REGS_GENERAL/FP, buf): a stopped thread's registers") \
	X(44, thread_interrupt, 1, "(thread of a personality process): it sends LABEL_INTERRUPT at its next kernel exit") \
	X(45, dev_list,         3, "(device, index, struct dev_desc *): the index-th device of the device tree; -ENOENT past the end") \
	X(46, memobj_create_dma, 3, "(device, size, uint64_t *pa): contiguous zeroed pages for DMA, *pa = their physical address")

enum native_call {
#define NATIVE_ENUM(nr, name, nargs, doc) SYS_##name = nr,
	NATIVE_CALLS(NATIVE_ENUM)
#undef NATIVE_ENUM
	SYS_NCALLS
};

/*
 * thread_regs(t, op, kind, buf): read or write the user registers of a
 * thread that is not running: not yet started, or waiting for its
 * personality's answer (the Linux path: execve, signals, clone). kind
 * picks struct user_regs or struct user_fpregs (lichen/ipc.h).
 */
#define THREAD_REGS_GET		0
#define THREAD_REGS_SET		1
#define THREAD_REGS_GENERAL	0
#define THREAD_REGS_FP		1

/* sys_info(what, arg) */
#define SYSINFO_NCPUS		0	/* online CPUs */
#define SYSINFO_CPU		1	/* the CPU this thread runs on now */
#define SYSINFO_FREE_PAGES	2
#define SYSINFO_TID		3	/* the calling thread's id */
#define SYSINFO_PID		4	/* the calling process's id */
#define SYSINFO_ASID_ROLLOVERS	5	/* times the ASIDs ran out (a new generation) */
#define SYSINFO_THREAD_CPU	6	/* arg: a thread handle (0: the caller): the CPU time it ran, ns */
#define SYSINFO_REALTIME	7	/* ns since the epoch (the RTC read at boot + the clock); -ENODEV */
#define SYSINFO_TOTAL_PAGES	8	/* pages of RAM the allocator manages (total less boot's reservations) */

#endif

/*
 * ipctest: the native IPC and handle ABI checked from user space, bad
 * input included. Runs as the first process (lichen.init=ipctest) and
 * ends with "ipctest: all N checks passed"; the exit status is 0 then.
 *
 * One process: endpoints, messages, data, truncation, badges, handle
 * transfer, rights, full queues, reply tokens, notifications, timers,
 * memory objects, vm_read/vm_write. Several: a child cannot use a handle
 * it was not given; a child server killed mid-stream leaves its callers
 * with -EPIPE, not hanging.
 */
#include "nt.h"

const char *nt_name = "ipctest";

static char big[IPC_BUF_MAX + 1];
static char rbuf[IPC_BUF_MAX];

static void
msg_set(struct ipc_msg *m, uint64_t label, uint64_t w0)
{
	memset(m, 0, sizeof(*m));
	m->label = label;
	m->w[0] = w0;
}

static void
test_handles(void)
{
	long ep = ep_create(0), d;
	struct handle_info hi;
	struct ipc_msg m;

	CHECK(ep > 0, "ep_create: %ld", ep);
	CHECK_EQ(ep_create(IPC_DEPTH_MAX + 1), -EINVAL);
	CHECK_EQ(handle_close(HANDLE_NONE), -EBADF);
	CHECK_EQ(handle_close(0x7fff1234), -EBADF);
	CHECK_EQ(handle_info((handle_t)ep, &hi), 0);
	CHECK_EQ(hi.type, OBJ_ENDPOINT);
	CHECK_EQ(hi.rights, RIGHTS_ALL);
	CHECK_EQ(handle_info((handle_t)ep, (struct handle_info *)8), -EFAULT);
	/* dup can only take rights away */
	d = handle_dup((handle_t)ep, RIGHT_SEND, 0);
	CHECK(d > 0 && d != ep, "dup: %ld", d);
	CHECK_EQ(handle_dup((handle_t)d, RIGHT_SEND | RIGHT_RECV, 0), -EACCES);
	CHECK_EQ(handle_dup((handle_t)ep, 0x100, 0), -EINVAL);
	CHECK_EQ(ipc_recv_poll((handle_t)d, &m, NULL), -EACCES);
	/* a closed handle is gone, even when its slot is reused */
	CHECK_EQ(handle_close((handle_t)d), 0);
	CHECK_EQ(handle_close((handle_t)d), -EBADF);
	msg_set(&m, 1, 0);
	CHECK_EQ(ipc_send((handle_t)d, &m, NULL), -EBADF);
	long n = notify_create();
	CHECK(n > 0, "notify_create %ld", n);
	CHECK_EQ(ipc_send((handle_t)n, &m, NULL), -EINVAL);	/* wrong type */
	handle_close((handle_t)n);
	handle_close((handle_t)ep);
}

static void
test_messages(void)
{
	long ep = ep_create(8), b;
	struct ipc_ext x;
	struct ipc_msg m;

	/* inline words, data, truncation */
	msg_set(&m, IPC_LABEL(9, 1), 11);
	for (int i = 1; i < IPC_WORDS; i++)
		m.w[i] = 100 + i;
	memset(&x, 0, sizeof(x));
	for (unsigned i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	x.sbuf = (uint64_t)big;
	x.slen = IPC_BUF_MAX;
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), 0);
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	x.rbuf = (uint64_t)rbuf;
	x.rcap = sizeof(rbuf);
	CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, &x), 0);
	CHECK_EQ(m.label, IPC_LABEL(9, 1));
	CHECK(m.w[0] == 11 && m.w[7] == 107, "words %lu %lu", m.w[0], m.w[7]);
	CHECK_EQ(x.rlen, IPC_BUF_MAX);
	CHECK(memcmp(rbuf, big, IPC_BUF_MAX) == 0, "64 KiB of data changed in transit");
	CHECK_EQ(m.token, HANDLE_NONE);
	/* a buffer too small: what fits, and rlen says how much was sent */
	msg_set(&m, 2, 0);
	x.sbuf = (uint64_t)big;
	x.slen = 100;
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), 0);
	memset(rbuf, 0, 100);
	x.rcap = 10;
	CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, &x), 0);
	CHECK_EQ(x.rlen, 100);
	CHECK(memcmp(rbuf, big, 10) == 0 && rbuf[10] == 0, "truncated copy");
	/* bad input */
	msg_set(&m, 3, 0);
	CHECK_EQ(ipc_send((handle_t)ep, &m, (struct ipc_ext *)8), -EFAULT);
	memset(&x, 0, sizeof(x));
	x.sbuf = 8;
	x.slen = 16;
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), -EFAULT);
	x.sbuf = (uint64_t)big;
	x.slen = IPC_BUF_MAX + 1;
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), -EMSGSIZE);
	x.slen = 0;
	x.nshandles = IPC_HANDLES + 1;
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), -EINVAL);
	x.nshandles = 1;
	x.shandles[0] = 0x5555;
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), -EBADF);
	CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, NULL), -EAGAIN);	/* nothing got through */
	/* a bad receive buffer loses the message, not the kernel */
	msg_set(&m, 4, 0);
	memset(&x, 0, sizeof(x));
	x.sbuf = (uint64_t)big;
	x.slen = 64;
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), 0);
	x.rbuf = 16;
	x.rcap = 64;
	CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, &x), -EFAULT);
	/* badges tell senders apart */
	b = handle_dup((handle_t)ep, RIGHT_SEND, 42);
	msg_set(&m, 5, 0);
	CHECK_EQ(ipc_send((handle_t)b, &m, NULL), 0);
	CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, NULL), 0);
	CHECK_EQ(m.badge, 42);
	handle_close((handle_t)b);
	/* a full queue is -EAGAIN, and nothing is lost */
	for (int i = 0; i < 8; i++) {
		msg_set(&m, 6, (uint64_t)i);
		CHECK_EQ(ipc_send((handle_t)ep, &m, NULL), 0);
	}
	CHECK_EQ(ipc_send((handle_t)ep, &m, NULL), -EAGAIN);
	for (int i = 0; i < 8; i++) {
		CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, NULL), 0);
		CHECK_EQ(m.w[0], (uint64_t)i);
	}
	CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, NULL), -EAGAIN);
	handle_close((handle_t)ep);
}

static void
test_transfer_and_tokens(void)
{
	long ep = ep_create(0), rep = ep_create(0), n = notify_create();
	struct handle_info hi;
	struct ipc_ext x;
	struct ipc_msg m;

	/* a handle moves with the message */
	memset(&x, 0, sizeof(x));
	x.nshandles = 1;
	x.shandles[0] = (handle_t)n;
	msg_set(&m, 7, 0);
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), 0);
	CHECK_EQ(handle_info((handle_t)n, &hi), -EBADF);
	memset(&x, 0, sizeof(x));
	CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, &x), 0);
	CHECK_EQ(x.nrhandles, 1);
	CHECK_EQ(handle_info(x.rhandles[0], &hi), 0);
	CHECK_EQ(hi.type, OBJ_NOTIFY);
	/* without RIGHT_TRANSFER it stays */
	long weak = handle_dup(x.rhandles[0], RIGHT_SEND, 0);
	x.nshandles = 1;
	x.shandles[0] = (handle_t)weak;
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), -EACCES);
	CHECK_EQ(handle_info((handle_t)weak, &hi), 0);
	handle_close((handle_t)weak);
	/* notifications coalesce into one message */
	CHECK_EQ(obj_bind(x.rhandles[0], (handle_t)rep, 77), 0);
	CHECK_EQ(notify_signal(x.rhandles[0], 1), 0);
	CHECK_EQ(notify_signal(x.rhandles[0], 4), 0);
	CHECK_EQ(ipc_recv_poll((handle_t)rep, &m, NULL), 0);
	CHECK_EQ(m.label, LABEL_NOTIFY);
	CHECK_EQ(m.w[0], 5);
	CHECK_EQ(m.badge, 77);
	CHECK_EQ(ipc_recv_poll((handle_t)rep, &m, NULL), -EAGAIN);
	handle_close(x.rhandles[0]);
	/* reply tokens: the answer goes to the reply endpoint with the cookie */
	memset(&x, 0, sizeof(x));
	x.reply_ep = (handle_t)rep;
	x.cookie = 0xc00c1e;
	msg_set(&m, 8, 1);
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), 0);
	CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, NULL), 0);
	handle_t token = m.token;
	CHECK(token != HANDLE_NONE, "no token");
	/* one-shot: a token moves, it is never copied */
	CHECK_EQ(handle_info(token, &hi), 0);
	CHECK_EQ(hi.type, OBJ_REPLY);
	CHECK_EQ(hi.rights, RIGHT_TRANSFER);
	CHECK_EQ(handle_dup(token, RIGHT_TRANSFER, 0), -EINVAL);
	CHECK_EQ(handle_dup(token, 0, 0), -EINVAL);
	msg_set(&m, 8, 99);
	CHECK_EQ(ipc_reply(token, &m, NULL), 0);
	CHECK_EQ(ipc_reply(token, &m, NULL), -EBADF);	/* one-shot */
	CHECK_EQ(ipc_recv_poll((handle_t)rep, &m, NULL), 0);
	CHECK(m.label == 8 && m.w[0] == 99 && m.badge == 0xc00c1e, "reply %lx %lu %lx",
	    m.label, m.w[0], m.badge);
	/* a token dropped unanswered: the kernel answers -EPIPE */
	msg_set(&m, 9, 0);
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), 0);
	CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, NULL), 0);
	CHECK_EQ(handle_close(m.token), 0);
	CHECK_EQ(ipc_recv_poll((handle_t)rep, &m, NULL), 0);
	CHECK(m.label == LABEL_ERROR && (long)m.w[0] == -EPIPE && m.badge == 0xc00c1e,
	    "error answer %lx %ld", m.label, (long)m.w[0]);
	/* a receive that cannot be delivered answers the sender, not silence */
	msg_set(&m, 10, 0);
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), 0);
	memset(&x, 0, sizeof(x));
	x.rbuf = 16;
	x.rcap = 8;
	CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, (struct ipc_ext *)8), -EFAULT);
	CHECK_EQ(ipc_recv_poll((handle_t)rep, &m, NULL), 0);
	CHECK(m.label == LABEL_ERROR && (long)m.w[0] == -EPIPE, "after -EFAULT %lx", m.label);
	CHECK_EQ(ipc_reply(0x4444, &m, NULL), -EBADF);
	CHECK_EQ(ipc_reply((handle_t)ep, &m, NULL), -EINVAL);	/* not a token */
	handle_close((handle_t)ep);
	handle_close((handle_t)rep);
}

static void
test_timer_memory(void)
{
	long ep = ep_create(0), t = timer_create(), mo, vs;
	uint64_t start = clock_get();
	struct ipc_msg m;
	volatile uint32_t *a = (volatile uint32_t *)0x200000000UL;
	volatile uint32_t *b = (volatile uint32_t *)0x200100000UL;
	char buf[16];

	CHECK_EQ(obj_bind((handle_t)t, (handle_t)ep, 5), 0);
	CHECK_EQ(timer_set((handle_t)t, start + 10000000, 0), 0);
	CHECK_EQ(ipc_recv((handle_t)ep, &m, NULL), 0);
	CHECK(m.label == LABEL_TIMER && m.w[0] == 1 && m.badge == 5, "timer %lx %lu",
	    m.label, m.w[0]);
	CHECK(clock_get() >= start + 10000000, "the timer fired early");
	handle_close((handle_t)t);
	/* a memory object mapped twice shows one set of pages */
	mo = memobj_create(8192);
	vs = process_vmspace(0);
	CHECK(mo > 0 && vs > 0, "memobj %ld vs %ld", mo, vs);
	CHECK_EQ(vm_map((handle_t)vs, (uint64_t)a, 8192, PROT_R | PROT_W, (handle_t)mo, 0), 0);
	CHECK_EQ(vm_map((handle_t)vs, (uint64_t)b, 4096, PROT_R | PROT_W, (handle_t)mo, 4096), 0);
	a[1024] = 0xfeed;
	CHECK_EQ(b[0], 0xfeed);
	CHECK_EQ(vm_map((handle_t)vs, 0x200200000UL, 16384, PROT_R, (handle_t)mo, 0), -EINVAL);
	CHECK_EQ(vm_map((handle_t)vs, (uint64_t)a, 4096, PROT_R, 0, 0), -EEXIST);
	CHECK_EQ(vm_map((handle_t)vs, 0x1001, 4096, PROT_R, 0, 0), -EINVAL);
	/* vm_read / vm_write, also of bad addresses */
	CHECK_EQ(vm_write((handle_t)vs, (uint64_t)a + 4096, "hello", 6), 0);
	CHECK_EQ(vm_read((handle_t)vs, (uint64_t)b, buf, 6), 0);
	CHECK(memcmp(buf, "hello", 6) == 0, "vm_read");
	CHECK_EQ(vm_read((handle_t)vs, 0x300000000UL, buf, 6), -EFAULT);
	CHECK_EQ(vm_read((handle_t)vs, (uint64_t)a, (void *)16, 6), -EFAULT);
	CHECK_EQ(vm_write((handle_t)vs, 1UL << 60, buf, 6), -EFAULT);
	CHECK_EQ(vm_unmap((handle_t)vs, (uint64_t)a, 8192), 0);
	CHECK_EQ(b[0], 0x6c6c6568);	/* "hell": the other mapping keeps the page */
	handle_close((handle_t)mo);
	handle_close((handle_t)vs);
	CHECK_EQ(log_write((const char *)8, 4), -EFAULT);
	CHECK_EQ(native_call0(999), -ENOSYS);
	CHECK_EQ(system_poweroff((handle_t)ep, 0), -EINVAL);	/* not a device */
	handle_close((handle_t)ep);
}

/* Review regressions: each of these once went wrong in the kernel. */
static void
child_sleeper(uint64_t ns)
{
	thread_sleep(ns);
	process_exit(1);
}

static void
short_nap(uint64_t ns)
{
	thread_sleep(ns);		/* returns: nt_thread ends the thread */
}

static void
test_regressions(void)
{
	long ep = ep_create(0), t, p, vs, copy, d;
	struct handle_info hi;
	struct ipc_ext x;
	struct ipc_msg m;
	uint64_t start;

	/* an endpoint's receive right cannot travel on that endpoint */
	memset(&x, 0, sizeof(x));
	x.nshandles = 1;
	x.shandles[0] = (handle_t)ep;
	msg_set(&m, 1, 0);
	CHECK_EQ(ipc_send((handle_t)ep, &m, &x), -EINVAL);
	/* a thread starts once */
	t = nt_thread(short_nap, 1000, -1);
	CHECK(t > 0, "thread %ld", t);
	CHECK_EQ(thread_start((handle_t)t), -EBUSY);
	handle_close((handle_t)t);
	/* a process killed before any thread ran still finishes */
	vs = process_vmspace(0);
	copy = vm_clone((handle_t)vs);
	p = process_create_vs("never", 5, 0, (handle_t)copy);
	CHECK(p > 0, "process %ld", p);
	CHECK_EQ(process_kill((handle_t)p, -3), 0);
	CHECK_EQ(process_wait((handle_t)p), -3);
	handle_close((handle_t)p);
	handle_close((handle_t)copy);
	handle_close((handle_t)vs);
	/*
	 * A handle whose slot has been reused 32768 times is past INT_MAX
	 * (gen << 16 | index + 1); process_create once passed it through an
	 * int, so linuxemu's fork failed with a negative "error" (and leaked
	 * the process) after enough messages had gone through its table.
	 * The most recently freed slot is reused first: churn one slot until
	 * its next handle has bit 31.
	 */
	for (int i = 0; i < 65536; i++) {
		d = handle_dup((handle_t)ep, RIGHT_SEND, 0);
		handle_close((handle_t)d);
		if (((uint64_t)d >> 16 & 0xffff) == 0x8000)
			break;
	}
	p = process_create("gen", 3, 0);
	CHECK(p > 0x80000000L && p <= 0xffffffffL, "process_create in a reused slot: %ld", p);
	CHECK_EQ(handle_info((handle_t)p, &hi), 0);
	CHECK_EQ(hi.type, OBJ_PROCESS);
	handle_close((handle_t)p);
	/* a sleeping process dies at once when killed, and its timer goes with it */
	p = nt_fork("sleeper", child_sleeper, 10000000000UL, NULL, 0, NULL);
	thread_sleep(20000000);
	start = clock_get();
	CHECK_EQ(process_kill((handle_t)p, -4), 0);
	CHECK_EQ(process_wait((handle_t)p), -4);
	CHECK(clock_get() - start < 1000000000UL, "a killed sleeper took %lu ns",
	    clock_get() - start);
	handle_close((handle_t)p);
	/* a periodic timer that fell behind counts what it missed in one message */
	t = timer_create();
	CHECK_EQ(obj_bind((handle_t)t, (handle_t)ep, 9), 0);
	CHECK_EQ(timer_set((handle_t)t, clock_get() - 50000000, 1000000), 0);
	CHECK_EQ(ipc_recv((handle_t)ep, &m, NULL), 0);
	CHECK(m.label == LABEL_TIMER && m.w[0] >= 51, "caught up %lu", m.w[0]);
	/* deadlines and periods that would wrap are refused */
	CHECK_EQ(timer_set((handle_t)t, 1, ~0UL), -EINVAL);
	CHECK_EQ(timer_set((handle_t)t, ~0UL, 0), -EINVAL);
	CHECK_EQ(timer_set((handle_t)t, 0, 0), 0);
	handle_close((handle_t)t);
	handle_close((handle_t)ep);
}

/* --- the personality path: a process whose SVCs are messages --- */

/* A Linux-style system call: number in x8, arguments x0-x5, result x0. */
static long
svc6(long nr, long a0, long a1, long a2)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}

static volatile uint64_t mode_addr = 0x10;	/* volatile: no compile-time bounds */

/* An svc that also returns x1 and TPIDR_EL0 afterwards (thread_regs can change them). */
static uint64_t after_x1, after_tls;

static long
svc_watch(long nr)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = 0;
	register long x1 __asm__("x1") = 0x1111;

	__asm__ volatile("svc #0" : "+r"(x0), "+r"(x1) : "r"(x8) : "memory");
	after_x1 = (uint64_t)x1;
	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(after_tls));
	return x0;
}

static void
linux_child(uint64_t mode)
{
	long r = svc6(64, 1, 0x1234, 5);	/* "write(1, buf, 5)" */

	if (mode == 2) {		/* registers changed by the personality */
		svc_watch(500);
		svc6(93, (long)after_x1, (long)after_tls, 0);
	}

	if (mode == 1) {
		volatile int *bad = (volatile int *)mode_addr;

		*bad = (int)r;			/* a fault: LABEL_FAULT */
	}
	/* a native call number is just a number here: it becomes a message */
	r = svc6(SYS_log_write, (long)"no", 2, r);
	svc6(93, r, 0, 0);			/* "exit(r)": answered LABEL_EXIT */
	for (;;)
		;
}

static void
test_personality(void)
{
	long pers = ep_create(0), p;
	struct ipc_msg m;
	handle_t tok;

	/* syscalls arrive as LABEL_SYSCALL; the answer becomes x0 */
	p = nt_fork_personality("linux", linux_child, 0, (handle_t)pers, NULL);
	CHECK(p > 0, "fork %ld", p);
	CHECK_EQ(ipc_recv((handle_t)pers, &m, NULL), 0);
	CHECK(m.label == LABEL_SYSCALL && m.w[6] == 64 && m.w[0] == 1 &&
	    m.w[1] == 0x1234 && m.w[2] == 5, "syscall %lx nr %lu args %lu %lx %lu",
	    m.label, m.w[6], m.w[0], m.w[1], m.w[2]);
	CHECK(m.token != HANDLE_NONE && m.badge != 0, "token %u badge %lu", m.token, m.badge);
	CHECK(m.w[7] >= NATIVE_LOAD_BASE, "pc 0x%lx", m.w[7]);
	tok = m.token;
	msg_set(&m, LABEL_SYSCALL, 42);
	CHECK_EQ(ipc_reply(tok, &m, NULL), 0);
	CHECK_EQ(ipc_recv((handle_t)pers, &m, NULL), 0);
	CHECK(m.label == LABEL_SYSCALL && m.w[6] == SYS_log_write && m.w[2] == 42,
	    "second syscall nr %lu, x2 %lu (the first answer)", m.w[6], m.w[2]);
	tok = m.token;
	msg_set(&m, LABEL_SYSCALL, 7);
	CHECK_EQ(ipc_reply(tok, &m, NULL), 0);
	CHECK_EQ(ipc_recv((handle_t)pers, &m, NULL), 0);
	CHECK(m.label == LABEL_SYSCALL && m.w[6] == 93 && m.w[0] == 7, "exit call %lu", m.w[6]);
	tok = m.token;
	msg_set(&m, LABEL_EXIT, 7);
	CHECK_EQ(ipc_reply(tok, &m, NULL), 0);
	CHECK_EQ(process_wait((handle_t)p), 7);
	handle_close((handle_t)p);

	/* a fault outside any mapping arrives as LABEL_FAULT */
	p = nt_fork_personality("linux-fault", linux_child, 1, (handle_t)pers, NULL);
	CHECK_EQ(ipc_recv((handle_t)pers, &m, NULL), 0);
	tok = m.token;
	msg_set(&m, LABEL_SYSCALL, 5);
	CHECK_EQ(ipc_reply(tok, &m, NULL), 0);
	CHECK_EQ(ipc_recv((handle_t)pers, &m, NULL), 0);
	CHECK(m.label == LABEL_FAULT && m.w[1] == 0x10, "fault %lx far 0x%lx", m.label, m.w[1]);
	CHECK_EQ((m.w[0] >> 26) & 0x3f, 0x24);	/* a data abort from EL0 */
	tok = m.token;
	msg_set(&m, LABEL_EXIT, 139);
	CHECK_EQ(ipc_reply(tok, &m, NULL), 0);
	CHECK_EQ(process_wait((handle_t)p), 139);
	handle_close((handle_t)p);

	/* a stopped thread's registers, read and changed (execve, signals) */
	handle_t th;
	struct user_regs ur;
	struct user_fpregs fr;

	p = nt_fork_personality("linux-regs", linux_child, 2, (handle_t)pers, &th);
	CHECK_EQ(ipc_recv((handle_t)pers, &m, NULL), 0);
	CHECK_EQ(thread_regs(th, THREAD_REGS_GET, THREAD_REGS_GENERAL, &ur), 0);
	CHECK(ur.x[8] == 64 && ur.x[1] == 0x1234 && ur.pc == m.w[7] && (ur.pstate & 0xf) == 0,
	    "regs x8 %lu x1 %lx pc %lx/%lx pstate %lx", ur.x[8], ur.x[1], ur.pc, m.w[7], ur.pstate);
	CHECK_EQ(thread_regs(th, THREAD_REGS_GET, THREAD_REGS_FP, &fr), 0);
	CHECK_EQ(thread_regs(th, 2, THREAD_REGS_GENERAL, &ur), -EINVAL);
	CHECK_EQ(thread_regs(th, THREAD_REGS_GET, THREAD_REGS_GENERAL, (void *)8), -EFAULT);
	CHECK_EQ(thread_regs((handle_t)pers, THREAD_REGS_GET, THREAD_REGS_GENERAL, &ur), -EINVAL);
	tok = m.token;
	msg_set(&m, LABEL_SYSCALL, 0);
	CHECK_EQ(ipc_reply(tok, &m, NULL), 0);
	CHECK_EQ(ipc_recv((handle_t)pers, &m, NULL), 0);	/* svc_watch(500) */
	CHECK_EQ(m.w[6], 500);
	CHECK_EQ(thread_regs(th, THREAD_REGS_GET, THREAD_REGS_GENERAL, &ur), 0);
	ur.x[1] = 0xfeedface;
	ur.tpidr_el0 = 0x7000;
	ur.pstate = 0x3c5;	/* only the flags may change: EL, DAIF stay */
	CHECK_EQ(thread_regs(th, THREAD_REGS_SET, THREAD_REGS_GENERAL, &ur), 0);
	CHECK_EQ(thread_regs(th, THREAD_REGS_GET, THREAD_REGS_GENERAL, &ur), 0);
	CHECK_EQ(ur.pstate & 0x3ff, 0);
	tok = m.token;
	msg_set(&m, LABEL_SYSCALL, 0);
	CHECK_EQ(ipc_reply(tok, &m, NULL), 0);
	CHECK_EQ(ipc_recv((handle_t)pers, &m, NULL), 0);	/* exit(after_x1, after_tls) */
	CHECK(m.w[6] == 93 && m.w[0] == 0xfeedface && m.w[1] == 0x7000,
	    "the child saw x1 %lx tls %lx", m.w[0], m.w[1]);
	tok = m.token;
	msg_set(&m, LABEL_EXIT, 0);
	CHECK_EQ(ipc_reply(tok, &m, NULL), 0);
	CHECK_EQ(process_wait((handle_t)p), 0);
	CHECK_EQ(thread_regs(th, THREAD_REGS_GET, THREAD_REGS_GENERAL, &ur), -EBUSY);	/* gone */
	handle_close(th);
	handle_close((handle_t)p);

	/* the personality dies: its process is ended, not left waiting */
	p = nt_fork_personality("linux-orphan", linux_child, 0, (handle_t)pers, NULL);
	CHECK_EQ(ipc_recv((handle_t)pers, &m, NULL), 0);
	CHECK_EQ(handle_close(m.token), 0);		/* dropped unanswered */
	CHECK_EQ(process_wait((handle_t)p), -EPIPE);
	handle_close((handle_t)p);
	handle_close((handle_t)pers);
}

/* --- devices: MMIO and interrupts, with the device handle init gets --- */

#define UART_PA		0x09000000UL	/* QEMU virt's PL011 */
#define UART_VA		0x300000000UL
#define UART_IRQ	33
#define UART_DR		0x000
#define UART_IMSC	0x038
#define UART_ICR	0x044
#define UART_TXIM	(1u << 5)

static void
test_devices(void)
{
	handle_t dev = (handle_t)native_start_word(0);
	long vs = process_vmspace(0), ep = ep_create(0), irq;
	volatile uint32_t *uart = (volatile uint32_t *)UART_VA;
	struct handle_info hi;
	struct ipc_msg m;

	CHECK(handle_info(dev, &hi) == 0 && hi.type == OBJ_DEVICE, "no device handle");
	/* only with the device right, only outside RAM, page-aligned */
	CHECK_EQ(mmio_map((handle_t)ep, (handle_t)vs, UART_VA, UART_PA, 4096), -EINVAL);
	CHECK_EQ(mmio_map(dev, (handle_t)vs, UART_VA, 0x40000000UL, 4096), -EPERM);
	CHECK_EQ(mmio_map(dev, (handle_t)vs, UART_VA, UART_PA + 8, 4096), -EINVAL);
	CHECK_EQ(mmio_map(dev, (handle_t)vs, UART_VA, UART_PA, 4096), 0);
	CHECK(uart[0xfe0 / 4] == 0x11 && uart[0xff0 / 4] == 0x0d,
	    "PL011 id registers %x %x", uart[0xfe0 / 4], uart[0xff0 / 4]);
	/* an interrupt line: one owner, SPIs only */
	CHECK_EQ(irq_create((handle_t)ep, UART_IRQ), -EINVAL);
	CHECK_EQ(irq_create(dev, 5), -EINVAL);
	irq = irq_create(dev, UART_IRQ);
	CHECK(irq > 0, "irq_create %ld", irq);
	CHECK_EQ(irq_create(dev, UART_IRQ), -EBUSY);
	CHECK_EQ(obj_bind((handle_t)irq, (handle_t)ep, 33), 0);
	/* the transmit interrupt: a character out raises it */
	uart[UART_IMSC / 4] = UART_TXIM;
	uart[UART_DR / 4] = '\n';
	CHECK_EQ(ipc_recv((handle_t)ep, &m, NULL), 0);
	CHECK(m.label == LABEL_IRQ && m.w[0] == UART_IRQ && m.badge == 33,
	    "irq message %lx %lu", m.label, m.w[0]);
	uart[UART_IMSC / 4] = 0;
	uart[UART_ICR / 4] = 0x7ff;
	CHECK_EQ(irq_ack((handle_t)irq), 0);
	CHECK_EQ(ipc_recv_poll((handle_t)ep, &m, NULL), -EAGAIN);
	CHECK_EQ(vm_unmap((handle_t)vs, UART_VA, 4096), 0);
	handle_close((handle_t)irq);
	/* closing it freed the line */
	irq = irq_create(dev, UART_IRQ);
	CHECK(irq > 0, "irq_create after close %ld", irq);
	handle_close((handle_t)irq);
	handle_close((handle_t)ep);
	handle_close((handle_t)vs);
}

/* --- a flooding client does not stop the system --- */

static void child_server(uint64_t delay_ns);

static void
child_flooder(uint64_t unused)
{
	struct ipc_msg m;
	uint64_t full = 0;

	(void)unused;
	memset(&m, 0, sizeof(m));
	while (full < 20000)
		if (ipc_send(nt_given[0], &m, NULL) == -EAGAIN)
			full++;
	process_exit(0);
}

static void
test_flood(void)
{
	long victim = ep_create(8), ep = ep_create(0), flood, server, sendonly;
	handle_t give[1] = { (handle_t)victim };
	struct ipc_msg m;
	uint64_t calls = 0;

	flood = nt_fork("flooder", child_flooder, 0, give, 1, NULL);
	give[0] = (handle_t)ep;
	sendonly = handle_dup((handle_t)ep, RIGHT_SEND, 0);
	server = nt_fork("server", child_server, 0, give, 1, NULL);
	handle_close((handle_t)ep);
	/* while it floods, calls to another server keep being answered */
	for (int i = 0; i < 200; i++) {
		msg_set(&m, 1, (uint64_t)i);
		m.w[1] = 1;
		if (ipc_call((handle_t)sendonly, &m, NULL) == 0 && m.w[0] == (uint64_t)i + 1)
			calls++;
	}
	CHECK_EQ(calls, 200);
	CHECK_EQ(process_wait((handle_t)flood), 0);	/* it saw its 20000 -EAGAINs */
	for (int i = 0; i < 8; i++)
		CHECK_EQ(ipc_recv_poll((handle_t)victim, &m, NULL), 0);
	CHECK_EQ(ipc_recv_poll((handle_t)victim, &m, NULL), -EAGAIN);	/* exactly full */
	process_kill((handle_t)server, 0);
	process_wait((handle_t)server);
	handle_close((handle_t)server);
	handle_close((handle_t)flood);
	handle_close((handle_t)sendonly);
	handle_close((handle_t)victim);
}

/* --- many short-lived address spaces (ASID reuse and rollover) --- */

static void
child_caller(uint64_t n)
{
	struct ipc_msg m;
	long bad = 0;

	for (uint64_t i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.label = 1;
		m.w[0] = i;
		m.w[1] = 1;
		bad += ipc_call(nt_given[0], &m, NULL) != 0 || m.w[0] != i + 1;
	}
	/* Say we ran (so we hold an ASID), then wait to be let go. */
	memset(&m, 0, sizeof(m));
	bad += ipc_send(nt_given[1], &m, NULL) != 0;
	bad += ipc_recv(nt_given[2], &m, NULL) != 0;
	process_exit(bad);
}

static void
test_churn(void)
{
	long ep = ep_create(0), ready = ep_create(32), go = ep_create(32), server, p[24];
	handle_t give[3];
	struct ipc_msg m;
	unsigned ok = 0;

	give[0] = (handle_t)ep;
	server = nt_fork("server", child_server, 0, give, 1, NULL);
	give[0] = (handle_t)handle_dup((handle_t)ep, RIGHT_SEND | RIGHT_TRANSFER, 0);
	handle_close((handle_t)ep);
	give[1] = (handle_t)ready;
	give[2] = (handle_t)go;
	/*
	 * Three waves of 24 processes alive at once, each having run: more
	 * address spaces holding ASIDs than 4-bit ASIDs can name.
	 */
	for (int wave = 0; wave < 3; wave++) {
		for (int i = 0; i < 24; i++)
			p[i] = nt_fork("caller", child_caller, 10, give, 3, NULL);
		memset(&m, 0, sizeof(m));
		for (int i = 0; i < 24; i++)
			CHECK_EQ(ipc_recv((handle_t)ready, &m, NULL), 0);
		for (int i = 0; i < 24; i++)
			CHECK_EQ(ipc_send((handle_t)go, &m, NULL), 0);
		for (int i = 0; i < 24; i++) {
			ok += p[i] > 0 && process_wait((handle_t)p[i]) == 0;
			handle_close((handle_t)p[i]);
		}
	}
	CHECK_EQ(ok, 72);
	printf("ipctest: 72 processes came and went; ASID rollovers so far: %ld\n",
	    sys_info(SYSINFO_ASID_ROLLOVERS, 0));
	process_kill((handle_t)server, 0);
	process_wait((handle_t)server);
	handle_close((handle_t)server);
	handle_close(give[0]);
	handle_close((handle_t)ready);
	handle_close((handle_t)go);
}

/* --- several processes --- */

static void
child_forger(uint64_t parent_handle)
{
	struct ipc_msg m;
	long bad = 0;

	msg_set(&m, 1, 0);
	/* The parent's handle numbers mean nothing here. */
	bad += ipc_send((handle_t)parent_handle, &m, NULL) != -EBADF;
	bad += handle_close((handle_t)parent_handle) != -EBADF;
	for (handle_t h = 1; h < 64; h++)
		bad += handle_dup(h, RIGHT_SEND, 0) != -EBADF;
	bad += vm_read(nt_given[0], 0x400000, &m, 8) != -EBADF;	/* given nothing */
	process_exit(bad);
}

/* A server: answer TEST-style requests on the endpoint it was given. */
static void
child_server(uint64_t delay_ns)
{
	handle_t ep = nt_given[0], token = HANDLE_NONE;
	struct ipc_msg m;

	memset(&m, 0, sizeof(m));
	for (;;) {
		long err = ipc_reply_recv(token, ep, &m, NULL);

		if (err != 0)
			process_exit(err);
		if (delay_ns != 0)
			thread_sleep(delay_ns);
		m.w[0] = m.w[0] + m.w[1];
		token = m.token;
	}
}

static handle_t kill_ep;
static volatile long kill_results[3];
static volatile unsigned kill_done, kill_answers;

static void
kill_client(uint64_t i)
{
	struct ipc_msg m;
	long err;

	do {
		msg_set(&m, 1, i);
		m.w[1] = 1;
		err = ipc_call(kill_ep, &m, NULL);
		if (err == 0)
			__atomic_fetch_add(&kill_answers, 1, __ATOMIC_RELAXED);
	} while (err == 0);
	kill_results[i] = err;
	__atomic_fetch_add(&kill_done, 1, __ATOMIC_RELEASE);
}

static void
test_processes(void)
{
	long ep = ep_create(0), p, sendonly, rep = ep_create(0);
	struct ipc_ext x;
	struct ipc_msg m;
	handle_t give[1];

	/* a child cannot use handles it was not given */
	p = nt_fork("forger", child_forger, (uint64_t)ep, NULL, 0, NULL);
	CHECK(p > 0, "fork %ld", p);
	CHECK_EQ(process_wait((handle_t)p), 0);
	handle_close((handle_t)p);

	/* a server in another process */
	give[0] = (handle_t)ep;
	sendonly = handle_dup((handle_t)ep, RIGHT_SEND, 0);
	p = nt_fork("server", child_server, 0, give, 1, NULL);
	handle_close((handle_t)ep);	/* the child has the only receive right */
	CHECK(p > 0, "fork %ld", p);
	msg_set(&m, 1, 40);
	m.w[1] = 2;
	CHECK_EQ(ipc_call((handle_t)sendonly, &m, NULL), 0);
	CHECK_EQ(m.w[0], 42);
	/* its memory through its vmspace */
	long cvs = process_vmspace((handle_t)p);
	uint64_t word = 0;
	CHECK_EQ(vm_read((handle_t)cvs, (uint64_t)&nt_checks, &word, 4), 0);
	CHECK_EQ(vm_read((handle_t)cvs, 0x10, &word, 4), -EFAULT);
	handle_close((handle_t)cvs);
	CHECK_EQ(process_kill((handle_t)p, -99), 0);
	CHECK_EQ(process_wait((handle_t)p), -99);
	msg_set(&m, 1, 0);
	CHECK_EQ(ipc_call((handle_t)sendonly, &m, NULL), -EPIPE);	/* nobody can receive */
	CHECK_EQ(ipc_send((handle_t)sendonly, &m, NULL), -EPIPE);
	handle_close((handle_t)sendonly);
	handle_close((handle_t)p);

	/* killed mid-stream: every caller hears -EPIPE, nobody hangs */
	ep = ep_create(0);
	give[0] = (handle_t)ep;
	kill_ep = (handle_t)handle_dup((handle_t)ep, RIGHT_SEND, 0);
	p = nt_fork("slow-server", child_server, 1000000, give, 1, NULL);
	handle_close((handle_t)ep);
	for (int i = 0; i < 3; i++)
		nt_thread(kill_client, (uint64_t)i, -1);
	memset(&x, 0, sizeof(x));
	x.reply_ep = (handle_t)rep;
	x.cookie = 3;
	msg_set(&m, 1, 0);
	ipc_send(kill_ep, &m, &x);		/* an async request in the queue too */
	while (__atomic_load_n(&kill_answers, __ATOMIC_RELAXED) < 20)
		thread_sleep(1000000);
	CHECK_EQ(process_kill((handle_t)p, -7), 0);
	CHECK_EQ(process_wait((handle_t)p), -7);
	uint64_t deadline = clock_get() + 2000000000UL;
	while (__atomic_load_n(&kill_done, __ATOMIC_ACQUIRE) < 3 && clock_get() < deadline)
		thread_sleep(1000000);
	CHECK_EQ(kill_done, 3);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(kill_results[i], -EPIPE);
	/* the async request was answered (by the server or the kernel) */
	CHECK_EQ(ipc_recv_poll((handle_t)rep, &m, NULL), 0);
	CHECK(m.badge == 3, "reply badge %lu", m.badge);
	handle_close((handle_t)p);
	handle_close(kill_ep);
	handle_close((handle_t)rep);
}

int main(int argc, char **argv);

int
main(int argc, char **argv)
{
	long free0 = sys_info(SYSINFO_FREE_PAGES, 0), free1;

	(void)argc, (void)argv;
	test_handles();
	test_messages();
	test_transfer_and_tokens();
	test_timer_memory();
	test_processes();
	test_flood();
	test_churn();
	test_regressions();
	test_personality();
	test_devices();
	thread_sleep(50000000);		/* let dead threads be reaped */
	free1 = sys_info(SYSINFO_FREE_PAGES, 0);
	printf("ipctest: free pages %ld before, %ld after\n", free0, free1);
	return nt_summary();
}

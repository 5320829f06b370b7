/*
 * Native calls from an aarch64 native process: thin inline wrappers over
 * svc #0 (the convention is in lichen/syscall.h). Every function returns
 * what the kernel put in x0: a value, or a negative errno.
 */
#ifndef LICHEN_NATIVE_H
#define LICHEN_NATIVE_H

#include <stddef.h>
#include <stdint.h>
#include <lichen/ipc.h>
#include <lichen/syscall.h>

/* A message as a program sees it (the registers of an IPC call). */
struct ipc_msg {
	uint64_t label;
	uint64_t w[IPC_WORDS];
	uint64_t badge;		/* received: the sender handle's badge or reply cookie */
	handle_t token;		/* received: a reply token, or HANDLE_NONE */
};

#if defined(__aarch64__) && !defined(LK_HOST)

static inline long
native_call6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;
	register long x3 __asm__("x3") = a3;
	register long x4 __asm__("x4") = a4;
	register long x5 __asm__("x5") = a5;

	__asm__ volatile("svc #0"
	    : "+r"(x0)
	    : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
	    : "memory");
	return x0;
}

#define native_call0(nr)		native_call6(nr, 0, 0, 0, 0, 0, 0)
#define native_call1(nr, a)		native_call6(nr, (long)(a), 0, 0, 0, 0, 0)
#define native_call2(nr, a, b)		native_call6(nr, (long)(a), (long)(b), 0, 0, 0, 0)
#define native_call3(nr, a, b, c)	native_call6(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define native_call4(nr, a, b, c, d)	native_call6(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/*
 * An IPC call: m goes out in registers and, for calls that receive, the
 * answer comes back into m. x (may be NULL) carries buffers and handles.
 */
static inline long
native_ipc(long nr, handle_t h, struct ipc_msg *m, struct ipc_ext *x,
    handle_t recv_ep)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = h;
	register uint64_t x1 __asm__("x1") = m->label;
	register uint64_t x2 __asm__("x2") = m->w[0];
	register uint64_t x3 __asm__("x3") = m->w[1];
	register uint64_t x4 __asm__("x4") = m->w[2];
	register uint64_t x5 __asm__("x5") = m->w[3];
	register uint64_t x6 __asm__("x6") = m->w[4];
	register uint64_t x7 __asm__("x7") = m->w[5];
	register uint64_t x9 __asm__("x9") = m->w[6];
	register uint64_t x10 __asm__("x10") = m->w[7];
	register uint64_t x11 __asm__("x11") = (uint64_t)x;
	register uint64_t x12 __asm__("x12") = recv_ep;

	__asm__ volatile("svc #0"
	    : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5),
	      "+r"(x6), "+r"(x7), "+r"(x9), "+r"(x10), "+r"(x11), "+r"(x12)
	    : "r"(x8)
	    : "memory");
	if (x0 >= 0 && nr != SYS_ipc_send && nr != SYS_ipc_reply) {
		m->label = x1;
		m->w[0] = x2; m->w[1] = x3; m->w[2] = x4; m->w[3] = x5;
		m->w[4] = x6; m->w[5] = x7; m->w[6] = x9; m->w[7] = x10;
		m->badge = x11;
		m->token = (handle_t)x12;
	}
	return x0;
}

static inline long ipc_send(handle_t ep, struct ipc_msg *m, struct ipc_ext *x)
{ return native_ipc(SYS_ipc_send, ep, m, x, 0); }
static inline long ipc_call(handle_t ep, struct ipc_msg *m, struct ipc_ext *x)
{ return native_ipc(SYS_ipc_call, ep, m, x, 0); }
static inline long ipc_recv(handle_t ep, struct ipc_msg *m, struct ipc_ext *x)
{ return native_ipc(SYS_ipc_recv, ep, m, x, 0); }
static inline long ipc_recv_poll(handle_t ep, struct ipc_msg *m, struct ipc_ext *x)
{ return native_ipc(SYS_ipc_recv_poll, ep, m, x, 0); }
static inline long ipc_reply(handle_t token, struct ipc_msg *m, struct ipc_ext *x)
{ return native_ipc(SYS_ipc_reply, token, m, x, 0); }
/* Reply to token (HANDLE_NONE: no reply) and wait on ep; one kernel entry. */
static inline long ipc_reply_recv(handle_t token, handle_t ep, struct ipc_msg *m,
    struct ipc_ext *x)
{ return native_ipc(SYS_ipc_reply_recv, token, m, x, ep); }

static inline long log_write(const char *s, size_t n)
{ return native_call2(SYS_log_write, s, n); }
static inline long handle_close(handle_t h)
{ return native_call1(SYS_handle_close, h); }
static inline long handle_dup(handle_t h, uint32_t rights, uint64_t badge)
{ return native_call3(SYS_handle_dup, h, rights, badge); }
static inline long handle_info(handle_t h, struct handle_info *hi)
{ return native_call2(SYS_handle_info, h, hi); }
static inline long process_create(const char *name, size_t len, handle_t personality)
{ return native_call4(SYS_process_create, name, len, personality, 0); }
/* A process that runs in vs (e.g. a vm_clone: fork). */
static inline long process_create_vs(const char *name, size_t len, handle_t personality,
    handle_t vs)
{ return native_call4(SYS_process_create, name, len, personality, vs); }
static inline long process_vmspace(handle_t p)
{ return native_call1(SYS_process_vmspace, p); }
static inline long process_give(handle_t p, handle_t h, uint32_t rights)
{ return native_call3(SYS_process_give, p, h, rights); }
static inline long process_kill(handle_t p, long status)
{ return native_call2(SYS_process_kill, p, status); }
static inline long process_wait(handle_t p)
{ return native_call1(SYS_process_wait, p); }
static inline __attribute__((noreturn)) void process_exit(long status)
{ native_call1(SYS_process_exit, status); __builtin_unreachable(); }
static inline long thread_create(handle_t p, uint64_t pc, uint64_t sp, uint64_t arg)
{ return native_call4(SYS_thread_create, p, pc, sp, arg); }
static inline long thread_start(handle_t t)
{ return native_call1(SYS_thread_start, t); }
static inline __attribute__((noreturn)) void thread_exit(void)
{ native_call0(SYS_thread_exit); __builtin_unreachable(); }
static inline long thread_kill(handle_t t)
{ return native_call1(SYS_thread_kill, t); }
static inline long thread_wait(handle_t t)
{ return native_call1(SYS_thread_wait, t); }
static inline long thread_affinity(handle_t t, uint64_t mask)
{ return native_call2(SYS_thread_affinity, t, mask); }
static inline long vm_map(handle_t vs, uint64_t uva, uint64_t len, uint32_t prot,
    handle_t memobj, uint64_t off)
{ return native_call6(SYS_vm_map, vs, (long)uva, (long)len, prot, memobj, (long)off); }
static inline long vm_unmap(handle_t vs, uint64_t uva, uint64_t len)
{ return native_call3(SYS_vm_unmap, vs, uva, len); }
static inline long vm_protect(handle_t vs, uint64_t uva, uint64_t len, uint32_t prot)
{ return native_call4(SYS_vm_protect, vs, uva, len, prot); }
static inline long vm_clone(handle_t vs)
{ return native_call1(SYS_vm_clone, vs); }
static inline long vm_read(handle_t vs, uint64_t uva, void *buf, size_t len)
{ return native_call4(SYS_vm_read, vs, uva, buf, len); }
static inline long vm_write(handle_t vs, uint64_t uva, const void *buf, size_t len)
{ return native_call4(SYS_vm_write, vs, uva, buf, len); }
static inline long memobj_create(uint64_t size)
{ return native_call1(SYS_memobj_create, size); }
static inline long ep_create(unsigned depth)
{ return native_call1(SYS_ep_create, depth); }
static inline long notify_create(void)
{ return native_call0(SYS_notify_create); }
static inline long notify_signal(handle_t n, uint64_t bits)
{ return native_call2(SYS_notify_signal, n, bits); }
static inline long obj_bind(handle_t obj, handle_t ep, uint64_t cookie)
{ return native_call3(SYS_obj_bind, obj, ep, cookie); }
static inline long irq_create(handle_t dev, unsigned intid)
{ return native_call2(SYS_irq_create, dev, intid); }
static inline long irq_ack(handle_t irq)
{ return native_call1(SYS_irq_ack, irq); }
static inline long timer_create(void)
{ return native_call0(SYS_timer_create); }
static inline long timer_set(handle_t t, uint64_t deadline, uint64_t period)
{ return native_call3(SYS_timer_set, t, deadline, period); }
static inline long mmio_map(handle_t dev, handle_t vs, uint64_t uva, uint64_t pa,
    uint64_t len)
{ return native_call6(SYS_mmio_map, dev, vs, (long)uva, (long)pa, (long)len, 0); }
static inline uint64_t clock_get(void)
{ return (uint64_t)native_call0(SYS_clock_get); }
static inline long thread_yield(void)
{ return native_call0(SYS_thread_yield); }
static inline long thread_sleep(uint64_t ns)
{ return native_call1(SYS_thread_sleep, ns); }
static inline long system_poweroff(handle_t dev, long status)
{ return native_call2(SYS_system_poweroff, dev, status); }
static inline long sys_info(unsigned what, uint64_t arg)
{ return native_call2(SYS_sys_info, what, arg); }
static inline long thread_regs(handle_t t, unsigned op, unsigned kind, void *buf)
{ return native_call4(SYS_thread_regs, t, op, kind, buf); }
static inline long thread_interrupt(handle_t t)
{ return native_call1(SYS_thread_interrupt, t); }
static inline long dev_list(handle_t dev, unsigned index, struct dev_desc *out)
{ return native_call3(SYS_dev_list, dev, index, out); }
static inline long memobj_create_dma(handle_t dev, uint64_t size, uint64_t *pa)
{ return native_call3(SYS_memobj_create_dma, dev, size, pa); }

#else /* the host: LK_HOST builds and anything not aarch64 */

/*
 * The same calls as plain functions. libipc's host transport
 * (libipc/host/transport.c, lichen/ipc_host.h) implements the handle and
 * IPC calls, log_write and the clock in one process with pthreads, so
 * that protocol code runs in unit tests; a test that needs the others
 * (process, thread, vm calls) supplies its own fakes. timer_create is
 * left out: on the host that name is the C library's (<time.h>).
 */
long ipc_send(handle_t ep, struct ipc_msg *m, struct ipc_ext *x);
long ipc_call(handle_t ep, struct ipc_msg *m, struct ipc_ext *x);
long ipc_recv(handle_t ep, struct ipc_msg *m, struct ipc_ext *x);
long ipc_recv_poll(handle_t ep, struct ipc_msg *m, struct ipc_ext *x);
long ipc_reply(handle_t token, struct ipc_msg *m, struct ipc_ext *x);
long ipc_reply_recv(handle_t token, handle_t ep, struct ipc_msg *m,
    struct ipc_ext *x);

long log_write(const char *s, size_t n);
long handle_close(handle_t h);
long handle_dup(handle_t h, uint32_t rights, uint64_t badge);
long handle_info(handle_t h, struct handle_info *hi);
long process_create(const char *name, size_t len, handle_t personality);
long process_create_vs(const char *name, size_t len, handle_t personality,
    handle_t vs);
long process_vmspace(handle_t p);
long process_give(handle_t p, handle_t h, uint32_t rights);
long process_kill(handle_t p, long status);
long process_wait(handle_t p);
__attribute__((noreturn)) void process_exit(long status);
long thread_create(handle_t p, uint64_t pc, uint64_t sp, uint64_t arg);
long thread_start(handle_t t);
__attribute__((noreturn)) void thread_exit(void);
long thread_kill(handle_t t);
long thread_wait(handle_t t);
long thread_affinity(handle_t t, uint64_t mask);
long vm_map(handle_t vs, uint64_t uva, uint64_t len, uint32_t prot,
    handle_t memobj, uint64_t off);
long vm_unmap(handle_t vs, uint64_t uva, uint64_t len);
long vm_protect(handle_t vs, uint64_t uva, uint64_t len, uint32_t prot);
long vm_clone(handle_t vs);
long vm_read(handle_t vs, uint64_t uva, void *buf, size_t len);
long vm_write(handle_t vs, uint64_t uva, const void *buf, size_t len);
long memobj_create(uint64_t size);
long ep_create(unsigned depth);
long notify_create(void);
long notify_signal(handle_t n, uint64_t bits);
long obj_bind(handle_t obj, handle_t ep, uint64_t cookie);
long irq_create(handle_t dev, unsigned intid);
long irq_ack(handle_t irq);
long timer_set(handle_t t, uint64_t deadline, uint64_t period);
long mmio_map(handle_t dev, handle_t vs, uint64_t uva, uint64_t pa,
    uint64_t len);
uint64_t clock_get(void);
long thread_yield(void);
long thread_sleep(uint64_t ns);
long system_poweroff(handle_t dev, long status);
long sys_info(unsigned what, uint64_t arg);
long thread_regs(handle_t t, unsigned op, unsigned kind, void *buf);
long thread_interrupt(handle_t t);
long dev_list(handle_t dev, unsigned index, struct dev_desc *out);
long memobj_create_dma(handle_t dev, uint64_t size, uint64_t *pa);

#endif /* __aarch64__ && !LK_HOST */

#endif

/*
 * The native calls: one dispatch table derived from NATIVE_CALLS
 * (lichen/syscall.h), and the calls that are not IPC (those are in
 * endpoint.c). Each call decodes first — every handle, right, length and
 * pointer checked — and only then changes anything.
 *
 * A process with a personality endpoint never gets here: its SVCs become
 * LABEL_SYSCALL messages (syscall_personality).
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#include <lichen/syscall.h>
#include <arch/memlayout.h>
#include <arch/trap.h>
#include <cpu.h>
#include <endpoint.h>
#include <event.h>
#include <kernel.h>
#include <memobj.h>
#include <pmm.h>
#include <process.h>
#include <syscall.h>
#include <thread.h>
#include <uaccess.h>
#include <vmspace.h>
#include "syscall_decode.h"

#define NATIVE_DECL(nr, name, nargs, doc) long sys_##name(struct trap_frame *tf);
NATIVE_CALLS(NATIVE_DECL)
#undef NATIVE_DECL

typedef long (*native_fn)(struct trap_frame *tf);

static const native_fn native_table[SYS_NCALLS] = {
#define NATIVE_ENTRY(nr, name, nargs, doc) [nr] = sys_##name,
	NATIVE_CALLS(NATIVE_ENTRY)
#undef NATIVE_ENTRY
};


void
syscall_native(struct trap_frame *tf)
{
	uint64_t nr = tf->x[8];

	tf->x[0] = (uint64_t)(nr < SYS_NCALLS ? native_table[nr](tf) : -ENOSYS);
}

/* --- log, handles --- */

long
sys_log_write(struct trap_frame *tf)
{
	char buf[256];			/* a line from a program comes out whole */
	uint64_t p = ARG(0), len = ARG(1), done = 0;

	if (len > IPC_BUF_MAX)
		return -EINVAL;
	while (done < len) {
		uint64_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);

		if (copy_from_user(buf, uva(p + done), n) != 0)
			return -EFAULT;
		console_write(buf, n);		/* under the console lock: never interleaved */
		done += n;
	}
	return (long)len;
}

long
sys_handle_close(struct trap_frame *tf)
{
	return process_handle_close(process_current(), (handle_t)ARG(0));
}

long
sys_handle_dup(struct trap_frame *tf)
{
	struct process *p = process_current();
	uint32_t rights = (uint32_t)ARG(1), have;
	uint64_t badge;
	struct kobj *o;
	long h;
	int err;

	if (ARG(1) & ~(uint64_t)RIGHTS_ALL)
		return -EINVAL;
	err = process_handle_get(p, (handle_t)ARG(0), OBJ_NONE, 0, &o, &have, &badge);
	if (err != 0)
		return err;
	if ((rights & have) != rights || o->type == OBJ_REPLY) {
		err = o->type == OBJ_REPLY ? -EINVAL : -EACCES;	/* a token is one-shot */
		kobj_put(o);
		return err;
	}
	h = process_handle_add(p, o, rights, ARG(2) != 0 ? ARG(2) : badge);
	kobj_put(o);
	return h;
}

long
sys_handle_info(struct trap_frame *tf)
{
	struct handle_info hi;
	uint64_t badge;
	struct kobj *o;
	int err = process_handle_get(process_current(), (handle_t)ARG(0), OBJ_NONE, 0,
	    &o, &hi.rights, &badge);

	if (err != 0)
		return err;
	hi.type = o->type;
	hi.badge = badge;
	hi.koid = o->koid;
	kobj_put(o);
	return copy_to_user(uva(ARG(1)), &hi, sizeof(hi));
}

/* --- processes and threads --- */

long
sys_process_create(struct trap_frame *tf)
{
	struct endpoint *pers = NULL;
	struct vmspace *vs = NULL;
	struct process *p;
	char name[32];
	uint64_t len = ARG(1);
	long err;			/* or the new handle, which may be past INT_MAX */

	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	if (copy_from_user(name, uva(ARG(0)), len) != 0)
		return -EFAULT;
	if (ARG(2) != 0 && (err = GET(ARG(2), OBJ_ENDPOINT, RIGHT_SEND, pers,
	    struct endpoint)) != 0)
		return err;
	if (ARG(3) != 0 && (err = GET(ARG(3), OBJ_VMSPACE, RIGHT_MANAGE, vs,
	    struct vmspace)) != 0)
		goto out;
	p = process_create(name, len, pers);
	if (p != NULL && vs != NULL) {
		kobj_put(&p->vs->obj);		/* run in the given space instead */
		kobj_get(&vs->obj);
		p->vs = vs;
	}
	err = new_handle(p != NULL ? &p->obj : NULL, RIGHTS_ALL);
out:
	if (vs != NULL)
		kobj_put(&vs->obj);
	if (pers != NULL)
		kobj_put(&pers->obj);
	return err;
}

/* A process handle with rights, or 0 for the caller's own process. */
static int
get_process(uint64_t h, uint32_t rights, struct process **p)
{
	if (h == 0) {
		*p = process_current();
		kobj_get(&(*p)->obj);
		return 0;
	}
	return GET(h, OBJ_PROCESS, rights, *p, struct process);
}

long
sys_process_vmspace(struct trap_frame *tf)
{
	struct process *p;
	long h;
	int err = get_process(ARG(0), RIGHT_MANAGE, &p);
	uint64_t flags;
	struct vmspace *vs;

	if (err != 0)
		return err;
	flags = spin_lock_irqsave(&p->lock);
	vs = p->vs;
	if (vs != NULL)
		kobj_get(&vs->obj);
	spin_unlock_irqrestore(&p->lock, flags);
	h = vs != NULL ? process_handle_add(process_current(), &vs->obj, RIGHTS_ALL, 0) :
	    -ESRCH;
	if (vs != NULL)
		kobj_put(&vs->obj);
	kobj_put(&p->obj);
	return h;
}

long
sys_process_give(struct trap_frame *tf)
{
	uint32_t rights = (uint32_t)ARG(2), have;
	struct process *p;
	uint64_t badge;
	struct kobj *o;
	long h;
	int err = GET(ARG(0), OBJ_PROCESS, RIGHT_MANAGE, p, struct process);

	if (err != 0)
		return err;
	err = process_handle_get(process_current(), (handle_t)ARG(1), OBJ_NONE,
	    RIGHT_TRANSFER, &o, &have, &badge);
	if (err != 0) {
		kobj_put(&p->obj);
		return err;
	}
	if ((rights & have) != rights)
		h = -EACCES;
	else if (o->type == OBJ_REPLY)
		h = -EINVAL;		/* giving copies; a token only moves */
	else
		h = process_handle_add(p, o, rights, badge);
	kobj_put(o);
	kobj_put(&p->obj);
	return h;
}

long
sys_process_kill(struct trap_frame *tf)
{
	struct process *p;
	int err = GET(ARG(0), OBJ_PROCESS, RIGHT_MANAGE, p, struct process);

	if (err != 0)
		return err;
	process_kill(p, (long)ARG(1));
	kobj_put(&p->obj);
	return 0;
}

long
sys_process_wait(struct trap_frame *tf)
{
	struct process *p;
	long r;
	int err = GET(ARG(0), OBJ_PROCESS, RIGHT_READ, p, struct process);

	if (err != 0)
		return err;
	r = process_wait(p);
	kobj_put(&p->obj);
	return r;
}

long
sys_process_exit(struct trap_frame *tf)
{
	process_kill(process_current(), (long)ARG(0));
	process_thread_exit();
}

long
sys_thread_create(struct trap_frame *tf)
{
	struct process *p;
	struct thread *t;
	int err = get_process(ARG(0), RIGHT_MANAGE, &p);

	if (err != 0)
		return err;
	if (ARG(1) >= USER_TOP || ARG(2) >= USER_TOP || (ARG(2) & 15) != 0) {
		kobj_put(&p->obj);
		return -EINVAL;
	}
	t = thread_create_user(p, ARG(1), ARG(2), ARG(3));
	kobj_put(&p->obj);
	return new_handle(t != NULL ? &t->obj : NULL, RIGHTS_ALL);
}

long
sys_thread_start(struct trap_frame *tf)
{
	struct thread *t;
	int err = GET(ARG(0), OBJ_THREAD, RIGHT_MANAGE, t, struct thread);

	if (err != 0)
		return err;
	if (t->proc == NULL)
		err = -EBUSY;
	else if ((err = process_attach_thread(t->proc, t)) == 0) {
		kobj_get(&t->obj);		/* the scheduler's reference */
		thread_start(t, -1);
	}
	kobj_put(&t->obj);
	return err;
}

long
sys_thread_exit(struct trap_frame *tf)
{
	(void)tf;
	process_thread_exit();
}

long
sys_thread_kill(struct trap_frame *tf)
{
	struct thread *t;
	int err = GET(ARG(0), OBJ_THREAD, RIGHT_MANAGE, t, struct thread);

	if (err != 0)
		return err;
	t->killed = true;
	thread_wake(t);
	if (t->on_cpu && t->last_cpu != hal_cpu_index())
		ipi_send(t->last_cpu, IPI_RESCHED);
	kobj_put(&t->obj);
	return 0;
}

/*
 * thread_interrupt(t): t traps into its personality (LABEL_INTERRUPT) at
 * its next kernel exit; a thread running elsewhere is kicked there now.
 * Linux signals reach a running thread this way.
 */
long
sys_thread_interrupt(struct trap_frame *tf)
{
	struct thread *t;
	int err = GET(ARG(0), OBJ_THREAD, RIGHT_MANAGE, t, struct thread);

	if (err != 0)
		return err;
	if (t->proc == NULL || t->proc->personality == NULL) {
		kobj_put(&t->obj);
		return -EINVAL;
	}
	__atomic_store_n(&t->interrupt, true, __ATOMIC_RELEASE);
	if (t->on_cpu && t->last_cpu != hal_cpu_index())
		ipi_send(t->last_cpu, IPI_RESCHED);
	kobj_put(&t->obj);
	return 0;
}

long
sys_thread_wait(struct trap_frame *tf)
{
	struct thread *t;
	long r;
	int err = GET(ARG(0), OBJ_THREAD, RIGHT_READ, t, struct thread);

	if (err != 0)
		return err;
	r = t == thread_current() ? -EDEADLK : thread_wait(t);
	kobj_put(&t->obj);
	return r;
}

long
sys_thread_regs(struct trap_frame *tf)
{
	union { struct user_regs r; struct user_fpregs f; } u;
	bool set = ARG(1) == THREAD_REGS_SET, fp = ARG(2) == THREAD_REGS_FP;
	size_t size = fp ? sizeof(u.f) : sizeof(u.r);
	struct thread *t;
	int err;

	if (ARG(1) > THREAD_REGS_SET || ARG(2) > THREAD_REGS_FP)
		return -EINVAL;
	if ((err = GET(ARG(0), OBJ_THREAD, RIGHT_MANAGE, t, struct thread)) != 0)
		return err;
	/* Only a thread that cannot run meanwhile: not started, or waiting for its personality. */
	if (t->proc == NULL || t == thread_current() ||
	    (t->state != THREAD_NEW && !t->in_personality)) {
		err = -EBUSY;
		goto out;
	}
	while (__atomic_load_n(&t->on_cpu, __ATOMIC_ACQUIRE))
		hal_cpu_relax();	/* still switching out: its TLS and FP get saved */
	if (set) {
		if ((err = copy_from_user(&u, uva(ARG(3)), size)) == 0)
			fp ? thread_user_fpregs(t, &u.f, true) : thread_user_regs(t, &u.r, true);
	} else {
		fp ? thread_user_fpregs(t, &u.f, false) : thread_user_regs(t, &u.r, false);
		err = copy_to_user(uva(ARG(3)), &u, size);
	}
out:
	kobj_put(&t->obj);
	return err;
}

long
sys_thread_affinity(struct trap_frame *tf)
{
	struct thread *t = thread_current();
	int err = 0;

	if (ARG(0) != 0 && (err = GET(ARG(0), OBJ_THREAD, RIGHT_MANAGE, t,
	    struct thread)) != 0)
		return err;
	err = thread_set_affinity(t, ARG(1));
	if (ARG(0) != 0)
		kobj_put(&t->obj);
	return err;
}

/* --- endpoints, events --- */

long
sys_ep_create(struct trap_frame *tf)
{
	struct endpoint *ep;

	if (ARG(0) > IPC_DEPTH_MAX)
		return -EINVAL;
	ep = endpoint_create((unsigned)ARG(0));
	return new_handle(ep != NULL ? &ep->obj : NULL, RIGHTS_ALL);
}

long
sys_notify_create(struct trap_frame *tf)
{
	struct event *e = event_create(OBJ_NOTIFY);

	(void)tf;
	return new_handle(e != NULL ? &e->obj : NULL, RIGHTS_ALL);
}

long
sys_notify_signal(struct trap_frame *tf)
{
	struct event *e;
	int err = GET(ARG(0), OBJ_NOTIFY, RIGHT_SEND, e, struct event);

	if (err != 0)
		return err;
	event_signal(e, ARG(1));
	kobj_put(&e->obj);
	return 0;
}

long
sys_obj_bind(struct trap_frame *tf)
{
	struct endpoint *ep;
	struct kobj *o;
	int err = get_obj((handle_t)ARG(0), OBJ_NONE, RIGHT_MANAGE, &o);

	if (err != 0)
		return err;
	if ((err = GET(ARG(1), OBJ_ENDPOINT, RIGHT_SEND, ep, struct endpoint)) == 0) {
		if (o->type == OBJ_PROCESS)
			err = process_bind_exit(container_of(o, struct process, obj),
			    ep, ARG(2));
		else if (o->type == OBJ_NOTIFY || o->type == OBJ_IRQ ||
		    o->type == OBJ_TIMER)
			err = event_bind(container_of(o, struct event, obj), ep, ARG(2));
		else
			err = -EINVAL;
		kobj_put(&ep->obj);
	}
	kobj_put(o);
	return err;
}

long
sys_irq_create(struct trap_frame *tf)
{
	struct device *dev;
	struct event *e;
	int err = GET(ARG(0), OBJ_DEVICE, RIGHT_MANAGE, dev, struct device);

	if (err != 0)
		return err;
	kobj_put(&dev->obj);
	if ((e = event_create(OBJ_IRQ)) == NULL)
		return -ENOMEM;
	if ((err = irq_claim(e, (unsigned)ARG(1))) != 0) {
		kobj_put(&e->obj);
		return err;
	}
	return new_handle(&e->obj, RIGHTS_ALL);
}

/* dev_list(device, index, struct dev_desc *): what the device tree offers drivers. */
long
sys_dev_list(struct trap_frame *tf)
{
	struct dev_desc d;
	struct device *dev;
	int err = GET(ARG(0), OBJ_DEVICE, RIGHT_MANAGE, dev, struct device);

	if (err != 0)
		return err;
	kobj_put(&dev->obj);
	if (ARG(1) > UINT32_MAX || device_lookup((unsigned)ARG(1), &d) != 0)
		return -ENOENT;
	return copy_to_user(uva(ARG(2)), &d, sizeof(d));
}

long
sys_irq_ack(struct trap_frame *tf)
{
	struct event *e;
	int err = GET(ARG(0), OBJ_IRQ, RIGHT_MANAGE, e, struct event);

	if (err != 0)
		return err;
	err = irq_ack(e);
	kobj_put(&e->obj);
	return err;
}

long
sys_timer_create(struct trap_frame *tf)
{
	struct event *e = event_create(OBJ_TIMER);

	(void)tf;
	return new_handle(e != NULL ? &e->obj : NULL, RIGHTS_ALL);
}

long
sys_timer_set(struct trap_frame *tf)
{
	struct event *e;
	int err = GET(ARG(0), OBJ_TIMER, RIGHT_MANAGE, e, struct event);

	if (err != 0)
		return err;
	err = timer_set(e, ARG(1), ARG(2));
	kobj_put(&e->obj);
	return err;
}

/* --- time, the CPU, the machine --- */

long
sys_clock_get(struct trap_frame *tf)
{
	(void)tf;
	return (long)clock_ns();
}

long
sys_thread_yield(struct trap_frame *tf)
{
	(void)tf;
	thread_yield();
	return 0;
}

long
sys_thread_sleep(struct trap_frame *tf)
{
	thread_sleep_ns(ARG(0));
	return 0;
}

long
sys_system_poweroff(struct trap_frame *tf)
{
	struct device *dev;
	int err = GET(ARG(0), OBJ_DEVICE, RIGHT_MANAGE, dev, struct device);

	if (err != 0)
		return err;
	kobj_put(&dev->obj);
	kprintf("lichen: powering off (status %ld)\n", (long)ARG(1));
	hal_poweroff();
}

long
sys_sys_info(struct trap_frame *tf)
{
	struct mem_stats ms;

	switch (ARG(0)) {
	case SYSINFO_NCPUS: {
		long n = 0;

		for (unsigned i = 0; i < ncpus; i++)
			n += cpus[i].online;
		return n;
	}
	case SYSINFO_CPU:
		return hal_cpu_index();
	case SYSINFO_FREE_PAGES:
		pmm_stats(&ms);
		return (long)ms.free;
	case SYSINFO_TOTAL_PAGES:
		pmm_stats(&ms);
		return (long)(ms.total - ms.reserved);	/* Linux's MemTotal: less what boot kept */
	case SYSINFO_TID:
		return thread_current()->tid;
	case SYSINFO_PID:
		return process_current()->pid;
	case SYSINFO_ASID_ROLLOVERS:
		return (long)vmspace_asid_rollovers();
	case SYSINFO_REALTIME:
		return realtime_base_ns == 0 ? -ENODEV : (long)(realtime_base_ns + clock_ns());
	case SYSINFO_THREAD_CPU: {
		struct thread *t;
		long ns;
		int err;

		if (ARG(1) == 0)
			return (long)thread_cpu_ns(thread_current());
		if ((err = GET(ARG(1), OBJ_THREAD, RIGHT_READ, t, struct thread)) != 0)
			return err;
		ns = (long)thread_cpu_ns(t);
		kobj_put(&t->obj);
		return ns;
	}
	default:
		return -EINVAL;
	}
}

/* --- the personality path --- */

void
syscall_personality(struct trap_frame *tf, uint64_t label)
{
	struct thread *t = thread_current();
	struct kmsg m = { .label = label, .badge = t->obj.koid };
	int err;

	list_init(&m.link);
	if (label == LABEL_SYSCALL) {
		for (int i = 0; i < 6; i++)
			m.w[i] = tf->x[i];
		m.w[6] = tf->x[8];
	} else if (label == LABEL_FAULT) {
		m.w[0] = tf->esr;
		m.w[1] = tf->far;
		m.w[2] = t->vs != NULL && tf->far < USER_TOP && vmspace_mapped(t->vs, tf->far);
	}
	m.w[7] = tf->elr;
	t->in_personality = true;	/* thread_regs may read and change tf now */
	err = endpoint_call_kernel(t->proc->personality, &m);
	t->in_personality = false;
	if (err == 0 && t->ipc_slot.label == LABEL_SYSCALL) {
		if (label == LABEL_SYSCALL)
			tf->x[0] = t->ipc_slot.w[0];
	} else if (err == 0 && t->ipc_slot.label == LABEL_THREAD_EXIT) {
		t->killed = true;	/* this thread only: it leaves at the kernel exit */
	} else if (err != -EINTR) {
		process_kill(t->proc, err == 0 && t->ipc_slot.label == LABEL_EXIT ?
		    (long)t->ipc_slot.w[0] : -EPIPE);
	}
	if (err == 0)
		kmsg_release(&t->ipc_slot);
}

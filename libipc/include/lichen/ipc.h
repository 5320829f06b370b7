/*
 * The IPC and handle ABI shared by the kernel, libipc and every native
 * program: handle rights, object types, message labels, the out-of-line
 * descriptor and the limits. docs/ipc.md is the reference; this header is
 * the single source of the numbers.
 *
 * A message is a label, IPC_WORDS inline words (carried in registers), an
 * optional out-of-line buffer of at most IPC_BUF_MAX bytes (copied by the
 * kernel) and at most IPC_HANDLES handles (copied into the receiver's
 * table, each needing RIGHT_TRANSFER in the sender's).
 */
#ifndef LICHEN_IPC_H
#define LICHEN_IPC_H

#include <stdint.h>

typedef uint32_t handle_t;		/* an index into the caller's handle table */
#define HANDLE_NONE	0u		/* never a valid handle */

/* Rights a handle carries; dup can only take rights away. */
#define RIGHT_READ	0x01u		/* read memory / state */
#define RIGHT_WRITE	0x02u		/* write memory / change state */
#define RIGHT_MAP	0x04u		/* map into a vmspace */
#define RIGHT_SEND	0x08u		/* send to an endpoint, signal */
#define RIGHT_RECV	0x10u		/* receive from an endpoint */
#define RIGHT_MANAGE	0x20u		/* kill, bind, start, device access */
#define RIGHT_TRANSFER	0x40u		/* pass the handle in a message */
#define RIGHTS_ALL	0x7fu

/* Kernel object types (handle_info reports them). */
enum obj_type {
	OBJ_NONE, OBJ_PROCESS, OBJ_THREAD, OBJ_VMSPACE, OBJ_MEMOBJ,
	OBJ_ENDPOINT, OBJ_NOTIFY, OBJ_IRQ, OBJ_TIMER, OBJ_REPLY, OBJ_DEVICE,
	OBJ_NTYPES
};

#define IPC_WORDS	8		/* inline words per message */
#define IPC_HANDLES	4		/* handles per message */
#define IPC_BUF_MAX	65536u		/* bytes of out-of-line data per message */
#define IPC_DEPTH_MAX	4096u		/* deepest endpoint queue */
#define IPC_DEPTH_DEFAULT 64u

/*
 * Labels: the high 32 bits name a protocol, the low 32 bits an operation.
 * Protocol 0 is the kernel's: the messages it posts by itself.
 */
#define IPC_LABEL(proto, op)	(((uint64_t)(proto) << 32) | (uint32_t)(op))
#define IPC_PROTO(label)	((uint32_t)((label) >> 32))
#define IPC_OP(label)		((uint32_t)(label))

#define PROTO_KERNEL	0u
/* w0 = pending bits (cleared by delivery); badge = the bind cookie. */
#define LABEL_NOTIFY	IPC_LABEL(PROTO_KERNEL, 1)
/* w0 = interrupt id; the line stays masked until irq_ack. */
#define LABEL_IRQ	IPC_LABEL(PROTO_KERNEL, 2)
/* w0 = expirations since the last delivery, w1 = the deadline (ns). */
#define LABEL_TIMER	IPC_LABEL(PROTO_KERNEL, 3)
/* w0 = exit status, w1 = the process id. */
#define LABEL_EXIT	IPC_LABEL(PROTO_KERNEL, 4)
/*
 * A thread of a personality process made an SVC, faulted, or was
 * interrupted (thread_interrupt). badge = the thread's koid (what
 * handle_info says of its handle). Syscall: w0-w5 = x0-x5, w6 = x8,
 * w7 = pc (after the svc). Fault: w0 = ESR, w1 = FAR, w2 = 1 if FAR is
 * inside a mapping (an access the protection refused), w7 = pc.
 * Interrupt: w7 = pc. A reply labelled LABEL_SYSCALL resumes the thread
 * (a syscall with x0 = w0; a fault retries the access; registers changed
 * with thread_regs meanwhile take effect); LABEL_THREAD_EXIT ends only
 * that thread; LABEL_EXIT ends the process with status w0; anything
 * else, or the personality dying, ends it with -EPIPE.
 */
#define LABEL_SYSCALL	IPC_LABEL(PROTO_KERNEL, 5)
#define LABEL_FAULT	IPC_LABEL(PROTO_KERNEL, 6)
#define LABEL_INTERRUPT	IPC_LABEL(PROTO_KERNEL, 8)
#define LABEL_THREAD_EXIT IPC_LABEL(PROTO_KERNEL, 9)
/*
 * An error answer from the kernel, posted to a send's reply endpoint
 * (badge = the send's cookie): the receiver closed the reply token
 * without answering, or died, or the endpoint lost its last receiver
 * (w0 = -EPIPE). ipc_call turns the same event into its return value.
 */
#define LABEL_ERROR	IPC_LABEL(PROTO_KERNEL, 7)

/*
 * Conventions every protocol above the kernel follows (libipc's stubs
 * rely on them): a request's label is IPC_LABEL(PROTO_x, op); its reply
 * has the same label and w0 = status (>= 0, or a negative errno); data
 * and handles travel in the out-of-line part.
 */

/*
 * How a native program starts (the kernel starts init this way, init
 * every server): pc = the ELF entry, sp = 16-byte aligned, pointing at
 * argc, then argv[0..argc-1], then a NULL; x0 = the thread_create arg.
 * For servers that is a send handle to init's name endpoint (PROTO_NAME),
 * and for drivers (the manifest's `driver` lines) x1 = the device handle
 * (RIGHT_MANAGE only); for init the kernel passes x0 = a device handle (RIGHT_MANAGE: MMIO,
 * IRQs, poweroff), x1 = where the boot archive is mapped (read-only),
 * x2 = its length. Native programs load at NATIVE_LOAD_BASE and get a
 * stack of NATIVE_STACK_SIZE just below NATIVE_STACK_TOP.
 */
#define NATIVE_LOAD_BASE	0x400000UL
#define NATIVE_STACK_TOP	0x7ff000000000UL
#define NATIVE_STACK_SIZE	(256UL * 1024)
#define INIT_ARCHIVE_BASE	0x7f0000000000UL

/*
 * The out-of-line part of an IPC call (register x11; NULL when unused).
 * Inputs are read before anything happens; outputs are written after a
 * message arrives.
 */
struct ipc_ext {
	uint64_t sbuf, slen;		/* in: out-of-line data to send */
	uint64_t rbuf, rcap;		/* in: where received data may go */
	uint64_t rlen;			/* out: bytes received (≤ rcap) */
	handle_t shandles[IPC_HANDLES];	/* in: handles to pass */
	uint32_t nshandles;
	handle_t rhandles[IPC_HANDLES];	/* out: handles received */
	uint32_t nrhandles;
	handle_t reply_ep;		/* in (send): where the reply goes */
	uint32_t pad;
	uint64_t cookie;		/* in (send): tags the reply */
};

_Static_assert(sizeof(struct ipc_ext) == 96, "struct ipc_ext is ABI");

/*
 * thread_regs' layouts (the Linux aarch64 user_pt_regs / user_fpsimd_state
 * order). Setting pstate changes only the condition flags (NZCV).
 */
struct user_regs {
	uint64_t x[31];
	uint64_t sp, pc, pstate;
	uint64_t tpidr_el0;		/* the TLS register */
};

_Static_assert(sizeof(struct user_regs) == 280, "struct user_regs is ABI");

struct user_fpregs {
	uint64_t v[64];			/* q0-q31, low half first */
	uint32_t fpsr, fpcr;
};

_Static_assert(sizeof(struct user_fpregs) == 520, "struct user_fpregs is ABI");

/* handle_info's answer. */
struct handle_info {
	uint32_t type;			/* enum obj_type */
	uint32_t rights;
	uint64_t badge;
	uint64_t koid;			/* the object's id, unique while it lives */
};

/*
 * dev_list's answer: one device the kernel found in the device tree and
 * offers to drivers that hold the device handle (docs/ipc.md, "Devices"):
 * every "virtio,mmio" transport, the PL011 UARTs, the PL031 RTC. Its
 * registers need not be page aligned (virtio-mmio transports are 0x200
 * apart): a driver maps the page(s) around them with mmio_map.
 */
#define DEV_COMPAT_MAX	32

struct dev_desc {
	char compatible[DEV_COMPAT_MAX];	/* which of those, NUL-terminated */
	uint64_t base, size;		/* its first "reg" range */
	uint32_t intid;			/* its first interrupt's GIC INTID; 0: none */
	uint32_t pad;
};

_Static_assert(sizeof(struct dev_desc) == 56, "struct dev_desc is ABI");

/* Memory protection for vm_map / vm_protect. */
#define PROT_R		0x1u
#define PROT_W		0x2u
#define PROT_X		0x4u

#endif

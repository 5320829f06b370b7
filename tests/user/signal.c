/*
 * signal: signals a process sends itself, compared with Linux.
 * rt_sigaction (and reading an action back), raise/kill/tgkill/sigqueue
 * and the siginfo each gives, blocking, pending and the order of
 * delivery, SA_RESETHAND, SA_NODEFER, nested handlers, every register
 * (general, SIMD, NZCV, FPCR, FPSR) preserved across a handler that
 * clobbers them, a handler's edits to its ucontext taking effect at
 * sigreturn, SIG_IGN, sigaltstack with SA_ONSTACK, rt_sigtimedwait,
 * sigsuspend, and the errors (EINVAL, ESRCH, EFAULT, EPERM, ENOMEM).
 *
 * Handlers only record; main prints.
 */
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "linuxtest.h"

/* The kernel's struct sigaction on arm64, for raw rt_sigaction. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static volatile sig_atomic_t hits, depth, max_depth, order[8], norder;
static volatile int blocked_in_handler, other_blocked_in_handler;
static siginfo_t info;

static void
install(int sig, void (*fn)(int), int flags, int masked)
{
	struct sigaction sa = {.sa_handler = fn, .sa_flags = flags};

	sigemptyset(&sa.sa_mask);
	if (masked)
		sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void
install_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = {
	    .sa_sigaction = fn, .sa_flags = SA_SIGINFO | flags};

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void
reset(void)
{
	hits = depth = max_depth = norder = 0;
	memset(&info, 0, sizeof(info));
}

static void
counter(int sig)
{
	hits++;
	if (norder < (int)NELEM(order))
		order[norder++] = sig;
}

static void
keep_info(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	hits++;
	info = *si;
}

/* Records whether its signal and SIGUSR2 are blocked while it runs. */
static void
mask_probe(int sig)
{
	sigset_t m;

	hits++;
	sigprocmask(SIG_BLOCK, NULL, &m);
	blocked_in_handler = sigismember(&m, sig);
	other_blocked_in_handler = sigismember(&m, SIGUSR2);
}

/* Raises its own signal once from inside: how deep does it nest? */
static void
reentrant(int sig)
{
	hits++;
	if (++depth > max_depth)
		max_depth = depth;
	if (hits == 1)
		raise(sig);
	depth--;
}

static void
nest_inner(int sig)
{
	(void)sig;
	if (++depth > max_depth)
		max_depth = depth;
	depth--;
}

static void
nest_outer(int sig)
{
	(void)sig;
	if (++depth > max_depth)
		max_depth = depth;
	raise(SIGUSR2);
	order[norder++] = max_depth; /* the inner handler already ran */
	depth--;
}

static const char *
flag_names(unsigned long f)
{
	static char s[96];

	snprintf(s, sizeof(s), "%s%s%s%s%s",
	    f & SA_SIGINFO ? " SA_SIGINFO" : "",
	    f & SA_RESTART ? " SA_RESTART" : "",
	    f & SA_NODEFER ? " SA_NODEFER" : "",
	    f & SA_RESETHAND ? " SA_RESETHAND" : "",
	    f & SA_ONSTACK ? " SA_ONSTACK" : "");
	return s[0] != '\0' ? s + 1 : "none";
}

static void
actions(void)
{
	struct sigaction sa = {.sa_handler = counter,
			     .sa_flags = SA_RESTART | SA_NODEFER},
			 old;
	struct ksigaction k = {.handler = (void *)counter}, ko;

	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	check("sigaction(SIGUSR1, handler)", sigaction(SIGUSR1, &sa, &old));
	expect("old action was SIG_DFL", old.sa_handler == SIG_DFL);
	check("sigaction(SIGUSR1, NULL, &old)", sigaction(SIGUSR1, NULL, &old));
	expect("read back: the handler", old.sa_handler == counter);
	say("read back: flags %s", flag_names(old.sa_flags));
	expect("read back: SIGUSR2 in the mask",
	    sigismember(&old.sa_mask, SIGUSR2));
	check("rt_sigaction(SIGKILL, act)",
	    syscall(SYS_rt_sigaction, SIGKILL, &k, NULL, 8));
	ko.handler = (void *)counter;
	check("rt_sigaction(SIGKILL, NULL, &old)",
	    syscall(SYS_rt_sigaction, SIGKILL, NULL, &ko, 8));
	expect("SIGKILL's action is SIG_DFL", ko.handler == SIG_DFL);
	check("rt_sigaction(SIGSTOP, act)",
	    syscall(SYS_rt_sigaction, SIGSTOP, &k, NULL, 8));
	check(
	    "rt_sigaction(0, act)", syscall(SYS_rt_sigaction, 0, &k, NULL, 8));
	check("rt_sigaction(65, act)",
	    syscall(SYS_rt_sigaction, 65, &k, NULL, 8));
	check("rt_sigaction(SIGUSR1, act, sigsetsize 4)",
	    syscall(SYS_rt_sigaction, SIGUSR1, &k, NULL, 4));
	check("rt_sigaction(SIGUSR1, bad act)",
	    syscall(SYS_rt_sigaction, SIGUSR1, BAD_PTR, NULL, 8));
	check("rt_sigaction(SIGUSR1, NULL, bad old)",
	    syscall(SYS_rt_sigaction, SIGUSR1, NULL, BAD_PTR, 8));
	check("rt_sigaction(SIGUSR1, NULL, &old) raw",
	    syscall(SYS_rt_sigaction, SIGUSR1, NULL, &ko, 8));
	expect("raw read back: the handler", ko.handler == (void *)counter);
	install(SIGUSR1, SIG_DFL, 0, 0);
}

static void
senders(void)
{
	union sigval v = {.sival_int = 42};

	install_info(SIGUSR1, keep_info, 0);
	reset();
	check("raise(SIGUSR1)", raise(SIGUSR1));
	say("raise: handler ran %d, si_signo %d, %s, si_pid %s", hits,
	    info.si_signo, codename(info.si_signo, info.si_code),
	    info.si_pid == getpid() ? "same" : "different");
	reset();
	check("kill(getpid(), SIGUSR1)", kill(getpid(), SIGUSR1));
	say("kill: handler ran %d, si_signo %d, %s, si_pid %s, si_uid %d", hits,
	    info.si_signo, codename(info.si_signo, info.si_code),
	    info.si_pid == getpid() ? "same" : "different", (int)info.si_uid);
	reset();
	check("tgkill(getpid(), gettid(), SIGUSR1)",
	    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1));
	say("tgkill: handler ran %d, %s", hits,
	    codename(info.si_signo, info.si_code));
	reset();
	check(
	    "sigqueue(getpid(), SIGUSR1, 42)", sigqueue(getpid(), SIGUSR1, v));
	say("sigqueue: handler ran %d, %s, si_value %d", hits,
	    codename(info.si_signo, info.si_code), info.si_value.sival_int);
	check("kill(getpid(), 0)", kill(getpid(), 0));
	check("kill(getpid(), 65)", kill(getpid(), 65));
	check("kill(getpid(), -1)", kill(getpid(), -1));
	check("kill(INT_MAX, 0)", kill(INT_MAX, 0));
	check("kill(INT_MAX, SIGUSR1)", kill(INT_MAX, SIGUSR1));
	check("tgkill(getpid(), INT_MAX, SIGUSR1)",
	    syscall(SYS_tgkill, getpid(), INT_MAX, SIGUSR1));
	check("tgkill(0, gettid(), SIGUSR1)",
	    syscall(SYS_tgkill, 0, syscall(SYS_gettid), SIGUSR1));
	check("tkill(0, SIGUSR1)", syscall(SYS_tkill, 0, SIGUSR1));
	check("tkill(-1, SIGUSR1)", syscall(SYS_tkill, -1, SIGUSR1));
	check(
	    "tkill(gettid(), 65)", syscall(SYS_tkill, syscall(SYS_gettid), 65));
	install(SIGUSR1, SIG_DFL, 0, 0);
}

static void
block(int how, int a, int b)
{
	sigset_t s;

	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	sigprocmask(how, &s, NULL);
}

static int
is_pending(int sig)
{
	sigset_t s;

	sigpending(&s);
	return sigismember(&s, sig);
}

static void
masks(void)
{
	sigset_t all, now;
	int rt1 = SIGRTMIN + 1, rt2 = SIGRTMIN + 2;

	install(SIGUSR1, counter, 0, 1);
	install(SIGUSR2, counter, 0, 1);
	reset();
	block(SIG_BLOCK, SIGUSR1, 0);
	raise(SIGUSR1);
	raise(SIGUSR1);
	say("blocked SIGUSR1 raised twice: handler ran %d, pending %s", hits,
	    is_pending(SIGUSR1) ? "yes" : "no");
	block(SIG_UNBLOCK, SIGUSR1, 0);
	say("after unblocking: handler ran %d (standard signals do not queue), "
	    "pending %s",
	    hits, is_pending(SIGUSR1) ? "yes" : "no");

	install(rt1, counter, 0, 1);
	install(rt2, counter, 0, 1);
	reset();
	block(SIG_BLOCK, rt1, rt2);
	raise(rt2);
	raise(rt1);
	raise(rt1);
	block(SIG_UNBLOCK, rt1, rt2);
	say("SIGRTMIN+2 then SIGRTMIN+1 twice, blocked then unblocked: %d "
	    "deliveries, "
	    "order %d %d %d",
	    hits, order[0] - SIGRTMIN, order[1] - SIGRTMIN,
	    order[2] - SIGRTMIN);

	reset();
	block(SIG_BLOCK, SIGUSR1, SIGUSR2);
	block(SIG_BLOCK, rt1, 0);
	raise(rt1);
	raise(SIGUSR2);
	raise(SIGUSR1);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	say("SIGRTMIN+1, SIGUSR2, SIGUSR1 pending: delivered %d, %d, then "
	    "SIGRTMIN+%d",
	    order[0], order[1], order[2] - SIGRTMIN);

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	sigprocmask(SIG_SETMASK, NULL, &now);
	expect("block everything: SIGKILL and SIGSTOP stay unblocked",
	    !sigismember(&now, SIGKILL) && !sigismember(&now, SIGSTOP));
	expect("block everything: SIGUSR1 blocked", sigismember(&now, SIGUSR1));
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	install(SIGUSR1, mask_probe, 0, 0);
	{
		struct sigaction sa = {.sa_handler = mask_probe};

		sigemptyset(&sa.sa_mask);
		sigaddset(&sa.sa_mask, SIGUSR2);
		sigaction(SIGUSR1, &sa, NULL);
	}
	reset();
	raise(SIGUSR1);
	expect("in the handler: its signal blocked", blocked_in_handler);
	expect("in the handler: sa_mask's SIGUSR2 blocked",
	    other_blocked_in_handler);
	sigprocmask(SIG_SETMASK, NULL, &now);
	expect("after the handler: neither blocked",
	    !sigismember(&now, SIGUSR1) && !sigismember(&now, SIGUSR2));

	check("sigprocmask(bad how)",
	    syscall(SYS_rt_sigprocmask, 99, &all, NULL, 8));
	check("rt_sigprocmask(sigsetsize 4)",
	    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, 4));
	check("rt_sigprocmask(bad set)",
	    syscall(SYS_rt_sigprocmask, SIG_BLOCK, BAD_PTR, NULL, 8));
	check("rt_sigprocmask(bad old set)",
	    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, BAD_PTR, 8));
	check("rt_sigpending(sigsetsize 16)",
	    syscall(SYS_rt_sigpending, &all, 16));
	check("rt_sigpending(bad pointer)",
	    syscall(SYS_rt_sigpending, BAD_PTR, 8));
	install(SIGUSR1, SIG_DFL, 0, 0);
	install(SIGUSR2, SIG_DFL, 0, 0);
}

static void
flags(void)
{
	struct sigaction old;

	install(SIGUSR1, mask_probe, SA_RESETHAND, 0);
	reset();
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &old);
	say("SA_RESETHAND: handler ran %d, action now %s, signal blocked in it "
	    "%s",
	    hits, old.sa_handler == SIG_DFL ? "SIG_DFL" : "still the handler",
	    blocked_in_handler ? "yes" : "no");

	install(SIGUSR1, reentrant, 0, 0);
	reset();
	raise(SIGUSR1);
	say("without SA_NODEFER: handler ran %d, deepest nesting %d", hits,
	    max_depth);
	install(SIGUSR1, reentrant, SA_NODEFER, 0);
	reset();
	raise(SIGUSR1);
	say("SA_NODEFER: handler ran %d, deepest nesting %d", hits, max_depth);

	install(SIGUSR1, nest_outer, 0, 0);
	install(SIGUSR2, nest_inner, 0, 0);
	reset();
	raise(SIGUSR1);
	say("SIGUSR2 raised in SIGUSR1's handler: nesting %d, inner done "
	    "before outer went on: %s",
	    max_depth, order[0] == 2 ? "yes" : "no");
	install(SIGUSR1, SIG_DFL, 0, 0);
	install(SIGUSR2, SIG_DFL, 0, 0);
}

static void
ignored(void)
{
	install(SIGUSR1, SIG_IGN, 0, 0);
	check("raise(SIGUSR1) with SIG_IGN", raise(SIGUSR1));
	expect("SIG_IGN: left pending", is_pending(SIGUSR1));
	block(SIG_BLOCK, SIGUSR1, 0);
	raise(SIGUSR1);
	expect("ignored but blocked: pending", is_pending(SIGUSR1));
	install(SIGUSR1, SIG_IGN, 0, 0);
	expect("setting SIG_IGN again discards it", !is_pending(SIGUSR1));
	block(SIG_UNBLOCK, SIGUSR1, 0);
	install(SIGUSR1, SIG_DFL, 0, 0);
	check("raise(SIGURG) with SIG_DFL (ignored by default)", raise(SIGURG));
	check("raise(SIGWINCH) with SIG_DFL (ignored by default)",
	    raise(SIGWINCH));
	check(
	    "raise(SIGCHLD) with SIG_DFL (ignored by default)", raise(SIGCHLD));
}

/*
 * probe_regs(out, pid, sig): set x1-x28 (x0 and x1 carry kill's
 * arguments), v0-v31, NZCV, FPCR and FPSR to known values, kill(pid,
 * sig) with svc, and store them all in out[0..95] as they are after.
 * xN is (0xa000 + N) << 48 | (0x1000 + N); every byte of vN is 0x40 + N.
 */
#define PROBE_NZCV 0xa0000000UL /* N and C */
#define PROBE_FPCR 0x00c00000UL /* round towards zero */
#define PROBE_FPSR 0x08000011UL /* QC, IXC, IOC */
void probe_regs(uint64_t *out, long pid, long sig);
__asm__(
    ".text\n"
    ".global probe_regs\n"
    ".type probe_regs, %function\n"
    "probe_regs:\n"
    "	stp x29, x30, [sp, #-176]!\n"
    "	mov x29, sp\n"
    "	stp x19, x20, [sp, #16]\n"
    "	stp x21, x22, [sp, #32]\n"
    "	stp x23, x24, [sp, #48]\n"
    "	stp x25, x26, [sp, #64]\n"
    "	stp x27, x28, [sp, #80]\n"
    "	stp d8, d9, [sp, #96]\n"
    "	stp d10, d11, [sp, #112]\n"
    "	stp d12, d13, [sp, #128]\n"
    "	stp d14, d15, [sp, #144]\n"
    "	str x0, [sp, #160]\n"
    "	mov x0, x1\n"
    "	mov x1, x2\n"
    "	.irp n, "
    "2,3,4,5,6,7,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28\n"
    "	movz x\\n, #(0x1000 + \\n)\n"
    "	movk x\\n, #(0xa000 + \\n), lsl #48\n"
    "	.endr\n"
    "	.irp n, "
    "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,"
    "28,29,30,31\n"
    "	movi v\\n\\().16b, #(0x40 + \\n)\n"
    "	.endr\n"
    "	movz x8, #0x00c0, lsl #16\n"
    "	msr fpcr, x8\n"
    "	movz x8, #0x0011\n"
    "	movk x8, #0x0800, lsl #16\n"
    "	msr fpsr, x8\n"
    "	movz x8, #0xa000, lsl #16\n"
    "	msr nzcv, x8\n"
    "	mov x8, #129\n" /* kill */
    "	svc #0\n"
    "	ldr x30, [sp, #160]\n"
    "	stp x0, x1, [x30, #0]\n"
    "	stp x2, x3, [x30, #16]\n"
    "	stp x4, x5, [x30, #32]\n"
    "	stp x6, x7, [x30, #48]\n"
    "	stp x8, x9, [x30, #64]\n"
    "	stp x10, x11, [x30, #80]\n"
    "	stp x12, x13, [x30, #96]\n"
    "	stp x14, x15, [x30, #112]\n"
    "	stp x16, x17, [x30, #128]\n"
    "	stp x18, x19, [x30, #144]\n"
    "	stp x20, x21, [x30, #160]\n"
    "	stp x22, x23, [x30, #176]\n"
    "	stp x24, x25, [x30, #192]\n"
    "	stp x26, x27, [x30, #208]\n"
    "	str x28, [x30, #224]\n"
    "	mrs x9, nzcv\n"
    "	str x9, [x30, #232]\n"
    "	mrs x9, fpcr\n"
    "	str x9, [x30, #240]\n"
    "	mrs x9, fpsr\n"
    "	str x9, [x30, #248]\n"
    "	add x9, x30, #256\n"
    "	st1 {v0.16b-v3.16b}, [x9], #64\n"
    "	st1 {v4.16b-v7.16b}, [x9], #64\n"
    "	st1 {v8.16b-v11.16b}, [x9], #64\n"
    "	st1 {v12.16b-v15.16b}, [x9], #64\n"
    "	st1 {v16.16b-v19.16b}, [x9], #64\n"
    "	st1 {v20.16b-v23.16b}, [x9], #64\n"
    "	st1 {v24.16b-v27.16b}, [x9], #64\n"
    "	st1 {v28.16b-v31.16b}, [x9], #64\n"
    "	msr fpcr, xzr\n"
    "	msr fpsr, xzr\n"
    "	ldp x19, x20, [sp, #16]\n"
    "	ldp x21, x22, [sp, #32]\n"
    "	ldp x23, x24, [sp, #48]\n"
    "	ldp x25, x26, [sp, #64]\n"
    "	ldp x27, x28, [sp, #80]\n"
    "	ldp d8, d9, [sp, #96]\n"
    "	ldp d10, d11, [sp, #112]\n"
    "	ldp d12, d13, [sp, #128]\n"
    "	ldp d14, d15, [sp, #144]\n"
    "	ldp x29, x30, [sp], #176\n"
    "	ret\n"
    ".size probe_regs, . - probe_regs\n");

/* A handler that leaves no register as it found it. */
static void
clobber(int sig)
{
	volatile double d = sig;

	hits++;
	d = d / 3.0; /* sets FPSR.IXC in the handler's own FPSR */
	__asm__ volatile(
	    ".irp n, "
	    "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,"
	    "25,26,27,28,29,30,31\n"
	    "movi v\\n\\().16b, #0xee\n"
	    ".endr\n"
	    "movz x9, #0x0040, lsl #16\n" /* round towards plus infinity */
	    "msr fpcr, x9\n"
	    "msr fpsr, xzr\n"
	    "msr nzcv, xzr\n"
	    ".irp n, "
	    "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,"
	    "25,26,27,28\n"
	    "mov x\\n, #0x5555\n"
	    ".endr\n" ::
		: "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9",
	    "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18",
	    "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26", "x27",
	    "x28", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9",
	    "v10", "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18",
	    "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27",
	    "v28", "v29", "v30", "v31", "cc", "memory");
	__asm__ volatile("msr fpcr, xzr");
	(void)d;
}

/*
 * A handler that changes x20 and v5 in the context sigreturn restores.
 * qemu-aarch64 emulates a CPU with SVE and always fills the SVE record;
 * Linux does only once a thread has used SVE.
 */
static void
edit_context(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;
	struct _aarch64_ctx *c =
	    (struct _aarch64_ctx *)uc->uc_mcontext.__reserved;

	(void)sig, (void)si;
	hits++;
	uc->uc_mcontext.regs[20] = 0x1234;
	for (; c->magic != 0;
	     c = (struct _aarch64_ctx *)((char *)c + c->size)) {
		if (c->magic == FPSIMD_MAGIC) {
			struct fpsimd_context *f = (struct fpsimd_context *)c;

			memset(&f->vregs[5], 0x77, sizeof(f->vregs[5]));
		}
		/* With SVE live, sigreturn takes v5 from z5's low 128 bits. */
		if (c->magic == SVE_MAGIC && c->size > SVE_SIG_REGS_OFFSET) {
			unsigned vq =
			    sve_vq_from_vl(((struct sve_context *)c)->vl);

			memset(
			    (char *)c + SVE_SIG_ZREG_OFFSET(vq, 5), 0x77, 16);
		}
	}
}

static uint64_t
xpattern(int n)
{
	return (uint64_t)(0xa000 + n) << 48 | (uint64_t)(0x1000 + n);
}

/* How many of x0-x28, NZCV, FPCR, FPSR and v0-v31 differ from expected. */
static int
probe_mismatches(const uint64_t *out, int sig, int skip_x20_v5)
{
	const unsigned char *v = (const unsigned char *)(out + 32);
	int bad = 0;

	bad += out[0] != 0;
	bad += out[1] != (uint64_t)sig;
	bad += out[8] != 129;
	for (int n = 2; n <= 28; n++)
		if (n != 8 && !(skip_x20_v5 && n == 20))
			bad += out[n] != xpattern(n);
	bad += (out[29] & 0xf0000000UL) != PROBE_NZCV;
	bad += out[30] != PROBE_FPCR;
	bad += out[31] != PROBE_FPSR;
	for (int n = 0; n < 32; n++)
		for (int i = 0; i < 16; i++)
			if (!(skip_x20_v5 && n == 5))
				bad += v[16 * n + i] != 0x40 + n;
	return bad;
}

static void
registers(void)
{
	static uint64_t out[96];
	const unsigned char *v = (const unsigned char *)(out + 32);
	int v5 = 1;

	reset();
	probe_regs(out, getpid(), 0);
	say("registers across kill(self, 0): %d differ",
	    probe_mismatches(out, 0, 0));
	install(SIGUSR1, clobber, 0, 0);
	probe_regs(out, getpid(), SIGUSR1);
	say("registers across a clobbering handler: handler ran %d, %d differ",
	    hits, probe_mismatches(out, SIGUSR1, 0));
	reset();
	install_info(SIGUSR1, edit_context, 0);
	probe_regs(out, getpid(), SIGUSR1);
	for (int i = 0; i < 16; i++)
		v5 &= v[16 * 5 + i] == 0x77;
	say("a handler's edits to its ucontext: handler ran %d, x20 %#lx, v5 "
	    "%s, %d others differ",
	    hits, (unsigned long)out[20], v5 ? "edited" : "not edited",
	    probe_mismatches(out, SIGUSR1, 1));
	install(SIGUSR1, SIG_DFL, 0, 0);

	/* The same through C: doubles live across a signal in a loop. */
	{
		volatile double acc = 0;
		double a = 1.5, b = 0.25;

		install(SIGUSR1, clobber, 0, 0);
		for (int i = 0; i < 100; i++) {
			a = a * 1.0001 + b;
			if (i % 10 == 0)
				raise(SIGUSR1);
			acc += a - b;
		}
		say("doubles across 10 signals in a loop: %.6f", acc);
		install(SIGUSR1, SIG_DFL, 0, 0);
	}
}

#define ALT_SIZE 65536
static char *alt;
static volatile int on_alt, flags_in_handler, eperm_in_handler;

static void
alt_probe(int sig)
{
	char here;
	stack_t cur, other = {.ss_sp = alt, .ss_size = ALT_SIZE};

	(void)sig;
	hits++;
	on_alt = &here >= alt && &here < alt + ALT_SIZE;
	sigaltstack(NULL, &cur);
	flags_in_handler = cur.ss_flags;
	eperm_in_handler = sigaltstack(&other, NULL) == -1 ? errno : 0;
}

static void
altstack(void)
{
	stack_t ss, old;

	alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check("sigaltstack(NULL, &old)", sigaltstack(NULL, &old));
	say("initial ss_flags: %s",
	    old.ss_flags == SS_DISABLE ? "SS_DISABLE" : "other");
	ss = (stack_t){.ss_sp = alt, .ss_size = ALT_SIZE};
	check("sigaltstack(64 KiB)", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &old);
	expect("read back: the same stack, ss_flags 0",
	    old.ss_sp == alt && old.ss_size == ALT_SIZE && old.ss_flags == 0);

	install(SIGUSR1, alt_probe, SA_ONSTACK, 0);
	reset();
	raise(SIGUSR1);
	say("SA_ONSTACK: handler ran %d, on alt stack %s, ss_flags %s, "
	    "sigaltstack in it %s",
	    hits, on_alt ? "yes" : "no",
	    flags_in_handler == SS_ONSTACK ? "SS_ONSTACK" : "other",
	    errname(eperm_in_handler));
	install(SIGUSR1, alt_probe, 0, 0);
	raise(SIGUSR1);
	say("without SA_ONSTACK: on alt stack %s, ss_flags %d",
	    on_alt ? "yes" : "no", flags_in_handler);
	install(SIGUSR1, SIG_DFL, 0, 0);

	ss.ss_size = 1024;
	check("sigaltstack(1 KiB)", sigaltstack(&ss, NULL));
	ss.ss_size = ALT_SIZE;
	ss.ss_flags = 99;
	check("sigaltstack(bad flags)", sigaltstack(&ss, NULL));
	check("sigaltstack(bad pointer)",
	    syscall(SYS_sigaltstack, BAD_PTR, NULL));
	check("sigaltstack(NULL, bad pointer)",
	    syscall(SYS_sigaltstack, NULL, BAD_PTR));
	ss.ss_flags = SS_DISABLE;
	check("sigaltstack(SS_DISABLE)", sigaltstack(&ss, NULL));
	sigaltstack(NULL, &old);
	say("ss_flags now: %s",
	    old.ss_flags == SS_DISABLE ? "SS_DISABLE" : "other");
}

static void
waiting(void)
{
	struct timespec zero = {0, 0}, ten_ms = {0, 10000000},
			bad = {0, 2000000000};
	sigset_t set, empty, now;
	siginfo_t si;

	install(SIGUSR1, counter, 0, 0);
	reset();
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	memset(&si, 0, sizeof(si));
	check("sigtimedwait(SIGUSR1 pending)", sigtimedwait(&set, &si, &zero));
	say("sigtimedwait: si_signo %d, %s, handler ran %d, still pending %s",
	    si.si_signo, codename(si.si_signo, si.si_code), hits,
	    is_pending(SIGUSR1) ? "yes" : "no");
	check("sigtimedwait(nothing pending, timeout 0)",
	    sigtimedwait(&set, &si, &zero));
	check("sigtimedwait(nothing pending, 10 ms)",
	    sigtimedwait(&set, &si, &ten_ms));
	check("sigtimedwait(bad timeout)", sigtimedwait(&set, &si, &bad));
	check("rt_sigtimedwait(sigsetsize 4)",
	    syscall(SYS_rt_sigtimedwait, &set, &si, &zero, 4));
	check("rt_sigtimedwait(bad set)",
	    syscall(SYS_rt_sigtimedwait, BAD_PTR, &si, &zero, 8));
	raise(SIGUSR1);
	check("rt_sigtimedwait(bad info)",
	    syscall(SYS_rt_sigtimedwait, &set, BAD_PTR, &zero, 8));
	expect("the signal was taken all the same", !is_pending(SIGUSR1));

	reset();
	raise(SIGUSR1);
	check(
	    "sigsuspend(empty mask) with SIGUSR1 pending", sigsuspend(&empty));
	sigprocmask(SIG_BLOCK, NULL, &now);
	say("sigsuspend: handler ran %d, SIGUSR1 blocked again after %s", hits,
	    sigismember(&now, SIGUSR1) ? "yes" : "no");
	check("rt_sigsuspend(sigsetsize 4)",
	    syscall(SYS_rt_sigsuspend, &empty, 4));
	check(
	    "rt_sigsuspend(bad mask)", syscall(SYS_rt_sigsuspend, BAD_PTR, 8));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	install(SIGUSR1, SIG_DFL, 0, 0);
}

int
main(void)
{
	actions();
	senders();
	masks();
	flags();
	ignored();
	registers();
	altstack();
	waiting();
	return 0;
}

/*
 * segv: memory faults as signals, compared with Linux. Each bad access
 * (unmapped, read-only, PROT_NONE, null, code written, data executed,
 * a jump to nowhere) must give SIGSEGV with the right si_code
 * (SEGV_MAPERR or SEGV_ACCERR) and si_addr the faulting address; the
 * program recovers with siglongjmp. A handler can also mend the fault
 * and return (the access runs again), or step over the instruction
 * through its ucontext; a stack overflow is caught on the alternate
 * stack.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "linuxtest.h"

#define PAGE 4096

static sigjmp_buf env;
static volatile sig_atomic_t faults;
static siginfo_t fault;

static void
on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	faults++;
	fault = *si;
	siglongjmp(env, 1);
}

static void
install(void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = {
	    .sa_sigaction = fn, .sa_flags = SA_SIGINFO | flags};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

static char *
map(int prot)
{
	return mmap(NULL, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

enum { READ, WRITE, EXEC };

/* Access addr one way and say how it faulted. */
static void
try(const char *what, int how, void *addr)
{
	volatile char *p = addr;

	faults = 0;
	memset(&fault, 0, sizeof(fault));
	if (sigsetjmp(env, 1) == 0) {
		if (how == READ)
			(void)*p;
		else if (how == WRITE)
			*p = 1;
		else
			((void (*)(void))addr)();
		say("%s: no fault", what);
		return;
	}
	say("%s: signal %d, %s, si_addr %s", what, fault.si_signo,
	    codename(fault.si_signo, fault.si_code),
	    fault.si_addr == addr ? "exact" : "other");
}

static void
bad_accesses(void)
{
	char *gone = map(PROT_READ | PROT_WRITE),
	     *ro = map(PROT_READ | PROT_WRITE);
	char *none = map(PROT_NONE), *data = map(PROT_READ | PROT_WRITE);
	static const uint32_t ret = 0xd65f03c0; /* ret */

	munmap(gone, PAGE);
	try("read of an unmapped page", READ, gone + 100);
	try("write to an unmapped page", WRITE, gone + 200);
	ro[10] = 7;
	mprotect(ro, PAGE, PROT_READ);
	try("read of a read-only page", READ, ro + 10);
	say("it reads back: %d", ro[10]);
	try("write to a read-only page", WRITE, ro + 300);
	try("read of a PROT_NONE page", READ, none + 4095);
	try("write to a PROT_NONE page", WRITE, none);
	try("read through a null pointer", READ, NULL);
	try("write to the program's code", WRITE,
	    (void *)(uintptr_t)bad_accesses);
	memcpy(data, &ret, sizeof(ret));
	try("call into a data page", EXEC, data);
	try("call into an unmapped page", EXEC, gone);
	mprotect(data, PAGE, PROT_READ | PROT_EXEC);
	__builtin___clear_cache(data, data + sizeof(ret));
	try("call into the same page made executable", EXEC, data);
	munmap(ro, PAGE);
	munmap(none, PAGE);
	munmap(data, PAGE);
}

static void
masks_after(void)
{
	char *gone = map(PROT_READ);
	sigset_t now;

	munmap(gone, PAGE);
	try("fault", READ, gone);
	sigprocmask(SIG_BLOCK, NULL, &now);
	expect("SIGSEGV unblocked after siglongjmp(sigsetjmp(env, 1))",
	    !sigismember(&now, SIGSEGV));
	if (sigsetjmp(env, 0) == 0)
		(void)*(volatile char *)gone;
	sigprocmask(SIG_BLOCK, NULL, &now);
	expect("SIGSEGV still blocked after siglongjmp(sigsetjmp(env, 0))",
	    sigismember(&now, SIGSEGV));
	sigprocmask(SIG_UNBLOCK, &now, NULL);
}

static char *mend_page;

/* Make the page writable and return: the store runs again. */
static void
mend(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	faults++;
	fault = *si;
	mprotect(mend_page, PAGE, PROT_READ | PROT_WRITE);
}

static uintptr_t fault_pc;

/* Step over the faulting instruction, noting where it was. */
static void
skip(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;

	(void)sig, (void)si;
	faults++;
	fault_pc = uc->uc_mcontext.pc;
	uc->uc_mcontext.pc += 4;
}

static void
handlers_that_return(void)
{
	uintptr_t at;
	long x = 5;

	mend_page = map(PROT_READ);
	install(mend, 0);
	faults = 0;
	*(volatile char *)(mend_page + 8) = 42;
	say("store to a read-only page, the handler mprotects it: %d fault, "
	    "then %s, value %d",
	    faults, codename(SIGSEGV, fault.si_code), mend_page[8]);
	munmap(mend_page, PAGE);

	install(skip, 0);
	faults = 0;
	__asm__ volatile("adr %0, 1f\n"
			 "mov x1, #0\n"
			 "1: ldr %1, [x1]\n"
			 : "=&r"(at), "+r"(x)::"x1", "memory");
	say("ldr from address 0, the handler steps over it: %d fault, pc %s, x "
	    "unchanged %s",
	    faults, fault_pc == at ? "at the ldr" : "elsewhere",
	    x == 5 ? "yes" : "no");
	install(on_segv, 0);
}

static volatile int depth_limit = 1 << 30; /* far past any stack */

static int
recurse(int n)
{
	volatile char frame[1024];

	frame[0] = (char)n;
	if (n >= depth_limit)
		return 0;
	return recurse(n + 1) + frame[0];
}

static char *alt;
#define ALT_SIZE 65536

static void
on_overflow(int sig, siginfo_t *si, void *uc)
{
	char here;

	(void)sig, (void)si, (void)uc;
	faults++;
	if (&here >= alt && &here < alt + ALT_SIZE)
		siglongjmp(env, 2);
	siglongjmp(env, 1);
}

static void
stack_overflow(void)
{
	stack_t ss;
	int r;

	alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ss = (stack_t){.ss_sp = alt, .ss_size = ALT_SIZE};
	sigaltstack(&ss, NULL);
	install(on_overflow, SA_ONSTACK);
	faults = 0;
	if ((r = sigsetjmp(env, 1)) == 0)
		recurse(0);
	say("unbounded recursion: SIGSEGV %d, handled on the alternate stack "
	    "%s",
	    faults, r == 2 ? "yes" : "no");
	install(on_segv, 0);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
}

static void
tagged_pointer(void)
{
	static volatile int word = 1234;
	volatile int *tagged =
	    (volatile int *)((uintptr_t)&word | 0x5a00000000000000UL);

	faults = 0;
	if (sigsetjmp(env, 1) == 0)
		say("load through a pointer with a top-byte tag: %d", *tagged);
	else
		say("load through a pointer with a top-byte tag: SIGSEGV");
}

int
main(void)
{
	install(on_segv, 0);
	bad_accesses();
	masks_after();
	handlers_that_return();
	stack_overflow();
	tagged_pointer();
	return 0;
}

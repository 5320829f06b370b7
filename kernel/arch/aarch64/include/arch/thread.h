/* A kernel thread's saved machine state (switch.S keeps the layout). */
#ifndef ARCH_THREAD_H
#define ARCH_THREAD_H

#include <stdint.h>

struct arch_ctx {
	uint64_t x19_x30[12];	/* x19-x29, x30 (the resume address) */
	uint64_t sp;
	uint64_t tpidr_el0;	/* the user TLS register */
	uint64_t fpsr, fpcr;
	uint64_t q[64] __attribute__((aligned(16)));	/* q0-q31 */
};

_Static_assert(__builtin_offsetof(struct arch_ctx, sp) == 96, "switch.S");
_Static_assert(__builtin_offsetof(struct arch_ctx, fpsr) == 112, "switch.S");
_Static_assert(__builtin_offsetof(struct arch_ctx, q) == 128, "switch.S");

void arch_switch(struct arch_ctx *prev, struct arch_ctx *next);
void arch_fp_save(struct arch_ctx *ctx);
void arch_fp_load(struct arch_ctx *ctx);

/*
 * FP/SIMD access for this CPU: on, or trapped at EL0 and EL1 (the first
 * use then loads the running thread's state: sched.c, fp_trap).
 */
static inline void
arch_fp_access(int on)
{
	uint64_t v = on ? (3UL << 20) : 0;

	__asm__ volatile("msr cpacr_el1, %0; isb" :: "r"(v) : "memory");
}
void arch_thread_start(void);
void arch_user_first(void);

/* Set up ctx so that switching to it calls thread_first_run(fn, arg). */
static inline void
arch_ctx_init(struct arch_ctx *ctx, uint64_t stack_top, void (*fn)(void *),
    void *arg)
{
	for (unsigned i = 0; i < sizeof(*ctx) / 8; i++)
		((uint64_t *)ctx)[i] = 0;
	ctx->x19_x30[0] = (uint64_t)fn;
	ctx->x19_x30[1] = (uint64_t)arg;
	ctx->x19_x30[11] = (uint64_t)arch_thread_start;
	ctx->sp = stack_top;
}

/*
 * Set up ctx so that switching to it finishes the switch and returns to
 * EL0 through the trap frame at frame (the top of the thread's stack).
 */
static inline void
arch_ctx_init_user(struct arch_ctx *ctx, uint64_t frame)
{
	for (unsigned i = 0; i < sizeof(*ctx) / 8; i++)
		((uint64_t *)ctx)[i] = 0;
	ctx->x19_x30[11] = (uint64_t)arch_user_first;
	ctx->sp = frame;
}

#endif

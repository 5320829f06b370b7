/* The native test helpers (nt.h). */
#include "nt.h"

unsigned nt_checks, nt_failures;
handle_t nt_given[NT_MAX_GIVE];

#define STACK_SIZE	(64 * 1024)
#define STACK_AREA	0x100000000UL	/* thread and child stacks from here up */

static uint64_t next_stack = STACK_AREA;

static uint64_t
new_stack(handle_t vs)
{
	uint64_t base = __atomic_fetch_add(&next_stack, STACK_SIZE + 4096, __ATOMIC_RELAXED);

	if (vm_map(vs, base, STACK_SIZE, PROT_R | PROT_W, 0, 0) != 0)
		return 0;
	return base + STACK_SIZE;
}

int
nt_summary(void)
{
	if (nt_failures == 0)
		printf("%s: all %u checks passed\n", nt_name, nt_checks);
	else
		printf("%s: %u of %u checks FAILED\n", nt_name, nt_failures, nt_checks);
	return nt_failures == 0 ? 0 : 1;
}

struct start {
	void (*fn)(uint64_t);
	uint64_t arg;
};

static struct start starts[64];
static unsigned nstarts;

static void
thread_entry(uint64_t i)
{
	starts[i].fn(starts[i].arg);
	thread_exit();
}

long
nt_thread(void (*fn)(uint64_t), uint64_t arg, int cpu)
{
	long vs = process_vmspace(0), t;
	unsigned i = __atomic_fetch_add(&nstarts, 1, __ATOMIC_RELAXED);
	uint64_t sp;

	if (vs < 0 || i >= 64)
		return vs < 0 ? vs : -ENOMEM;
	sp = new_stack((handle_t)vs);
	handle_close((handle_t)vs);
	starts[i].fn = fn;
	starts[i].arg = arg;
	t = thread_create(0, (uint64_t)thread_entry, sp, i);
	if (t < 0)
		return t;
	if (cpu >= 0)
		thread_affinity((handle_t)t, 1UL << cpu);
	thread_start((handle_t)t);
	return t;
}

static long fork_with(const char *name, void (*fn)(uint64_t), uint64_t arg,
    const handle_t *give, unsigned ngive, handle_t *given, handle_t personality,
    handle_t *thread);

long
nt_fork(const char *name, void (*fn)(uint64_t), uint64_t arg,
    const handle_t *give, unsigned ngive, handle_t *given)
{
	return fork_with(name, fn, arg, give, ngive, given, HANDLE_NONE, NULL);
}

long
nt_fork_personality(const char *name, void (*fn)(uint64_t), uint64_t arg,
    handle_t personality, handle_t *thread)
{
	return fork_with(name, fn, arg, NULL, 0, NULL, personality, thread);
}

static long
fork_with(const char *name, void (*fn)(uint64_t), uint64_t arg,
    const handle_t *give, unsigned ngive, handle_t *given, handle_t personality,
    handle_t *thread)
{
	long vs = process_vmspace(0), copy, p, t;
	uint64_t sp;

	if (vs < 0)
		return vs;
	sp = new_stack((handle_t)vs);	/* in ours: the clone gets a copy */
	copy = vm_clone((handle_t)vs);
	handle_close((handle_t)vs);
	if (sp == 0 || copy < 0)
		return copy < 0 ? copy : -ENOMEM;
	p = process_create_vs(name, strlen(name), personality, (handle_t)copy);
	if (p < 0 || ngive > NT_MAX_GIVE) {
		handle_close((handle_t)copy);
		return p < 0 ? p : -EINVAL;
	}
	for (unsigned i = 0; i < ngive; i++) {
		struct handle_info hi;
		long h = handle_info(give[i], &hi) == 0 ?
		    process_give((handle_t)p, give[i], hi.rights) : -EBADF;
		handle_t v = h > 0 ? (handle_t)h : HANDLE_NONE;

		if (given != NULL)
			given[i] = v;
		/* The child reads its numbers from its copy of nt_given. */
		vm_write((handle_t)copy, (uint64_t)&nt_given[i], &v, sizeof(v));
	}
	handle_close((handle_t)copy);
	t = thread_create((handle_t)p, (uint64_t)fn, sp, arg);
	if (t < 0)
		return t;
	thread_start((handle_t)t);
	if (thread != NULL)
		*thread = (handle_t)t;
	else
		handle_close((handle_t)t);
	return p;
}

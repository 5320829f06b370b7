/*
 * test_init_load.c - starting a program (servers/init/load.c) against
 * fake process, thread and vm calls that keep a model address space:
 * the build's own aarch64 init loaded segment by segment (bytes, zero
 * fill, final protections), the stack and its argv, the badged name
 * handle as x0 (a driver's device handle as x1), the exit binding
 * before the start; every native call
 * failing in turn leaves nothing behind; files that must not load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lichen/elf.h>
#include <lichen/errno.h>
#include <lichen/ipc_host.h>
#include <lichen/native.h>

#include "init_core.h"
#include "unit.h"

/* --- a model vmspace and fake native calls --- */

struct region {
	uint64_t start, len;
	uint32_t prot;
	unsigned char *bytes;
};

static struct region reg[32];
static unsigned nreg;
static int calls, fail_at;		/* the fail_at-th call fails (0: none) */
static handle_t proc_h, vs_h, thread_h;
static int killed, started, bound_before_start;
static uint64_t bind_cookie, t_pc, t_sp, t_arg;
static handle_t bind_ep, give_src;
static uint32_t give_rights;
static struct handle_info give_info;
static long give_result = 7;		/* the handle's number "in the child" */
static handle_t gave[4];		/* every process_give, in order */
static uint32_t gave_rights[4];
static unsigned ngave;
static struct user_regs t_regs;		/* the new thread's, as thread_regs sees them */
static int regs_set;
static char proc_name[64];

static long
stand_in(void)
{
	long h = ep_create(1);

	ck_assert_int_gt(h, 0);
	return h;
}

static bool
failing(void)
{
	return ++calls == fail_at;
}

long
process_create(const char *name, size_t len, handle_t personality)
{
	ck_assert_uint_eq(personality, HANDLE_NONE);
	if (failing())
		return -ENOMEM;
	memcpy(proc_name, name, len);
	proc_name[len] = '\0';
	return proc_h = (handle_t)stand_in();
}

long
process_vmspace(handle_t p)
{
	ck_assert_uint_eq(p, proc_h);
	if (failing())
		return -ENOMEM;
	return vs_h = (handle_t)stand_in();
}

long
process_give(handle_t p, handle_t h, uint32_t rights)
{
	ck_assert_uint_eq(p, proc_h);
	if (failing())
		return -ENOMEM;
	ck_assert_uint_lt(ngave, 4);
	gave[ngave] = h;
	gave_rights[ngave] = rights;
	if (ngave++ == 0) {		/* the name handle */
		give_src = h;
		give_rights = rights;
		ck_assert_int_eq(handle_info(h, &give_info), 0);
	}
	return give_result + ngave - 1;
}

long
process_kill(handle_t p, long status)
{
	ck_assert_uint_eq(p, proc_h);
	ck_assert_int_lt(status, 0);
	killed++;
	return 0;
}

long
thread_create(handle_t p, uint64_t pc, uint64_t sp, uint64_t arg)
{
	ck_assert_uint_eq(p, proc_h);
	if (failing())
		return -ENOMEM;
	t_pc = pc, t_sp = sp, t_arg = arg;
	memset(&t_regs, 0, sizeof(t_regs));
	t_regs.x[0] = arg, t_regs.pc = pc, t_regs.sp = sp;
	return thread_h = (handle_t)stand_in();
}

long
thread_regs(handle_t t, unsigned op, unsigned kind, void *buf)
{
	ck_assert_uint_eq(t, thread_h);
	ck_assert_uint_eq(kind, THREAD_REGS_GENERAL);
	ck_assert_int_eq(started, 0);		/* only before it runs */
	if (failing())
		return -ENOMEM;
	if (op == THREAD_REGS_GET) {
		memcpy(buf, &t_regs, sizeof(t_regs));
	} else {
		ck_assert_uint_eq(op, THREAD_REGS_SET);
		memcpy(&t_regs, buf, sizeof(t_regs));
		regs_set++;
	}
	return 0;
}

long
thread_start(handle_t t)
{
	ck_assert_uint_eq(t, thread_h);
	if (failing())
		return -ENOMEM;
	started++;
	return 0;
}

long
obj_bind(handle_t obj, handle_t ep, uint64_t cookie)
{
	ck_assert_uint_eq(obj, proc_h);
	if (failing())
		return -ENOMEM;
	bind_ep = ep;
	bind_cookie = cookie;
	bound_before_start = !started;
	return 0;
}

static struct region *
region_at(uint64_t uva, uint64_t len)
{
	for (unsigned i = 0; i < nreg; i++)
		if (uva >= reg[i].start && len <= reg[i].len &&
		    uva - reg[i].start <= reg[i].len - len)
			return &reg[i];
	return NULL;
}

long
vm_map(handle_t vs, uint64_t uva, uint64_t len, uint32_t prot, handle_t mo,
    uint64_t off)
{
	ck_assert_uint_eq(vs, vs_h);
	ck_assert_uint_eq(mo, HANDLE_NONE);
	ck_assert_uint_eq(off, 0);
	ck_assert_uint_eq(uva % 4096, 0);
	ck_assert_uint_eq(len % 4096, 0);
	ck_assert_uint_gt(len, 0);
	for (unsigned i = 0; i < nreg; i++)
		ck_assert(uva + len <= reg[i].start ||
		    uva >= reg[i].start + reg[i].len);
	if (failing())
		return -ENOMEM;
	reg[nreg] = (struct region){ uva, len, prot, calloc(1, len) };
	return reg[nreg++].bytes != NULL ? 0 : -ENOMEM;
}

long
vm_write(handle_t vs, uint64_t uva, const void *buf, size_t len)
{
	struct region *r = region_at(uva, len);

	ck_assert_uint_eq(vs, vs_h);
	if (failing())
		return -ENOMEM;
	if (r == NULL || !(r->prot & PROT_W))
		return -EFAULT;
	memcpy(r->bytes + (uva - r->start), buf, len);
	return 0;
}

long
vm_protect(handle_t vs, uint64_t uva, uint64_t len, uint32_t prot)
{
	struct region *r = region_at(uva, len);

	ck_assert_uint_eq(vs, vs_h);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->start, uva);
	ck_assert_uint_eq(r->len, len);
	if (failing())
		return -ENOMEM;
	r->prot = prot;
	return 0;
}

static void
reset(void)
{
	for (unsigned i = 0; i < nreg; i++)
		free(reg[i].bytes);
	nreg = 0;
	calls = 0;
	ngave = 0;
	regs_set = 0;
	killed = started = bound_before_start = 0;
	proc_h = vs_h = thread_h = HANDLE_NONE;
}

/* --- files --- */

static unsigned char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static unsigned char *init_elf;
static size_t init_len;
static handle_t init_ep;
static unsigned base_handles;

static void
load_setup(void)
{
	const char *path = getenv("LICHEN_INIT_ELF");

	ck_assert_msg(path != NULL, "LICHEN_INIT_ELF is not set");
	init_elf = read_file(path, &init_len);
	init_ep = (handle_t)ep_create(0);
	reset();
	base_handles = ipc_host_live_handles();
}

static const char *const args[] = { "vfs", "-v", "--root=/dev/vda" };

static struct init_spawn
spawn_args(const void *elf, size_t len)
{
	return (struct init_spawn){ .name = "vfs", .elf = elf, .len = len,
		.argc = 3, .argv = args, .name_ep = init_ep, .cookie = 0x105 };
}

static uint64_t
peek64(uint64_t uva)
{
	struct region *r = region_at(uva, 8);
	uint64_t v;

	ck_assert_ptr_nonnull(r);
	memcpy(&v, r->bytes + (uva - r->start), 8);
	return v;
}

static const char *
peek_str(uint64_t uva)
{
	struct region *r = region_at(uva, 1);

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(memchr(r->bytes + (uva - r->start), 0,
	    r->len - (uva - r->start)));
	return (const char *)r->bytes + (uva - r->start);
}

START_TEST(loads_the_real_init)
{
	struct init_spawn s;
	struct elf_image img;
	handle_t proc;
	uint64_t start, end, sp;

	load_setup();
	s = spawn_args(init_elf, init_len);
	ck_assert_int_eq(init_spawn(&s, &proc), 0);
	ck_assert_uint_eq(proc, proc_h);
	ck_assert_str_eq(proc_name, "vfs");
	ck_assert_int_eq(elf_parse(init_elf, init_len, ELF_EM_AARCH64, &img), 0);
	ck_assert_uint_eq(nreg, img.nseg + 1);
	/* Each segment: its bytes, zeros after them, its own protection. */
	for (unsigned i = 0; i < img.nseg; i++) {
		const struct elf_seg *seg = &img.seg[i];
		struct region *r = &reg[i];

		elf_segment_page_range(seg, &start, &end);
		ck_assert_uint_eq(r->start, start);
		ck_assert_uint_eq(r->len, end - start);
		ck_assert_uint_eq(r->prot, seg->prot);	/* same bit values */
		ck_assert_mem_eq(r->bytes + (seg->vaddr - start),
		    init_elf + seg->offset, seg->filesz);
		for (uint64_t a = seg->vaddr + seg->filesz; a < end; a++)
			quick_assert(r->bytes[a - start] == 0);
	}
	ck_assert_uint_eq(reg[0].prot, PROT_R | PROT_X);	/* W^X kept */
	/* The stack. */
	ck_assert_uint_eq(reg[img.nseg].start, NATIVE_STACK_TOP - NATIVE_STACK_SIZE);
	ck_assert_uint_eq(reg[img.nseg].len, NATIVE_STACK_SIZE);
	ck_assert_uint_eq(reg[img.nseg].prot, PROT_R | PROT_W);
	sp = t_sp;
	ck_assert_uint_eq(sp % 16, 0);
	ck_assert_uint_eq(peek64(sp), 3);
	for (unsigned i = 0; i < 3; i++)
		ck_assert_str_eq(peek_str(peek64(sp + 8 + 8 * i)), args[i]);
	ck_assert_uint_eq(peek64(sp + 8 + 24), 0);
	/* The thread, its x0, the name handle and the exit binding. */
	ck_assert_uint_eq(t_pc, img.entry);
	ck_assert_uint_eq(t_arg, (uint64_t)give_result);
	ck_assert_uint_eq(give_rights, RIGHT_SEND);
	ck_assert_uint_eq(give_info.badge, 0x105);
	ck_assert_uint_eq(give_info.type, OBJ_ENDPOINT);
	ck_assert_uint_eq(bind_ep, init_ep);
	ck_assert_uint_eq(bind_cookie, 0x105);
	ck_assert(bound_before_start);
	ck_assert_int_eq(started, 1);
	ck_assert_int_eq(killed, 0);
	ck_assert_uint_eq(ngave, 1);		/* not a driver: no device handle */
	ck_assert_int_eq(regs_set, 0);
	/* Only the process handle is left (thread, vmspace, dup closed). */
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles + 1);
}
END_TEST

/* A driver: the device handle too, RIGHT_MANAGE only, its number in x1. */
START_TEST(driver_gets_the_device_handle)
{
	struct init_spawn s;
	handle_t proc, dev = (handle_t)ep_create(0);	/* stands for the device */
	int ncalls;
	long r;

	load_setup();
	base_handles = ipc_host_live_handles();
	s = spawn_args(init_elf, init_len);
	s.driver = true;
	ck_assert_int_eq(init_spawn(&s, &proc), -EPERM);	/* no handle to give */
	ck_assert_int_eq(calls, 0);
	s.device = dev;
	ck_assert_int_eq(init_spawn(&s, &proc), 0);
	ck_assert_uint_eq(ngave, 2);
	ck_assert_uint_eq(gave_rights[0], RIGHT_SEND);
	ck_assert_uint_eq(gave[1], dev);
	ck_assert_uint_eq(gave_rights[1], RIGHT_MANAGE);	/* it cannot pass it on */
	ck_assert_int_eq(regs_set, 1);
	ck_assert_uint_eq(t_regs.x[0], (uint64_t)give_result);	/* x0 kept */
	ck_assert_uint_eq(t_regs.x[1], (uint64_t)give_result + 1);
	ck_assert_uint_eq(t_regs.pc, t_pc);
	ck_assert_uint_eq(t_regs.sp, t_sp);
	ck_assert(bound_before_start);
	ck_assert_int_eq(started, 1);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles + 1);
	handle_close(proc);
	/* Each call failing in turn, the device's three included. */
	ncalls = calls;
	for (fail_at = 1; fail_at <= ncalls; fail_at++) {
		reset();
		r = init_spawn(&s, &proc);
		ck_assert_msg(r == -ENOMEM, "call %d failing: %ld", fail_at, r);
		ck_assert_int_eq(started, 0);
		ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
	}
	fail_at = 0;
	handle_close(dev);
}
END_TEST

/* Each native call failing in turn: the error comes back, nothing stays. */
START_TEST(every_failure_cleans_up)
{
	struct init_spawn s;
	handle_t proc;
	int ncalls;
	long r;

	load_setup();
	s = spawn_args(init_elf, init_len);
	ck_assert_int_eq(init_spawn(&s, &proc), 0);
	ncalls = calls;
	ck_assert_int_ge(ncalls, 10);
	handle_close(proc);
	for (fail_at = 1; fail_at <= ncalls; fail_at++) {
		reset();
		r = init_spawn(&s, &proc);
		ck_assert_msg(r == -ENOMEM, "call %d failing: %ld", fail_at, r);
		ck_assert_int_eq(started, 0);
		ck_assert_int_eq(killed, fail_at > 1 ? 1 : 0);
		ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
	}
	fail_at = 0;
}
END_TEST

/* --- hand-made files that must not load --- */

static unsigned char file[16384];

/* A static aarch64 ELF with nseg PT_LOADs at vaddr[i] (filesz = memsz = 0x100). */
static size_t
make_elf(uint16_t type, unsigned nseg, const uint64_t *vaddr, bool interp)
{
	struct elf64_ehdr *eh = (struct elf64_ehdr *)file;
	struct elf64_phdr *ph = (struct elf64_phdr *)(file + sizeof(*eh));
	unsigned n = 0;

	memset(file, 0, sizeof(file));
	memcpy(eh->e_ident, "\177ELF", 4);
	eh->e_ident[ELF_EI_CLASS] = ELF_CLASS64;
	eh->e_ident[ELF_EI_DATA] = ELF_DATA2LSB;
	eh->e_ident[ELF_EI_VERSION] = ELF_EV_CURRENT;
	eh->e_type = type;
	eh->e_machine = ELF_EM_AARCH64;
	eh->e_version = 1;
	eh->e_entry = vaddr[0];
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	if (interp) {
		ph[n].p_type = ELF_PT_INTERP;
		ph[n].p_flags = ELF_PF_R;
		ph[n].p_offset = 0x200;
		ph[n].p_filesz = ph[n].p_memsz = 4;
		memcpy(file + 0x200, "/ld", 4);
		n++;
	}
	for (unsigned i = 0; i < nseg; i++, n++) {
		ph[n].p_type = ELF_PT_LOAD;
		ph[n].p_flags = i == 0 ? (ELF_PF_R | ELF_PF_X) : (ELF_PF_R | ELF_PF_W);
		ph[n].p_offset = 0x1000 * (i + 1) + (vaddr[i] & 0xfff);
		ph[n].p_vaddr = ph[n].p_paddr = vaddr[i];
		ph[n].p_filesz = ph[n].p_memsz = 0x100;
		ph[n].p_align = 0x1000;
	}
	eh->e_phnum = (uint16_t)n;
	return 0x1000 * (nseg + 1) + 0x1000;
}

static long
try_load(size_t len)
{
	struct init_spawn s = spawn_args(file, len);
	handle_t proc;

	reset();
	return init_spawn(&s, &proc);
}

START_TEST(files_that_do_not_load)
{
	struct elf_image img;
	static const uint64_t good[] = { 0x400000, 0x401000 };
	static const uint64_t shared[] = { 0x400000, 0x400800 };
	static const uint64_t low[] = { 0x1000, 0x2000 };
	static const uint64_t high[] = { 0x400000,
		NATIVE_STACK_TOP - NATIVE_STACK_SIZE };
	size_t len;

	init_ep = (handle_t)ep_create(0);
	base_handles = ipc_host_live_handles();
	len = make_elf(ELF_ET_EXEC, 2, good, false);
	ck_assert_int_eq(try_load(len), 0);
	ck_assert_uint_eq(nreg, 3);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles + 1);
	base_handles++;
	/* Each of these is a good ELF that elf_parse accepts... */
	len = make_elf(ELF_ET_DYN, 2, good, false);
	ck_assert_int_eq(elf_parse(file, len, ELF_EM_AARCH64, &img), 0);
	ck_assert_int_eq(try_load(len), -ENOEXEC);
	len = make_elf(ELF_ET_EXEC, 2, good, true);
	ck_assert_int_eq(elf_parse(file, len, ELF_EM_AARCH64, &img), 0);
	ck_assert_int_eq(try_load(len), -ENOEXEC);
	len = make_elf(ELF_ET_EXEC, 2, shared, false);
	ck_assert_int_eq(elf_parse(file, len, ELF_EM_AARCH64, &img), 0);
	ck_assert_int_eq(try_load(len), -ENOEXEC);
	len = make_elf(ELF_ET_EXEC, 2, low, false);
	ck_assert_int_eq(try_load(len), -ENOEXEC);
	len = make_elf(ELF_ET_EXEC, 2, high, false);
	ck_assert_int_eq(try_load(len), -ENOEXEC);
	/* ...and these are not ELF at all. */
	ck_assert_int_eq(try_load(40), -ENOEXEC);
	memset(file, 'x', 4096);
	ck_assert_int_eq(try_load(4096), -ENOEXEC);
	/* None got as far as a process. */
	ck_assert_uint_eq(calls, 0);
	ck_assert_uint_eq(ipc_host_live_handles(), base_handles);
}
END_TEST

/* --- the stack image --- */

START_TEST(stack_layout)
{
	unsigned char buf[512];
	const uint64_t top = 0x10000;
	const char *const av[] = { "init", "a", "longer argument" };
	uint64_t sp, v;
	long n;

	for (unsigned argc = 0; argc <= 3; argc++) {
		memset(buf, 0xee, sizeof(buf));
		n = init_stack_build(buf, sizeof(buf), top, argc, av, &sp);
		ck_assert_int_gt(n, 0);
		ck_assert_uint_eq(top - sp, (uint64_t)n);
		ck_assert_uint_eq(sp % 16, 0);
#define AT(uva)	(buf + sizeof(buf) - (top - (uva)))
		memcpy(&v, AT(sp), 8);
		ck_assert_uint_eq(v, argc);
		for (unsigned i = 0; i < argc; i++) {
			memcpy(&v, AT(sp + 8 + 8 * i), 8);
			ck_assert_uint_gt(v, sp);
			ck_assert_uint_lt(v, top);
			ck_assert_str_eq((const char *)AT(v), av[i]);
		}
		memcpy(&v, AT(sp + 8 + 8 * argc), 8);
		ck_assert_uint_eq(v, 0);
#undef AT
	}
	/* The strings end exactly at top, argv[0] last. */
	n = init_stack_build(buf, sizeof(buf), top, 1, av, &sp);
	ck_assert_mem_eq(buf + sizeof(buf) - 5, "init", 5);
}
END_TEST

START_TEST(stack_too_small)
{
	unsigned char buf[64];
	const char *const av[] = { "0123456789012345678901234567890123456789",
		"0123456789" };
	const char *many[INIT_SPAWN_ARGV_MAX + 1];
	uint64_t sp = 1;

	ck_assert_int_eq(init_stack_build(buf, 40, 0x1000, 1, av, &sp), -E2BIG);
	ck_assert_int_eq(init_stack_build(buf, 41, 0x1000, 1, av, &sp), -E2BIG);
	ck_assert_int_eq(init_stack_build(buf, sizeof(buf), 0x1000, 2, av, &sp),
	    -E2BIG);
	ck_assert_int_eq(init_stack_build(buf, 0, 0x1000, 0, av, &sp), -E2BIG);
	for (unsigned i = 0; i <= INIT_SPAWN_ARGV_MAX; i++)
		many[i] = "a";
	ck_assert_int_eq(init_stack_build(buf, sizeof(buf), 0x1000,
	    INIT_SPAWN_ARGV_MAX + 1, many, &sp), -E2BIG);
	ck_assert_uint_eq(sp, 1);	/* untouched on failure */
}
END_TEST

Suite *
unit_suite(void)
{
	Suite *s = suite_create("init-load");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, loads_the_real_init);
	tcase_add_test(tc, every_failure_cleans_up);
	tcase_add_test(tc, driver_gets_the_device_handle);
	tcase_add_test(tc, files_that_do_not_load);
	tcase_add_test(tc, stack_layout);
	tcase_add_test(tc, stack_too_small);
	suite_add_tcase(s, tc);
	return s;
}

/*
 * kernel_main: the portable half of boot. The architecture has the MMU on
 * and the console mapped; here the device tree is read, RAM mapped, the
 * boot report printed and the boot archive found.
 */
#include <lichen/cpio.h>
#include <lichen/fmt.h>
#include <lichen/string.h>
#include <kernel.h>
#include <dt.h>
#include <hal.h>
#include <cpu.h>
#include <memobj.h>
#include <pmm.h>
#include <thread.h>
#include <vmspace.h>
#include "cmdline.h"
#include "init.h"
#include "selftest.h"

static char init_args[DT_BOOTARGS_MAX + 32];	/* the boot arguments init gets */

void kernel_main(uint64_t dtb_pa);

static struct boot_info boot_info;

static void
apply_bootargs(const struct boot_info *bi)
{
	if (cmdline_is(bi->bootargs, "lichen.panic", "halt"))
		panic_set_action(PANIC_HALT);
	else if (cmdline_is(bi->bootargs, "lichen.panic", "reboot"))
		panic_set_action(PANIC_REBOOT);
	console_set_quiet(cmdline_is(bi->bootargs, "lichen.quiet", "1"));
}

static void
map_memory(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->nmem; i++) {
		const struct mem_range *m = &bi->mem[i];
		int err = hal_map_linear(m->base, m->size, HAL_MEM_RAM);

		if (err != 0)
			boot_fail("cannot map RAM [0x%lx-0x%lx]: error %d",
			    m->base, m->base + m->size - 1, err);
	}
}

static void
report_memory(const struct boot_info *bi)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < bi->nmem; i++)
		total += bi->mem[i].size;
	kinfo("memory: %lu MiB in %u range%s:", total >> 20, bi->nmem,
	    bi->nmem == 1 ? "" : "s");
	for (unsigned i = 0; i < bi->nmem; i++)
		kinfo(" [0x%lx-0x%lx]", bi->mem[i].base,
		    bi->mem[i].base + bi->mem[i].size - 1);
	kinfo("\nreserved: device tree [0x%lx-0x%lx]", bi->dtb_pa,
	    bi->dtb_pa + bi->dtb_size - 1);
	for (unsigned i = 0; i < bi->nreserved; i++)
		kinfo(", [0x%lx-0x%lx]", bi->reserved[i].base,
		    bi->reserved[i].base + bi->reserved[i].size - 1);
	kinfo("\n");
}

/* What dev_list offers drivers, counted by kind. */
static void
report_offered(const struct boot_info *bi)
{
	unsigned virtio = 0;

	for (unsigned i = 0; i < bi->ndev; i++)
		virtio += strcmp(bi->dev[i].compatible, "virtio,mmio") == 0;
	kinfo("devices: %u for drivers (%u virtio-mmio transports)", bi->ndev, virtio);
	if (bi->dev_ignored)
		kinfo(", %u more ignored (limit %u)", bi->dev_ignored, DT_MAX_DEVICES);
	kinfo("\n");
}

static void
report_devices(const struct boot_info *bi)
{
	uint64_t hz = hal_counter_freq();

	kinfo("cpus: %u in device tree (MPIDR", bi->ncpus);
	for (unsigned i = 0; i < bi->ncpus; i++)
		kinfo(" 0x%lx", bi->cpu_mpidr[i]);
	kinfo("), enable-method %s",
	    bi->cpu_enable_method[0] ? bi->cpu_enable_method : "none");
	if (bi->cpus_ignored)
		kinfo(", %u more ignored (limit %u)", bi->cpus_ignored,
		    DT_MAX_CPUS);
	kinfo("\n");
	if (bi->uart.base)
		kinfo("console: pl011 at 0x%lx, irq %u (%s)\n", bi->uart.base,
		    bi->uart.irq, bi->uart.from_stdout_path ?
		    "/chosen/stdout-path" : "first arm,pl011");
	if (bi->gic.version == 3)
		kinfo("gic: v3, distributor 0x%lx, redistributors 0x%lx (%lu KiB)\n",
		    bi->gic.dist_base, bi->gic.redist_base, bi->gic.redist_size >> 10);
	else if (bi->gic.version == 2)
		kinfo("gic: v2, distributor 0x%lx, cpu interface 0x%lx\n",
		    bi->gic.dist_base, bi->gic.cpu_base);
	else
		kinfo("gic: none found\n");
	if (bi->timer.present)
		kinfo("timer: generic timer, %lu.%03lu MHz, irqs phys %u virt %u hyp %u\n",
		    hz / 1000000, hz / 1000 % 1000, bi->timer.irq_phys,
		    bi->timer.irq_virt, bi->timer.irq_hyp);
	else
		kinfo("timer: none in device tree; counter at %lu Hz\n", hz);
	report_offered(bi);
}

static void
boot_report(const struct boot_info *bi)
{
	if (bi->model[0])
		kinfo("machine: %s\n", bi->model);
	hal_report();
	report_devices(bi);
	report_memory(bi);
	if (bi->has_initrd)
		kinfo("initrd: [0x%lx-0x%lx] %lu bytes\n", bi->initrd_start,
		    bi->initrd_end - 1, bi->initrd_end - bi->initrd_start);
	else
		kinfo("initrd: none\n");
	kinfo("bootargs: \"%s\"\n", bi->bootargs);
}

/* lichen.crash=KIND: fail on purpose, to test the panic path. */
__attribute__((noinline)) static void
crash_data_abort(void)
{
	volatile uint64_t *bad = (volatile uint64_t *)(uintptr_t)0xdead0000UL;

	*bad = 0x1ce;
}

__attribute__((noinline)) static void
crash_undefined(void)
{
	__asm__ volatile("udf #0");
}

/* Data is never executable: jumping into it must fault (W^X). */
static uint32_t crash_code[2] = { 0xd65f03c0, 0 };	/* ret */

__attribute__((noinline)) static void
crash_exec_data(void)
{
	((void (*)(void))(uintptr_t)crash_code)();
}

static void
crash_if_asked(const struct boot_info *bi)
{
	if (cmdline_is(bi->bootargs, "lichen.crash", "data-abort"))
		crash_data_abort();
	else if (cmdline_is(bi->bootargs, "lichen.crash", "undefined"))
		crash_undefined();
	else if (cmdline_is(bi->bootargs, "lichen.crash", "exec-data"))
		crash_exec_data();
	else if (cmdline_is(bi->bootargs, "lichen.crash", "panic"))
		panic("lichen.crash=panic asked for a panic");
}

static bool
in_ram(const struct boot_info *bi, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < bi->nmem; i++)
		if (start >= bi->mem[i].base &&
		    end <= bi->mem[i].base + bi->mem[i].size)
			return true;
	return false;
}

/* The boot archive must be a whole newc cpio archive: list what it holds. */
static void
check_initrd(const struct boot_info *bi)
{
	size_t len = bi->initrd_end - bi->initrd_start;
	struct cpio_iter it;
	struct cpio_entry e;
	unsigned n = 0;
	int r;

	if (!bi->has_initrd)
		boot_fail("no boot archive: the device tree names no initrd "
		    "(give QEMU one with -initrd; run-qemu.sh does)");
	if (!in_ram(bi, bi->initrd_start, bi->initrd_end))
		boot_fail("the initrd [0x%lx-0x%lx] is not in RAM",
		    bi->initrd_start, bi->initrd_end - 1);
	kinfo("boot archive:");
	cpio_iter_init(&it, hal_phys_to_virt(bi->initrd_start), len);
	while ((r = cpio_next(&it, &e)) == 1) {
		if ((e.mode & 0170000) == 0100000)	/* regular files */
			kinfo(" %s (%zu bytes)", e.name, e.size);
		n++;
	}
	kinfo("%s\n", n == 0 ? " empty" : "");
	if (r < 0)
		boot_fail("the boot archive is not a complete newc cpio archive "
		    "(error %d after %u entries)", r, n);
}

/* lichen.asid_bits=N: fewer ASIDs than the CPU has (0: all of them). */
static unsigned
asid_bits_arg(const char *bootargs)
{
	size_t len;
	const char *v = cmdline_get(bootargs, "lichen.asid_bits", &len);
	unsigned n = 0;

	for (size_t i = 0; v != NULL && i < len && v[i] >= '0' && v[i] <= '9'; i++)
		n = n * 10 + (unsigned)(v[i] - '0');
	return n > 16 ? 16 : n;
}

/* lichen.init=NAME (default "init"); false for lichen.init=none. */
static bool
init_name(const char *bootargs, char *name, size_t size)
{
	size_t len;
	const char *v = cmdline_get(bootargs, "lichen.init", &len);

	if (v == NULL)
		v = "init", len = 4;
	if (len >= size)
		len = size - 1;
	memcpy(name, v, len);
	name[len] = '\0';
	return strcmp(name, "none") != 0;
}

/*
 * The PL031's seconds at boot, so that every program can know the real
 * time (SYSINFO_REALTIME) without a device handle: realtime_base_ns is
 * the real time at clock_ns() == 0. 0 without an RTC.
 */
uint64_t realtime_base_ns;

static void
rtc_read_boot(const struct boot_info *bi)
{
	volatile uint32_t *rtc;
	uint64_t sec;

	if (bi->rtc.base == 0 || hal_map_linear(bi->rtc.base, 4096, HAL_MEM_DEVICE) != 0)
		return;
	rtc = hal_phys_to_virt(bi->rtc.base);
	sec = rtc[0];				/* RTCDR: seconds since the epoch */
	realtime_base_ns = sec * 1000000000UL - clock_ns();
}

void
kernel_main(uint64_t dtb_pa)
{
	const void *blob = (dtb_pa != 0 && (dtb_pa & 7) == 0) ?
	    hal_phys_to_virt(dtb_pa) : NULL;
	struct boot_info *bi = &boot_info;
	const char *why;
	char name[64];
	uint64_t t;

	if (dt_parse(blob, dtb_pa, bi, &why) != 0)
		boot_fail("bad device tree at 0x%lx: %s", dtb_pa, why);
	apply_bootargs(bi);	/* lichen.quiet=1 first: it silences the banner */
	device_table_set(bi->dev, bi->ndev);
	kinfo("\nlichen %s (aarch64) booting\n", LICHEN_VERSION);
	hal_init(bi);
	map_memory(bi);
	hal_console_init(bi);
	boot_report(bi);
	if (pmm_init(bi) != 0)
		boot_fail("no memory for the page metadata");
	pmm_report();
	vmspace_init_asids(asid_bits_arg(bi->bootargs));
	if (hal_irq_init(bi) != 0)
		kprintf("irq: no usable interrupt controller; running without interrupts\n");
	sched_init_cpu();
	smp_start(bi);
	sched_init();
	smp_report();
	crash_if_asked(bi);
	selftests_run(bi->bootargs);
	check_initrd(bi);
	if (cmdline_is(bi->bootargs, "lichen.stats", "1"))
		sched_report();
	t = hal_counter() * 1000 / hal_counter_freq();
	kinfo("lichen: boot complete at %lu ms\n", t);
	/* init learns where the real-time clock is (its device handle may map it). */
	rtc_read_boot(bi);
	if (bi->rtc.base != 0)
		fmt_snprintf(init_args, sizeof(init_args), "%s lichen.rtc=0x%lx", bi->bootargs,
		    bi->rtc.base);
	else
		strlcpy(init_args, bi->bootargs, sizeof(init_args));
	if (!init_name(bi->bootargs, name, sizeof(name)) ||
	    init_start(hal_phys_to_virt(bi->initrd_start),
	    bi->initrd_end - bi->initrd_start, name, init_args) != 0) {
		kprintf("lichen: no init to run; powering off\n");
		hal_poweroff();
	}
	for (;;) {	/* this CPU's idle thread from now on */
		vmspace_drop_unused();
		hal_wait_for_interrupt();
	}
}

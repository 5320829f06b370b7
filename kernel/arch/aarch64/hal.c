/*
 * The aarch64 side of hal.h: the entry from boot.S into C, the linear
 * map, firmware (PSCI), the generic timer's counter, stopping the machine.
 */
#include <lichen/errno.h>
#include <lichen/pgtable.h>
#include <lichen/string.h>
#include <arch/kpgtable.h>
#include <arch/memlayout.h>
#include <arch/sysreg.h>
#include <kernel.h>
#include <uaccess.h>
#include <dt.h>
#include "psci.h"

extern char _text[], _end[];

void kernel_main(uint64_t dtb_pa);
void smp_boot_cpu_early(uint64_t tcr_with_ttbr0);
__noreturn void arch_main(uint64_t dtb_pa, uint64_t entry_el, uint64_t image_pa);

static unsigned entry_el;
static char psci_compat[32];

static uint64_t
read_ttbr1(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, ttbr1_el1" : "=r"(v));
	return v & PTE_ADDR_MASK;
}

/* Called by boot.S at the high address, MMU on, on the boot stack. */
void
arch_main(uint64_t dtb_pa, uint64_t el, uint64_t image_pa)
{
	uint64_t tcr;

	entry_el = (unsigned)el;
	kimage_voffset = (uint64_t)_text - image_pa;
	pt_linear_offset = PAGE_OFFSET;

	/*
	 * The identity map is no longer needed: no TTBR0 walks until users.
	 * ASIDs are 16 bits wide where the CPU has them.
	 */
	__asm__ volatile("mrs %0, tcr_el1" : "=r"(tcr));
	if (hal_asid_bits() == 16)
		tcr |= TCR_AS;
	smp_boot_cpu_early(tcr);
	tcr |= TCR_EPD0;
	__asm__ volatile("msr tcr_el1, %0; isb; tlbi vmalle1; dsb nsh; isb"
	    :: "r"(tcr) : "memory");
	hal_init(NULL);		/* so even a fault in dt_parse can power off */
	uaccess_init();
	kernel_main(dtb_pa);
	panic("kernel_main returned");
}

static int
linear_map(uint64_t start, uint64_t end, enum hal_mem kind)
{
	return kpt_map(read_ttbr1(), PAGE_OFFSET + start, start, end - start,
	    kind == HAL_MEM_RAM ? KPT_DATA : KPT_DEVICE);
}

int
hal_map_linear(uint64_t pa, uint64_t size, enum hal_mem kind)
{
	uint64_t start = pa & ~(PAGE_SIZE - 1);
	uint64_t end = (pa + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	uint64_t img, img_end;
	int err = 0;

	/* The linear map ends where the image's addresses begin. */
	if (end < start || end > KIMAGE_VBASE - PAGE_OFFSET)
		return -EINVAL;
	/*
	 * The image's alias is already mapped, W^X (early_map.c): map only
	 * what lies before and after it.
	 */
	hal_kernel_image(&img, &img_end);
	img_end = img + ((img_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
	if (start < img)
		err = linear_map(start, end < img ? end : img, kind);
	if (err == 0 && end > img_end)
		err = linear_map(start > img_end ? start : img_end, end, kind);
	return err;
}

void *
hal_phys_to_virt(uint64_t pa)
{
	return (void *)(PAGE_OFFSET + pa);
}

void
hal_kernel_image(uint64_t *pa, uint64_t *size)
{
	*pa = (uint64_t)_text - kimage_voffset;
	*size = (uint64_t)(_end - _text);
}

void *
hal_kernel_text_start(void)
{
	return _text;
}

uint64_t
hal_counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

uint64_t
hal_counter_freq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/*
 * PSCI's conduit comes from the device tree. Without one (a bad device
 * tree) guess as QEMU does: smc when we were entered at EL2 (nothing above
 * us but firmware), hvc otherwise.
 */
void
hal_init(const struct boot_info *bi)
{
	if (bi != NULL && bi->psci.method[0] != '\0') {
		strlcpy(psci_compat, bi->psci.compatible, sizeof(psci_compat));
		if (bi->psci.method[0] == 'h')
			psci_set_conduit(PSCI_HVC);
		else if (bi->psci.method[0] == 's')
			psci_set_conduit(PSCI_SMC);
		else
			psci_set_conduit(PSCI_NONE);
		return;
	}
	psci_set_conduit(entry_el == 2 ? PSCI_SMC : PSCI_HVC);
}

void
hal_report(void)
{
	uint64_t midr, mpidr;
	uint32_t v;

	__asm__ volatile("mrs %0, midr_el1" : "=r"(midr));
	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	kinfo("cpu: MIDR 0x%08lx, booted on MPIDR 0x%lx, entered at EL%u, running at EL1\n",
	    midr, mpidr & 0xff00ffffffUL, entry_el);
	if (psci_conduit() == PSCI_NONE) {
		kinfo("psci: none\n");
		return;
	}
	v = psci_version();
	kinfo("psci: version %u.%u via %s%s\n", v >> 16, v & 0xffff,
	    psci_conduit() == PSCI_HVC ? "hvc" : "smc",
	    psci_compat[0] ? "" : " (guessed: no /psci in the device tree)");
}

__noreturn void
hal_halt(void)
{
	__asm__ volatile("msr daifset, #0xf");
	for (;;)
		__asm__ volatile("wfi");
}

__noreturn void
hal_poweroff(void)
{
	psci_system_off();
	kprintf("lichen: PSCI SYSTEM_OFF failed; halting\n");
	hal_halt();
}

__noreturn void
hal_reboot(void)
{
	psci_system_reset();
	kprintf("lichen: PSCI SYSTEM_RESET failed; halting\n");
	hal_halt();
}

/* ID_AA64MMFR0_EL1.ASIDBits: 0b0010 means 16-bit ASIDs (TCR.AS then set). */
unsigned
hal_asid_bits(void)
{
	uint64_t mmfr0;

	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	return ((mmfr0 >> 4) & 0xf) == 2 ? 16 : 8;
}

void
hal_user_space_switch(uint64_t root, unsigned asid)
{
	uint64_t tcr;

	uint64_t want;

	__asm__ volatile("mrs %0, tcr_el1" : "=r"(tcr));
	want = root ? tcr & ~TCR_EPD0 : tcr | TCR_EPD0;
	__asm__ volatile("msr ttbr0_el1, %0" :: "r"(root | (uint64_t)asid << 48) : "memory");
	/* TCR only when walks turn on or off: QEMU flushes its TLB on each write. */
	if (want != tcr)
		__asm__ volatile("msr tcr_el1, %0" :: "r"(want) : "memory");
	__asm__ volatile("isb" ::: "memory");
}

void
hal_tlb_flush_asid(unsigned asid)
{
	__asm__ volatile("dsb ishst; tlbi aside1is, %0; dsb ish; isb"
	    :: "r"((uint64_t)asid << 48) : "memory");
}

void
hal_tlb_flush_all(void)
{
	__asm__ volatile("dsb ishst; tlbi vmalle1is; dsb ish; isb" ::: "memory");
}

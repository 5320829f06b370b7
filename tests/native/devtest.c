/*
 * devtest: the native calls a userspace driver needs, started as the
 * first process (lichen.init=devtest) so that x0 is the device handle.
 *
 *   dev_list           the device tree's virtio-mmio transports, UART and
 *                      RTC on QEMU virt; bad handles, rights, pointers
 *   memobj_create_dma  contiguous zeroed pages: mapped, shared, kept by a
 *                      mapping after the handle closes, every page back
 *                      when both are gone; bad sizes, handles, pointers
 *
 * That the pages really are contiguous a device shows: the virtio-blk
 * driver moves 64 KiB per descriptor through them (tests/qemu blk-*).
 */
#include <stdbool.h>

#include "nt.h"

const char *nt_name = "devtest";

int main(int argc, char **argv);

#define MAP_VA		0x200000000UL
#define KERNEL_PTR	0xffff000000001000UL	/* never a user address */
#define UNMAPPED_PTR	0x300000000UL

static handle_t dev;

static void
test_dev_list(void)
{
	struct dev_desc d;
	unsigned virtio = 0, uart = 0, rtc = 0, bad = 0, n;
	uint64_t prev = 0;
	long r, ep = ep_create(0), weak = handle_dup(dev, RIGHT_READ | RIGHT_TRANSFER, 0);

	for (n = 0; (r = dev_list(dev, n, &d)) == 0; n++) {
		if (strcmp(d.compatible, "virtio,mmio") == 0) {
			/* QEMU virt: 32 transports 0x200 apart from 0xa000000, SPIs 16-47 */
			virtio++;
			bad += d.size != 0x200 || d.base < 0xa000000 || d.base >= 0xa004000 ||
			    (d.base & 0x1ff) != 0 || d.intid != 48 + (d.base - 0xa000000) / 0x200 ||
			    (prev != 0 && d.base <= prev);
			prev = d.base;
		} else if (strcmp(d.compatible, "arm,pl011") == 0) {
			uart++;
			bad += d.base != 0x9000000 || d.intid != 33;
		} else if (strcmp(d.compatible, "arm,pl031") == 0) {
			rtc++;
			bad += d.base != 0x9010000;
		} else {
			bad++;
		}
	}
	CHECK_EQ(r, -ENOENT);
	CHECK(virtio == 32 && uart == 1 && rtc == 1 && bad == 0,
	    "%u devices: %u virtio, %u uart, %u rtc, %u unexpected", n, virtio, uart, rtc, bad);
	CHECK_EQ(dev_list(dev, 0xffffffffu, &d), -ENOENT);
	CHECK_EQ(native_call3(SYS_dev_list, dev, 1UL << 32, &d), -ENOENT);
	/* bad handles, the wrong object, a missing right, bad pointers */
	CHECK_EQ(dev_list(HANDLE_NONE, 0, &d), -EBADF);
	CHECK_EQ(dev_list(0x7fff, 0, &d), -EBADF);
	CHECK_EQ(dev_list((handle_t)ep, 0, &d), -EINVAL);
	CHECK_EQ(dev_list((handle_t)weak, 0, &d), -EACCES);
	CHECK_EQ(dev_list(dev, 0, NULL), -EFAULT);
	CHECK_EQ(dev_list(dev, 0, (struct dev_desc *)KERNEL_PTR), -EFAULT);
	CHECK_EQ(dev_list(dev, 0, (struct dev_desc *)UNMAPPED_PTR), -EFAULT);
	handle_close((handle_t)ep);
	handle_close((handle_t)weak);
}

/* Whether the n pages at va are all zero. */
static bool
all_zero(const volatile uint64_t *va, size_t n)
{
	for (size_t i = 0; i < n * 4096 / 8; i++)
		if (va[i] != 0)
			return false;
	return true;
}

static void
test_dma_bad(void)
{
	long ep = ep_create(0), weak = handle_dup(dev, RIGHT_READ | RIGHT_TRANSFER, 0);
	long free0 = sys_info(SYSINFO_FREE_PAGES, 0);
	uint64_t pa = 1;

	CHECK_EQ(memobj_create_dma(HANDLE_NONE, 4096, &pa), -EBADF);
	CHECK_EQ(memobj_create_dma(0x7fff, 4096, &pa), -EBADF);
	CHECK_EQ(memobj_create_dma((handle_t)ep, 4096, &pa), -EINVAL);
	CHECK_EQ(memobj_create_dma((handle_t)weak, 4096, &pa), -EACCES);
	CHECK_EQ(memobj_create_dma(dev, 0, &pa), -EINVAL);
	CHECK_EQ(memobj_create_dma(dev, (4UL << 20) + 1, &pa), -EINVAL);
	CHECK_EQ(memobj_create_dma(dev, ~0UL, &pa), -EINVAL);
	CHECK_EQ(pa, 1);			/* nothing written on failure */
	CHECK_EQ(memobj_create_dma(dev, 4096, NULL), -EFAULT);
	CHECK_EQ(memobj_create_dma(dev, 4096, (uint64_t *)KERNEL_PTR), -EFAULT);
	CHECK_EQ(memobj_create_dma(dev, 65536, (uint64_t *)UNMAPPED_PTR), -EFAULT);
	CHECK_EQ(sys_info(SYSINFO_FREE_PAGES, 0), free0);	/* nothing allocated */
	handle_close((handle_t)ep);
	handle_close((handle_t)weak);
}

static void
test_dma(void)
{
	long vs = process_vmspace(0), mo, mo2, free0, free1;
	volatile uint64_t *p = (volatile uint64_t *)MAP_VA;
	struct handle_info hi;
	uint64_t pa = 0, pa2 = 0;

	free0 = sys_info(SYSINFO_FREE_PAGES, 0);
	mo = memobj_create_dma(dev, 3 * 4096 - 100, &pa);	/* rounds up to 3 pages */
	CHECK(mo > 0, "memobj_create_dma %ld", mo);
	CHECK(pa != 0 && (pa & 4095) == 0 && pa >= 0x40000000UL, "pa 0x%lx", pa);
	CHECK(handle_info((handle_t)mo, &hi) == 0 && hi.type == OBJ_MEMOBJ &&
	    hi.rights == RIGHTS_ALL, "type %u rights 0x%x", hi.type, hi.rights);
	/* RAM is never device memory, DMA memory included */
	CHECK_EQ(mmio_map(dev, (handle_t)vs, MAP_VA, pa, 4096), -EPERM);
	CHECK_EQ(vm_map((handle_t)vs, MAP_VA, 3 * 4096, PROT_R | PROT_W, (handle_t)mo, 0), 0);
	CHECK_EQ(vm_map((handle_t)vs, MAP_VA + 0x100000, 4096, PROT_R, (handle_t)mo,
	    2 * 4096), 0);
	CHECK_EQ(vm_map((handle_t)vs, MAP_VA + 0x200000, 4096, PROT_R, (handle_t)mo,
	    3 * 4096), -EINVAL);		/* past its end */
	CHECK(all_zero(p, 3), "DMA pages not zeroed");
	p[2 * 512 + 7] = 0x5eed;
	CHECK_EQ(((volatile uint64_t *)(MAP_VA + 0x100000))[7], 0x5eed);	/* shared */
	/* a second one elsewhere: different pages */
	mo2 = memobj_create_dma(dev, 4UL << 20, &pa2);
	CHECK(mo2 > 0 && (pa2 >= pa + 3 * 4096 || pa2 + (4UL << 20) <= pa),
	    "4 MiB: %ld at 0x%lx (first at 0x%lx)", mo2, pa2, pa);
	handle_close((handle_t)mo2);
	/* the mapping keeps the pages after the handle is gone */
	handle_close((handle_t)mo);
	CHECK_EQ(p[2 * 512 + 7], 0x5eed);
	CHECK_EQ(vm_unmap((handle_t)vs, MAP_VA, 3 * 4096), 0);
	CHECK_EQ(vm_unmap((handle_t)vs, MAP_VA + 0x100000, 4096), 0);
	free1 = sys_info(SYSINFO_FREE_PAGES, 0);
	CHECK(free1 >= free0 - 1 && free1 <= free0, "free pages %ld before, %ld after",
	    free0, free1);	/* a heap page for the page list may stay */
	/* many in a row: the same pages come back, none is lost */
	for (int i = 0; i < 200; i++) {
		mo = memobj_create_dma(dev, (i % 17 + 1) * 4096, &pa);
		if (mo < 0)
			break;
		handle_close((handle_t)mo);
	}
	CHECK(mo > 0, "round %ld", mo);
	CHECK_EQ(sys_info(SYSINFO_FREE_PAGES, 0), free1);
	handle_close((handle_t)vs);
}

int
main(int argc, char **argv)
{
	(void)argc, (void)argv;
	dev = (handle_t)native_start_word(0);
	test_dev_list();
	test_dma_bad();
	test_dma();
	return nt_summary();
}

/*
 * What the kernel learns from the device tree, parsed once at boot by
 * dt_parse (with libfdt) into a struct boot_info. After that nobody reads
 * the blob again: libfdt may use FP/SIMD registers, which is only safe
 * before the first user thread exists (see docs/boot.md).
 */
#ifndef DT_H
#define DT_H

#include <stdbool.h>
#include <stdint.h>
#include <lichen/ipc.h>

#define DT_MAX_MEM	8
#define DT_MAX_RESERVED	16
#define DT_MAX_CPUS	8
#define DT_BOOTARGS_MAX	512
#define DT_MAX_SIZE	(2U << 20)	/* arm64 boot protocol limit */
#define DT_MAX_DEVICES	64		/* QEMU virt: 32 virtio-mmio, a UART, an RTC */

struct mem_range {
	uint64_t base;
	uint64_t size;
};

struct boot_info {
	uint64_t dtb_pa;
	uint32_t dtb_size;
	char model[64];

	struct mem_range mem[DT_MAX_MEM];
	unsigned nmem;
	struct mem_range reserved[DT_MAX_RESERVED];	/* /memreserve/ + /reserved-memory */
	unsigned nreserved;

	char bootargs[DT_BOOTARGS_MAX];
	bool has_initrd;
	uint64_t initrd_start, initrd_end;

	unsigned ncpus;			/* CPUs listed in /cpus */
	unsigned cpus_ignored;		/* beyond DT_MAX_CPUS */
	uint64_t cpu_mpidr[DT_MAX_CPUS];
	char cpu_enable_method[16];

	struct {
		uint64_t base, size;
		unsigned irq;
		bool from_stdout_path;	/* else the first arm,pl011 */
	} uart;

	struct {
		unsigned version;	/* 2 or 3; 0 if none (or no usable "reg") */
		uint64_t dist_base, dist_size;
		uint64_t cpu_base, cpu_size;		/* GICv2 CPU interface */
		uint64_t redist_base, redist_size;	/* GICv3 redistributors */
	} gic;

	struct {
		bool present;
		unsigned irq_phys, irq_virt, irq_hyp;	/* INTIDs */
	} timer;

	struct {
		char method[8];		/* "hvc", "smc" or "" */
		char compatible[32];
	} psci;

	struct {
		uint64_t base, size;	/* an arm,pl031 real-time clock; 0 if none */
	} rtc;

	/* What dev_list offers drivers, in device-tree order. */
	struct dev_desc dev[DT_MAX_DEVICES];
	unsigned ndev;
	unsigned dev_ignored;		/* beyond DT_MAX_DEVICES */
};

/*
 * Parse the flattened device tree at blob (dtb_pa is where it sits). Returns
 * 0, or a negative errno with a reason in *why (static text) when the blob
 * is unusable: bad header, no memory, no CPUs.
 */
int dt_parse(const void *blob, uint64_t dtb_pa, struct boot_info *bi,
    const char **why);

#endif

/*
 * Device-tree parsing with libfdt: memory, reservations, /chosen, CPUs,
 * the UART, the GIC, the timer, PSCI and the devices drivers may claim
 * (dev_list), into struct boot_info (dt.h).
 * Every property is length-checked: a malformed tree gives an error or a
 * missing device, never a wild read.
 */
#include <lichen/errno.h>
#include <lichen/string.h>
#include <libfdt.h>
#include <dt.h>

/* Read a cells-wide big-endian number from p, advancing it. */
static uint64_t
read_cells(const fdt32_t **p, int cells)
{
	uint64_t v = 0;

	while (cells-- > 0)
		v = (v << 32) | fdt32_to_cpu(*(*p)++);
	return v;
}

/*
 * The index-th (address, size) pair of node's "reg", using its parent's
 * #address-cells and #size-cells. Returns 0 or -ENOENT.
 */
static int
dt_reg(const void *fdt, int node, int index, uint64_t *base, uint64_t *size)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac, sc, len;
	const fdt32_t *p;

	if (parent < 0)
		return -ENOENT;
	ac = fdt_address_cells(fdt, parent);
	sc = fdt_size_cells(fdt, parent);
	p = fdt_getprop(fdt, node, "reg", &len);
	if (p == NULL || ac < 1 || ac > 2 || sc < 0 || sc > 2 ||
	    len < (index + 1) * (ac + sc) * 4)
		return -ENOENT;
	p += index * (ac + sc);
	*base = read_cells(&p, ac);
	*size = read_cells(&p, sc);
	return 0;
}

/*
 * Copy a string property into dst (size > 0), always NUL-terminated and
 * never reading past the property, even if the tree forgot its NUL.
 */
static void
copy_string_prop(const void *fdt, int node, const char *name, char *dst,
    size_t size)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);
	size_t n = 0;

	if (s != NULL && len > 0) {
		n = strnlen(s, (size_t)len);
		if (n >= size)
			n = size - 1;
		memcpy(dst, s, n);
	}
	dst[n] = '\0';
}

/* Whether node's string property name is exactly value. */
static bool
prop_is(const void *fdt, int node, const char *name, const char *value)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	return s != NULL && (size_t)len == strlen(value) + 1 &&
	    memcmp(s, value, (size_t)len) == 0;
}

/* GIC interrupt specifier (type, number, flags) to an INTID. */
static unsigned
gic_intid(const fdt32_t *spec)
{
	uint32_t type = fdt32_to_cpu(spec[0]), num = fdt32_to_cpu(spec[1]);

	return type == 1 ? 16 + num : 32 + num;	/* PPI : SPI */
}

static void
parse_memory(const void *fdt, struct boot_info *bi)
{
	int node;

	fdt_for_each_subnode(node, fdt, 0) {
		uint64_t base, size;

		if (!prop_is(fdt, node, "device_type", "memory"))
			continue;
		for (int i = 0; dt_reg(fdt, node, i, &base, &size) == 0; i++) {
			if (size == 0 || bi->nmem == DT_MAX_MEM)
				continue;
			bi->mem[bi->nmem].base = base;
			bi->mem[bi->nmem++].size = size;
		}
	}
}

static void
add_reserved(struct boot_info *bi, uint64_t base, uint64_t size)
{
	if (size == 0 || bi->nreserved == DT_MAX_RESERVED)
		return;
	bi->reserved[bi->nreserved].base = base;
	bi->reserved[bi->nreserved++].size = size;
}

static void
parse_reserved(const void *fdt, struct boot_info *bi)
{
	int n = fdt_num_mem_rsv(fdt), node, child;
	uint64_t base, size;

	for (int i = 0; i < n; i++)
		if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0)
			add_reserved(bi, base, size);
	node = fdt_path_offset(fdt, "/reserved-memory");
	if (node < 0)
		return;
	fdt_for_each_subnode(child, fdt, node)
		for (int i = 0; dt_reg(fdt, child, i, &base, &size) == 0; i++)
			add_reserved(bi, base, size);
}

static uint64_t
chosen_addr(const void *fdt, int chosen, const char *name, bool *ok)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, chosen, name, &len);

	*ok = p != NULL && (len == 4 || len == 8);
	return *ok ? read_cells(&p, len / 4) : 0;
}

static void
parse_chosen(const void *fdt, struct boot_info *bi)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	bool ok_start, ok_end;

	if (chosen < 0)
		return;
	copy_string_prop(fdt, chosen, "bootargs", bi->bootargs,
	    sizeof(bi->bootargs));
	bi->initrd_start = chosen_addr(fdt, chosen, "linux,initrd-start", &ok_start);
	bi->initrd_end = chosen_addr(fdt, chosen, "linux,initrd-end", &ok_end);
	bi->has_initrd = ok_start && ok_end && bi->initrd_end > bi->initrd_start;
}

static void
parse_cpus(const void *fdt, struct boot_info *bi)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node, len;
	int ac;

	if (cpus < 0)
		return;
	ac = fdt_address_cells(fdt, cpus);
	fdt_for_each_subnode(node, fdt, cpus) {
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

		if (!prop_is(fdt, node, "device_type", "cpu") || reg == NULL ||
		    ac < 1 || ac > 2 || len < ac * 4)
			continue;
		if (bi->ncpus == DT_MAX_CPUS) {
			bi->cpus_ignored++;
			continue;
		}
		if (bi->ncpus == 0)
			copy_string_prop(fdt, node, "enable-method",
			    bi->cpu_enable_method, sizeof(bi->cpu_enable_method));
		bi->cpu_mpidr[bi->ncpus++] = read_cells(&reg, ac);
	}
}

/* The UART /chosen/stdout-path names, else the first PL011. */
static void
parse_uart(const void *fdt, struct boot_info *bi)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), node = -1, len;
	const char *path = chosen >= 0 ?
	    fdt_getprop(fdt, chosen, "stdout-path", &len) : NULL;
	const fdt32_t *irq;

	if (path != NULL && len > 0) {
		/* "/pl011@9000000:115200n8": the path ends at ':' or NUL. */
		const char *colon = memchr(path, ':', (size_t)len);
		size_t n = colon ? (size_t)(colon - path) : strnlen(path, (size_t)len);

		node = fdt_path_offset_namelen(fdt, path, (int)n);
		if (node >= 0 && fdt_node_check_compatible(fdt, node, "arm,pl011") != 0)
			node = -1;
	}
	bi->uart.from_stdout_path = node >= 0;
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl011");
	if (node < 0 || dt_reg(fdt, node, 0, &bi->uart.base, &bi->uart.size) != 0)
		return;
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (irq != NULL && len >= 12)
		bi->uart.irq = gic_intid(irq);
}

static void
parse_gic(const void *fdt, struct boot_info *bi)
{
	static const char *const v2[] = {
		"arm,gic-400", "arm,cortex-a15-gic", "arm,cortex-a9-gic",
	};
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3");

	if (node >= 0) {
		if (dt_reg(fdt, node, 0, &bi->gic.dist_base, &bi->gic.dist_size) == 0 &&
		    dt_reg(fdt, node, 1, &bi->gic.redist_base, &bi->gic.redist_size) == 0)
			bi->gic.version = 3;
		return;
	}
	for (unsigned i = 0; i < sizeof(v2) / sizeof(v2[0]); i++) {
		node = fdt_node_offset_by_compatible(fdt, -1, v2[i]);
		if (node < 0)
			continue;
		if (dt_reg(fdt, node, 0, &bi->gic.dist_base, &bi->gic.dist_size) == 0 &&
		    dt_reg(fdt, node, 1, &bi->gic.cpu_base, &bi->gic.cpu_size) == 0)
			bi->gic.version = 2;
		return;
	}
}

/* Interrupts: secure phys, non-secure phys, virtual, hypervisor. */
static void
parse_timer(const void *fdt, struct boot_info *bi)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer");
	int len;
	const fdt32_t *irq;

	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv7-timer");
	if (node < 0)
		return;
	bi->timer.present = true;
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	if (irq == NULL || len < 4 * 12)
		return;
	bi->timer.irq_phys = gic_intid(irq + 3);
	bi->timer.irq_virt = gic_intid(irq + 6);
	bi->timer.irq_hyp = gic_intid(irq + 9);
}

static void
parse_psci(const void *fdt, struct boot_info *bi)
{
	static const char *const compat[] = {
		"arm,psci-1.0", "arm,psci-0.2", "arm,psci",
	};

	for (unsigned i = 0; i < sizeof(compat) / sizeof(compat[0]); i++) {
		int node = fdt_node_offset_by_compatible(fdt, -1, compat[i]);

		if (node < 0)
			continue;
		strlcpy(bi->psci.compatible, compat[i], sizeof(bi->psci.compatible));
		copy_string_prop(fdt, node, "method", bi->psci.method,
		    sizeof(bi->psci.method));
		return;
	}
}

/* A PL031 real-time clock, for whoever tells the time of day (linuxemu). */
static void
parse_rtc(const void *fdt, struct boot_info *bi)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,pl031");

	if (node >= 0 && dt_reg(fdt, node, 0, &bi->rtc.base, &bi->rtc.size) != 0)
		bi->rtc.base = bi->rtc.size = 0;
}

/* What drivers may claim through the device handle (dev_list). */
static const char *const offered[] = { "virtio,mmio", "arm,pl011", "arm,pl031" };

/* A node that is not "disabled": no "status", or "okay"/"ok". */
static bool
node_enabled(const void *fdt, int node)
{
	return fdt_getprop(fdt, node, "status", NULL) == NULL ||
	    prop_is(fdt, node, "status", "okay") || prop_is(fdt, node, "status", "ok");
}

static void
add_device(const void *fdt, int node, const char *compat, struct boot_info *bi)
{
	struct dev_desc *d;
	const fdt32_t *irq;
	uint64_t base, size;
	int len;

	if (dt_reg(fdt, node, 0, &base, &size) != 0 || size == 0 ||
	    base + size < base)
		return;
	if (bi->ndev == DT_MAX_DEVICES) {
		bi->dev_ignored++;
		return;
	}
	d = &bi->dev[bi->ndev++];
	strlcpy(d->compatible, compat, sizeof(d->compatible));
	d->base = base;
	d->size = size;
	irq = fdt_getprop(fdt, node, "interrupts", &len);
	d->intid = irq != NULL && len >= 12 ? gic_intid(irq) : 0;
}

static void
parse_devices(const void *fdt, struct boot_info *bi)
{
	int node, depth = 0;

	for (node = fdt_next_node(fdt, -1, &depth); node >= 0;
	    node = fdt_next_node(fdt, node, &depth)) {
		if (!node_enabled(fdt, node))
			continue;
		for (unsigned i = 0; i < sizeof(offered) / sizeof(offered[0]); i++)
			if (fdt_node_check_compatible(fdt, node, offered[i]) == 0) {
				add_device(fdt, node, offered[i], bi);
				break;
			}
	}
}

int
dt_parse(const void *blob, uint64_t dtb_pa, struct boot_info *bi,
    const char **why)
{
	int err;

	memset(bi, 0, sizeof(*bi));
	bi->dtb_pa = dtb_pa;
	if (blob == NULL) {
		*why = "no device tree (x0 was 0 or misaligned)";
		return -EINVAL;
	}
	err = fdt_check_header(blob);
	if (err != 0) {
		*why = fdt_strerror(err);
		return -EINVAL;
	}
	bi->dtb_size = fdt_totalsize(blob);
	if (bi->dtb_size > DT_MAX_SIZE) {
		*why = "device tree larger than the 2 MiB the boot protocol allows";
		return -EINVAL;
	}
	copy_string_prop(blob, 0, "model", bi->model, sizeof(bi->model));
	parse_memory(blob, bi);
	parse_reserved(blob, bi);
	parse_chosen(blob, bi);
	parse_cpus(blob, bi);
	parse_uart(blob, bi);
	parse_gic(blob, bi);
	parse_timer(blob, bi);
	parse_psci(blob, bi);
	parse_rtc(blob, bi);
	parse_devices(blob, bi);
	if (bi->nmem == 0) {
		*why = "no memory node with a usable \"reg\"";
		return -EINVAL;
	}
	if (bi->ncpus == 0) {
		*why = "no CPU under /cpus";
		return -EINVAL;
	}
	return 0;
}

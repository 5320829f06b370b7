/*
 * PSCI, the Arm firmware interface for powering CPUs and the system on and
 * off, reached by hvc or smc as the device tree's /psci "method" says.
 */
#include <kernel.h>
#include "psci.h"

#define PSCI_VERSION		0x84000000U
#define PSCI_CPU_ON_64		0xc4000003U
#define PSCI_SYSTEM_OFF		0x84000008U
#define PSCI_SYSTEM_RESET	0x84000009U

static enum psci_conduit conduit;

static uint64_t
psci_call(uint64_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	/* SMCCC 1.0 lets the firmware clobber x4-x17 as well. */
	if (conduit == PSCI_HVC)
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
		    :: "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
		    "x13", "x14", "x15", "x16", "x17", "memory");
	else if (conduit == PSCI_SMC)
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
		    :: "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
		    "x13", "x14", "x15", "x16", "x17", "memory");
	else
		return (uint64_t)PSCI_E_NOT_SUPPORTED;
	return x0;
}

void
psci_set_conduit(enum psci_conduit c)
{
	conduit = c;
}

enum psci_conduit
psci_conduit(void)
{
	return conduit;
}

uint32_t
psci_version(void)
{
	return (uint32_t)psci_call(PSCI_VERSION, 0, 0, 0);
}

int
psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t context)
{
	return (int)psci_call(PSCI_CPU_ON_64, mpidr, entry_pa, context);
}

void
psci_system_off(void)
{
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}

void
psci_system_reset(void)
{
	psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
}

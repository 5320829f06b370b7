/*
 * ESR decoding for panic reports: see esr.h. Names follow the Arm ARM's
 * descriptions of ESR_ELx.EC and of the DFSC/IFSC fields.
 */
#include <lichen/fmt.h>
#include "esr.h"

static const char *const ec_names[64] = {
	[0x00] = "Unknown reason",
	[0x01] = "Trapped WFI/WFE",
	[0x03] = "Trapped MCR/MRC (coproc 0xf)",
	[0x04] = "Trapped MCRR/MRRC (coproc 0xf)",
	[0x05] = "Trapped MCR/MRC (coproc 0xe)",
	[0x06] = "Trapped LDC/STC",
	[0x07] = "Trapped SVE/SIMD/FP access",
	[0x0c] = "Trapped MRRC (coproc 0xe)",
	[0x0d] = "Branch Target Exception",
	[0x0e] = "Illegal Execution State",
	[0x11] = "SVC from AArch32",
	[0x15] = "SVC from AArch64",
	[0x16] = "HVC from AArch64",
	[0x17] = "SMC from AArch64",
	[0x18] = "Trapped MSR/MRS/system instruction",
	[0x19] = "Trapped SVE access",
	[0x1c] = "Pointer Authentication failure",
	[0x20] = "Instruction Abort from a lower exception level",
	[0x21] = "Instruction Abort taken without a change in exception level",
	[0x22] = "PC alignment fault",
	[0x24] = "Data Abort from a lower exception level",
	[0x25] = "Data Abort taken without a change in exception level",
	[0x26] = "SP alignment fault",
	[0x28] = "Trapped floating-point exception (AArch32)",
	[0x2c] = "Trapped floating-point exception (AArch64)",
	[0x2f] = "SError interrupt",
	[0x30] = "Breakpoint from a lower exception level",
	[0x31] = "Breakpoint taken without a change in exception level",
	[0x32] = "Software Step from a lower exception level",
	[0x33] = "Software Step taken without a change in exception level",
	[0x34] = "Watchpoint from a lower exception level",
	[0x35] = "Watchpoint taken without a change in exception level",
	[0x38] = "BKPT (AArch32)",
	[0x3c] = "BRK instruction (AArch64)",
};

const char *
esr_class_name(unsigned ec)
{
	if (ec < 64 && ec_names[ec] != NULL)
		return ec_names[ec];
	return "unknown exception class";
}

const char *
esr_fault_name(unsigned fsc)
{
	static const char *const levels[4][4] = {
		{ "address size fault, level 0", "address size fault, level 1",
		  "address size fault, level 2", "address size fault, level 3" },
		{ "translation fault, level 0", "translation fault, level 1",
		  "translation fault, level 2", "translation fault, level 3" },
		{ "access flag fault, level 0", "access flag fault, level 1",
		  "access flag fault, level 2", "access flag fault, level 3" },
		{ "permission fault, level 0", "permission fault, level 1",
		  "permission fault, level 2", "permission fault, level 3" },
	};

	fsc &= 0x3f;
	if (fsc < 0x10)
		return levels[fsc >> 2][fsc & 3];
	switch (fsc) {
	case 0x10: return "synchronous external abort";
	case 0x11: return "synchronous tag check fault";
	case 0x14: case 0x15: case 0x16: case 0x17:
		return "synchronous external abort on table walk";
	case 0x18: return "synchronous parity or ECC error";
	case 0x1c: case 0x1d: case 0x1e: case 0x1f:
		return "parity or ECC error on table walk";
	case 0x21: return "alignment fault";
	case 0x30: return "TLB conflict abort";
	case 0x31: return "unsupported atomic hardware update fault";
	case 0x34: return "implementation defined fault (lockdown)";
	case 0x35: return "implementation defined fault (unsupported exclusive or atomic access)";
	default: return "unknown fault status code";
	}
}

static int
is_abort(unsigned ec)
{
	return ec == EC_IABT_LOW || ec == EC_IABT_CUR ||
	    ec == EC_DABT_LOW || ec == EC_DABT_CUR;
}

int
esr_describe(uint64_t esr, char *buf, size_t size)
{
	unsigned ec = ESR_EC(esr);
	uint32_t iss = ESR_ISS(esr);

	if (!is_abort(ec))
		return fmt_snprintf(buf, size, "%s (EC 0x%02x, ISS 0x%07x)",
		    esr_class_name(ec), ec, (unsigned)iss);
	if (ec == EC_DABT_LOW || ec == EC_DABT_CUR)
		return fmt_snprintf(buf, size, "%s: %s, %s%s%s",
		    esr_class_name(ec), esr_fault_name(iss),
		    (iss & (1U << 6)) ? "write" : "read",
		    (iss & (1U << 7)) ? ", stage 2 fault on a stage 1 table walk" : "",
		    (iss & (1U << 10)) ? ", FAR not valid" : "");
	return fmt_snprintf(buf, size, "%s: %s%s", esr_class_name(ec),
	    esr_fault_name(iss),
	    (iss & (1U << 10)) ? ", FAR not valid" : "");
}

/* PSCI calls (see psci.c). Return values are PSCI status codes. */
#ifndef ARCH_PSCI_H
#define ARCH_PSCI_H

#include <stdint.h>

#define PSCI_E_NOT_SUPPORTED	(-1)

enum psci_conduit { PSCI_NONE, PSCI_HVC, PSCI_SMC };

void psci_set_conduit(enum psci_conduit c);
enum psci_conduit psci_conduit(void);
uint32_t psci_version(void);
int psci_cpu_on(uint64_t mpidr, uint64_t entry_pa, uint64_t context);
/* These return only if the firmware refused. */
void psci_system_off(void);
void psci_system_reset(void);

#endif

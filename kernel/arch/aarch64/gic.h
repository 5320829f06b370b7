/* The GIC driver (gic.c). */
#ifndef ARCH_GIC_H
#define ARCH_GIC_H

#include <stdbool.h>
#include <stdint.h>

struct boot_info;

int gic_init(const struct boot_info *bi);	/* boot CPU: distributor */
int gic_init_cpu(void);				/* every CPU: its interface */
unsigned gic_version(void);
void gic_enable(unsigned intid);		/* PPIs/SGIs: this CPU's */
void gic_disable(unsigned intid);		/* SPIs */
unsigned gic_ack(void);				/* the IAR value */
void gic_eoi(unsigned iar);
unsigned gic_intid(unsigned iar);
bool gic_is_spurious(unsigned iar);
void gic_send_sgi(unsigned sgi, uint64_t mpidr, unsigned cpu);

#endif

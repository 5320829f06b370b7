/* UL(x): an unsigned long constant usable from both C and assembly. */
#ifndef ARCH_UL_H
#define ARCH_UL_H

#ifdef __ASSEMBLER__
#define UL(x)	x
#else
#define UL(x)	x##UL
#endif

#endif

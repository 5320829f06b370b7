/*
 * The kernel's side of the native ABI (lichen/syscall.h lists the calls):
 * entered from the trap handler on an SVC from EL0.
 */
#ifndef SYSCALL_H
#define SYSCALL_H

#include <stdint.h>

struct trap_frame;

/* A native process's SVC: dispatch x8, result in x0. */
void syscall_native(struct trap_frame *tf);
/* A personality process's SVC or fault (label LABEL_SYSCALL or LABEL_FAULT). */
void syscall_personality(struct trap_frame *tf, uint64_t label);

#endif

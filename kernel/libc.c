/*
 * What libfdt (Debian's libfdt.a, built for a hosted C library) needs
 * beyond libkernel's string functions: the stack-protector canary. The
 * kernel itself is built without the stack protector.
 */
#include <kernel.h>

uintptr_t __stack_chk_guard = 0x4c6963686e6e6e00UL;	/* low byte 0 stops string overruns */

__noreturn void __stack_chk_fail(void);

__noreturn void
__stack_chk_fail(void)
{
	panic("stack smashing detected (stack protector canary overwritten)");
}

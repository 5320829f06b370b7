/*
 * addr_mix_bad.c - must NOT compile: it mixes address kinds.
 *
 * Built by the addr-mix-rejected test through scripts/expect-compile-fail.py,
 * which also checks that exactly the lines marked with an expect-error
 * comment are rejected, and only with "incompatible type" errors.
 * addr_mix_good.c is the same code written correctly.
 */
#include <lichen/addr.h>

void *phys_as_pointer(paddr_t p);
void *user_as_pointer(uvaddr_t u);
kvaddr_t assign_phys_to_kernel(paddr_t p);
paddr_t return_kernel_as_phys(kvaddr_t k);

void *
phys_as_pointer(paddr_t p)
{
	return kva_ptr(p); /* expect-error */
}

void *
user_as_pointer(uvaddr_t u)
{
	return kva_ptr(u); /* expect-error */
}

kvaddr_t
assign_phys_to_kernel(paddr_t p)
{
	kvaddr_t k = kva(0);

	k = p; /* expect-error */
	return k;
}

paddr_t
return_kernel_as_phys(kvaddr_t k)
{
	paddr_t p = pa(0);

	p = k;			/* expect-error */
	return pa_add(k, 4096); /* expect-error */
}

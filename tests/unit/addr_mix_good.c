/*
 * addr_mix_good.c - must compile cleanly: addr_mix_bad.c done right.
 *
 * The addr-mix-accepted test compiles it with -Wall -Wextra -Werror, which
 * shows that the rejection of addr_mix_bad.c comes from the mixing alone.
 */
#include <lichen/addr.h>

#define LINEAR_OFFSET UINT64_C(0xffff000000000000)

void *phys_as_pointer(paddr_t p);
void *user_as_pointer(uvaddr_t u);
kvaddr_t assign_phys_to_kernel(paddr_t p);
paddr_t return_kernel_as_phys(kvaddr_t k);

void *
phys_as_pointer(paddr_t p)
{
	return kva_ptr(pa_to_kva(p, LINEAR_OFFSET));
}

void *
user_as_pointer(uvaddr_t u)
{
	/* Only a copy-in routine may do this, after checking the range. */
	return kva_ptr(kva(uva_val(u)));
}

kvaddr_t
assign_phys_to_kernel(paddr_t p)
{
	kvaddr_t k = kva(0);

	k = pa_to_kva(p, LINEAR_OFFSET);
	return k;
}

paddr_t
return_kernel_as_phys(kvaddr_t k)
{
	paddr_t p = kva_to_pa(k, LINEAR_OFFSET);

	return pa_add(p, 4096);
}

/* The first link's empty symbol table; the second link gets the real one. */
	.section .ksyms, "a"
	.balign	8
	.globl	ksym_count, ksym_addrs, ksym_name_offs, ksym_names
ksym_count:
	.quad	0
ksym_addrs:
ksym_name_offs:
ksym_names:
	.byte	0

/*
 * pie: a static PIE (ET_DYN, no interpreter), loaded wherever the kernel
 * likes; it relocates itself. Prints what must hold wherever it lands.
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

static const char *const words[] = { "relocated", "pointers", "work" };
static __thread int tls_value = 42;
extern char __ehdr_start[];

int
main(int argc, char **argv)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)__ehdr_start;
	uintptr_t phdr = getauxval(AT_PHDR);

	printf("argc %d, argv[0] %s\n", argc, argv[0]);
	printf("ELF type: %s\n", eh->e_type == ET_DYN ? "ET_DYN" : "other");
	printf("AT_PHDR is the headers' address in memory: %s\n",
	    phdr == (uintptr_t)__ehdr_start + eh->e_phoff ? "yes" : "no");
	printf("AT_ENTRY is inside the image: %s\n",
	    getauxval(AT_ENTRY) == (uintptr_t)__ehdr_start + eh->e_entry ? "yes" : "no");
	printf("loaded above the first page: %s\n", (uintptr_t)__ehdr_start >= 0x10000 ? "yes" : "no");
	printf("%s %s %s\n", words[0], words[1], words[2]);
	printf("tls %d\n", tls_value);
	return strcmp(words[2], "work") == 0 ? 4 : 1;
}

/*
 * Loading an ELF's segments into another address space through native
 * calls (libipc/src/elf_load.c): what init does for a server and
 * linuxemu for a Linux program. The kernel loads init itself (kernel/init.c).
 */
#ifndef LICHEN_ELF_LOAD_H
#define LICHEN_ELF_LOAD_H

#include <stdint.h>
#include <lichen/elf.h>
#include <lichen/ipc.h>

/*
 * Map every PT_LOAD of img (parsed from file) in vs: anonymous and
 * writable, filled with vm_write, then given its own protection. 0, or
 * -ENOEXEC for segments that share a page, or the failing call's error
 * (what was mapped stays for the caller's teardown). *end, if not NULL:
 * the page-aligned end of the last segment.
 */
long elf_load_segments(handle_t vs, const void *file, const struct elf_image *img,
    uint64_t *end);

#endif

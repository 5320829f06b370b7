/* Boot self tests (selftest.c). */
#ifndef SELFTEST_H
#define SELFTEST_H

/* Run the tests lichen.selftest= names in bootargs. */
void selftests_run(const char *bootargs);

#endif

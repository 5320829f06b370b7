/*
 * Helpers for the native test programs: checks that count and print,
 * threads and fork-like child processes (a copy-on-write clone of our own
 * address space running one of our functions), so a test needs no loader.
 */
#ifndef NT_H
#define NT_H

#include <stdint.h>
#include <lichen/errno.h>
#include <lichen/native.h>
#include <lichen/rt.h>
#include <lichen/string.h>

#define NT_MAX_GIVE	8

extern unsigned nt_checks, nt_failures;
/* In a child of nt_fork: the numbers of the handles it was given. */
extern handle_t nt_given[NT_MAX_GIVE];
extern const char *nt_name;

#define CHECK(cond, ...) do {						\
	nt_checks++;							\
	if (!(cond)) {							\
		nt_failures++;						\
		printf("%s: FAIL %s:%d: %s: ", nt_name, __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

/* A check on a call's result: CHECK_EQ(call(...), -EBADF). */
#define CHECK_EQ(expr, want) do {					\
	long got_ = (long)(expr), want_ = (long)(want);			\
	CHECK(got_ == want_, "got %ld, want %ld", got_, want_);		\
} while (0)

/* Print the summary line the QEMU tests look for; the exit status. */
int nt_summary(void);

/* Start fn(arg) as a new thread of this process, on cpu (-1: any). */
long nt_thread(void (*fn)(uint64_t), uint64_t arg, int cpu);

/*
 * Start fn(arg) in a new process whose address space is a copy-on-write
 * clone of ours. give[0..ngive) are copied into it with their rights;
 * the numbers they get there are in given[] (may be NULL). Returns the
 * process handle; fn must end with process_exit.
 */
long nt_fork(const char *name, void (*fn)(uint64_t), uint64_t arg,
    const handle_t *give, unsigned ngive, handle_t *given);
/*
 * The same, for a process whose every SVC becomes a message on
 * personality; *thread (may be NULL) gets a handle to its thread.
 */
long nt_fork_personality(const char *name, void (*fn)(uint64_t), uint64_t arg,
    handle_t personality, handle_t *thread);

#endif

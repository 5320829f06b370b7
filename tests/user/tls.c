/*
 * tls: thread-local storage, compared with Linux. Initialised and
 * zeroed __thread variables start fresh in every thread, each thread
 * writes only its own copy, TPIDR_EL0 differs between threads and
 * survives system calls, a signal handler and a sleep, pthread keys
 * (per-thread values, destructors run at thread exit with the value),
 * and the key errors.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

enum { NTHREADS = 4 };

static __thread int initialised = 42;
static __thread long zeroed;
static __thread char buffer[256] = "tls";
static pthread_key_t key;
static int destructed[NTHREADS + 1];
static uintptr_t tps[NTHREADS];
static volatile sig_atomic_t handler_tp_ok;

static uintptr_t
tpidr(void)
{
	uintptr_t tp;

	__asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
	return tp;
}

static void
destructor(void *v)
{
	destructed[(intptr_t)v]++;
}

static void
on_usr1(int sig)
{
	(void)sig;
	handler_tp_ok = tpidr() != 0;
	initialised = -1; /* the handler runs on the thread's own TLS */
}

static void *
worker(void *arg)
{
	intptr_t i = (intptr_t)arg;
	int ok = initialised == 42 && zeroed == 0 &&
		 strcmp(buffer, "tls") == 0;
	uintptr_t tp = tpidr();

	initialised = 100 + i;
	zeroed = i;
	buffer[0] = 'A' + i;
	tps[i - 1] = tp;
	pthread_setspecific(key, (void *)i);
	nanosleep(&(struct timespec){0, 10000000}, NULL);
	getpid();
	ok &= tpidr() == tp;
	ok &= initialised == 100 + i && zeroed == i && buffer[0] == 'A' + i;
	ok &= pthread_getspecific(key) == (void *)i;
	return (void *)(intptr_t)ok;
}

int
main(void)
{
	pthread_t t[NTHREADS];
	uintptr_t main_tp = tpidr();
	int all_ok = 1, distinct = 1;
	pthread_key_t keys[4];
	void *r;

	check_err("pthread_key_create", pthread_key_create(&key, destructor));
	say("main: initialised %d, zeroed %ld, buffer \"%s\"", initialised,
	    zeroed, buffer);
	initialised = 7;
	for (intptr_t i = 1; i <= NTHREADS; i++)
		pthread_create(&t[i - 1], NULL, worker, (void *)i);
	for (int i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &r);
		all_ok &= r == (void *)1;
	}
	say("%d threads: fresh copies and their own writes: %s", NTHREADS,
	    all_ok ? "yes" : "no");
	for (int i = 0; i < NTHREADS; i++) {
		distinct &= tps[i] != 0 && tps[i] != main_tp;
		for (int j = 0; j < i; j++)
			distinct &= tps[i] != tps[j];
	}
	say("TPIDR_EL0 distinct per thread: %s", distinct ? "yes" : "no");
	say("main's copy after them: initialised %d", initialised);
	say("destructors ran: %d %d %d %d", destructed[1], destructed[2],
	    destructed[3], destructed[4]);
	expect("main's key value still NULL", pthread_getspecific(key) == NULL);

	signal(SIGUSR1, on_usr1);
	raise(SIGUSR1);
	say("after a handler: TPIDR_EL0 the same %s, in the handler %s, "
	    "initialised %d",
	    tpidr() == main_tp ? "yes" : "no", handler_tp_ok ? "set" : "zero",
	    initialised);

	check_err("pthread_key_delete", pthread_key_delete(key));
	for (int i = 0; i < 4; i++)
		pthread_key_create(&keys[i], NULL);
	check_err("pthread_setspecific(keys[2])",
	    pthread_setspecific(keys[2], (void *)5));
	expect("getspecific(keys[2]) == 5", pthread_getspecific(keys[2]) == (void *)5);
	expect("getspecific(keys[1]) == NULL", pthread_getspecific(keys[1]) == NULL);
	return 0;
}

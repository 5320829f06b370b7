/*
 * pcancel: thread cancellation on musl (SIGCANCEL and the cancellation
 * points around its system calls), compared with Linux. A thread
 * cancelled while blocked in read, in pause and in a condition wait
 * (its cleanup handlers run in order, the mutex is held again), a
 * thread with cancellation disabled until it enables it and calls
 * pthread_testcancel, asynchronous cancellation of a spinning thread,
 * and cancelling a thread that already returned (0; its result
 * stays). Joining oneself is left out: musl does not check for it.
 */
#include <pthread.h>
#include <unistd.h>

#include "linuxtest.h"

static int pfd[2];
static char trail[64];
static int ntrail;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static volatile int started, spinning;
static int held_in_cleanup;

static void
note(void *c)
{
	trail[ntrail++] = *(char *)c;
}

static void *
in_read(void *arg)
{
	char c;

	(void)arg;
	pthread_cleanup_push(note, "a");
	pthread_cleanup_push(note, "b");
	started = 1;
	read(pfd[0], &c, 1);
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return (void *)1;
}

static void *
in_pause(void *arg)
{
	(void)arg;
	pthread_cleanup_push(note, "p");
	started = 1;
	for (;;)
		pause();
	pthread_cleanup_pop(0);
	return NULL;
}

static void
unlock_after_check(void *arg)
{
	(void)arg;
	held_in_cleanup = pthread_mutex_trylock(&m) != 0;
	pthread_mutex_unlock(&m);
}

static void *
in_cond(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	pthread_cleanup_push(unlock_after_check, NULL);
	started = 1;
	for (;;)
		pthread_cond_wait(&cv, &m);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *
disabled(void *arg)
{
	int old;

	(void)arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	started = 1;
	usleep(50000); /* a cancellation point, but disabled */
	note("d");
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	note("e");
	pthread_testcancel();
	note("x");
	return NULL;
}

static void *
spin(void *arg)
{
	int old;

	(void)arg;
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old);
	started = 1;
	for (;;)
		spinning++;
	return NULL;
}

static void *
quick(void *arg)
{
	return arg;
}

static void
run(const char *what, void *(*fn)(void *))
{
	pthread_t t;
	void *r;

	started = 0;
	ntrail = 0;
	pthread_create(&t, NULL, fn, NULL);
	while (!started)
		usleep(1000);
	usleep(20000);
	check_err("pthread_cancel", pthread_cancel(t));
	check_err("pthread_join", pthread_join(t, &r));
	trail[ntrail] = '\0';
	say("%s: %s, cleanup trail \"%s\"", what,
	    r == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "returned", trail);
}

int
main(void)
{
	pthread_t t;
	void *r;

	pipe(pfd);
	run("cancelled in read", in_read);
	run("cancelled in pause", in_pause);
	run("cancelled in pthread_cond_wait", in_cond);
	say("mutex held again in the cleanup handler: %s",
	    held_in_cleanup ? "yes" : "no");
	expect("mutex free after", pthread_mutex_trylock(&m) == 0);
	pthread_mutex_unlock(&m);
	run("cancel disabled, then enabled", disabled);
	run("asynchronous, spinning", spin);
	pthread_create(&t, NULL, quick, (void *)7);
	usleep(20000);
	check_err("pthread_cancel(a thread that returned)", pthread_cancel(t));
	pthread_join(t, &r);
	say("its result: %ld", (long)r);
	return 0;
}

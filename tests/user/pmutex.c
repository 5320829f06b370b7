/*
 * pmutex: POSIX mutexes and condition variables on musl (futexes
 * underneath), compared with Linux. Normal, error-checking and
 * recursive mutexes (EDEADLK, EPERM, lock counts), trylock's EBUSY from
 * another thread, timedlock's ETIMEDOUT and EINVAL, cond_timedwait
 * against CLOCK_REALTIME and CLOCK_MONOTONIC (ETIMEDOUT, EINVAL), one
 * waiter woken by signal and every one by broadcast.
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int waiting, woken, go;

static struct timespec
in_ms(clockid_t clk, long ms)
{
	struct timespec t;

	clock_gettime(clk, &t);
	t.tv_nsec += ms * 1000000;
	t.tv_sec += t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	return t;
}

static void *
try_from_other(void *arg)
{
	return (void *)(long)pthread_mutex_trylock(arg);
}

static void *
unlock_from_other(void *arg)
{
	return (void *)(long)pthread_mutex_unlock(arg);
}

static int
in_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;
	void *r;

	pthread_create(&t, NULL, fn, arg);
	pthread_join(t, &r);
	return (int)(long)r;
}

static void
types(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t ec, rec;
	struct timespec t;

	check_err("lock normal", pthread_mutex_lock(&m));
	check_err("trylock normal (self, locked)", pthread_mutex_trylock(&m));
	check_err("trylock from another thread", in_thread(try_from_other, &m));
	t = in_ms(CLOCK_REALTIME, 20);
	check_err("timedlock 20 ms (locked)", pthread_mutex_timedlock(&m, &t));
	t.tv_nsec = 1000000000;
	check_err("timedlock tv_nsec 1e9 (locked)",
	    pthread_mutex_timedlock(&m, &t));
	check_err("unlock normal", pthread_mutex_unlock(&m));

	pthread_mutexattr_init(&a);
	check_err("settype ERRORCHECK",
	    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK));
	check_err("settype 99", pthread_mutexattr_settype(&a, 99));
	pthread_mutex_init(&ec, &a);
	check_err("errorcheck: lock", pthread_mutex_lock(&ec));
	check_err("errorcheck: lock again", pthread_mutex_lock(&ec));
	check_err("errorcheck: unlock from another thread",
	    in_thread(unlock_from_other, &ec));
	check_err("errorcheck: unlock", pthread_mutex_unlock(&ec));
	check_err("errorcheck: unlock unlocked", pthread_mutex_unlock(&ec));

	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&rec, &a);
	check_err("recursive: lock", pthread_mutex_lock(&rec));
	check_err("recursive: lock again", pthread_mutex_lock(&rec));
	check_err("recursive: trylock", pthread_mutex_trylock(&rec));
	check_err("recursive: trylock from another thread",
	    in_thread(try_from_other, &rec));
	for (int i = 0; i < 3; i++)
		check_err("recursive: unlock", pthread_mutex_unlock(&rec));
	check_err("recursive: unlock once too often",
	    pthread_mutex_unlock(&rec));
	check_err("recursive: trylock from another thread, now free",
	    in_thread(try_from_other, &rec));
	pthread_mutexattr_destroy(&a);
}

static void *
waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&m);
	waiting++;
	pthread_cond_broadcast(&cv);
	while (go == 0)
		pthread_cond_wait(&cv, &m);
	go--;
	woken++;
	waiting--;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&m);
	return NULL;
}

static void
conditions(void)
{
	enum { N = 5 };
	pthread_condattr_t ca;
	pthread_cond_t mono;
	pthread_t t[N];
	struct timespec ts;
	int w;

	pthread_mutex_lock(&m);
	ts = in_ms(CLOCK_REALTIME, 20);
	check_err("cond_timedwait 20 ms, realtime",
	    pthread_cond_timedwait(&cv, &m, &ts));
	ts.tv_nsec = -1;
	check_err("cond_timedwait tv_nsec -1", pthread_cond_timedwait(&cv, &m, &ts));
	pthread_condattr_init(&ca);
	check_err("condattr_setclock MONOTONIC",
	    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC));
	check_err("condattr_setclock THREAD_CPUTIME",
	    pthread_condattr_setclock(&ca, CLOCK_THREAD_CPUTIME_ID));
	pthread_cond_init(&mono, &ca);
	ts = in_ms(CLOCK_MONOTONIC, 20);
	check_err("cond_timedwait 20 ms, monotonic",
	    pthread_cond_timedwait(&mono, &m, &ts));
	pthread_mutex_unlock(&m);

	for (int i = 0; i < N; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	pthread_mutex_lock(&m);
	while (waiting < N)
		pthread_cond_wait(&cv, &m);
	go = 1;
	pthread_cond_signal(&cv);
	while (woken < 1)
		pthread_cond_wait(&cv, &m);
	w = woken;
	pthread_mutex_unlock(&m);
	usleep(20000);
	pthread_mutex_lock(&m);
	say("signal: %d woken (and %d still waiting)", w, waiting);
	go = N - 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&m);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	say("broadcast: %d woken in all, %d waiting", woken, waiting);
}

int
main(void)
{
	types();
	conditions();
	return 0;
}

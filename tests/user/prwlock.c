/*
 * prwlock: read-write locks and barriers on musl, compared with Linux.
 * Readers share a read lock (tryrdlock from another thread succeeds),
 * a writer is kept out (trywrlock EBUSY, timedwrlock ETIMEDOUT), a
 * write lock keeps readers out, a blocked writer gets the lock when the
 * readers go; a barrier of four threads passed five times, one
 * PTHREAD_BARRIER_SERIAL_THREAD each round, and barrier_init's EINVAL.
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t bar;
static int serials[5], passes[5];
static volatile int writer_in;

static struct timespec
in_ms(long ms)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += ms * 1000000;
	t.tv_sec += t.tv_nsec / 1000000000;
	t.tv_nsec %= 1000000000;
	return t;
}

static void *
try_read(void *arg)
{
	long r = pthread_rwlock_tryrdlock(&rw);

	(void)arg;
	if (r == 0)
		pthread_rwlock_unlock(&rw);
	return (void *)r;
}

static void *
try_write(void *arg)
{
	long r = pthread_rwlock_trywrlock(&rw);

	(void)arg;
	if (r == 0)
		pthread_rwlock_unlock(&rw);
	return (void *)r;
}

static void *
timed_write(void *arg)
{
	struct timespec t = in_ms(20);

	(void)arg;
	return (void *)(long)pthread_rwlock_timedwrlock(&rw, &t);
}

static void *
blocking_write(void *arg)
{
	(void)arg;
	pthread_rwlock_wrlock(&rw);
	writer_in = 1;
	pthread_rwlock_unlock(&rw);
	return NULL;
}

static int
in_thread(void *(*fn)(void *))
{
	pthread_t t;
	void *r;

	pthread_create(&t, NULL, fn, NULL);
	pthread_join(t, &r);
	return (int)(long)r;
}

static void
rwlocks(void)
{
	pthread_t t;
	struct timespec ts;

	check_err("rdlock", pthread_rwlock_rdlock(&rw));
	check_err("rdlock again (same thread)", pthread_rwlock_rdlock(&rw));
	check_err("tryrdlock from another thread", in_thread(try_read));
	check_err("trywrlock from another thread", in_thread(try_write));
	check_err("timedwrlock 20 ms from another thread", in_thread(timed_write));
	pthread_create(&t, NULL, blocking_write, NULL);
	usleep(30000);
	say("blocked writer in while read-locked: %s", writer_in ? "yes" : "no");
	pthread_rwlock_unlock(&rw);
	pthread_rwlock_unlock(&rw);
	pthread_join(t, NULL);
	say("writer in after the readers left: %s", writer_in ? "yes" : "no");
	check_err("wrlock", pthread_rwlock_wrlock(&rw));
	check_err("tryrdlock from another thread", in_thread(try_read));
	check_err("trywrlock from another thread", in_thread(try_write));
	check_err("trywrlock (self)", pthread_rwlock_trywrlock(&rw));
	ts = in_ms(20);
	check_err("timedrdlock 20 ms (self holds write)",
	    pthread_rwlock_timedrdlock(&rw, &ts));
	check_err("unlock", pthread_rwlock_unlock(&rw));
	check_err("tryrdlock from another thread", in_thread(try_read));
	ts.tv_nsec = 1000000000;
	check_err("timedwrlock tv_nsec 1e9 (free)",
	    pthread_rwlock_timedwrlock(&rw, &ts));
}

static void *
crosser(void *arg)
{
	(void)arg;
	for (int round = 0; round < 5; round++) {
		int r = pthread_barrier_wait(&bar);

		if (r == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_fetch_add(&serials[round], 1, __ATOMIC_SEQ_CST);
		else if (r == 0)
			__atomic_fetch_add(&passes[round], 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void
barriers(void)
{
	pthread_barrier_t b;
	pthread_t t[3];

	check_err("barrier_init(count 0)", pthread_barrier_init(&b, NULL, 0));
	check_err("barrier_init(count 4)", pthread_barrier_init(&bar, NULL, 4));
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, crosser, NULL);
	crosser(NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	for (int round = 0; round < 5; round++)
		say("round %d: serial %d, others %d", round, serials[round],
		    passes[round]);
	check_err("barrier_destroy", pthread_barrier_destroy(&bar));
	check_err("barrier_init(count 1)", pthread_barrier_init(&b, NULL, 1));
	say("a barrier of one: %s", pthread_barrier_wait(&b) ==
	    PTHREAD_BARRIER_SERIAL_THREAD ? "serial" : "other");
}

int
main(void)
{
	rwlocks();
	barriers();
	return 0;
}

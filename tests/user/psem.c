/*
 * psem: POSIX unnamed semaphores on musl, compared with Linux.
 * sem_init and sem_getvalue, sem_trywait's EAGAIN, sem_timedwait's
 * ETIMEDOUT and EINVAL, a post waking a thread blocked in sem_wait,
 * EOVERFLOW at SEM_VALUE_MAX, and a process-shared semaphore pair in
 * MAP_SHARED memory passing a token 200 times between a parent and a
 * child.
 */
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

static sem_t s;
static volatile int got;

static void *
waiter(void *arg)
{
	(void)arg;
	sem_wait(&s);
	got = 1;
	return NULL;
}

static void
basics(void)
{
	struct timespec t;
	pthread_t th;
	int v;

	check("sem_init(2)", sem_init(&s, 0, 2));
	sem_getvalue(&s, &v);
	say("value %d", v);
	check("sem_trywait", sem_trywait(&s));
	check("sem_wait", sem_wait(&s));
	check("sem_trywait at 0", sem_trywait(&s));
	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += 20000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	check("sem_timedwait 20 ms at 0", sem_timedwait(&s, &t));
	t.tv_nsec = 1000000000;
	check("sem_timedwait tv_nsec 1e9 at 0", sem_timedwait(&s, &t));
	check("sem_post", sem_post(&s));
	t.tv_nsec = 1000000000;
	check("sem_timedwait tv_nsec 1e9 at 1", sem_timedwait(&s, &t));
	pthread_create(&th, NULL, waiter, NULL);
	usleep(20000);
	say("waiter through before a post: %s", got ? "yes" : "no");
	sem_post(&s);
	pthread_join(th, NULL);
	say("waiter through after a post: %s", got ? "yes" : "no");
	sem_getvalue(&s, &v);
	say("value %d", v);
	check("sem_init(SEM_VALUE_MAX + 1)", sem_init(&s, 0, (unsigned)SEM_VALUE_MAX + 1));
	check("sem_init(SEM_VALUE_MAX)", sem_init(&s, 0, SEM_VALUE_MAX));
	check("sem_post at SEM_VALUE_MAX", sem_post(&s));
	sem_destroy(&s);
}

static void
shared(void)
{
	enum { ROUNDS = 200 };
	sem_t *pair = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int *counter = (int *)(pair + 2), st, bad = 0;
	pid_t pid;

	check("sem_init(pshared) a", sem_init(&pair[0], 1, 0));
	check("sem_init(pshared) b", sem_init(&pair[1], 1, 0));
	if ((pid = fork()) == 0) {
		for (int i = 0; i < ROUNDS; i++) {
			sem_wait(&pair[0]);
			if (*counter != 2 * i + 1)
				_exit(1);
			++*counter;
			sem_post(&pair[1]);
		}
		_exit(0);
	}
	for (int i = 0; i < ROUNDS; i++) {
		if (*counter != 2 * i)
			bad++;
		++*counter;
		sem_post(&pair[0]);
		sem_wait(&pair[1]);
	}
	waitpid(pid, &st, 0);
	say("%d rounds through two shared semaphores: counter %d, in order %s, "
	    "child exited %d",
	    ROUNDS, *counter, bad ? "no" : "yes", WEXITSTATUS(st));
}

int
main(void)
{
	basics();
	shared();
	return 0;
}

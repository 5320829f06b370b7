/*
 * threads: POSIX threads on musl (clone with CLONE_VM | CLONE_FS |
 * CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
 * CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID), compared
 * with Linux. Create and join, thread-local storage, thread ids, a
 * mutex and condition variable ping-pong, eight threads counting under
 * a mutex, a signal to one thread and a process signal that only one
 * thread can take, detached threads, a thread ending the process
 * (exit, a fault), clone's flag errors, and last the main thread
 * leaving with pthread_exit while another runs on.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linuxtest.h"

static __thread int tls = 5;
static __thread int tls_array[3] = {1, 2, 3};
static __thread long tls_zero;

static void
sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000};

	nanosleep(&ts, NULL);
}

static pid_t
tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

static void *
twice(void *arg)
{
	return (void *)((uintptr_t)arg * 2);
}

static void *
leave_early(void *arg)
{
	(void)arg;
	pthread_exit((void *)7);
	return NULL;
}

struct ids {
	pid_t pid, tid;
	int tls_start, tls_array_ok, tls_zero_ok;
};

static void *
report_ids(void *arg)
{
	struct ids *r = arg;

	r->pid = getpid();
	r->tid = tid();
	r->tls_start = tls;
	r->tls_array_ok = tls_array[0] == 1 && tls_array[2] == 3;
	r->tls_zero_ok = tls_zero == 0;
	tls = 7;
	tls_array[1] = 20;
	tls_zero = 9;
	return NULL;
}

static void
create_and_ids(void)
{
	pthread_t t[4];
	struct ids r[4];
	void *ret;
	int distinct = 1;

	check_err(
	    "pthread_create", pthread_create(&t[0], NULL, twice, (void *)21));
	check_err("pthread_join", pthread_join(t[0], &ret));
	say("returned: %ld", (long)(uintptr_t)ret);
	pthread_create(&t[0], NULL, leave_early, NULL);
	pthread_join(t[0], &ret);
	say("pthread_exit value: %ld", (long)(uintptr_t)ret);

	tls = 6;
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, report_ids, &r[i]);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < i; j++)
			distinct &= r[i].tid != r[j].tid;
	say("main: gettid() and getpid() %s",
	    tid() == getpid() ? "same" : "different");
	say("thread: getpid() and main's %s",
	    r[0].pid == getpid() ? "same" : "different");
	say("thread: gettid() and getpid() %s",
	    r[0].tid == r[0].pid ? "same" : "different");
	expect("four threads, four distinct tids, none the main's",
	    distinct && r[0].tid != tid() && r[1].tid != tid() &&
		r[2].tid != tid() && r[3].tid != tid());
	say("thread saw tls %d (main had set 6), initialised array %s, zeroed "
	    "%s",
	    r[0].tls_start, r[0].tls_array_ok ? "yes" : "no",
	    r[0].tls_zero_ok ? "yes" : "no");
	say("main after the threads wrote theirs: tls %d, array[1] %d, zeroed "
	    "%ld",
	    tls, tls_array[1], tls_zero);
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static int turn, volleys;
#define ROUNDS 1000

static void *
player(void *arg)
{
	int me = (int)(uintptr_t)arg;

	pthread_mutex_lock(&lock);
	for (int i = 0; i < ROUNDS; i++) {
		while (turn != me)
			pthread_cond_wait(&turn_changed, &lock);
		volleys++;
		turn = !me;
		pthread_cond_broadcast(&turn_changed);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

static long counter, atomic_counter;

static void *
count_up(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		__atomic_fetch_add(&atomic_counter, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void
synchronisation(void)
{
	pthread_t t[8];

	pthread_create(&t[0], NULL, player, (void *)0);
	pthread_create(&t[1], NULL, player, (void *)1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	say("mutex and condvar ping-pong: %d volleys", volleys);

	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, count_up, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	say("8 threads x 10000 increments: under the mutex %ld, atomic %ld",
	    counter, atomic_counter);
	check_err("pthread_mutex_trylock (free)", pthread_mutex_trylock(&lock));
	check_err("pthread_mutex_trylock (held)", pthread_mutex_trylock(&lock));
	pthread_mutex_unlock(&lock);
}

static volatile pid_t handled_by, target;
static volatile int go;

static void
note_thread(int sig)
{
	(void)sig;
	handled_by = tid();
	go = 1;
}

static void *
wait_for_signal(void *arg)
{
	sigset_t set;

	if (arg != NULL) { /* take the signal the main thread blocks */
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	}
	target = tid();
	for (int i = 0; i < 5000 && !go; i++)
		sleep_ms(1);
	return NULL;
}

static void
signals(void)
{
	pthread_t t;
	sigset_t set;

	signal(SIGUSR1, note_thread);
	signal(SIGUSR2, note_thread);
	go = 0, target = 0, handled_by = 0;
	pthread_create(&t, NULL, wait_for_signal, NULL);
	while (target == 0)
		sleep_ms(1);
	check_err("pthread_kill(thread, 0)", pthread_kill(t, 0));
	check_err("pthread_kill(thread, SIGUSR1)", pthread_kill(t, SIGUSR1));
	pthread_join(t, NULL);
	say("SIGUSR1 handled by %s", handled_by == target  ? "the target thread"
				     : handled_by == tid() ? "the main thread"
							   : "nobody");

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	go = 0, target = 0, handled_by = 0;
	pthread_create(&t, NULL, wait_for_signal, (void *)1);
	while (target == 0)
		sleep_ms(1);
	check("kill(getpid(), SIGUSR2), blocked in main only",
	    kill(getpid(), SIGUSR2));
	pthread_join(t, NULL);
	say("SIGUSR2 handled by %s", handled_by == target
					 ? "the thread not blocking it"
				     : handled_by == tid() ? "the main thread"
							   : "nobody");
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static volatile int detached_ran;

static void *
set_flag(void *arg)
{
	(void)arg;
	__atomic_fetch_add(&detached_ran, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void
detached(void)
{
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	check_err("pthread_create(detached)",
	    pthread_create(&t, &attr, set_flag, NULL));
	pthread_create(&t, NULL, set_flag, NULL);
	check_err("pthread_detach", pthread_detach(t));
	for (int i = 0; i < 5000 && detached_ran < 2; i++)
		sleep_ms(1);
	say("detached threads ran: %d", detached_ran);

	int made = 0;
	for (int i = 0; i < 100; i++) {
		if (pthread_create(&t, NULL, twice, NULL) == 0 &&
		    pthread_join(t, NULL) == 0)
			made++;
	}
	say("threads created and joined one after another: %d", made);
}

static void *
exit_process(void *arg)
{
	(void)arg;
	exit(5);
}

static void *
fault(void *arg)
{
	(void)arg;
	close(2); /* where qemu-aarch64 would report the signal */
	*(volatile int *)BAD_PTR = 1;
	return NULL;
}

static void
thread_ends_process(void *(*fn)(void *), const char *what)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		pthread_t t;

		pthread_create(&t, NULL, fn, NULL);
		for (;;)
			pause();
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st))
		say("%s: the process exited %d", what, WEXITSTATUS(st));
	else
		say("%s: the process was killed by signal %d", what,
		    WTERMSIG(st));
}

static void
clone_errors(void)
{
	check("clone(CLONE_THREAD) without CLONE_SIGHAND",
	    syscall(SYS_clone, CLONE_THREAD, 0, 0, 0, 0));
	check("clone(CLONE_SIGHAND) without CLONE_VM",
	    syscall(SYS_clone, CLONE_SIGHAND, 0, 0, 0, 0));
}

static void *
outlive_main(void *arg)
{
	(void)arg;
	sleep_ms(50);
	say("thread after main's pthread_exit: still running");
	return NULL; /* the last thread: the process exits 0 */
}

int
main(void)
{
	pthread_t t;

	create_and_ids();
	synchronisation();
	signals();
	detached();
	thread_ends_process(exit_process, "exit(5) in a thread");
	thread_ends_process(fault, "a fault in a thread");
	clone_errors();
	check("sched_yield", sched_yield());
	pthread_create(&t, NULL, outlive_main, NULL);
	pthread_exit(NULL);
}

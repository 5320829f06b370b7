/*
 * robust: a process-shared robust mutex whose owner dies holding it.
 * The kernel (linuxemu here) walks the dead thread's robust list: the
 * next locker gets EOWNERDEAD, makes it consistent, and goes on.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linuxtest.h"

int
main(void)
{
	pthread_mutexattr_t at;
	pthread_mutex_t *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	volatile int *flag = (volatile int *)(m + 1);
	int st, r;
	pid_t pid;

	pthread_mutexattr_init(&at);
	pthread_mutexattr_setpshared(&at, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&at, PTHREAD_MUTEX_ROBUST);
	check_err("pthread_mutex_init(robust, shared)", pthread_mutex_init(m, &at));
	if ((pid = fork()) == 0) {
		pthread_mutex_lock(m);
		*flag = 1;
		syscall(SYS_exit_group, 3);	/* dies holding it: no user-space unlock */
	}
	waitpid(pid, &st, 0);
	say("child held it and exited %d", WEXITSTATUS(st));
	r = pthread_mutex_lock(m);
	check_err("pthread_mutex_lock after the owner died", r);
	if (r == EOWNERDEAD)
		check_err("pthread_mutex_consistent", pthread_mutex_consistent(m));
	check_err("pthread_mutex_unlock", pthread_mutex_unlock(m));
	check_err("pthread_mutex_lock again", pthread_mutex_lock(m));
	check_err("pthread_mutex_unlock", pthread_mutex_unlock(m));
	/* get_robust_list of ourselves: set by musl's first robust lock. */
	{
		void *head;
		size_t len;

		check("get_robust_list(0)", syscall(SYS_get_robust_list, 0, &head, &len));
		say("robust list head length %zu", len);
		check("get_robust_list(bad pointer)", syscall(SYS_get_robust_list, 0, BAD_PTR, &len));
		check("set_robust_list(bad length)", syscall(SYS_set_robust_list, head, 7));
	}
	return 0;
}

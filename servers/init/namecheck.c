/*
 * namecheck: a native program for checking init and its name service on
 * lichen itself (docs/init.md). Started by init, x0 = its name handle.
 *
 *   namecheck serve NAME   registers an endpoint as NAME and serves
 *                          PROTO_TEST on it (libipc's test server)
 *   namecheck check NAME [DONE]
 *                          waits for NAME, calls it (TEST_SUM, TEST_ECHO
 *                          with data), checks the answers and lookups;
 *                          prints "namecheck: ok" and exits 0, or exits 1;
 *                          with DONE, first registers an endpoint as DONE
 *   namecheck wait NAME    waits until NAME is registered, says so, exits 0
 *                          (so a manifest can wait for a check it started)
 */
#include <lichen/errno.h>
#include <lichen/ipc_server.h>
#include <lichen/name_client.h>
#include <lichen/native.h>
#include <lichen/proto/test.h>
#include <lichen/rt.h>
#include <lichen/string.h>

int main(int argc, char **argv);

static char buf[256];

static int
serve(handle_t names, const char *name)
{
	struct ipc_server srv;
	long ep = ep_create(0), r;

	if (ep < 0)
		return 1;
	if ((r = name_register(names, name, (handle_t)ep)) != 0) {
		printf("namecheck: cannot register %s: error %ld\n", name, r);
		return 1;
	}
	ipc_server_init(&srv, (handle_t)ep, test_server_handlers,
	    test_server_nhandlers, NULL, 0, buf, sizeof(buf), NULL);
	return (int)ipc_server_run(&srv);
}

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("namecheck: failed: %s (line %d)\n", #cond, __LINE__); \
		return 1;						\
	}								\
} while (0)

static int
check(handle_t names, const char *name)
{
	struct ipc_msg m;
	struct ipc_ext x;
	handle_t h, h2;
	char out[8];

	CHECK(name_wait(names, name, &h) == 0);
	CHECK(name_lookup(names, name, &h2) == 0);
	CHECK(name_lookup(names, "no-such-name", &h2) == -ENOENT);
	CHECK(name_register(names, name, h) == -EEXIST);
	memset(&m, 0, sizeof(m));
	m.label = TEST_SUM;
	for (unsigned i = 0; i < IPC_WORDS; i++)
		m.w[i] = i + 1;
	CHECK(ipc_call(h, &m, NULL) == 0);
	CHECK(m.w[0] == 36);
	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = TEST_ECHO;
	m.w[7] = 0x1234;
	x.sbuf = (uint64_t)(uintptr_t)"lichen";
	x.slen = 6;
	x.rbuf = (uint64_t)(uintptr_t)out;
	x.rcap = sizeof(out);
	CHECK(ipc_call(h, &m, &x) == 0);
	CHECK(m.label == TEST_ECHO && m.w[7] == 0x1234);
	CHECK(x.rlen == 6 && memcmp(out, "lichen", 6) == 0);
	printf("namecheck: ok\n");
	return 0;
}

int
main(int argc, char **argv)
{
	handle_t names = (handle_t)native_start_word(0);
	handle_t h;
	long ep;
	int r;

	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		return serve(names, argv[2]);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "check") == 0) {
		r = check(names, argv[2]);
		if (r == 0 && argc == 4 && ((ep = ep_create(0)) < 0 ||
		    name_register(names, argv[3], (handle_t)ep) != 0))
			r = 1;
		return r;
	}
	if (argc == 3 && strcmp(argv[1], "wait") == 0) {
		if (name_wait(names, argv[2], &h) != 0)
			return 1;
		printf("namecheck: %s is there\n", argv[2]);
		return 0;
	}
	printf("usage: namecheck serve|check|wait NAME\n");
	return 2;
}

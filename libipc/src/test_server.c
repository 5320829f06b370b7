/*
 * PROTO_TEST (lichen/proto/test.h) as a handler table for the server
 * loop: what the IPC tests on the host and the native tests on lichen
 * run as their server.
 */
#include <lichen/ipc_server.h>
#include <lichen/proto/test.h>

/*
 * The loop puts a handler's return value in w0; the one value it cannot
 * carry (IPC_SUSPEND) is answered by hand.
 */
static long
reply_w0(struct ipc_req *req, uint64_t w0)
{
	if ((long)w0 != IPC_SUSPEND)
		return (long)w0;
	ipc_answer(req->msg.token, req->msg.label, (long)w0, &req->out);
	return IPC_SUSPEND;
}

static long
test_echo(struct ipc_server *srv, struct ipc_req *req)
{
	(void)srv;
	for (unsigned i = 1; i < IPC_WORDS; i++)
		req->out.w[i] = req->msg.w[i];
	req->out.data = req->data;
	req->out.len = req->len;
	for (unsigned i = 0; i < req->nhandles; i++) {
		req->out.handles[i] = req->handles[i];
		req->handles[i] = HANDLE_NONE;
	}
	req->out.nhandles = req->nhandles;
	return reply_w0(req, req->msg.w[0]);
}

static long
test_sum(struct ipc_server *srv, struct ipc_req *req)
{
	uint64_t sum = 0;

	(void)srv;
	for (unsigned i = 0; i < IPC_WORDS; i++)
		sum += req->msg.w[i];
	req->out.w[1] = req->len;
	return reply_w0(req, sum);
}

const struct ipc_handler test_server_handlers[] = {
	{ TEST_ECHO, test_echo },
	{ TEST_SUM, test_sum },
};
const unsigned test_server_nhandlers =
    sizeof(test_server_handlers) / sizeof(test_server_handlers[0]);

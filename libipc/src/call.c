/* ipc_call_data (lichen/ipc_call.h). */
#include <lichen/errno.h>
#include <lichen/ipc_call.h>
#include <lichen/native.h>
#include <lichen/string.h>

long
ipc_call_data(handle_t ep, uint64_t label, const uint64_t *w, unsigned nw,
    const void *data, size_t len, void *rbuf, size_t rcap, uint64_t *rw, size_t *rlen)
{
	struct ipc_msg m;
	struct ipc_ext x;
	long r;

	memset(&m, 0, sizeof(m));
	memset(&x, 0, sizeof(x));
	m.label = label;
	for (unsigned i = 0; i < nw && i < IPC_WORDS; i++)
		m.w[i] = w[i];
	x.sbuf = (uint64_t)(uintptr_t)data;
	x.slen = len;
	x.rbuf = (uint64_t)(uintptr_t)rbuf;
	x.rcap = rcap;
	if ((r = ipc_call(ep, &m, &x)) < 0)
		return r;
	if (m.label == LABEL_ERROR)
		return -EPIPE;
	if (rw != NULL)
		memcpy(rw, m.w, sizeof(m.w));
	if (rlen != NULL)
		*rlen = x.rlen;
	return (long)m.w[0];
}

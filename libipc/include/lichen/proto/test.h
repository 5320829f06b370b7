/*
 * PROTO_TEST: the smallest useful protocol, for IPC tests on the host
 * and on lichen. It does not follow the status convention: its words are
 * data. libipc's test_server.c implements it for the server loop.
 *
 *   TEST_ECHO  reply: the request's label and 8 words unchanged, its
 *              out-of-line data, and the handles it carried (sent back).
 *   TEST_SUM   reply: w0 = w0 + ... + w7 of the request (mod 2^64),
 *              w1 = the number of out-of-line bytes received.
 */
#ifndef LICHEN_PROTO_TEST_H
#define LICHEN_PROTO_TEST_H

#include <lichen/ipc.h>
#include <lichen/proto/protocols.h>

enum test_op {
	TEST_OP_ECHO = 1,
	TEST_OP_SUM = 2,
};

#define TEST_ECHO	IPC_LABEL(PROTO_TEST, TEST_OP_ECHO)
#define TEST_SUM	IPC_LABEL(PROTO_TEST, TEST_OP_SUM)

#endif

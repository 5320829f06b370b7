/*
 * random.c - ChaCha20 (RFC 8439 section 2.3) and the generator behind
 * /dev/random and /dev/urandom (devfs.h).
 *
 * The generator is a 256-bit key. Output is the ChaCha20 key stream of
 * that key (counter from 0, a nonce counting calls), and after every call
 * the key is replaced by 32 more bytes of the same stream, so output
 * already given cannot be recomputed from a later key ("fast key
 * erasure"). Input (the seeds main.c gathers, console interrupt times,
 * what is written to /dev/random) is mixed in 8 bytes at a time as the
 * nonce of one block under the current key (the bytes still to come as
 * its counter), whose first 32 bytes become the new key: the key after mixing depends on every input byte and on
 * the key before it, and is unpredictable if either is.
 *
 * Host-built too: tests/unit/test_devtmpfs.c checks the block function
 * against RFC 8439's test vector.
 */
#include <lichen/string.h>

#include "devfs.h"

static uint32_t
rotl(uint32_t v, unsigned n)
{
	return v << n | v >> (32 - n);
}

/* RFC 8439 2.1: a += b; d ^= a; d <<<= 16; c += d; b ^= c; b <<<= 12; ... 8, 7. */
static void
quarter(uint32_t *x, unsigned a, unsigned b, unsigned c, unsigned d)
{
	x[a] += x[b];
	x[d] = rotl(x[d] ^ x[a], 16);
	x[c] += x[d];
	x[b] = rotl(x[b] ^ x[c], 12);
	x[a] += x[b];
	x[d] = rotl(x[d] ^ x[a], 8);
	x[c] += x[d];
	x[b] = rotl(x[b] ^ x[c], 7);
}

/*
 * The state: "expand 32-byte k" as four little-endian words, the key,
 * the block counter, the nonce. Twenty rounds (ten column-and-diagonal
 * pairs), the input added back, serialized little-endian.
 */
void
chacha20_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
    uint8_t out[64])
{
	uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	uint32_t x[16];

	memcpy(&in[4], key, 32);
	in[12] = counter;
	memcpy(&in[13], nonce, 12);
	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		quarter(x, 0, 4, 8, 12);
		quarter(x, 1, 5, 9, 13);
		quarter(x, 2, 6, 10, 14);
		quarter(x, 3, 7, 11, 15);
		quarter(x, 0, 5, 10, 15);
		quarter(x, 1, 6, 11, 12);
		quarter(x, 2, 7, 8, 13);
		quarter(x, 3, 4, 9, 14);
	}
	for (int i = 0; i < 16; i++) {
		uint32_t v = x[i] + in[i];

		out[4 * i] = (uint8_t)v;
		out[4 * i + 1] = (uint8_t)(v >> 8);
		out[4 * i + 2] = (uint8_t)(v >> 16);
		out[4 * i + 3] = (uint8_t)(v >> 24);
	}
}

static uint32_t key[8];
static uint64_t calls;			/* the output nonce: never the same twice */

/* Nonce word 0 tells mixing (1) from output (0), so the two never collide. */
#define MIX_TAG	1u

void
rng_mix(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t blk[64];

	while (len > 0) {
		uint32_t nonce[3] = { MIX_TAG, 0, 0 };
		size_t n = len < 8 ? len : 8;
		uint32_t counter = (uint32_t)len;

		memcpy(&nonce[1], p, n);
		chacha20_block(key, counter, nonce, blk);
		memcpy(key, blk, sizeof(key));
		p += n;
		len -= n;
	}
	memset(blk, 0, sizeof(blk));
}

void
rng_read(void *buf, size_t len)
{
	uint32_t nonce[3] = { 0, (uint32_t)calls, (uint32_t)(calls >> 32) };
	uint8_t blk[64], *out = buf;
	uint32_t counter = 0;

	calls++;
	while (len > 0) {
		size_t n = len < 64 ? len : 64;

		chacha20_block(key, counter++, nonce, blk);
		memcpy(out, blk, n);
		out += n;
		len -= n;
	}
	/* The next key: a block no output used (counter 0xffffffff: at most
	 * 64 KiB are asked at once, 1024 blocks). */
	chacha20_block(key, UINT32_MAX, nonce, blk);
	memcpy(key, blk, sizeof(key));
	memset(blk, 0, sizeof(blk));
}

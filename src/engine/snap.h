/* SPDX-License-Identifier: MIT */
/*
 * snap.h - the state file's layout, shared by its writer (snapshot.c)
 * and its loader (snaprestore.c); see snapshot.c for the format
 *
 * Records, by byte offset (numbers little-endian; addresses and ports
 * as the engine holds them, network order, read as integers: the file
 * never leaves the machine, a file of another boot or network namespace
 * is refused):
 *
 *	mapping (16)	 0 class (enum nat_pcls), 1 private, 4 internal
 *			 address, 8 internal port, 10 external port,
 *			 12 external address
 *	connection (112) 0 protocol, 1 TCP state, 2 class, 3 flags
 *			 (CT_F_*), 4 xflags (CT_X_*), 5 helper (enum
 *			 alg_id), 6 its `adjusted`, 7 1: the helper
 *			 was a rule's (CT --helper), 8 original tuple, 20
 *			 reply tuple (src, dst, sport, dport), 32 seconds
 *			 left, 36 and 52 the TCP directions (end, maxend,
 *			 maxwin, wsf), 68 and 80 the sequence adjustments
 *			 (init_seq, delta, pdelta), 92 rw_seq[2], 100 the
 *			 writer's entry index (its expectation names it),
 *			 104 the connection's mark, 108 its CT_A_* bits
 *			 (records of 104 bytes, from writers before marks,
 *			 load with mark 0)
 *	expectation (32) 0 master's entry index (the writer's), 4 peer, 8
 *			 address, 12 port, 14 protocol, 16 target address,
 *			 20 target port, 24 seconds left
 *	autofw (40)	 0 low, 2 high, 4 protocol, 5 control protocol, 6
 *			 control port, 8 flags, 12 holder, 16 remote, 20
 *			 seconds left (signed: the control connection may
 *			 hold it longer), 24 the control connection's tuple
 *
 * Every byte not named is written 0 and must be 0.
 */
#ifndef MASQ_SNAP_H
#define MASQ_SNAP_H

#include <stddef.h>
#include <stdint.h>

#include "masq/engine.h"

#define SNAP_MAGIC	"MASQSNAP"
#define SNAP_FORMAT	2	/* 2: the namespace's cookie (1: none) */
#define SNAP_HDR	MASQ_SNAP_HEADER
#define SNAP_COOKIE_AT	112		/* the network namespace's cookie */
#define SNAP_SUM_AT	120		/* the checksum's offset: the header's end */
#define SNAP_SEC_HDR	12
#define SNAP_MAP_REC	16
#define SNAP_CONN_REC	112
#define SNAP_CONN_REC_OLD 104	/* before the mark: still loaded */
#define SNAP_EXP_REC	32
#define SNAP_AUTO_REC	40
#define SNAP_NSEC	4
#define SNAP_MAX_LEFT	(30u * 24 * 3600)	/* no timeout is longer */

enum snap_sec { SNAP_SEC_MAPS = 1, SNAP_SEC_CONNS, SNAP_SEC_EXPECT,
		SNAP_SEC_AUTOFW };

/* ---- bytes --------------------------------------------------------------- */

static inline void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* FNV-1a 64: detects a torn or flipped file; not a defence against forgery
 * (whoever can write /run/masq can write masqd's configuration too) */
static inline uint64_t snap_sum(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#define SNAP_SUM_SEED	0xcbf29ce484222325ull

#endif

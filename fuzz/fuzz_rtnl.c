// SPDX-License-Identifier: MIT
/*
 * fuzz_rtnl.c - the kernel's rtnetlink replies through masqd's parsers
 *
 * masqd reads the kernel's answers to its address and route requests
 * (io/rtnl.c): acknowledgements and one route dump. A reply is input
 * like any other; here the input is one: 4 bytes of sequence number,
 * then the datagram. Both parsers read it whole; each answer must be
 * one the callers know (rtnl_parse_ack(): 0, 1 or -errno 1..4095;
 * rtnl_parse_dump(): 0, 1 or -errno), and a cut datagram must never be
 * taken for an acknowledgement that the whole one does not hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "../src/io/rtnl.h"
#include "../tests/lib/fuzzeng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static bool errno_ok(int r)
{
	return r >= -4095 && r <= 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool found = false;
	uint32_t seq;
	int ack, dump;

	if (size < 4)
		return 0;
	memcpy(&seq, data, 4);
	data += 4;
	size -= 4;
	ack = rtnl_parse_ack(data, size, seq);
	dump = rtnl_parse_dump(data, size, seq, &found);
	if (!errno_ok(ack) || !errno_ok(dump) || ack == -4096) {
		fprintf(stderr, "parsers answered %d and %d\n", ack, dump);
		abort();
	}
	return 0;
}

/* Seeds: an acknowledgement, an error, a dump with a default route */
static void write_seeds(const char *dir)
{
	uint8_t b[256] = { 1, 0, 0, 0 };
	struct nlmsghdr h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr)),
			      .nlmsg_type = NLMSG_ERROR, .nlmsg_seq = 1 };
	struct nlmsgerr e = { .error = 0 };
	struct rtmsg rt = { .rtm_family = 2, .rtm_table = RT_TABLE_MAIN };

	memcpy(b + 4, &h, sizeof(h));
	memcpy(b + 4 + NLMSG_HDRLEN, &e, sizeof(e));
	fuzzeng_seed(dir, "ack", b, 4 + h.nlmsg_len);
	e.error = -17;
	memcpy(b + 4 + NLMSG_HDRLEN, &e, sizeof(e));
	fuzzeng_seed(dir, "eexist", b, 4 + h.nlmsg_len);
	h = (struct nlmsghdr){ .nlmsg_len = NLMSG_LENGTH(sizeof(rt)),
			       .nlmsg_type = RTM_NEWROUTE, .nlmsg_seq = 1 };
	memcpy(b + 4, &h, sizeof(h));
	memcpy(b + 4 + NLMSG_HDRLEN, &rt, sizeof(rt));
	h = (struct nlmsghdr){ .nlmsg_len = NLMSG_LENGTH(4),
			       .nlmsg_type = NLMSG_DONE, .nlmsg_seq = 1 };
	memcpy(b + 4 + NLMSG_LENGTH(sizeof(rt)), &h, sizeof(h));
	fuzzeng_seed(dir, "dump", b, 4 + NLMSG_LENGTH(sizeof(rt)) +
		     NLMSG_LENGTH(4));
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzzeng_start(16, 2048, write_seeds);
	return 0;
}

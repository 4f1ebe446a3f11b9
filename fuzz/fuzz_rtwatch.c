// SPDX-License-Identifier: MIT
/*
 * fuzz_rtwatch.c - libFuzzer target for the rtnetlink parser (rtw_parse())
 *
 * The first byte is the room for events (0: RTW_MAX_EVENTS, else that
 * many); the rest is what one recv() on the NETLINK_ROUTE socket could
 * have given. libFuzzer hands the bytes in a buffer of exactly their
 * size, so ASan sees any read past the end. Beyond not crashing, every
 * answer must be sound: a count within the room, or -EBADMSG/-ENOSPC;
 * events of known kinds only; names NUL-terminated within IF_NAMESIZE;
 * prefixes of at most 32 bits; links and addresses with an index > 0.
 * A buffer that parses in little room parses the same in a lot.
 *
 * MASQ_FUZZ_WRITE_SEEDS=DIR writes a few dumps and notifications (made
 * with tests/lib/nlbuild.h) into DIR and exits.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "../src/io/rtwatch.h"
#include "../tests/lib/nlbuild.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct rtw_event ev[RTW_MAX_EVENTS];

static void check_event(const struct rtw_event *e)
{
	if (e->kind >= RTW_KIND_NUM || e->kind == RTW_SYNC_BEGIN ||
	    e->kind == RTW_SYNC_END)
		abort();	/* the parser makes no SYNC events */
	if (e->kind == RTW_LINK &&
	    (e->link.ifindex <= 0 ||
	     !memchr(e->link.name, '\0', sizeof(e->link.name))))
		abort();
	if (e->kind == RTW_ADDR && (e->addr.ifindex <= 0 || e->addr.plen > 32))
		abort();
	if (e->kind == RTW_ROUTE && e->route.plen > 32)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max;
	int n, again;

	if (!size)
		return 0;
	max = data[0] ? data[0] : RTW_MAX_EVENTS;
	n = rtw_parse(data + 1, size - 1, ev, max);
	if (n < 0) {
		if (n != -EBADMSG && n != -ENOSPC)
			abort();
		return 0;
	}
	if ((size_t)n > max)
		abort();
	for (int i = 0; i < n; i++)
		check_event(&ev[i]);
	again = rtw_parse(data + 1, size - 1, ev, RTW_MAX_EVENTS);
	if (again != n)
		abort();
	return 0;
}

static void write_seed(const char *dir, int k, const uint8_t *p, size_t len)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-rtwatch-%d", dir, k);
	f = fopen(path, "wb");
	if (!f)
		return;
	fputc(0, f);
	fwrite(p, 1, len, f);
	fclose(f);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const uint8_t mac[6] = { 2, 0x6d, 0x71, 0, 1, 2 };
	static uint8_t buf[4096];
	const char *dir = getenv("MASQ_FUZZ_WRITE_SEEDS");
	struct nlb b;

	(void)argc;
	(void)argv;
	if (!dir)
		return 0;
	nlb_init(&b, buf, sizeof(buf));
	nlb_link(&b, RTM_NEWLINK, 7, "wan0-h", 0x41, mac, 1500);
	nlb_link(&b, RTM_DELLINK, 8, "lan0-h", 0, NULL, 0);
	write_seed(dir, 0, buf, nlb_end(&b));
	nlb_init(&b, buf, sizeof(buf));
	nlb_addr(&b, RTM_NEWADDR, 7, htonl(0xcb007107), 24);
	nlb_addr(&b, RTM_DELADDR, 7, htonl(0xcb007107), 24);
	nlb_done(&b, 3, 0, 0);
	write_seed(dir, 1, buf, nlb_end(&b));
	nlb_init(&b, buf, sizeof(buf));
	nlb_route(&b, RTM_NEWROUTE, 0, 0, htonl(0xcb007101), 7, RT_TABLE_MAIN,
		  RTPROT_DHCP);
	nlb_route(&b, RTM_DELROUTE, htonl(0xcb007100), 24, 0, 7, RT_TABLE_MAIN,
		  RTPROT_KERNEL);
	nlb_error(&b, 4, -EBUSY);
	write_seed(dir, 2, buf, nlb_end(&b));
	exit(0);
}

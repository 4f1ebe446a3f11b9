// SPDX-License-Identifier: MIT
/*
 * test_runrec.c - the record of an interface's originals (io/runrec.c)
 * and the claim files (io/claim.c)
 *
 * A record formatted and read back is the same; every kind of damage --
 * truncated anywhere, a byte changed anywhere, another version, a table
 * name nft must not see, a sysctl twice, bytes after the end -- is
 * refused whole with the line named; the optional twin line likewise.
 * Claims: a second claim of a held
 * interface is refused naming the owner; a claim file without a lock is
 * stale and taken over; a record written is read back; a lock held for
 * an owner that is gone (its helper still giving back) is waited for, and
 * so is one whose owner has not written its name yet (never "pid 0");
 * a start's claims are all or none, and of two claimants of the same
 * interfaces started together exactly one wins. Files in a
 * private folder under /tmp. masqd --release's command line.
 *
 * Prints "ok runrec/NAME" or "FAIL runrec/NAME: why".
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "../lib/report.h"
#include "io/claim.h"
#include "io/runrec.h"
#include "masqd/options.h"

static struct runrec sample(void)
{
	struct runrec r = { .iface = "lan0", .ifindex = 3,
			    .mac = { 0x02, 0x6d, 0x71, 0, 0x01, 0xfe },
			    .table = "masqd_0cc6ab0f",
			    .sock = "/run/masq/masqd.sock", .pid = 4242 };

	r.has[TO_FORWARDING] = true;
	r.orig[TO_FORWARDING] = 1;
	r.has[TO_ARP_IGNORE] = true;
	r.orig[TO_ARP_IGNORE] = 0;
	return r;
}

static int round_trip(void)
{
	struct runrec r = sample(), back;
	char buf[RUNREC_MAX], why[160];
	int n = runrec_format(&r, buf, sizeof(buf));

	if (n <= 0)
		return report_failf("format: %d", n);
	if (runrec_parse(buf, (size_t)n, &back, why, sizeof(why)))
		return report_failf("refused its own record: %s", why);
	if (strcmp(back.iface, "lan0") || strcmp(back.table, r.table) ||
	    strcmp(back.sock, r.sock) || back.pid != 4242 ||
	    back.ifindex != 3 || memcmp(back.mac, r.mac, 6) ||
	    !back.has[TO_FORWARDING] || back.orig[TO_FORWARDING] != 1 ||
	    back.has[TO_DISABLE_IPV6] || !back.has[TO_ARP_IGNORE])
		return report_failf("read back differs");
	return 0;
}

static int truncated_anywhere(void)
{
	struct runrec r = sample(), back;
	char buf[RUNREC_MAX], why[160];
	int n = runrec_format(&r, buf, sizeof(buf));

	for (int k = 0; k < n; k++)
		if (!runrec_parse(buf, (size_t)k, &back, why, sizeof(why)))
			return report_failf("accepted the first %d of %d bytes",
					    k, n);
	return 0;
}

static int changed_anywhere(void)
{
	struct runrec r = sample(), back;
	char buf[RUNREC_MAX], why[160];
	int n = runrec_format(&r, buf, sizeof(buf));

	for (int k = 0; k < n; k++) {
		char was = buf[k];

		buf[k] = was == '1' ? '2' : was == '\n' ? ' ' : '1';
		if (!runrec_parse(buf, (size_t)n, &back, why, sizeof(why)))
			return report_failf("accepted with byte %d changed", k);
		buf[k] = was;
	}
	return 0;
}

/* @text must be refused with a reason containing @want */
static int refused(const char *text, const char *want)
{
	struct runrec back;
	char why[160];

	if (!runrec_parse(text, strlen(text), &back, why, sizeof(why)))
		return report_failf("accepted: %s", text);
	if (!strstr(why, want))
		return report_failf("reason '%s', want '%s'", why, want);
	return 0;
}

/* A good start: the lines before "table" */
#define HEAD	"masq-record 1\niface lan0\nifindex 3\nmac 02:00:00:00:00:01\n"

static int hostile_records(void)
{
	return refused("masq-record 2\n", "line 1: not a record of format 1") ||
	       refused(HEAD "table masqd_0cc6ab0f; "
		       "flush ruleset\n", "line 5: not a table name") ||
	       refused("masq-record 1\niface la/n0\n", "line 2: not an "
		       "interface name") ||
	       refused(HEAD "table masqd_0cc6ab0f\n"
		       "socket /s\npid -5\n", "line 7: not a process id") ||
	       refused(HEAD "table masqd_0cc6ab0f\n"
		       "socket /s\npid 5\nsysctl forwarding 1\nsysctl "
		       "forwarding 0\n", "line 9: a sysctl named twice") ||
	       refused(HEAD "table masqd_0cc6ab0f\n"
		       "socket /s\npid 5\nsysctl rp_filter 1\n", "line 8: a "
		       "sysctl masqd does not change") ||
	       refused(HEAD "table masqd_0cc6ab0f\n"
		       "socket /s\npid 5\nend 00000000\n", "line 8: checksum") ||
	       refused(HEAD "table masqd_0cc6ab0f\n"
		       "socket /s\033[2J\n", "line 6: a control character") ||
	       refused("masq-record 1\niface lan0\nifindex 0\n", "line 3: not "
		       "an interface index") ||
	       refused("masq-record 1\niface lan0\nifindex 3\nmac "
		       "02:00:00:00:00:0g\n", "line 4: not a MAC address") ||
	       refused("masq-record 1\niface lan0\nifindex 3\nmac "
		       "02:00:00:00:00\n", "line 4: not a MAC address") ||
	       refused("", "line 1: the record ends early") ||
	       refused("masq-record 1", "line 1: no newline");
}

/* The twin line: read back; changed anywhere refused; twice, bad: refused */
static int twin_line(void)
{
	struct runrec r = sample(), back;
	char buf[RUNREC_MAX], why[160];
	int n;

	snprintf(r.twin, sizeof(r.twin), "lan0-h");
	r.twin_ifindex = 7;
	n = runrec_format(&r, buf, sizeof(buf));
	if (n <= 0 || runrec_parse(buf, (size_t)n, &back, why, sizeof(why)))
		return report_failf("refused its own record with a twin: %s",
				    n <= 0 ? "format" : why);
	if (strcmp(back.twin, "lan0-h") || back.twin_ifindex != 7 ||
	    !back.has[TO_FORWARDING])
		return report_failf("read back differs: twin '%s' %d",
				    back.twin, back.twin_ifindex);
	for (int k = 0; k < n; k++) {
		char was = buf[k];

		buf[k] = was == '1' ? '2' : was == '\n' ? ' ' : '1';
		if (!runrec_parse(buf, (size_t)n, &back, why, sizeof(why)))
			return report_failf("accepted with byte %d changed", k);
		buf[k] = was;
	}
	return refused(HEAD "table masqd_0cc6ab0f\nsocket /s\npid 5\n"
		       "twin lan0-h 7\ntwin lan0-h 7\n", "line 9: expected "
		       "'sysctl' or 'end'") ||
	       refused(HEAD "table masqd_0cc6ab0f\nsocket /s\npid 5\n"
		       "twin lan0-h 0\n", "line 8: not an interface index") ||
	       refused(HEAD "table masqd_0cc6ab0f\nsocket /s\npid 5\n"
		       "twin lan/0 3\n", "line 8: not an interface name") ||
	       refused(HEAD "table masqd_0cc6ab0f\nsocket /s\npid 5\n"
		       "twin lan0-h\n", "line 8: expected 'twin NAME IFINDEX'");
}

/* The xdp line (--io afxdp): read back after the twin; else refused */
static int xdp_line(void)
{
	struct runrec r = sample(), back;
	char buf[RUNREC_MAX], why[160];
	int n;

	snprintf(r.twin, sizeof(r.twin), "lan0-h");
	r.twin_ifindex = 7;
	r.xdp = true;
	n = runrec_format(&r, buf, sizeof(buf));
	if (n <= 0 || runrec_parse(buf, (size_t)n, &back, why, sizeof(why)))
		return report_failf("refused its own record with xdp: %s",
				    n <= 0 ? "format" : why);
	if (!back.xdp || back.twin_ifindex != 7 || !back.has[TO_FORWARDING])
		return report_failf("read back differs: xdp %d", back.xdp);
	r.xdp = false;
	n = runrec_format(&r, buf, sizeof(buf));
	if (n <= 0 || strstr(buf, "xdp") ||
	    runrec_parse(buf, (size_t)n, &back, why, sizeof(why)) || back.xdp)
		return report_failf("an AF_PACKET record names xdp");
	return refused(HEAD "table masqd_0cc6ab0f\nsocket /s\npid 5\n"
		       "xdp 2\n", "line 8: expected 'xdp 1'") ||
	       refused(HEAD "table masqd_0cc6ab0f\nsocket /s\npid 5\n"
		       "xdp 1\nxdp 1\n", "line 9: expected 'sysctl' or 'end'") ||
	       refused(HEAD "table masqd_0cc6ab0f\nsocket /s\npid 5\n"
		       "xdp 1\ntwin lan0-h 7\n", "line 9: expected 'sysctl' "
		       "or 'end'");
}

static int bytes_after_end(void)
{
	struct runrec r = sample(), back;
	char buf[RUNREC_MAX], why[160];
	int n = runrec_format(&r, buf, sizeof(buf));

	memcpy(buf + n, "x\n", 2);
	if (!runrec_parse(buf, (size_t)n + 2, &back, why, sizeof(why)))
		return report_failf("accepted bytes after 'end'");
	return strstr(why, "bytes after 'end'") ? 0 :
	       report_failf("reason: %s", why);
}

static int claims(void)
{
	char dir[] = "/tmp/masq-runrec.XXXXXX", owner[400], buf[64];
	struct claim a, b;
	int ret, rc = 0;
	size_t n;

	if (!mkdtemp(dir))
		return report_failf("mkdtemp: %s", strerror(errno));
	ret = claim_take(&a, dir, 77, "lan0", "/s/one", owner, sizeof(owner));
	if (ret || a.stale)
		rc = report_failf("first claim: %d stale %d", ret, a.stale);
	ret = claim_take(&b, dir, 77, "lan0", "/s/two", owner, sizeof(owner));
	snprintf(buf, sizeof(buf), "masqd pid %ld, socket /s/one",
		 (long)getpid());
	if (!rc && (ret != -EBUSY || !strstr(owner, buf)))
		rc = report_failf("second claim: %d, owner '%s'", ret, owner);
	if (!rc && (claim_rec_write(&a, "rec\n", 4) ||
		    claim_rec_read(&a, buf, sizeof(buf), &n) || n != 4))
		rc = report_failf("record not written and read back");
	/* the owner dies: its lock goes, its files stay */
	close(a.fd);
	ret = claim_take(&b, dir, 77, "lan0", "/s/two", owner, sizeof(owner));
	if (!rc && (ret || !b.stale || b.old_pid != getpid()))
		rc = report_failf("stale claim: %d stale %d pid %ld", ret, b.stale,
				  b.old_pid);
	/* another namespace's lan0 is another claim */
	ret = claim_take(&a, dir, 78, "lan0", "/s/one", owner, sizeof(owner));
	if (!rc && ret)
		rc = report_failf("claim in another namespace: %d", ret);
	claim_drop(&a, false);
	claim_drop(&b, false);
	snprintf(owner, sizeof(owner), "rm -rf '%s'", dir);
	if (system(owner))
		return report_failf("cannot remove %s", dir);
	return rc;
}

/*
 * A claim whose lock outlives its named owner (masqd's privileged helper
 * giving the interfaces back after masqd was killed) is waited for, not
 * refused: a child holds the lock 200 ms for "pid 999999", then drops it
 */
static int claim_waits_for_helper(void)
{
	char dir[] = "/tmp/masq-runrec.XXXXXX", owner[400];
	static const char gone[] = "pid 999999\nstart 1\nsocket /s/one\n";
	struct timespec t0, t1;
	struct claim a, b;
	int ret, rc = 0;
	pid_t child;
	long ms;

	if (!mkdtemp(dir))
		return report_failf("mkdtemp: %s", strerror(errno));
	ret = claim_take(&a, dir, 77, "lan0", "/s/one", owner, sizeof(owner));
	if (ret || ftruncate(a.fd, 0) ||
	    pwrite(a.fd, gone, sizeof(gone) - 1, 0) != sizeof(gone) - 1)
		return report_failf("claim: %d", ret);
	child = fork();
	if (child == 0) {	/* the helper: holds the lock, then gives up */
		usleep(200000);
		claim_drop(&a, false);
		_exit(0);
	}
	close(a.fd);	/* "masqd" is gone; the child holds the lock */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = claim_take(&b, dir, 77, "lan0", "/s/two", owner, sizeof(owner));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	if (ret || ms < 100)
		rc = report_failf("claim held for a gone pid: %d after %ld ms "
				  "(want 0 after the holder's 200 ms): %s", ret,
				  ms, ret ? owner : "not waited");
	waitpid(child, NULL, 0);
	claim_drop(&b, false);
	snprintf(owner, sizeof(owner), "rm -rf '%s'", dir);
	if (system(owner))
		return report_failf("cannot remove %s", dir);
	return rc;
}

static int rm_dir(char *dir)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? report_failf("cannot remove %s", dir) : 0;
}

/*
 * A claim locked but not yet written (a claimant between its flock and
 * its pwrite) is waited for: a child holds it empty 200 ms, then writes
 * its name and keeps it: the refusal names the child, not "pid 0"
 */
static int claim_unwritten_waited(void)
{
	char dir[] = "/tmp/masq-runrec.XXXXXX", owner[400], want[64];
	int go[2], rc = 0, ret;
	struct claim a, b;
	pid_t child;

	if (!mkdtemp(dir) || pipe(go))
		return report_failf("mkdtemp/pipe: %s", strerror(errno));
	ret = claim_take(&a, dir, 77, "lan0", "/s/one", owner, sizeof(owner));
	if (ret || ftruncate(a.fd, 0))
		return report_failf("claim: %d", ret);
	child = fork();
	if (child == 0) {	/* holds the empty claim, then names itself */
		char c;

		usleep(200000);
		claim_describe(&a, getpid(), "/s/child");
		close(go[1]);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(a.fd);
	close(go[0]);
	ret = claim_take(&b, dir, 77, "lan0", "/s/two", owner, sizeof(owner));
	snprintf(want, sizeof(want), "masqd pid %ld, socket /s/child",
		 (long)child);
	if (ret != -EBUSY || strcmp(owner, want))
		rc = report_failf("unwritten claim: %d, owner '%s', want '%s'",
				  ret, ret == -EBUSY ? owner : "-", want);
	close(go[1]);
	waitpid(child, NULL, 0);
	claim_drop(&b, false);
	return rm_dir(dir) | rc;
}

/* A start refused on one interface holds none of the others after */
static int claim_all_or_none(void)
{
	char dir[] = "/tmp/masq-runrec.XXXXXX", owner[400];
	char *names[] = { "wan0", "lan0", "lan1" };
	struct claim held, set[3], again;
	int failed = -1, ret, rc = 0;

	if (!mkdtemp(dir))
		return report_failf("mkdtemp: %s", strerror(errno));
	ret = claim_take(&held, dir, 77, "lan1", "/s/one", owner,
			 sizeof(owner));
	if (ret)
		return report_failf("claim lan1: %d", ret);
	ret = claim_take_all(set, 3, dir, 77, names, "/s/two", owner,
			     sizeof(owner), &failed);
	if (ret != -EBUSY || failed != 2 || !strstr(owner, "socket /s/one"))
		rc = report_failf("set with lan1 held: %d, failed %d, '%s'", ret,
				  failed, owner);
	for (int i = 0; i < 2 && !rc; i++) {	/* lan0 and wan0 free again */
		ret = claim_take(&again, dir, 77, names[i], "/s/three", owner,
				 sizeof(owner));
		if (ret)
			rc = report_failf("%s still held after the refusal: %d",
					  names[i], ret);
		claim_drop(&again, false);
	}
	claim_drop(&held, false);
	return rm_dir(dir) | rc;
}

/* A child claims @names, says 'W' or 'L' on @res, holds until @hold closes */
static void race_child(const char *dir, char *const *names, int res, int hold)
{
	struct claim set[2];
	char owner[400], c;
	int failed;
	int ret = claim_take_all(set, 2, dir, 77, names, "/s/race", owner,
				 sizeof(owner), &failed);

	c = ret ? 'L' : 'W';
	if (write(res, &c, 1) != 1 || read(hold, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

/*
 * Two claimants of lan0 and wan0, named in opposite orders, started
 * together 100 times: each time exactly one wins (never both refused,
 * never both running)
 */
static int claim_race_one_wins(void)
{
	char dir[] = "/tmp/masq-runrec.XXXXXX";
	char *ab[] = { "lan0", "wan0" }, *ba[] = { "wan0", "lan0" };
	int rc = 0;

	if (!mkdtemp(dir))
		return report_failf("mkdtemp: %s", strerror(errno));
	for (int r = 0; r < 100 && !rc; r++) {
		int res[2], hold[2], wins = 0;
		pid_t p[2];
		char c;

		if (pipe(res) || pipe(hold))
			return report_failf("pipe: %s", strerror(errno));
		for (int k = 0; k < 2; k++) {
			p[k] = fork();
			if (p[k] == 0) {
				close(res[0]);
				close(hold[1]);
				race_child(dir, k ? ba : ab, res[1], hold[0]);
			}
		}
		close(res[1]);
		close(hold[0]);
		for (int k = 0; k < 2; k++)
			if (read(res[0], &c, 1) == 1 && c == 'W')
				wins++;
		close(hold[1]);	/* both may go now */
		close(res[0]);
		for (int k = 0; k < 2; k++)
			waitpid(p[k], NULL, 0);
		if (wins != 1)
			rc = report_failf("round %d: %d of 2 claimants won "
					  "(want exactly 1)", r, wins);
	}
	return rm_dir(dir) | rc;
}

/* masqd ARGS... (NULL-terminated) parses to @want (0 or -1) */
static int parses(int want, struct masqd_opts *o, ...)
{
	char *argv[16] = { "masqd" };
	int argc = 1, ret;
	va_list ap;

	va_start(ap, o);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	optind = 0;	/* glibc: start getopt afresh */
	ret = opts_parse(argc, argv, o);
	if (ret != want)
		return report_failf("masqd %s %s ...: %d, want %d", argv[1],
				    argc > 2 ? argv[2] : "", ret, want);
	return 0;
}

static int release_options(void)
{
	static struct masqd_opts o;

	if (parses(0, &o, "--release", "lan0", "wan0", NULL))
		return -1;
	if (o.nrelease != 2 || strcmp(o.release[1], "wan0") ||
	    o.nifaces)
		return report_failf("--release lan0 wan0: %d interfaces",
				    o.nrelease);
	if (parses(0, &o, "--release", "-s", "/tmp/x.sock", "lan0", NULL) ||
	    strcmp(o.sock, "/tmp/x.sock") || o.nrelease != 1)
		return report_failf("-s with --release not kept");
	return parses(-1, &o, "--release", NULL) ||
	       parses(-1, &o, "--release", "lan0", "lan0", NULL) ||
	       parses(-1, &o, "--release", "la\"n0", NULL) ||
	       parses(-1, &o, "--release", "--internal", "lan0=10.0.0.1/24",
		      "lan0", NULL) ||
	       parses(-1, &o, "lan0", "--internal", "lan0=10.0.0.1/24", NULL);
}

int main(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} cases[] = {
		{ "round_trip", round_trip },
		{ "truncated_anywhere", truncated_anywhere },
		{ "changed_anywhere", changed_anywhere },
		{ "hostile_records", hostile_records },
		{ "bytes_after_end", bytes_after_end },
		{ "twin_line", twin_line },
		{ "xdp_line", xdp_line },
		{ "claims", claims },
		{ "claim_waits_for_helper", claim_waits_for_helper },
		{ "claim_unwritten_waited", claim_unwritten_waited },
		{ "claim_all_or_none", claim_all_or_none },
		{ "claim_race_one_wins", claim_race_one_wins },
		{ "release_options", release_options },
	};
	int failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = cases[i].fn();

		report_case("runrec", cases[i].name, rc);
		failed |= rc != 0;
	}
	return failed;
}

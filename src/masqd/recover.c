// SPDX-License-Identifier: MIT
/*
 * recover.c - one owner per interface; the originals recorded before the
 * takeover; put back after a crash, or by masqd --release
 *
 * Theory of operation (files: io/claim.h; record format: io/runrec.h):
 *
 *	start	recover_claim(), before anything is opened or changed:
 *		every owned interface is claimed, all or none (claim.h).
 *		One a live masqd holds refuses the start, naming it
 *		("lan0 is owned by masqd pid N, socket S"). A
 *		claim a dead masqd left is taken over (logged), and its
 *		record, if any, is put back: each sysctl still holding
 *		masqd's value gets the recorded original, the recorded
 *		table is deleted -- so the takeover that follows reads the
 *		administrator's values, not the dead masqd's.
 *	takeover to_apply() calls recover_record() between reading the
 *		sysctls and writing any: one record per interface, on disk
 *		(fsync) before the first change. Then crash_arm() prepares
 *		the fatal-signal restore (crash.c).
 *	stop	setup_teardown(): to_release() puts everything back, then
 *		recover_drop() removes the records (kept when the table
 *		could not be deleted) and the claims.
 *	--release IFACE...: without starting, the same as a start's
 *		recovery, then the claims given up; the table named after
 *		-s SOCKET is deleted too when no masqd answers there.
 *
 * A record that fails runrec_parse() is never used: logged with its line
 * and what is wrong, kept as IFACE.rec.bad for a person, and the values
 * found now are taken as the originals.
 *
 * Twins are persistent (twin.h) and recorded with their index once made
 * (recover_note_twins()): a recovery deletes a recorded twin that is
 * still there under its name and index, so a SIGKILL leaves none for
 * good. A restart (SIGUSR2: the state file says so, handover.c) is not
 * undone but adopted: the record's originals are kept as the takeover's
 * (the sysctls are not written back and taken again, which would hand
 * the interfaces to the kernel for a moment), the nft table of the same
 * socket is replaced in one nft transaction, the twin is attached to.
 *
 * Limits: --release of some of a masqd's interfaces deletes its whole
 * table, so the others' drops go too: release them all together.
 */
#include <assert.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "io/rtnl.h"
#include "io/runrec.h"
#include "masqd/log.h"
#include "masqd/masqd.h"

/* Tables already deleted in this recovery (one masqd: one table) */
struct done_tables {
	char name[MASQD_MAX_IFACES][32];
	int n;
};

/* Return: 0 deleted (now or before), -1 it could not be (logged) */
static int delete_table_once(struct done_tables *dt, const char *table)
{
	for (int i = 0; i < dt->n; i++)
		if (!strcmp(dt->name[i], table))
			return 0;
	if (to_delete_table(table, logmsg))
		return -1;
	if (dt->n < MASQD_MAX_IFACES)
		snprintf(dt->name[dt->n++], sizeof(dt->name[0]), "%s", table);
	logmsg(LOG_INFO, "nft table netdev %s deleted (or already gone)",
	       table);
	return 0;
}

/* The record is not trusted: keep it aside for a person, start clean */
static void refuse_record(const struct claim *c, const char *why)
{
	char bad[CLAIM_PATH_MAX + 8];

	snprintf(bad, sizeof(bad), "%s.bad", c->rec);
	logmsg(LOG_ERR, "%s: record %s refused: %s; not used (kept as %s): the "
	       "values found now are taken as the originals", c->iface, c->rec,
	       why, bad);
	if (rename(c->rec, bad))
		unlink(c->rec);
}

/*
 * Is @r's device the one there now under its name? The same index and
 * MAC: an interface made again since (a USB NIC plugged again, a veth of
 * a new namespace whose inode number is a recycled one) has the kernel's
 * fresh values, which are not masqd's to change.
 * Return: 1 the same, 0 another, -ENODEV none of that name
 */
static int same_device(const struct runrec *r, char *now, size_t len)
{
	struct ifreq ifr = { 0 };
	int idx = (int)if_nametoindex(r->iface), fd, ret;
	const unsigned char *m;

	if (!idx)
		return -ENODEV;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", r->iface);
	ret = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (ret)
		return -ENODEV;
	m = (const unsigned char *)ifr.ifr_hwaddr.sa_data;
	snprintf(now, len, "index %d, MAC %02x:%02x:%02x:%02x:%02x:%02x", idx,
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	return idx == r->ifindex && !memcmp(m, r->mac, 6);
}

/*
 * A recorded XDP program (--io afxdp) is removed from the recorded device
 * (the same index under the same name): after a SIGKILL of both masqd
 * processes it is still attached, and the kernel's stack would get no
 * frame of the interface. Also on a restart's adoption: the successor
 * attaches its own, if it runs --io afxdp.
 */
static void forget_xdp(const struct runrec *r)
{
	struct rtnl nl = { .fd = -1 };
	int ret;

	if (!r->xdp || (int)if_nametoindex(r->iface) != r->ifindex)
		return;
	ret = rtnl_open(&nl);
	if (!ret)
		ret = rtnl_link_xdp_detach(&nl, r->ifindex);
	rtnl_close(&nl);
	if (ret)
		logmsg(LOG_WARNING, "%s: cannot remove the XDP program that "
		       "masqd pid %ld left: %s", r->iface, r->pid,
		       strerror(-ret));
	else
		logmsg(LOG_INFO, "%s: the XDP program that masqd pid %ld left "
		       "removed", r->iface, r->pid);
}

/* A recorded twin still there (its name, its index) is deleted */
static void forget_twin(const struct runrec *r)
{
	struct rtnl nl = { .fd = -1 };
	int ret;

	if (!r->twin[0] || (int)if_nametoindex(r->twin) != r->twin_ifindex)
		return;
	ret = rtnl_open(&nl);
	if (!ret)
		ret = rtnl_link_del(&nl, r->twin_ifindex);
	rtnl_close(&nl);
	if (ret)
		logmsg(LOG_WARNING, "%s: cannot remove twin %s that masqd pid "
		       "%ld left: %s", r->iface, r->twin, r->pid, strerror(-ret));
	else
		logmsg(LOG_INFO, "%s: twin %s that masqd pid %ld left removed",
		       r->iface, r->twin, r->pid);
}

/*
 * A restart's record (d->ho.adopt: the predecessor stopped with SIGUSR2)
 * of this socket's table and this very device: its originals are kept
 * for the takeover (recover_record() writes them again), its twin is
 * attached to (twin.c). Return: true when adopted
 */
static bool adopt_record(struct masqd *d, int i, const struct runrec *r)
{
	static struct takeover ours;	/* only for the table's name */
	char now[64];

	if (!d || !d->ho.adopt || i >= MASQD_MAX_IFACES)
		return false;
	to_init(&ours, d->o.sock, NULL);
	if (strcmp(r->table, ours.table) || same_device(r, now, sizeof(now)) != 1)
		return false;
	d->ho.adopted[i] = true;
	memcpy(d->ho.orig[i], r->orig, sizeof(r->orig));
	memcpy(d->ho.has[i], r->has, sizeof(r->has));
	if (r->twin[0] && !strcmp(r->twin, d->o.ifaces[i].twin) &&
	    (int)if_nametoindex(r->twin) == r->twin_ifindex)
		d->tw.t[i].adopt_ifindex = r->twin_ifindex;
	logmsg(LOG_NOTICE, "%s: adopted from masqd pid %ld (a restart): its "
	       "recorded originals and nft table netdev %s kept%s%s",
	       r->iface, r->pid, r->table,
	       d->tw.t[i].adopt_ifindex ? ", twin " : "",
	       d->tw.t[i].adopt_ifindex ? r->twin : "");
	return true;
}

/**
 * restore_record() - Put back what a claim's record says, if it has one
 * @c:		a taken claim
 * @dt:		tables deleted so far
 * @d:		the starting daemon (NULL for --release: nothing adopted)
 * @i:		@c's index among the owned interfaces
 *
 * Return: 0 nothing recorded, all put back (the record removed) or
 * adopted (the record kept), 1 the record was refused, -1 something
 * could not be put back (record kept)
 */
static int restore_record(const struct claim *c, struct done_tables *dt,
			  struct masqd *d, int i)
{
	char buf[RUNREC_MAX], why[160], now[64];
	struct runrec r;
	size_t n;
	int ret = claim_rec_read(c, buf, sizeof(buf), &n);

	if (ret == -ENOENT)
		return 0;
	if (ret) {
		refuse_record(c, ret == -EFBIG ? "longer than any record" :
			      strerror(-ret));
		return 1;
	}
	if (runrec_parse(buf, n, &r, why, sizeof(why))) {
		refuse_record(c, why);
		return 1;
	}
	if (strcmp(r.iface, c->iface)) {
		refuse_record(c, "it names another interface");
		return 1;
	}
	forget_xdp(&r);
	if (adopt_record(d, i, &r))
		return 0;
	logmsg(LOG_NOTICE, "%s: masqd pid %ld (control socket %s) did not give "
	       "it back; restoring the originals it recorded", c->iface, r.pid,
	       r.sock);
	ret = same_device(&r, now, sizeof(now));
	if (ret == 0)
		logmsg(LOG_NOTICE, "%s: not the device masqd changed (recorded: "
		       "index %d, MAC %02x:%02x:%02x:%02x:%02x:%02x; now %s): its "
		       "sysctls are its own, left as they are", c->iface,
		       r.ifindex, r.mac[0], r.mac[1], r.mac[2], r.mac[3],
		       r.mac[4], r.mac[5], now);
	else
		ret = to_restore_sysctls(c->iface, r.orig, r.has, logmsg);
	if (ret == -ENODEV)
		logmsg(LOG_NOTICE, "%s: no such interface any more; nothing to "
		       "restore on it", c->iface);
	forget_twin(&r);
	if (delete_table_once(dt, r.table) || (ret < 0 && ret != -ENODEV))
		return -1;
	unlink(c->rec);
	return 0;
}

/*
 * Claim every interface in @names, or none (claim.h: in name order, the
 * first refusal ends it, so of two masqd started at once one wins).
 * Return: 0 or -1 (logged: "lan0 is owned by masqd pid N, socket S")
 */
static int claim_all(struct claim *claims, unsigned long netns,
		     char *const *names, int n, const char *sock,
		     const char *doing)
{
	char owner[400];
	int bad = 0, ret;

	static_assert(MASQD_MAX_IFACES <= CLAIM_SET_MAX, "claims for all");
	ret = claim_take_all(claims, n, CLAIM_DIR, netns, names, sock, owner,
			     sizeof(owner), &bad);
	if (ret == -EBUSY) {
		logmsg(LOG_ERR, "%s is owned by %s; %s", names[bad], owner,
		       doing);
		return -1;
	}
	if (ret) {
		logmsg(LOG_ERR, "%s: cannot claim it under %s: %s", names[bad],
		       CLAIM_DIR, strerror(-ret));
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (claims[i].stale)
			logmsg(LOG_NOTICE, "%s: the claim of masqd pid %ld, which "
			       "is gone, taken over", names[i],
			       claims[i].old_pid);
	return 0;
}

/**
 * recover_claim() - Claim the owned interfaces; undo a dead masqd's changes
 * @d:		daemon, options parsed
 *
 * Return: 0, or -1 after logging (an interface owned by a live masqd, or
 * a record whose values could not be put back)
 */
int recover_claim(struct masqd *d)
{
	char *names[MASQD_MAX_IFACES];
	struct done_tables dt = { .n = 0 };
	int ret;

	for (int i = 0; i < d->o.nifaces; i++)
		names[i] = d->o.ifaces[i].name;
	ret = claim_netns(&d->netns);
	if (ret) {
		for (int i = 0; i < d->o.nifaces; i++)
			d->claims[i].fd = -1;
		logmsg(LOG_ERR, "cannot read /proc/self/ns/net: %s",
		       strerror(-ret));
		return -1;
	}
	if (claim_all(d->claims, d->netns, names, d->o.nifaces, d->o.sock,
		      "refusing to start (stop that masqd first)"))
		goto keep;
	for (int i = 0; i < d->o.nifaces; i++)
		if (restore_record(&d->claims[i], &dt, d, i) < 0)
			goto keep;
	return 0;
keep:	/* records not yet put back stay for the next try */
	for (int i = 0; i < d->o.nifaces; i++)
		claim_drop(&d->claims[i], true);
	return -1;
}

/* to_apply()'s hook: every interface's originals on disk, before changes */
static int recover_record(struct takeover *t, void *ctx)
{
	struct masqd *d = ctx;

	d->ho.taken = true;	/* the takeover is this masqd's from here */
	for (int i = 0; i < t->n; i++) {
		struct runrec r = { .pid = getpid() };
		char buf[RUNREC_MAX];
		int n, ret;

		snprintf(r.iface, sizeof(r.iface), "%s", t->links[i].name);
		r.ifindex = d->links[i].ifindex;	/* same order */
		memcpy(r.mac, d->links[i].mac, sizeof(r.mac));
		snprintf(r.table, sizeof(r.table), "%s", t->table);
		snprintf(r.sock, sizeof(r.sock), "%s", d->o.sock);
		if (d->ho.adopted[i])	/* a restart's: the true originals */
			for (int s = 0; s < TO_SYSCTL_NUM; s++)
				t->links[i].saved[s] = d->ho.has[i][s] ?
						       d->ho.orig[i][s] : -1;
		for (int s = 0; s < TO_SYSCTL_NUM; s++) {
			r.has[s] = t->links[i].saved[s] >= 0;
			r.orig[s] = t->links[i].saved[s];
		}
		r.xdp = d->o.io == IO_AFXDP;
		if (i < d->tw.n && d->tw.t[i].tap.fd >= 0) {
			snprintf(r.twin, sizeof(r.twin), "%s", d->tw.t[i].name);
			r.twin_ifindex = d->tw.t[i].tap.ifindex;
		}
		n = runrec_format(&r, buf, sizeof(buf));
		ret = n < 0 ? n : claim_rec_write(&d->claims[i], buf, (size_t)n);
		if (ret) {
			logmsg(LOG_ERR, "%s: cannot record its sysctls in %s "
			       "before changing them: %s", r.iface,
			       d->claims[i].rec, strerror(-ret));
			return ret;
		}
	}
	return 0;
}

/**
 * recover_arm() - Have the takeover record its originals before changing
 * @d:		daemon, after to_init() and before to_apply()
 */
void recover_arm(struct masqd *d)
{
	d->to.record = recover_record;
	d->to.record_ctx = d;
}

/**
 * recover_after_fork() - The claims and records name the daemon, not its
 * parent
 * @d:		daemon, in the child after daemonize()
 */
void recover_after_fork(struct masqd *d)
{
	for (int i = 0; i < d->o.nifaces; i++)
		if (d->claims[i].fd >= 0)
			claim_describe(&d->claims[i], getpid(), d->o.sock);
	if (d->to.table_made)	/* the same originals, the new pid */
		recover_record(&d->to, d);
}

/**
 * recover_note_twins() - The twins are made (or one made again): record
 * them, so a SIGKILL does not leave them for good; the fatal-signal
 * handler learns them too
 * @d:		daemon
 */
void recover_note_twins(struct masqd *d)
{
	/* after the drop /run/masq (root's) is not writable: the helper
	 * deletes the twins by name at a give-back (privsep.c) */
	if (d->to.table_made && geteuid() == 0)
		recover_record(&d->to, d);
	crash_twins(d);
}

/**
 * recover_drop() - Give up the claims at exit
 * @d:		daemon
 * @restored:	to_release() put everything back: remove the records too
 *
 * A record adopted from a restart stays when this masqd never took the
 * interfaces itself (a start that failed before the takeover): what the
 * predecessor left is still in place, and the record is all that says
 * how to give it back.
 */
void recover_drop(struct masqd *d, bool restored)
{
	for (int i = 0; i < d->o.nifaces; i++)
		claim_drop(&d->claims[i], !restored ||
			   (d->ho.adopted[i] && !d->ho.taken));
}

/* Does a masqd answer on @sock? */
static bool sock_answers(const char *sock)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool yes;

	if (fd < 0)
		return true;	/* cannot tell: leave its table alone */
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
	yes = !connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return yes;
}

/**
 * recover_release() - masqd --release: give interfaces back without starting
 * @o:		options: the interfaces and -s SOCKET
 *
 * Return: exit status: 0 all given back, 1 something refused or failed
 */
int recover_release(const struct masqd_opts *o)
{
	struct claim claims[MASQD_MAX_IFACES];
	struct done_tables dt = { .n = 0 };
	unsigned long netns;
	struct takeover t;
	int bad = 0;

	if (claim_netns(&netns)) {
		logmsg(LOG_ERR, "cannot read /proc/self/ns/net: %s",
		       strerror(errno));
		return 1;
	}
	if (claim_all(claims, netns, (char *const *)o->release, o->nrelease,
		      o->sock, "not released (stop that masqd instead)")) {
		for (int i = 0; i < o->nrelease; i++)
			claim_drop(&claims[i], true);
		return 1;
	}
	for (int i = 0; i < o->nrelease; i++) {
		int ret = restore_record(&claims[i], &dt, NULL, i);

		if (ret == 0 && !claims[i].stale)
			logmsg(LOG_INFO, "%s: no claim and no record: nothing "
			       "recorded to restore", claims[i].iface);
		bad |= ret < 0;
	}
	to_init(&t, o->sock, logmsg);
	if (!sock_answers(o->sock) &&	/* a crash before the record? */
	    delete_table_once(&dt, t.table))
		bad = 1;
	if (!bad)
		handover_forget(o->sock, netns);	/* no successor */
	for (int i = 0; i < o->nrelease; i++)
		claim_drop(&claims[i], bad);
	if (!bad)
		logmsg(LOG_INFO, "released %d interface%s", o->nrelease,
		       o->nrelease == 1 ? "" : "s");
	return bad;
}

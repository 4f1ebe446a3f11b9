// SPDX-License-Identifier: MIT
/*
 * ipmasqadm.c - masqctl ipmasqadm MODULE ... (also run as ipmasqadm):
 *		 names resolved before masqd is asked, put back into its
 *		 listings, and the modules' help
 *
 * masqd's ipmasqadm (src/engine/fwdctl.c) takes numbers only. Here:
 *
 *  - the words that name a host (portfw -L LADDR and -R RADDR, mfw -r
 *    RADDR, autofw -h HOST) become dotted quads, and the ports given as
 *    service names (portfw LPORT and RPORT with the -P protocol, mfw
 *    RPORT as tcp, autofw's -r LOW HIGH and -c PORT with their own
 *    protocols) become numbers, through names.c (each question asked
 *    once per run). A word that is a number already (digits, or digits
 *    and dots), or that starts with '-', goes as it is, right or wrong:
 *    masqd judges numbers and says what is missing. A
 *    name that does not resolve is refused here, status 2, and nothing
 *    is sent. A host name with several addresses stands for its first,
 *    as gethostbyname() gave ipmasqadm;
 *  - portfw -l, mfw -L and autofw -L without -n are rendered from
 *    masqd's numeric listing: addresses as host names (reverse lookups),
 *    ports as service names (autofw's range bounds stay numbers: a range
 *    of names reads badly), in the same columns; a name longer than its
 *    column pushes the rest of its line right, it is never cut. With -n
 *    masqd's text is printed as it came;
 *  - help is local: `ipmasqadm`, `ipmasqadm -h`, `ipmasqadm MODULE` with
 *    no options, `portfw -h` and `mfw -h` (for autofw -h names a host:
 *    `autofw` alone, or --help, is its help). Help asked for is status 0;
 *    a module without options prints the same text on stderr, status 2.
 *
 * Which words take values is known per option (struct adm_opt), so a
 * value that looks like an option (`-L -h 80`) is never taken for one.
 * Everything else (which options go together, ranges, marks) is masqd's
 * to check: one grammar, in one place.
 *
 * Cost: one lookup per distinct name; nothing is allocated but the
 * words' copies (argc pointers and 16 bytes per word).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "masqctl/masqctl.h"

/*
 * What follows an option, one letter per word:
 *	p  protocol (tcp|udp), kept; the option's later ports use it
 *	h  host: name or dotted quad
 *	s  port: service name or number
 *	o  an optional port: taken when the next word does not start with -
 *	n  kept as it is (marks, preferences)
 */
struct adm_opt {
	const char *opt;
	const char *args;
};

/**
 * struct adm_module - one module's words and texts
 * @name:	portfw, mfw, autofw
 * @opts:	options that take values (a NULL @opt ends the table)
 * @list:	the option that lists
 * @dash_h:	-h is help (not autofw's HOST)
 * @proto_opt:	option whose value is the protocol of every port (portfw's
 *		-P), or NULL
 * @proto:	the ports' protocol otherwise ("tcp" for mfw), or NULL: the
 *		option's own p word
 * @help:	the help text
 */
struct adm_module {
	const char *name;
	const struct adm_opt *opts;
	const char *list;
	bool dash_h;
	const char *proto_opt;
	const char *proto;
	const char *help;
};

static const struct adm_opt portfw_opts[] = {
	{ "-P", "p" }, { "-L", "hs" }, { "-R", "hs" }, { "-p", "n" }, { NULL, NULL },
};

static const struct adm_opt mfw_opts[] = {
	{ "-m", "n" }, { "-r", "ho" }, { "-p", "n" }, { NULL, NULL },
};

static const struct adm_opt autofw_opts[] = {
	{ "-r", "pss" }, { "-h", "h" }, { "-c", "ps" }, { NULL, NULL },
};

static const char general_help[] =
"Usage: ipmasqadm MODULE [OPTIONS]\n"
"       ipmasqadm MODULE -h          help for portfw and mfw\n"
"       ipmasqadm autofw             help for autofw (its -h is a HOST)\n"
"\n"
"Modules:\n"
"  portfw   forward connections to an address and port of the router\n"
"           to an internal host\n"
"  mfw      forward what the mangle table marks (iptables -t mangle ...\n"
"           -j MARK --set-mark N) to an internal host\n"
"  autofw   forward a range of ports to an internal host, fixed or the\n"
"           one that last spoke to a control port\n"
"masq's additions:\n"
"  save     every forward, as the commands that make them again\n"
"  flush    empty all three tables\n"
"\n"
"Host and service names are looked up here; masqd gets numbers.\n"
"See masqctl(8).\n";

static const char portfw_help[] =
"Usage:\n"
"  portfw -a -P PROTO -L LADDR LPORT -R RADDR RPORT [-p PREF]  add entry\n"
"  portfw -d -P PROTO -L LADDR LPORT [-R RADDR RPORT]          delete entry\n"
"  portfw -f                                                   clear table\n"
"  portfw -l                                                   list table\n"
"  portfw <args> -n                                            no names\n"
"\n"
"PROTO  the protocol: tcp or udp\n"
"LADDR  the router's address the connections come to\n"
"LPORT  the port they come to there\n"
"RADDR  the internal host they are forwarded to\n"
"RPORT  the port they go to on it\n"
"PREF   preference: how many connections the entry takes before the\n"
"       next one for the same LADDR LPORT has its turn (default 10);\n"
"       adding an entry that exists changes its preference\n";

static const char mfw_help[] =
"Usage:\n"
"  mfw -A -m FWMARK -r RADDR [RPORT] [-p PREF]   append entry\n"
"  mfw -I -m FWMARK -r RADDR [RPORT] [-p PREF]   insert entry (at the head)\n"
"  mfw -D -m FWMARK [-r RADDR [RPORT]]           delete entries\n"
"  mfw -E -m FWMARK [-r RADDR [RPORT]] -p PREF   edit entries' preference\n"
"  mfw -S -m FWMARK                              force scheduling\n"
"  mfw -F                                        clear table\n"
"  mfw -L                                        list table\n"
"  mfw <args> -n                                 no names\n"
"\n"
"FWMARK  the mark the mangle table gives first packets, not 0\n"
"        (iptables -t mangle -A PREROUTING ... -j MARK --set-mark N)\n"
"RADDR   the internal host they are forwarded to\n"
"RPORT   the port they go to on it (default: the port they came to)\n"
"PREF    preference: how many connections the entry takes before the\n"
"        next one for the same FWMARK has its turn (default 10); 0 never\n"
"        moves by itself: -S moves the head to the tail (fail-over)\n";

static const char autofw_help[] =
"Usage: autofw COMMAND OPTIONS\n"
"Commands:\n"
"  -A                 add an entry\n"
"  -D                 delete an entry\n"
"  -F                 clear the table\n"
"  -L [-n]            list the table (a masq addition)\n"
"Options:\n"
"  -r PROTO LOW HIGH  the ports forwarded (PROTO tcp or udp)\n"
"  -h HOST            forward them to HOST, always; or\n"
"  -c PROTO PORT      to the internal host that last sent to PORT outside,\n"
"                     and only from the host it sent to\n"
"  -u                 with -c: never lapse (default: 15 s after the last\n"
"                     packet to PORT)\n"
"  -i                 with -c: from any outside host\n"
"  -v                 say what is added\n"
"One internal host at a time holds a -c entry: another that speaks to\n"
"PORT meanwhile is not forwarded to until the entry lapses. Forward a\n"
"second range for a second client.\n";

static const struct adm_module modules[] = {
	{ "portfw", portfw_opts, "-l", true, "-P", NULL, portfw_help },
	{ "mfw", mfw_opts, "-L", true, NULL, "tcp", mfw_help },
	{ "autofw", autofw_opts, "-L", false, NULL, NULL, autofw_help },
};

static const struct adm_module *module_by_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof(modules) / sizeof(*modules); i++)
		if (!strcmp(name, modules[i].name))
			return &modules[i];
	return NULL;
}

static const struct adm_opt *opt_of(const struct adm_module *m, const char *w)
{
	for (const struct adm_opt *o = m->opts; o->opt; o++)
		if (!strcmp(o->opt, w))
			return o;
	return NULL;
}

/* Digits only (a port, a mark); digits and dots (an address): masqd's */
static bool is_numeric(const char *w, bool dots)
{
	if (!*w)
		return false;
	for (; *w; w++)
		if (!isdigit((unsigned char)*w) && !(dots && *w == '.'))
			return false;
	return true;
}

/* tcp or udp in the form masqd and /etc/services know, or NULL */
static const char *proto_word(const char *w)
{
	if (w && !strcasecmp(w, "tcp"))
		return "tcp";
	if (w && !strcasecmp(w, "udp"))
		return "udp";
	return NULL;
}

/**
 * struct adm_ctx - one command's resolution
 * @m:		the module
 * @res:	the lookups (names.c's in masqctl)
 * @proto:	the protocol of ports with none of their own (portfw's -P,
 *		mfw's tcp), or NULL
 * @err:	why it failed
 */
struct adm_ctx {
	const struct adm_module *m;
	const struct ipt_resolver *res;
	const char *proto;
	struct ipt_err *err;
};

/* A host word into @num (a dotted quad), or as it is when numeric */
static int resolve_host(struct adm_ctx *x, const char *w, const char **out,
			char *num)
{
	struct in_addr in;
	uint32_t a;

	*out = w;
	if (is_numeric(w, true) || w[0] == '-')
		return 0;	/* masqd's to judge */
	if (!x->res || !x->res->host || x->res->host(w, &a, 1) < 1) {
		snprintf(x->err->msg, sizeof(x->err->msg),
			 "%s: host `%s' not found", x->m->name, w);
		return 2;
	}
	in.s_addr = htonl(a);
	inet_ntop(AF_INET, &in, num, ADM_NUM_LEN);
	*out = num;
	return 0;
}

/* A port word into @num (decimal), or as it is when numeric */
static int resolve_port(struct adm_ctx *x, const char *w, const char *proto,
			const char **out, char *num)
{
	uint16_t port;

	*out = w;
	if (is_numeric(w, false) || w[0] == '-')
		return 0;	/* masqd's to judge */
	if (!proto) {
		snprintf(x->err->msg, sizeof(x->err->msg),
			 "%s: service `%s' needs a protocol, tcp or udp%s",
			 x->m->name, w, x->m->proto_opt ? " (-P)" : "");
		return 2;
	}
	if (!x->res || !x->res->service || x->res->service(w, proto, &port) ||
	    !port) {
		snprintf(x->err->msg, sizeof(x->err->msg),
			 "%s: unknown service `%s' for %s", x->m->name, w, proto);
		return 2;
	}
	snprintf(num, ADM_NUM_LEN, "%u", port);
	*out = num;
	return 0;
}

/* How many words after argv[@i], option @o, are its values */
static int values_taken(const struct adm_opt *o, int argc, char *const *argv,
			int i)
{
	int n = 0;

	for (const char *k = o->args; *k && i + 1 + n < argc; k++, n++)
		if (*k == 'o' && argv[i + 1 + n][0] == '-')
			break;
	return n;
}

/* The index of the option word after the one at @i (its values skipped) */
static int next_word(const struct adm_module *m, int argc, char *const *argv,
		     int i)
{
	const struct adm_opt *o = opt_of(m, argv[i]);

	return i + 1 + (o ? values_taken(o, argc, argv, i) : 0);
}

/* The value of @m's protocol option anywhere in @argv (portfw's -P) */
static const char *module_proto(const struct adm_module *m, int argc,
				char *const *argv)
{
	if (!m->proto_opt)
		return m->proto;
	for (int i = 2; i < argc; i = next_word(m, argc, argv, i))
		if (!strcmp(argv[i], m->proto_opt))
			return i + 1 < argc ? proto_word(argv[i + 1]) : NULL;
	return NULL;
}

/*
 * The values of the option at argv[@i] resolved into @out (fewer than
 * it wants: masqd says so). Return: 0 or 2 (x->err says why)
 */
static int resolve_values(struct adm_ctx *x, const struct adm_opt *o,
			  int argc, char *const *argv, int i,
			  const char **out, char (*num)[ADM_NUM_LEN])
{
	const char *own = NULL, *proto = strchr(o->args, 'p') ? NULL : x->proto;
	int n = values_taken(o, argc, argv, i), rc = 0;

	for (int k = 0; k < n && !rc; k++) {
		int j = i + 1 + k;

		switch (o->args[k]) {
		case 'p':
			own = proto_word(argv[j]);
			break;
		case 'h':
			rc = resolve_host(x, argv[j], &out[j], num[j]);
			break;
		case 's':
		case 'o':
			rc = resolve_port(x, argv[j], own ? own : proto,
					  &out[j], num[j]);
			break;
		}
	}
	return rc;
}

/**
 * adm_resolve() - The words of an ipmasqadm command, names made numbers
 * @argc:	words
 * @argv:	argv[0] "ipmasqadm", argv[1] the module, then its options
 * @res:	lookups (names_resolver; a test's own)
 * @out:	room for @argc words: each is @argv's, or one of @num
 * @num:	room for @argc numeric words
 * @err:	why it failed
 *
 * A module masq does not have, or a word that is no option, is left for
 * masqd to refuse. O(argc) lookups at most, each once per run (names.c).
 *
 * Return: 0, or 2 for a name that does not resolve (nothing to send)
 */
int adm_resolve(int argc, char *const *argv, const struct ipt_resolver *res,
		const char **out, char (*num)[ADM_NUM_LEN], struct ipt_err *err)
{
	struct adm_ctx x = { .res = res, .err = err };
	int rc = 0;

	for (int i = 0; i < argc; i++)
		out[i] = argv[i];
	x.m = argc >= 2 ? module_by_name(argv[1]) : NULL;
	if (!x.m)
		return 0;
	x.proto = module_proto(x.m, argc, argv);
	for (int i = 2; i < argc && !rc; i = next_word(x.m, argc, argv, i)) {
		const struct adm_opt *o = opt_of(x.m, argv[i]);

		if (o)
			rc = resolve_values(&x, o, argc, argv, i, out, num);
	}
	return rc;
}

/* Is @w among the options of @argv (not a value of one)? */
static bool has_option(const struct adm_module *m, int argc, char *const *argv,
		       const char *w)
{
	for (int i = 2; i < argc; i = next_word(m, argc, argv, i))
		if (!strcmp(argv[i], w))
			return true;
	return false;
}

/* ---- help ------------------------------------------------------------- */

/**
 * adm_help() - The help text for a command, if it asks for help
 * @argc:	words
 * @argv:	argv[0] "ipmasqadm", then the module and its options
 * @status:	0 when help was asked for, 2 when a module was given no
 *		options (the text then belongs on stderr)
 *
 * Return: the text, or NULL when the command is not a question for help
 */
const char *adm_help(int argc, char *const *argv, int *status)
{
	const struct adm_module *m;

	*status = 0;
	if (argc < 2 || (argc == 2 && (!strcmp(argv[1], "-h") ||
				       !strcmp(argv[1], "--help")))) {
		*status = argc < 2 ? 2 : 0;
		return general_help;
	}
	m = module_by_name(argv[1]);
	if (!m)
		return NULL;
	if (argc == 2) {
		*status = 2;
		return m->help;
	}
	if (has_option(m, argc, argv, "--help") ||
	    (m->dash_h && has_option(m, argc, argv, "-h")))
		return m->help;
	return NULL;
}

/* ---- listings --------------------------------------------------------- */

#define ADM_FIELDS	8	/* autofw's: the most columns */
#define ADM_NAME	256	/* a rendered field */

/* Split @line (a copy) into at most @max blank-separated fields */
static int fields(char *line, char **f, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *w = strtok_r(line, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return -1;
		f[n++] = w;
	}
	return n;
}

/* "tcp/7070" with the port as a service name */
static const char *control_out(const struct ipt_resolver *res, const char *w,
			       char *buf)
{
	char proto[4], name[ADM_NAME];
	const char *slash = strchr(w, '/'), *p;

	if (!slash || slash - w != 3)
		return w;
	memcpy(proto, w, 3);
	proto[3] = '\0';
	if (!proto_word(proto))
		return w;
	p = names_port_out(res, slash + 1, proto_word(proto), name,
			   sizeof(name));
	if (p == slash + 1)
		return w;
	if (snprintf(buf, ADM_NAME, "%s/%s", proto, name) >= ADM_NAME)
		return w;
	return buf;
}

/* One row of portfw -l: prot laddr raddr lport rport pcnt pref */
static bool portfw_row(const struct ipt_resolver *res, char **f, int n,
		       struct ipt_text *out)
{
	char la[ADM_NAME], ra[ADM_NAME], lp[ADM_NAME], rp[ADM_NAME];
	const char *proto = n == 7 ? proto_word(f[0]) : NULL;

	if (!proto)
		return false;
	ipt_text_printf(out, "%-4s %-20s %-20s %8s %8s %5s %5s\n", f[0],
			names_host_out(res, f[1], la, sizeof(la)),
			names_host_out(res, f[2], ra, sizeof(ra)),
			names_port_out(res, f[3], proto, lp, sizeof(lp)),
			names_port_out(res, f[4], proto, rp, sizeof(rp)), f[5], f[6]);
	return true;
}

/* One row of mfw -L: fwmark raddr rport pcnt pref */
static bool mfw_row(const struct ipt_resolver *res, char **f, int n,
		    struct ipt_text *out)
{
	char ra[ADM_NAME], rp[ADM_NAME];

	if (n != 5 || !is_numeric(f[0], false))
		return false;
	ipt_text_printf(out, "%-8s %-20s %8s %5s %5s\n", f[0],
			names_host_out(res, f[1], ra, sizeof(ra)),
			names_port_out(res, f[2], "tcp", rp, sizeof(rp)),
			f[3], f[4]);
	return true;
}

/* One row of autofw -L: prot low high host control remote flags lapses */
static bool autofw_row(const struct ipt_resolver *res, char **f, int n,
		       struct ipt_text *out)
{
	char h[ADM_NAME], c[ADM_NAME], r[ADM_NAME];

	if (n != 8 || !proto_word(f[0]))
		return false;
	ipt_text_printf(out, "%-4s %5s %5s %-16s %-9s %-16s %-5s %s\n", f[0],
			f[1], f[2], names_host_out(res, f[3], h, sizeof(h)),
			control_out(res, f[4], c),
			names_host_out(res, f[5], r, sizeof(r)),
			f[6], f[7]);
	return true;
}

/**
 * adm_render() - A listing of masqd's with names in place of numbers
 * @module:	portfw, mfw or autofw
 * @text:	masqd's listing (NUL-terminated)
 * @res:	lookups
 * @out:	the listing to print
 *
 * Each row is read back from masqd's columns; a line that is not a row
 * (the heading, anything unexpected) is copied as it is. O(rows) reverse
 * lookups, each once per run.
 */
void adm_render(const char *module, const char *text,
		const struct ipt_resolver *res, struct ipt_text *out)
{
	bool (*row)(const struct ipt_resolver *, char **, int,
		    struct ipt_text *) =
		!strcmp(module, "portfw") ? portfw_row :
		!strcmp(module, "mfw") ? mfw_row : autofw_row;

	for (const char *p = text; p && *p;) {
		size_t len = strcspn(p, "\n");
		char *line = strndup(p, len), *f[ADM_FIELDS];
		int n = line ? fields(line, f, ADM_FIELDS) : -1;

		if (!line) {
			out->oom = true;
			return;
		}
		if (n < 0 || !row(res, f, n, out))
			ipt_text_printf(out, "%.*s\n", (int)len, p);
		free(line);
		p += len;
		if (*p == '\n')
			p++;
	}
}

/* ---- the verb --------------------------------------------------------- */

/* Send @argv; print the answer, rendered when it is a listing with names */
static int send_words(struct conn *c, int argc, char *const *argv,
		      const struct adm_module *m, bool render)
{
	struct ipt_text t = { 0 };
	struct reply r;
	int ret = conn_call(c, argc, argv, &r);

	if (ret)
		return ret;
	if (r.status || !render) {
		ret = reply_print(&r);
		reply_free(&r);
		return ret;
	}
	adm_render(m->name, r.text, &names_resolver, &t);
	ret = out_text("ipmasqadm", &t);
	ipt_text_free(&t);
	reply_free(&r);
	return ret;
}

/**
 * ipmasqadm_main() - masqctl ipmasqadm MODULE OPTIONS... (and ipmasqadm)
 * @c:		connection to masqd
 * @argc:	words, from the verb
 * @argv:	argv[0] is "ipmasqadm"
 *
 * Return: the exit status: 0, masqd's (1 nothing to delete, a table
 * full; 2 a usage error), 2 for a name that does not resolve, 1 when
 * masqd cannot be reached
 */
int ipmasqadm_main(struct conn *c, int argc, char **argv)
{
	const char *help, **out = calloc((size_t)argc + 1, sizeof(*out));
	char (*num)[ADM_NUM_LEN] = calloc((size_t)argc, sizeof(*num));
	const struct adm_module *m = argc >= 2 ? module_by_name(argv[1]) : NULL;
	struct ipt_err err = { { 0 } };
	int ret;

	help = adm_help(argc, argv, &ret);
	if (help) {
		fputs(help, ret ? stderr : stdout);
		goto done;
	}
	if (!out || !num) {
		fprintf(stderr, "ipmasqadm: out of memory\n");
		ret = 1;
		goto done;
	}
	ret = adm_resolve(argc, argv, &names_resolver, out, num, &err);
	if (ret) {
		fprintf(stderr, "%s\n", err.msg);
		goto done;
	}
	ret = send_words(c, argc, (char *const *)out, m,
			 m && has_option(m, argc, argv, m->list) &&
			 !has_option(m, argc, argv, "-n"));
done:
	free(out);
	free(num);
	return ret;
}

// SPDX-License-Identifier: MIT
/*
 * test_services.c - masqd's service and protocol names read from sample
 * /etc/services and /etc/protocols files (src/control/services.c)
 *
 * What the administrator relies on when masq.conf says `--dport ssh`:
 * names and aliases resolve per protocol as the C library would answer,
 * comments and malformed lines are skipped, a missing file is an error
 * the caller sees and leaves its names unknown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/report.h"
#include "control/services.h"

static char dir[] = "/tmp/masq-services-XXXXXX";
static char svc_path[64], proto_path[64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
}

/* The sample files: a services(5) and a protocols(5) of a few lines */
static void samples(void)
{
	write_file(svc_path,
		   "# Network services, Internet style\n"
		   "\n"
		   "ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol\n"
		   "domain\t\t53/tcp\n"
		   "domain\t\t53/udp\n"
		   "http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP\n"
		   "syslog\t\t514/udp\n"
		   "shell\t\t514/tcp\t\tcmd\n"
		   "broken\t\t99999/tcp\n"
		   "noport\t\t/tcp\n"
		   "lonely\n");
	write_file(proto_path,
		   "# Internet (IP) protocols\n"
		   "ip\t0\tIP\t\t# internet protocol, pseudo protocol number\n"
		   "gre\t47\tGRE\t\t# General Routing Encapsulation\n"
		   "esp\t50\tIPSEC-ESP\t# Encap Security Payload\n"
		   "toobig\t256\tTOOBIG\n");
}

static bool port_is(const char *name, const char *proto, int want)
{
	uint16_t port = 0;
	int rc = services_resolver.service(name, proto, &port);

	if (want < 0 ? rc == 0 : rc || port != want)
		return report_whyf("service %s/%s: rc %d port %u, want %d", name,
				   proto ? proto : "any", rc, port, want);
	return true;
}

static bool proto_is(const char *name, int want)
{
	uint8_t p = 0;
	int rc = services_resolver.proto(name, &p);

	if (want < 0 ? rc == 0 : rc || p != want)
		return report_whyf("protocol %s: rc %d number %u, want %d", name,
				   rc, p, want);
	return true;
}

static bool sample_files(void)
{
	bool ok;

	if (services_load(svc_path, proto_path))
		return report_whyf("services_load failed");
	ok = port_is("ssh", "tcp", 22) && port_is("ssh", NULL, 22) &&
	     port_is("ssh", "udp", -1) && port_is("domain", "udp", 53) &&
	     port_is("www", "tcp", 80) && port_is("cmd", "tcp", 514) &&
	     port_is("syslog", "udp", 514) && port_is("shell", "udp", -1) &&
	     port_is("broken", NULL, -1) && port_is("noport", NULL, -1) &&
	     port_is("lonely", NULL, -1) && port_is("SSH", "tcp", -1) &&
	     port_is("#", NULL, -1) &&
	     proto_is("gre", 47) && proto_is("GRE", 47) &&
	     proto_is("IPSEC-ESP", 50) && proto_is("ip", 0) &&
	     proto_is("toobig", -1) && proto_is("ssh", -1) &&
	     port_is("gre", NULL, -1);
	services_free();
	return ok && proto_is("gre", -1);
}

static bool missing_file(void)
{
	int rc = services_load("/nonexistent/services", proto_path);
	bool ok = rc == -ENOENT && port_is("ssh", NULL, -1) &&
		  proto_is("gre", 47);

	if (rc != -ENOENT)
		report_whyf("services_load of a missing file: %d", rc);
	services_free();
	return ok;
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(svc_path, sizeof(svc_path), "%s/services", dir);
	snprintf(proto_path, sizeof(proto_path), "%s/protocols", dir);
	samples();
	report_result("services", "sample_files", sample_files());
	report_result("services", "missing_file", missing_file());
	unlink(svc_path);
	unlink(proto_path);
	rmdir(dir);
	return report_failures() ? 1 : 0;
}

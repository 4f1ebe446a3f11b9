# masq - a userspace IP masquerading router
#
#   make            build/masqd, build/masqctl, build/masq-socksify,
#                   build/libmasq.a
#   make check      every test; ends with "N passed, N failed"
#   make bench      benchmarks, one "bench NAME VALUE UNIT" line per figure
#   make bench-e2e  on the wire: kernel NAT, a trivial forwarder and masqd
#                   in the namespace lab (bench/e2e.sh; needs root)
#   make fuzz       each fuzz target for a short, bounded time
#   make run        the demo router in network namespaces (make run-stop)
#   make install    masqd, masqctl and man pages under $(PREFIX); the
#                   rules directory's .def files in /etc/masq/rules (a
#                   file already there is kept, as the files promise);
#                   the systemd units, /etc/masq/masqd.env and masq.conf
#                   (kept when there) and, without DESTDIR, the masq user
#   make deb        the Debian package in build/deb/ (debian/; checked
#                   with lintian when it is installed)
#
# V=1 shows full commands. Sources are found by folder: a new .c file in
# src/engine or src/ipt (the iptables language, shared by masqd and
# masqctl) is part of the engine library, in tests/unit a new unit test.

PREFIX  ?= /usr
CC      ?= cc
CLANG   ?= clang
O       := build

# The version: debian/changelog's first entry, the one place it is
# written, so that masqd --version, masqctl --version and the package agree
VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
CFLAGS_COMMON := -std=c11 -D_GNU_SOURCE -g -Wall -Wextra -Werror \
	-Wshadow -Wstrict-prototypes -Wmissing-prototypes -Iinclude -Isrc \
	-DMASQ_VERSION='"$(VERSION)"'
CFLAGS  ?= -O2 -flto=auto
AR      := gcc-ar
ALL_CFLAGS := $(CFLAGS_COMMON) $(CFLAGS) -MMD -MP
SAN_CFLAGS := $(CFLAGS_COMMON) -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -MMD -MP
TSAN_CFLAGS := $(CFLAGS_COMMON) -O1 -fno-omit-frame-pointer \
	-fsanitize=thread -MMD -MP

# AF_XDP (masqd --io afxdp): with libxdp and libbpf when pkg-config finds
# them; without, src/io/afxdp.c builds to a refusal that says so
XDP_LIBS := $(shell pkg-config --libs libxdp libbpf 2>/dev/null)
ifneq ($(XDP_LIBS),)
XDP_CFLAGS := -DMASQ_HAVE_XDP $(shell pkg-config --cflags libxdp libbpf 2>/dev/null)
endif
$(O)/obj/src/io/afxdp.o: ALL_CFLAGS += $(XDP_CFLAGS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

ENGINE_SRC  := $(sort $(wildcard src/engine/*.c src/ipt/*.c))
CONTROL_SRC := $(sort $(wildcard src/control/*.c))
IO_SRC      := $(sort $(wildcard src/io/*.c))
MASQD_SRC   := $(sort $(wildcard src/masqd/*.c))
MASQCTL_SRC := $(sort $(wildcard src/masqctl/*.c))
SOCKSIFY_SRC := $(sort $(wildcard src/socksify/*.c))
# masq-socksify's parts a unit test or fuzz target may take (not main.c)
SOCKSIFY_LIB_SRC := $(filter-out src/socksify/main.c,$(SOCKSIFY_SRC))
TESTLIB_SRC := $(sort $(wildcard tests/lib/*.c))
UNIT_SRC    := $(sort $(wildcard tests/unit/*.c))
# the unit tests with a second thread, run under ThreadSanitizer too
TSAN_SRC    := tests/unit/test_jobs.c tests/unit/test_log.c tests/unit/test_reload.c \
	tests/unit/test_workers.c tests/unit/test_recent.c
BENCH_SRC   := $(filter-out bench/lib.c,$(sort $(wildcard bench/*.c)))
FUZZ_SRC    := $(sort $(wildcard fuzz/*.c))
TOOLS_SRC   := $(sort $(wildcard tests/tools/*.c))

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))
san = $(patsubst %.c,$(O)/san/%.o,$(1))
tsan = $(patsubst %.c,$(O)/tsan/%.o,$(1))

LIBMASQ     := $(O)/libmasq.a
LIBCONTROL  := $(O)/libmasqcontrol.a
UNIT_BINS   := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRC))
SAN_BINS    := $(patsubst tests/unit/%.c,$(O)/tests-san/%,$(UNIT_SRC))
TSAN_BINS   := $(patsubst tests/unit/%.c,$(O)/tests-tsan/%,$(TSAN_SRC))
BENCH_BINS  := $(patsubst bench/%.c,$(O)/bench/%,$(BENCH_SRC))
FUZZ_BINS   := $(patsubst fuzz/%.c,$(O)/fuzz/%,$(FUZZ_SRC))
TOOLS_BINS  := $(patsubst tests/tools/%.c,$(O)/tools/%,$(TOOLS_SRC))

.PHONY: all check unit unit-san unit-tsan tools bench bench-e2e fuzz fuzz-build run run-stop install install-service clean deps deb
all: $(O)/masqd $(O)/masqctl $(O)/masq-socksify $(LIBMASQ)

# the files that print the version are made again when it changes
$(call obj,src/masqd/options.c src/masqctl/main.c): debian/changelog

$(O)/obj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(O)/san/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC-SAN  $<")
	$(Q)$(CC) $(SAN_CFLAGS) -c $< -o $@

$(O)/tsan/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC-TSAN $<")
	$(Q)$(CC) $(TSAN_CFLAGS) -c $< -o $@

$(LIBMASQ): $(call obj,$(ENGINE_SRC))
	$(Q)rm -f $@ && $(AR) rcs $@ $^
$(LIBCONTROL): $(call obj,$(CONTROL_SRC))
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(O)/masqd: $(call obj,$(MASQD_SRC) $(IO_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -pthread -o $@ $^ -lseccomp $(XDP_LIBS)
# masqd with the debug commands (masqctl debug forbidden-syscall: e2e 103
# sees the seccomp kill); only command.c differs
$(O)/dbg/src/masqd/command.o: src/masqd/command.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -DMASQD_DEBUG -c $< -o $@
$(O)/debug/masqd: $(call obj,$(filter-out src/masqd/command.c,$(MASQD_SRC)) $(IO_SRC)) \
		$(O)/dbg/src/masqd/command.o $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -pthread -o $@ $^ -lseccomp $(XDP_LIBS)
$(O)/masqctl: $(call obj,$(MASQCTL_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^

# the automatic SOCKSification relay (issue 17): the control library only
$(O)/masq-socksify: $(call obj,$(SOCKSIFY_SRC)) $(LIBCONTROL)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests/test_socksify: $(O)/obj/tests/unit/test_socksify.o $(call obj,$(SOCKSIFY_LIB_SRC) $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_socksify: $(O)/san/tests/unit/test_socksify.o $(call san,$(SOCKSIFY_LIB_SRC) $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
$(O)/tests/test_socksify_relay: $(O)/obj/tests/unit/test_socksify_relay.o $(call obj,$(SOCKSIFY_LIB_SRC) $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_socksify_relay: $(O)/san/tests/unit/test_socksify_relay.o $(call san,$(SOCKSIFY_LIB_SRC) $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^

$(O)/tests/%: $(O)/obj/tests/unit/%.o $(call obj,$(TESTLIB_SRC)) $(LIBMASQ) $(LIBCONTROL)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/%: $(O)/san/tests/unit/%.o $(call san,$(TESTLIB_SRC) $(ENGINE_SRC) $(CONTROL_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
$(O)/tests-tsan/%: $(O)/tsan/tests/unit/%.o $(call tsan,$(TESTLIB_SRC) $(ENGINE_SRC) $(CONTROL_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(TSAN_CFLAGS) -o $@ $^
# the control server's test runs masqd's server itself (and its log)
CTLSRV_TEST_SRC := src/masqd/ctlsrv.c src/masqd/ctlperm.c src/masqd/sockdir.c src/masqd/log.c
$(O)/tests/test_ctlsrv: $(O)/obj/tests/unit/test_ctlsrv.o $(call obj,$(CTLSRV_TEST_SRC) $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -pthread -o $@ $^
$(O)/tests-san/test_ctlsrv: $(O)/san/tests/unit/test_ctlsrv.o $(call san,$(CTLSRV_TEST_SRC) $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -pthread -o $@ $^
# the twins' test runs masqd's option parser and the TAP and rtnetlink code
TWIN_TEST_SRC := src/masqd/options.c src/io/vnet.c src/io/tap.c src/io/rtnl.c
$(O)/tests/test_twin: $(O)/obj/tests/unit/test_twin.o $(call obj,$(TWIN_TEST_SRC) $(TESTLIB_SRC)) $(LIBMASQ) $(LIBCONTROL)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_twin: $(O)/san/tests/unit/test_twin.o $(call san,$(TWIN_TEST_SRC) $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
# masqctl's text work (ipmasqadm's names and listings, save's file) is
# tested in-process, against engines of the test's own
MASQCTL_TEXT_SRC := src/masqctl/ipmasqadm.c src/masqctl/saveall.c src/masqctl/masq.c \
	src/masqctl/names.c src/masqctl/conn.c
$(O)/tests/test_masqctl_text: $(O)/obj/tests/unit/test_masqctl_text.o $(call obj,$(MASQCTL_TEXT_SRC) $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_masqctl_text: $(O)/san/tests/unit/test_masqctl_text.o $(call san,$(MASQCTL_TEXT_SRC) $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
# masqctl's JSON (stats --json, conntrack -L -o json), tested and fuzzed
# without masqd
JSON_TEXT_SRC := src/masqctl/json.c src/masqctl/conn.c
$(O)/tests/test_json: $(O)/obj/tests/unit/test_json.o $(call obj,$(JSON_TEXT_SRC) $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_json: $(O)/san/tests/unit/test_json.o $(call san,$(JSON_TEXT_SRC) $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
# masqd --metrics: the rendering and the server thread, without masqd
METRICS_TEST_SRC := src/masqd/metrics.c src/masqd/log.c
$(O)/tests/test_metrics: $(O)/obj/tests/unit/test_metrics.o $(call obj,$(METRICS_TEST_SRC) $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -pthread -o $@ $^
$(O)/tests-san/test_metrics: $(O)/san/tests/unit/test_metrics.o $(call san,$(METRICS_TEST_SRC) $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -pthread -o $@ $^
# masqd --workers: adding the workers' listings (textsum.c), without masqd
$(O)/tests/test_textsum: $(O)/obj/tests/unit/test_textsum.o $(call obj,src/masqd/textsum.c $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_textsum: $(O)/san/tests/unit/test_textsum.o $(call san,src/masqd/textsum.c $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
# masqctl rules' reading and deciding (the files, the interfaces, the
# line of a failed command), tested and fuzzed without masqd
RULES_TEXT_SRC := src/masqctl/rulesdir.c
$(O)/tests/test_rules: $(O)/obj/tests/unit/test_rules.o $(call obj,$(RULES_TEXT_SRC) $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_rules: $(O)/san/tests/unit/test_rules.o $(call san,$(RULES_TEXT_SRC) $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
# the crash records and claims (issue 18), tested on files of the test's
# own, and masqd --release's command line
RUNREC_TEST_SRC := src/io/runrec.c src/io/claim.c src/masqd/options.c
$(O)/tests/test_runrec: $(O)/obj/tests/unit/test_runrec.o $(call obj,$(RUNREC_TEST_SRC) $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_runrec: $(O)/san/tests/unit/test_runrec.o $(call san,$(RUNREC_TEST_SRC) $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
# the bench forwarder's per-frame work (bench/fwd/frame.c)
$(O)/tests/test_fwd: $(O)/obj/tests/unit/test_fwd.o $(call obj,bench/fwd/frame.c $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_fwd: $(O)/san/tests/unit/test_fwd.o $(call san,bench/fwd/frame.c $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
# the AF_XDP UMEM's bookkeeping (src/io/umem.c), without a kernel
$(O)/tests/test_umem: $(O)/obj/tests/unit/test_umem.o $(call obj,src/io/umem.c $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_umem: $(O)/san/tests/unit/test_umem.o $(call san,src/io/umem.c $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
# userspace GRO (src/io/gro.c): bursts in, super-frames out, no socket
$(O)/tests/test_gro: $(O)/obj/tests/unit/test_gro.o $(call obj,src/io/gro.c $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_gro: $(O)/san/tests/unit/test_gro.o $(call san,src/io/gro.c $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
# the receive ring's copy path and the transmit ring (src/io/afpacket.c),
# on rings in memory
AFP_TEST_SRC := src/io/afpacket.c src/io/vnet.c
$(O)/tests/test_afpacket: $(O)/obj/tests/unit/test_afpacket.o $(call obj,$(AFP_TEST_SRC) $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_afpacket: $(O)/san/tests/unit/test_afpacket.o $(call san,$(AFP_TEST_SRC) $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
# the privileged helper's message parser, without masqd
$(O)/tests/test_privsep: $(O)/obj/tests/unit/test_privsep.o $(call obj,src/masqd/privmsg.c $(TESTLIB_SRC)) $(LIBCONTROL) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^
$(O)/tests-san/test_privsep: $(O)/san/tests/unit/test_privsep.o $(call san,src/masqd/privmsg.c $(TESTLIB_SRC) $(CONTROL_SRC) $(ENGINE_SRC))
	@mkdir -p $(@D)
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^
$(O)/bench/%: $(O)/obj/bench/%.o $(O)/obj/bench/lib.o $(call obj,$(TESTLIB_SRC)) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^

# traffic tools of the end-to-end tests and benchmarks (tests/tools/)
$(O)/tools/%: $(O)/obj/tests/tools/%.o
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^

# Each source is compiled once for all the fuzz targets (build/fuzzobj/,
# with libFuzzer's coverage instrumentation: fuzzer-no-link) and each
# target is linked from those with libFuzzer's main; compiling every
# source again for every target made fuzz-build 9 minutes of a 30-minute
# make check (540 s; from objects: 26 s at -j2).
FUZZ_CFLAGS := $(CFLAGS_COMMON) -O1 -fsanitize=fuzzer,address,undefined
FUZZ_OBJ_CFLAGS := $(CFLAGS_COMMON) -O1 -fsanitize=fuzzer-no-link,address,undefined -MMD -MP
fuzzobj = $(patsubst %.c,$(O)/fuzzobj/%.o,$(1))
# what a fuzz target needs beyond the engine, control and test libraries
FUZZ_EXTRA_fuzz_afpacket := src/io/afpacket.c src/io/vnet.c
FUZZ_EXTRA_fuzz_ctlsrv := $(CTLSRV_TEST_SRC)
FUZZ_EXTRA_fuzz_rtnl := src/io/rtnl.c
FUZZ_EXTRA_fuzz_tap := src/io/tap.c src/io/vnet.c
FUZZ_EXTRA_fuzz_rtwatch := src/io/rtwatch.c src/io/nlmsg.c
FUZZ_EXTRA_fuzz_sockdiag := src/io/sockdiag.c src/io/nlmsg.c
FUZZ_EXTRA_fuzz_masqctl_text := $(MASQCTL_TEXT_SRC)
FUZZ_EXTRA_fuzz_socks := $(SOCKSIFY_LIB_SRC)
FUZZ_EXTRA_fuzz_socksify_conf := $(SOCKSIFY_LIB_SRC)
FUZZ_EXTRA_fuzz_rules := $(RULES_TEXT_SRC)
FUZZ_EXTRA_fuzz_json := $(JSON_TEXT_SRC)
FUZZ_EXTRA_fuzz_metrics := $(METRICS_TEST_SRC)
FUZZ_EXTRA_fuzz_runrec := src/io/runrec.c
FUZZ_EXTRA_fuzz_privsep := src/masqd/privmsg.c
FUZZ_EXTRA_fuzz_fwd := bench/fwd/frame.c
FUZZ_EXTRA_fuzz_umem := src/io/umem.c
FUZZ_EXTRA_fuzz_gro := src/io/gro.c
# (kept: not intermediates a make deletes and the next one compiles again)
.SECONDARY: $(call fuzzobj,$(FUZZ_SRC) $(ENGINE_SRC) $(CONTROL_SRC) $(TESTLIB_SRC) \
	$(IO_SRC) $(MASQD_SRC) $(MASQCTL_SRC) $(SOCKSIFY_SRC) bench/fwd/frame.c)
$(O)/fuzzobj/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC-FUZZ $<")
	$(Q)$(CLANG) $(FUZZ_OBJ_CFLAGS) -c $< -o $@
.SECONDEXPANSION:
$(O)/fuzz/%: $(O)/fuzzobj/fuzz/%.o $(call fuzzobj,$(ENGINE_SRC) $(CONTROL_SRC) $(TESTLIB_SRC)) \
		$$(call fuzzobj,$$(FUZZ_EXTRA_$$*))
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $^

unit: $(UNIT_BINS)
tools: $(TOOLS_BINS)
unit-san: $(SAN_BINS)
unit-tsan: $(TSAN_BINS)
fuzz-build: $(FUZZ_BINS)

# check builds with as many jobs as the machine has cores, unless make
# was given -j (then with its jobs); the fuzz targets in a make of their
# own, whose failure (no clang) leaves the rest to run
CHECK_J = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc 2>/dev/null || echo 1))
check: deps
	$(Q)$(MAKE) --no-print-directory $(CHECK_J) all unit unit-san unit-tsan tools $(O)/debug/masqd $(O)/bench/workers_bench
	$(Q)$(MAKE) --no-print-directory $(CHECK_J) fuzz-build || \
		echo "check: fuzz targets not built (clang with libFuzzer missing); they will SKIP"
	$(Q)tests/check.sh

bench: all tools $(BENCH_BINS)
	$(Q)bench/run.sh

# the trivial forwarder bench/e2e.sh measures masqd against: masqd's own
# AF_PACKET I/O with no NAT (bench/fwd/fwd.c)
$(O)/tools/fwd: $(call obj,bench/fwd/fwd.c bench/fwd/frame.c src/io/afpacket.c src/io/afxdp.c src/io/umem.c src/io/vnet.c src/io/gro.c) $(LIBMASQ)
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(XDP_LIBS)

bench-e2e: all tools $(O)/tools/fwd
	$(Q)bench/e2e.sh

fuzz: fuzz-build
	$(Q)FUZZ_SECONDS=$${FUZZ_SECONDS:-30} fuzz/run.sh

deps:
	$(Q)tests/deps.sh

run: deps all
	$(Q)lab/demo.sh

run-stop:
	$(Q)lab/lab.sh down

# masqctl answers to other names (src/masqctl/main.c): masq-iptables and
# friends in sbin; the plain iptables names only in lib/masq/bin, for
# scripts run with PATH=$(PREFIX)/lib/masq/bin:$$PATH, never in sbin or bin
# where they would shadow the kernel's iptables.
MASQCTL_SBIN_LINKS := masq-iptables masq-iptables-save masq-iptables-restore \
	masq-ipchains masq-ipchains-save masq-ipchains-restore
MASQCTL_LIB_LINKS  := iptables iptables-save iptables-restore ipmasqadm
MASQCTL_LIB_LINKS  += ipfwadm
MASQCTL_LIB_LINKS  += ipchains ipchains-save ipchains-restore

install: all
	install -D -m 0755 $(O)/masqd $(DESTDIR)$(PREFIX)/sbin/masqd
	install -D -m 0755 $(O)/masqctl $(DESTDIR)$(PREFIX)/sbin/masqctl
	install -D -m 0755 $(O)/masq-socksify $(DESTDIR)$(PREFIX)/sbin/masq-socksify
	for n in $(MASQCTL_SBIN_LINKS); do \
		ln -sfn masqctl $(DESTDIR)$(PREFIX)/sbin/$$n || exit 1; done
	install -d $(DESTDIR)$(PREFIX)/lib/masq/bin
	for n in $(MASQCTL_LIB_LINKS); do \
		ln -sfn ../../../sbin/masqctl $(DESTDIR)$(PREFIX)/lib/masq/bin/$$n \
			|| exit 1; done
	install -d $(DESTDIR)/etc/masq/rules
	for f in rules/*.def; do t=$(DESTDIR)/etc/masq/rules/$${f##*/}; \
		[ -e "$$t" ] || install -m 0644 $$f "$$t" || exit 1; done
	for m in man/*.8 man/*.5; do [ -f "$$m" ] || continue; \
		s=$${m##*.}; install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/$${m##*/}; done
	for n in $(MASQCTL_SBIN_LINKS); do \
		ln -sfn masqctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/$$n.8 || exit 1; done
	$(MAKE) --no-print-directory install-service

# The systemd units and the files they read (systemd/, etc/: see
# docs/design.md, Packaging); a file in /etc already there is kept. The
# masq user (masqd will drop privileges to it; masq-socksify.service runs
# as it) is made here only for a real install, not into a DESTDIR: the
# package's postinst makes it.
SYSTEMD_UNITDIR ?= /lib/systemd/system
install-service:
	for u in systemd/*.service; do \
		install -D -m 0644 $$u $(DESTDIR)$(SYSTEMD_UNITDIR)/$${u##*/} || exit 1; done
	install -d $(DESTDIR)/etc/masq
	for f in etc/*; do t=$(DESTDIR)/etc/masq/$${f##*/}; \
		[ -e "$$t" ] || install -m 0644 $$f "$$t" || exit 1; done
	if [ -z "$(DESTDIR)" ] && ! getent passwd masq >/dev/null; then \
		useradd --system --user-group --home-dir /nonexistent \
			--no-create-home --shell /usr/sbin/nologin masq; fi

# The Debian package, built by dpkg-buildpackage (debhelper) from a copy
# of the tree in build/deb/masq, so that the .deb, .changes and
# .buildinfo land in build/deb/ rather than beside the repository.
deb:
	rm -rf $(O)/deb && mkdir -p $(O)/deb/masq
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C $(O)/deb/masq
	cd $(O)/deb/masq && dpkg-buildpackage -b -us -uc -j$(shell nproc 2>/dev/null || echo 1)
	if command -v lintian >/dev/null; then \
		lintian --fail-on error $(O)/deb/masq_*.changes || exit 1; \
	else echo "deb: lintian not installed (apt-get install lintian): not checked"; fi

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

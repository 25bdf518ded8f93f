# stoppvif: plain GNU make.
#   make            build/stoppvifd, build/stoppvifctl
#   make run        install what is missing, build, run the daemon on etc/stoppvif.ini
#   make check      install what is missing, build with sanitizers, run every test
#   make install    PREFIX=/usr DESTDIR=...
# Knobs: WARN, OPT, SANITIZE (e.g. SANITIZE=address,undefined), BUILD.

PREFIX	?= /usr/local
SBINDIR	?= $(PREFIX)/sbin
BINDIR	?= $(PREFIX)/bin
LIBDIR	?= $(PREFIX)/lib
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share/stoppvif
# The installed daemon reads $(SYSCONFDIR)/stoppvif/stoppvif.ini.
SYSCONFDIR ?= /etc
UNITDIR	?= $(LIBDIR)/systemd/system
SYSUSERSDIR ?= $(LIBDIR)/sysusers.d
TMPFILESDIR ?= $(LIBDIR)/tmpfiles.d

BUILD	?= build
V	?= 0
ifeq ($(V),0)
Q	 = @
QCC	 = @echo "  CC      $@";
QLD	 = @echo "  LD      $@";
endif
SANITIZE ?=
OPT	?= -O2 -g
WARN	?= -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	   -Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual \
	   -Wwrite-strings -Wsign-compare -Wundef -Wold-style-definition \
	   -Wno-unused-parameter -Werror
HARDEN	 = -fstack-protector-strong -fPIE -D_FORTIFY_SOURCE=2
ifneq ($(SANITIZE),)
HARDEN	 = -fstack-protector-strong -fPIE
SANFLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# libcrypto (S/MIME, CMS) and librnp (OpenPGP) for lib/mailcrypt*.c.
PKGS	 = libevent libcurl sqlite3 inih libsodium jansson libical libcrypto \
	   librnp
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# libunistring (Unicode for the guard module) has no pkg-config file.
PKG_LIBS   += -lunistring

CFLAGS	?=
CPPFLAGS += -D_GNU_SOURCE -DSYSCONFDIR='"$(SYSCONFDIR)"' \
	    -DLIBDIR='"$(LIBDIR)"' -DDATADIR='"$(DATADIR)"'
# The daemon's folders, in the order of the data flow (README, "Where things
# live"): one -iquote each (sched.h, crypt.h and error.h would hide the
# system's to <...> includes, such as pthread.h's from OpenSSL), and make
# finds a module's .c through vpath.
SRCDIRS	 = daemon daemon/lib daemon/store daemon/calendar daemon/delivery \
	   daemon/shelter daemon/api daemon/ctl
DAEMON_CPPFLAGS = $(CPPFLAGS) $(SRCDIRS:%=-iquote %) -Iplugins
# Plugins see the ABI header alone, never a daemon header.
PLUGIN_CPPFLAGS = $(CPPFLAGS) -Iplugins
HEADERS	:= $(wildcard $(SRCDIRS:%=%/*.h)) plugins/stoppvif_plugin.h
vpath %.c $(SRCDIRS)
ALL_CFLAGS = -std=gnu11 $(OPT) $(WARN) $(HARDEN) $(SANFLAGS) $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = -pie -Wl,-z,relro -Wl,-z,now $(SANFLAGS) $(LDFLAGS)

# The modules of each folder: every .c file in it (a new file needs no edit
# here).  COMMON is daemon/lib, shared by the daemon and the client.
modules	= $(basename $(notdir $(wildcard $(1:%=daemon/%/*.c))))
COMMON	= $(call modules,lib)
CORE	= $(COMMON) $(call modules,store calendar delivery shelter api) sdnotify
DAEMON	= $(CORE) privdrop keyfile restore main
CTL	= $(COMMON) $(call modules,ctl)

DAEMON_OBJS = $(DAEMON:%=$(BUILD)/obj/%.o)
CTL_OBJS    = $(CTL:%=$(BUILD)/obj/%.o)

UNIT_TESTS  = $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
# A unit test links its module with COMMON, and a module beyond daemon/lib
# the daemon's CORE (the daemon without main.o): test_X tests the module X,
# or the group named by UNIT_DEPS_test_X.
UNIT_DEPS_test_migrate = store migrate
UNIT_DEPS_test_claim   = $(CORE)
UNIT_CORE = $(filter-out $(COMMON),$(patsubst test_%,%,$(UNIT_TESTS)))
$(foreach t,$(UNIT_CORE),$(eval UNIT_DEPS_test_$(t) ?= $(CORE)))
# The plugin double of the dispatcher's tests: built like a plugin, from
# tests/unit/plugin_NAME.c with the ABI header alone.
UNIT_PLUGINS = $(patsubst tests/unit/plugin_%.c,$(BUILD)/unit/plugins/%.so,\
	       $(wildcard tests/unit/plugin_*.c))
$(BUILD)/unit/plugins/%.so: tests/unit/plugin_%.c plugins/stoppvif_plugin.h
	$(Q)mkdir -p $(@D)
	$(QCC)$(CC) $(PLUGIN_CPPFLAGS) $(ALL_CFLAGS) -fPIC -shared -o $@ $< \
	    -Wl,--no-undefined $(SANFLAGS)

# Channel plugins: one shared object each, built from plugins/NAME.c and the
# files PLUGIN_SRCS_NAME lists (they may not link daemon objects: the ABI is
# plugins/stoppvif_plugin.h).
PLUGINS	= spool smtp sms_http
PLUGIN_SOS = $(PLUGINS:%=$(BUILD)/plugins/%.so)
# The SMTP plugin's RFC 5322 / RFC 2047 message writer.
PLUGIN_SRCS_smtp = plugins/rfc5322.c plugins/policy.c
# Secrets and transports in clear (allow_plaintext), for both network
# channels.
PLUGIN_SRCS_sms_http = plugins/policy.c

FUZZ_TARGETS = config contact duration rrule ics template api guard inbound \
	       mailcrypt log recurwords html webform
FUZZ_TIME ?= 60

.PHONY: all run check bench fuzz fuzz-targets install clean deps
all: $(BUILD)/stoppvifd $(BUILD)/stoppvifctl $(PLUGIN_SOS)

deps:
	@scripts/install-deps

# config.o embeds SYSCONFDIR, LIBDIR and DATADIR: rebuild it when they change.
SYSCONF_STAMP = $(BUILD)/obj/.sysconfdir$(subst /,_,$(SYSCONFDIR)$(LIBDIR)$(DATADIR))
$(SYSCONF_STAMP): | $(BUILD)/obj
	$(Q)rm -f $(BUILD)/obj/.sysconfdir* && touch $@
$(BUILD)/obj/config.o: $(SYSCONF_STAMP)

$(BUILD)/obj/test_%.o: tests/unit/test_%.c $(HEADERS) $(wildcard tests/unit/*.h) | $(BUILD)/obj
	$(QCC)$(CC) $(DAEMON_CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes -Wno-missing-declarations -c $< -o $@

$(BUILD)/obj/%.o: %.c $(HEADERS) | $(BUILD)/obj
	$(QCC)$(CC) $(DAEMON_CPPFLAGS) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj $(BUILD)/unit:
	$(Q)mkdir -p $@

$(BUILD)/stoppvifd: $(DAEMON_OBJS)
	$(QLD)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS) -ldl

$(BUILD)/stoppvifctl: $(CTL_OBJS)
	$(QLD)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS)

unit_objs = $(sort $(patsubst %,$(BUILD)/obj/%.o,$(COMMON) $(filter $(1),$(DAEMON)) $(UNIT_DEPS_test_$(1))))

.PRECIOUS: $(BUILD)/obj/test_%.o
.SECONDEXPANSION:
$(BUILD)/unit/test_%: $(BUILD)/obj/test_%.o $$(call unit_objs,$$*) | $(BUILD)/unit
	$(QLD)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS) -lcmocka

$(BUILD)/plugins/%.so: plugins/%.c $$(PLUGIN_SRCS_$$*) $(wildcard plugins/*.h)
	$(Q)mkdir -p $(BUILD)/plugins
	$(QCC)$(CC) $(PLUGIN_CPPFLAGS) $(ALL_CFLAGS) -fPIC -shared -o $@ $< \
	    $(PLUGIN_SRCS_$*) \
	    -Wl,-z,relro -Wl,-z,now -Wl,--no-undefined $(SANFLAGS) \
	    $(shell pkg-config --libs libcurl)

$(BUILD)/tools/plughost: tests/tools/plughost.c plugins/stoppvif_plugin.h
	$(Q)mkdir -p $(BUILD)/tools
	$(QLD)$(CC) $(PLUGIN_CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $< $(LDFLAGS_ALL) $(PKG_LIBS) -ldl

$(BUILD)/tools/blobscan: tests/tools/blobscan.c $(patsubst %,$(BUILD)/obj/%.o,$(COMMON))
	$(Q)mkdir -p $(BUILD)/tools
	$(QLD)$(CC) $(DAEMON_CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS)

# The S/MIME and PGP/MIME engine (lib/mailcrypt*.c) from the shell.
$(BUILD)/tools/mailcrypt: tests/tools/mailcrypt.c $(patsubst %,$(BUILD)/obj/%.o,$(COMMON))
	$(Q)mkdir -p $(BUILD)/tools
	$(QLD)$(CC) $(DAEMON_CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS)

# Fuzz targets: replayed over their corpus by make check (gcc, sanitizers),
# run for real with libFuzzer by make fuzz (clang).
# A target fuzz_X links COMMON plus FUZZ_DEPS_X.
# fuzz_api: the daemon without main.o; -ldl for the plugin loader.  Its
# dispatcher loads a spool.so from fuzz/plugins: a plain one, since clang's
# sanitizers cannot link a shared object.
FUZZ_DEPS_api = $(CORE)
$(BUILD)/fuzz/replay_api $(BUILD)/fuzz/fuzz_api: LDFLAGS += -ldl
$(BUILD)/fuzz/replay_api $(BUILD)/fuzz/fuzz_api: | $(BUILD)/fuzz/plugins/spool.so
$(BUILD)/fuzz/plugins/spool.so: plugins/spool.c plugins/stoppvif_plugin.h
	$(Q)mkdir -p $(@D)
	$(QCC)$(CC) $(PLUGIN_CPPFLAGS) -std=gnu11 $(OPT) $(WARN) -fPIC -shared -o $@ $<
# fuzz_inbound: the daemon without main.o too (the shelters, the store).
FUZZ_DEPS_inbound = $(CORE)
$(BUILD)/fuzz/replay_inbound $(BUILD)/fuzz/fuzz_inbound: LDFLAGS += -ldl
# fuzz_webform: the console's request reading (web_form.c), with the
# daemon without main.o behind it.
FUZZ_DEPS_webform = $(CORE)
$(BUILD)/fuzz/replay_webform $(BUILD)/fuzz/fuzz_webform: LDFLAGS += -ldl
fuzz_objs = $(sort $(patsubst %,$(BUILD)/obj/%.o,$(COMMON) $(FUZZ_DEPS_$(1))))
# A fuzz target's object is kept: the check of unused exports counts its calls.
$(BUILD)/obj/fuzz_%.o: tests/fuzz/fuzz_%.c $(HEADERS) | $(BUILD)/obj
	$(QCC)$(CC) $(DAEMON_CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes -Wno-missing-declarations -c $< -o $@
.PRECIOUS: $(BUILD)/obj/fuzz_%.o
$(BUILD)/fuzz/replay_%: $(BUILD)/obj/fuzz_%.o tests/fuzz/replay.c $$(call fuzz_objs,$$*)
	$(Q)mkdir -p $(BUILD)/fuzz
	$(QLD)$(CC) $(DAEMON_CPPFLAGS) $(ALL_CFLAGS) -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(call fuzz_objs,$$*)
	$(Q)mkdir -p $(BUILD)/fuzz
	$(QLD)$(CC) $(DAEMON_CPPFLAGS) $(ALL_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS)

fuzz-targets: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/fuzz_%)

fuzz:
	@scripts/install-deps fuzz
	@$(MAKE) --no-print-directory CC=clang SANITIZE=address,undefined \
	    CFLAGS=-fsanitize=fuzzer-no-link BUILD=build/fuzz fuzz-targets
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p build/fuzz/corpus/$$t; \
	    echo "fuzz: $$t for $(FUZZ_TIME) s"; \
	    build/fuzz/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
	        -artifact_prefix=build/fuzz/crash-$$t- \
	        build/fuzz/corpus/$$t tests/fuzz/corpus/$$t \
	        > build/fuzz/$$t.log 2>&1 || { tail -40 build/fuzz/$$t.log; exit 1; }; \
	    tail -1 build/fuzz/$$t.log; \
	done
	@echo "fuzz: add any crash input to tests/fuzz/corpus/TARGET/ so make check replays it"

run:
	@scripts/install-deps
	@$(MAKE) --no-print-directory all
	@scripts/run

check:
	@scripts/install-deps
	@$(MAKE) --no-print-directory SANITIZE=address,undefined BUILD=build/san all \
	    $(UNIT_TESTS:%=build/san/unit/%) $(subst $(BUILD)/,build/san/,$(UNIT_PLUGINS)) \
	    build/san/tools/blobscan \
	    build/san/tools/mailcrypt \
	    build/san/tools/plughost \
	    $(FUZZ_TARGETS:%=build/san/fuzz/replay_%)
	@BUILD=build/san UNIT_TESTS="$(UNIT_TESTS)" \
	    DAEMON_OBJS="$(DAEMON:%=build/san/obj/%.o)" \
	    CTL_OBJS="$(CTL:%=build/san/obj/%.o)" scripts/check

# Benchmarks: tests/bench/bench_*.c are linked with COMMON; scripts/bench
# runs every part and prints the tables (figures, never pass/fail).
BENCH_PROGS = $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/bench_*.c))
$(BUILD)/bench/bench_%: tests/bench/bench_%.c $(patsubst %,$(BUILD)/obj/%.o,$(COMMON))
	$(Q)mkdir -p $(BUILD)/bench
	$(QLD)$(CC) $(DAEMON_CPPFLAGS) $(ALL_CFLAGS) -Wno-missing-prototypes -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS)

bench:
	@scripts/install-deps
	@$(MAKE) --no-print-directory all $(BENCH_PROGS)
	@BUILD=$(BUILD) scripts/bench

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/stoppvif $(DESTDIR)$(DATADIR)/demo \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	install -m 0755 $(BUILD)/stoppvifd $(DESTDIR)$(SBINDIR)/stoppvifd
	install -m 0755 $(BUILD)/stoppvifctl $(DESTDIR)$(BINDIR)/stoppvifctl
	sed -e 's|^state_dir = .*|state_dir = /var/lib/stoppvif|' \
	    -e 's|^socket = .*|socket = /run/stoppvif/stoppvif.sock|' \
	    -e 's|^user =.*|user = stoppvif|' \
	    -e 's|^key_file = .*|key_file = /var/lib/stoppvif-key/master.key|' \
	    -e 's|^plugin_dir = .*|plugin_dir = $(LIBDIR)/stoppvif/plugins|' \
	    -e 's|^templates = .*|templates = $(DATADIR)/templates|' \
	    -e 's|^assets = .*|assets = $(DATADIR)/web|' \
	    etc/stoppvif.ini > $(DESTDIR)$(SYSCONFDIR)/stoppvif/stoppvif.ini
	@# 0640 root:stoppvif: the daemon's group reads it, nobody else (a
	@# [channel.*] url may carry a gateway's account).  Before the group
	@# exists, the tmpfiles.d snippet sets the owner (systemd-tmpfiles).
	chmod 0640 $(DESTDIR)$(SYSCONFDIR)/stoppvif/stoppvif.ini
	@if [ "$$(id -u)" = 0 ] && getent group stoppvif >/dev/null; then \
	    echo "chown root:stoppvif $(DESTDIR)$(SYSCONFDIR)/stoppvif/stoppvif.ini"; \
	    chown root:stoppvif $(DESTDIR)$(SYSCONFDIR)/stoppvif/stoppvif.ini; \
	else \
	    echo "make install: no stoppvif group yet: systemd-sysusers, then" \
	        "systemd-tmpfiles --create, give $(SYSCONFDIR)/stoppvif/stoppvif.ini" \
	        "to root:stoppvif"; \
	fi
	install -m 0644 etc/demo/* $(DESTDIR)$(DATADIR)/demo/
	install -d $(DESTDIR)$(DATADIR)/web
	install -m 0644 etc/web/* $(DESTDIR)$(DATADIR)/web/
	install -d $(DESTDIR)$(LIBDIR)/stoppvif/plugins
	install -m 0755 $(PLUGIN_SOS) $(DESTDIR)$(LIBDIR)/stoppvif/plugins/
	for l in etc/templates/*/; do \
	    install -d $(DESTDIR)$(DATADIR)/templates/$$(basename $$l); \
	    install -m 0644 $$l* $(DESTDIR)$(DATADIR)/templates/$$(basename $$l)/; \
	done
	install -m 0644 daemon/man/stoppvifctl.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 daemon/man/stoppvif.ini.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 daemon/man/stoppvifd.8 $(DESTDIR)$(MANDIR)/man8/
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    systemd/stoppvifd.service.in > $(DESTDIR)$(UNITDIR)/stoppvifd.service
	install -m 0644 systemd/stoppvif.sysusers $(DESTDIR)$(SYSUSERSDIR)/stoppvif.conf
	sed -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' systemd/stoppvif.tmpfiles \
	    > $(DESTDIR)$(TMPFILESDIR)/stoppvif.conf
	chmod 0644 $(DESTDIR)$(TMPFILESDIR)/stoppvif.conf

clean:
	rm -rf build

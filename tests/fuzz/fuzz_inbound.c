/*
 * fuzz_inbound.c: the inbound listeners on arbitrary bytes.  What arrives
 * on a connection goes through httpd_parse() (the server's own parser, up
 * to 16 pipelined requests) and each request through the handler of the
 * SMS gateway's listener or of the public pages, against a real store with
 * three people alerted by an open alert: the secret check, the reply
 * reader, the code and lock-out logic, claims, the link pages.  Whatever
 * the bytes, nothing may crash, every answer has a status the server
 * knows, and no transaction is left open.
 *
 * Input: one byte choosing the listener (even: the SMS gateway's, odd:
 * the public one), then the bytes of the connection.  Before parsing,
 * "@SECRET@" becomes the gateway's secret, "@CODE@" the code of the first
 * person alerted, "@CODE2@" the second's, and "@PHONE@" / "@PHONE2@" their
 * numbers (URL-encoded), so that seeds reach the claims, and "@DLRMAC@"
 * the MAC of the delivery report of outbox row 1 (dlr.h).  After each input the shelter
 * is put back to vacant, with a new alert (new codes), when a claim or
 * anything else moved it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>

#include "audit.h"
#include "config.h"
#include "crypt.h"
#include "dlr.h"
#include "httpd.h"
#include "inbound.h"
#include "log.h"
#include "people.h"
#include "shelter.h"
#include "store.h"
#include "util.h"

#define FUZZ_SECRET	"fuzz-secret-of-the-gateway-42"
#define FUZZ_PEOPLE	3
#define FUZZ_MAXREQ	16

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct {
	char			*dir;
	struct config		*conf;
	struct event_base	*base;
	struct crypt_key	*master;
	struct store		*store;
	struct shelters		*shelters;
	struct inbound		*in;
	struct dlr		*dlr;
	char			 code[FUZZ_PEOPLE][16];
	char			 dlrmac[DLR_MAC_HEX + 1];
} fz;

static const char *const phones[FUZZ_PEOPLE] = {
	"+32470550001", "+32470550002", "+32470550003"
};

/* Write text to dir/name with mode; the path (new string). */
static char *
fuzz_write(const char *name, const char *text, mode_t mode)
{
	char	*path;
	FILE	*fp;

	xasprintf(&path, "%s/%s", fz.dir, name);
	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) == EOF ||
	    fclose(fp) == EOF || chmod(path, mode) == -1)
		fatal("fuzz_inbound: %s", path);
	return path;
}

/* Run act on the shelter ("vacate", "occupy") in a transaction. */
static void
fuzz_act(const char *act)
{
	struct error	 err = { 0, NULL, NULL };
	json_t			*result = NULL;
	char			*cause = NULL;

	if (store_begin(fz.store, &cause) == -1)
		fatalx("fuzz_inbound: %s", cause);
	if (shelter_act(fz.shelters, "aisova", act, "uid:0", &result, &err) == 0)
		store_commit(fz.store, &cause);
	else
		store_rollback(fz.store);
	json_decref(result);
	error_clear(&err);
	free(cause);
}

/* Read the codes of the open alert's first recipients. */
static void
fuzz_codes(void)
{
	static const char *const sql = "SELECT r.code FROM alert_recipients r"
	    " JOIN alerts a ON a.id = r.alert_id WHERE a.status = 'open'"
	    " ORDER BY r.person_id";
	sqlite3_stmt	*st = store_stmt(fz.store, sql);
	int		 i = 0;

	memset(fz.code, 0, sizeof fz.code);
	while (i < FUZZ_PEOPLE && sqlite3_step(st) == SQLITE_ROW)
		util_strlcpy(fz.code[i++], (const char *)sqlite3_column_text(st,
		    0), sizeof fz.code[0]);
	sqlite3_reset(st);
}

/* Put the shelter back to vacant with an open alert. */
static void
fuzz_vacant(void)
{
	json_t	*st = shelter_status(fz.shelters, 1);
	const char *state = json_string_value(json_object_get(json_array_get(
	    st, 0), "state"));

	if (state == NULL || strcmp(state, "vacant") != 0) {
		if (state != NULL && strcmp(state, "reserved") == 0)
			fuzz_act("occupy");
		fuzz_act("vacate");
		fuzz_codes();
	}
	json_decref(st);
}

/* A free TCP port of 127.0.0.1 (bound, then released). */
static int
fuzz_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	int			 fd, port;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		fatal("fuzz_inbound: a free port");
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* At exit: the private folder goes (the database is in memory). */
static void
fuzz_exit(void)
{
	char	*path;

	xasprintf(&path, "%s/sms.secret", fz.dir);
	unlink(path);
	free(path);
	xasprintf(&path, "%s/stoppvif.ini", fz.dir);
	unlink(path);
	free(path);
	inbound_free(fz.in);		/* removes sms.sock */
	fz.in = NULL;
	rmdir(fz.dir);
}

static void
fuzz_init(void)
{
	const char		*tmp = getenv("TMPDIR");
	struct error	 err = { 0, NULL, NULL };
	uint8_t			 raw[CRYPT_KEYBYTES];
	char			*ini, *text, *cause = NULL, *tpl, *dir;
	int64_t			 id;
	json_t			*p;
	int			 i;

	log_init("fuzz_inbound", 1, getenv("FUZZ_INBOUND_LOG") != NULL ?
	    LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	if (crypt_init() == -1)
		fatalx("fuzz_inbound: libsodium");
	xasprintf(&fz.dir, "%s/fuzz_inbound.XXXXXX", tmp ? tmp : "/tmp");
	if (mkdtemp(fz.dir) == NULL)
		fatal("fuzz_inbound: mkdtemp");
	atexit(fuzz_exit);
	dir = util_dirname(__FILE__);
	xasprintf(&tpl, "%s/../../etc/templates", dir);
	free(dir);
	free(fuzz_write("sms.secret", FUZZ_SECRET "\n", 0600));
	xasprintf(&text, "[daemon]\nstate_dir = %s\nsocket = %s/sock\n"
	    "log_level = warn\ninbound_listen = 127.0.0.1:%d\n"
	    "[inbound]\nsms_listen = unix:%s/sms.sock\nsms_secret_file = %s/"
	    "sms.secret\n[delivery]\nplugin_dir = %s\ntemplates = %s\n"
	    "[shelter.aisova]\ntitle = Appartement\nnotify = role:referent\n"
	    "escalate_to =\ncode_digits = 4\n[crypto]\nkey_file = %s/key\n",
	    fz.dir, fz.dir, fuzz_port(), fz.dir, fz.dir, fz.dir, tpl, fz.dir);
	ini = fuzz_write("stoppvif.ini", text, 0600);
	if ((fz.conf = config_load(ini, &cause)) == NULL)
		fatalx("fuzz_inbound: %s", cause);
	free(text);
	free(ini);
	free(tpl);
	for (i = 0; i < CRYPT_KEYBYTES; i++)
		raw[i] = (uint8_t)(3 * i + 5);
	fz.master = crypt_key_from_bytes(raw);
	dlr_mac(fz.master, 1, fz.dlrmac);
	if ((fz.base = event_base_new()) == NULL ||
	    (fz.store = store_open(":memory:", &cause)) == NULL ||
	    audit_start(fz.store, fz.master, &fz.conf, &cause) == -1 ||
	    (fz.shelters = shelter_new(fz.base, fz.store, fz.master, &fz.conf,
	    NULL, NULL, &cause)) == NULL ||
	    (fz.dlr = dlr_new(fz.base, fz.store, fz.master, &fz.conf, NULL,
	    NULL)) == NULL ||
	    (fz.in = inbound_new(fz.base, fz.conf, fz.shelters, fz.dlr,
	    &cause)) == NULL)
		fatalx("fuzz_inbound: %s", cause ? cause : "event base");
	for (i = 0; i < FUZZ_PEOPLE; i++) {
		p = json_pack("{ss s[s] ss}", "name", "Garde Test", "roles",
		    "referent", "phone", phones[i]);
		if (store_begin(fz.store, &cause) == -1 ||
		    people_add(fz.store, fz.master, p, "fr", &id, &err) == -1 ||
		    store_commit(fz.store, &cause) == -1)
			fatalx("fuzz_inbound: people: %s", err.message);
		json_decref(p);
	}
	fuzz_vacant();
}

/* data with the placeholders replaced (new string of *len bytes). */
static char *
fuzz_expand(const uint8_t *data, size_t size, size_t *len)
{
	static const char *const names[] = {
		"@SECRET@", "@CODE@", "@CODE2@", "@PHONE@", "@PHONE2@",
		"@DLRMAC@"
	};
	const char	*values[] = {		/* numbers as URL-encoded */
		FUZZ_SECRET, fz.code[0], fz.code[1], "%2B32470550001",
		"%2B32470550002", fz.dlrmac
	};
	char		*out = xmalloc(size * 8 + 1);
	size_t		 i = 0, o = 0, k, n;

	while (i < size) {
		for (k = 0; k < sizeof names / sizeof names[0]; k++) {
			n = strlen(names[k]);
			if (size - i >= n && memcmp(data + i, names[k], n) == 0)
				break;
		}
		if (k < sizeof names / sizeof names[0]) {
			memcpy(out + o, values[k], strlen(values[k]));
			o += strlen(values[k]);
			i += strlen(names[k]);
		} else
			out[o++] = (char)data[i++];
	}
	out[o] = '\0';
	*len = o;
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httpd_req	 req;
	struct httpd_resp	 r;
	char			*bytes;
	size_t			 len, off = 0, used;
	int			 rc, n, public;

	if (fz.dir == NULL)
		fuzz_init();
	if (size == 0)
		return 0;
	public = data[0] & 1;
	bytes = fuzz_expand(data + 1, size - 1, &len);
	for (n = 0; n < FUZZ_MAXREQ && off < len; n++) {
		rc = httpd_parse(bytes + off, len - off, 0, &req, &used);
		if (rc != 1) {
			if (rc != 0 && (rc < 400 || rc > 505))
				abort();
			break;
		}
		if (used == 0 || used > len - off)
			abort();
		req.peer = "127.0.0.1";
		memset(&r, 0, sizeof r);
		r.status = 200;
		if ((r.body = evbuffer_new()) == NULL)
			abort();
		if (public)
			inbound_public(&req, &r, fz.in);
		else
			inbound_sms(&req, &r, fz.in);
		if (r.status < 200 || r.status > 599 || store_in_txn(fz.store))
			abort();
		evbuffer_free(r.body);
		httpd_req_clear(&req);
		off += used;
	}
	free(bytes);
	fuzz_vacant();
	return 0;
}

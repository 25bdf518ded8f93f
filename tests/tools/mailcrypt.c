/*
 * mailcrypt.c: test tool driving daemon/lib/mailcrypt.c from the shell.
 *
 *	mailcrypt [-n NOW] [-o OUT] check smime|pgp FILE ADDRESS
 *	mailcrypt [-n NOW] [-s SUBJECT] [-m MSGID] wrap smime|pgp FILE ADDRESS
 *
 * check judges FILE (a certificate or an OpenPGP public key as a person
 * would give it) for ADDRESS at NOW (UTC seconds, default the clock) and
 * prints "not_after=", "fingerprint=", "len=" and "desc=" lines; with -o
 * it writes the material mailcrypt would keep to OUT.
 *
 * wrap reads a complete RFC 5322 message on standard input and writes the
 * encrypted message on standard output; SUBJECT is the visible subject
 * (default "Message du réseau"), MSGID the outer Message-ID (default
 * random).  FILE is what check accepts or what -o wrote.
 *
 * Exits 0 on success, 1 with "mailcrypt: CAUSE" on standard error when
 * the module refuses, 2 on a usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mailcrypt.h"
#include "util.h"

#define TOOL_READ_MAX	(16 * 1024 * 1024)	/* the module judges sizes */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: mailcrypt [-n NOW] [-o OUT] check smime|pgp "
	    "FILE ADDRESS\n"
	    "       mailcrypt [-n NOW] [-s SUBJECT] [-m MSGID] wrap smime|pgp "
	    "FILE ADDRESS < MESSAGE\n");
	exit(2);
}

/* Read all of f (at most TOOL_READ_MAX bytes) into a new buffer. */
static char *
tool_slurp(FILE *f, const char *name, size_t *len)
{
	char	*buf = NULL;
	size_t	 cap = 0, n;

	*len = 0;
	for (;;) {
		if (*len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			if (cap > TOOL_READ_MAX + 1)
				break;
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (ferror(f) || *len > TOOL_READ_MAX) {
		fprintf(stderr, "mailcrypt: %s: cannot read it whole\n", name);
		exit(2);
	}
	return buf != NULL ? buf : xstrdup("");
}

static char *
tool_file(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "mailcrypt: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	buf = tool_slurp(f, path, len);
	fclose(f);
	return buf;
}

static int
tool_check(enum mailcrypt_kind kind, const char *path, const char *addr,
    int64_t now, const char *out)
{
	struct mailcrypt_key	 key;
	FILE			*f;
	char			*in, *cause = NULL;
	size_t			 len;

	in = tool_file(path, &len);
	if (mailcrypt_check(kind, in, len, addr, now, &key, &cause) == -1) {
		fprintf(stderr, "mailcrypt: %s\n", cause);
		free(cause);
		free(in);
		return 1;
	}
	printf("not_after=%lld\nfingerprint=%s\nlen=%zu\ndesc=%s\n",
	    (long long)key.not_after, key.fingerprint, key.len, key.desc);
	if (out != NULL) {
		if ((f = fopen(out, "wb")) == NULL ||
		    fwrite(key.data, 1, key.len, f) != key.len || fclose(f)) {
			fprintf(stderr, "mailcrypt: %s: cannot write\n", out);
			exit(2);
		}
	}
	/* only usability, as the dispatcher asks before each message */
	if (mailcrypt_check(kind, key.data, key.len, addr, now, NULL,
	    &cause) == -1) {
		fprintf(stderr, "mailcrypt: kept material refused: %s\n", cause);
		exit(2);
	}
	mailcrypt_key_clear(&key);
	free(in);
	return 0;
}

static int
tool_wrap(struct mailcrypt_wrap *w, const char *path)
{
	char	*key, *msg, *out, *cause = NULL;
	size_t	 keylen, len, outlen;

	key = tool_file(path, &keylen);
	msg = tool_slurp(stdin, "standard input", &len);
	w->key = (const uint8_t *)key;
	w->keylen = keylen;
	if (mailcrypt_wrap(w, msg, len, &out, &outlen, &cause) == -1) {
		fprintf(stderr, "mailcrypt: %s\n", cause);
		free(cause);
		free(key);
		free(msg);
		return 1;
	}
	if (fwrite(out, 1, outlen, stdout) != outlen || fflush(stdout)) {
		fprintf(stderr, "mailcrypt: cannot write the message\n");
		exit(2);
	}
	free(out);
	free(key);
	free(msg);
	return 0;
}

int
main(int argc, char **argv)
{
	struct mailcrypt_wrap	 w;
	enum mailcrypt_kind	 kind;
	const char		*out = NULL;
	int64_t			 now = util_now();
	int			 ch;

	memset(&w, 0, sizeof w);
	w.subject = "Message du réseau";
	while ((ch = getopt(argc, argv, "m:n:o:s:")) != -1) {
		switch (ch) {
		case 'm':
			w.msgid = optarg;
			break;
		case 'n':
			if (util_parse_int(optarg, 0, INT64_MAX, &now) == -1)
				usage();
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			w.subject = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 4)
		usage();
	if (strcmp(argv[1], "smime") == 0)
		kind = MAILCRYPT_SMIME;
	else if (strcmp(argv[1], "pgp") == 0)
		kind = MAILCRYPT_PGP;
	else
		usage();
	if (strcmp(argv[0], "check") == 0)
		return tool_check(kind, argv[2], argv[3], now, out);
	if (strcmp(argv[0], "wrap") != 0)
		usage();
	w.kind = kind;
	w.address = argv[3];
	w.now = now;
	return tool_wrap(&w, argv[2]);
}

/*
 * plughost: load one channel plugin through its ABI, as stoppvifd does, and
 * send messages with it; for testing a plugin alone against a real server.
 *
 *	plughost [-c] [-s STATE_DIR] PLUGIN.so [KEY=VALUE ...] < messages
 *
 * Each KEY=VALUE is a line of the channel's [channel.NAME] section.  Each
 * input line is one message as a JSON object (id, key, kind, to, to_name,
 * subject, body, urgent, created, encrypt, dlr_url).  Every message is
 * handed to send() as the plugin takes it (a busy plugin gets the rest
 * once slots free); the curl multi handle runs (a plain poll loop: this is
 * a test tool, not the daemon) until every message has its outcome,
 * printed as "ID SENT|RETRY|FAILED reply".  With -c, init() runs in
 * check-only mode and nothing is sent.  Configuration problems go to stderr as
 * "config: KEY: message"; exit 1 when there were any, 2 on a usage error.
 *
 * encrypt() holds no key here (the daemon's is mailcrypt_wrap()): it hands
 * the plugin's complete message back with one field, "X-Plughost-Wrapped:
 * yes", put first, so that a test sees exactly what the plugin built and
 * that the plugin sends what encrypt() answered; with PLUGHOST_ENCRYPT=fail
 * it refuses, as the daemon's does for a key that does not fit.
 *
 * A plugin that says it passes dlr_url on (reports()) makes plughost print
 * "plughost: reports" on stderr, with PLUGHOST_DEBUG set.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "stoppvif_plugin.h"

struct xfer {
	CURL		*easy;
	sv_curl_done_fn	 done;
	void		*arg;
};

struct sv_host {
	char		**kv;		/* "KEY=VALUE" */
	int		  nkv;
	const char	 *state;
	int		  errors;
	CURLM		 *multi;
	struct xfer	 *xfers;
	int		  nxfers;
	int		  pending;	/* messages without an outcome */
};

static void
h_log(struct sv_host *h, enum sv_log lvl, const char *fmt, ...)
{
	va_list	 ap;

	if (lvl == SV_LOG_DEBUG && getenv("PLUGHOST_DEBUG") == NULL)
		return;
	fprintf(stderr, "plugin: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *
h_conf(struct sv_host *h, const char *key)
{
	size_t	 n = strlen(key);
	int	 i;

	for (i = 0; i < h->nkv; i++)
		if (strncmp(h->kv[i], key, n) == 0 && h->kv[i][n] == '=')
			return h->kv[i] + n + 1;
	return NULL;
}

static void
h_conf_error(struct sv_host *h, const char *key, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "config: %s: ", key ? key : "section");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	h->errors++;
}

static char *
h_path(struct sv_host *h, const char *value)
{
	return strdup(value);
}

static const char *
h_state_dir(struct sv_host *h)
{
	return h->state;
}

static int
h_curl_add(struct sv_host *h, CURL *easy, sv_curl_done_fn done, void *arg)
{
	if (curl_multi_add_handle(h->multi, easy) != CURLM_OK)
		return -1;
	h->xfers = realloc(h->xfers, (size_t)(h->nxfers + 1) *
	    sizeof *h->xfers);
	if (h->xfers == NULL)
		abort();
	h->xfers[h->nxfers].easy = easy;
	h->xfers[h->nxfers].done = done;
	h->xfers[h->nxfers++].arg = arg;
	return 0;
}

static void
h_complete(struct sv_host *h, const struct sv_message *m,
    enum sv_outcome o, const char *reply)
{
	static const char *const names[] = { "SENT", "RETRY", "FAILED" };

	printf("%lld %s %s\n", (long long)m->id, names[o], reply ? reply : "");
	fflush(stdout);
	h->pending--;
}

static int
h_encrypt(struct sv_host *h, const struct sv_message *m, const char *plain,
    size_t len, char **out, size_t *outlen)
{
	static const char	 mark[] = "X-Plughost-Wrapped: yes\r\n";
	const char		*how = getenv("PLUGHOST_ENCRYPT");

	*out = NULL;
	*outlen = 0;
	if (!m->encrypt || (how != NULL && strcmp(how, "fail") == 0)) {
		fprintf(stderr, "plughost: encrypt refused msg=%lld\n",
		    (long long)m->id);
		return -1;
	}
	if ((*out = malloc(sizeof mark + len)) == NULL)
		abort();
	memcpy(*out, mark, sizeof mark - 1);
	memcpy(*out + sizeof mark - 1, plain, len);
	*outlen = sizeof mark - 1 + len;
	(*out)[*outlen] = '\0';
	return 0;
}

static void
h_reports(struct sv_host *h)
{
	if (getenv("PLUGHOST_DEBUG") != NULL)
		fprintf(stderr, "plughost: reports\n");
}

static const struct sv_host_api host_api = {
	SV_PLUGIN_ABI, h_log, h_conf, h_conf_error, h_path, h_state_dir,
	h_curl_add, h_complete, h_encrypt, h_reports,
};

/* Finished transfers: hand each back to its plugin. */
static void
h_reap(struct sv_host *h)
{
	CURLMsg		*msg;
	struct xfer	 x;
	int		 left, i;

	while ((msg = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		for (i = 0; i < h->nxfers; i++)
			if (h->xfers[i].easy == msg->easy_handle)
				break;
		if (i == h->nxfers)
			abort();
		x = h->xfers[i];
		h->xfers[i] = h->xfers[--h->nxfers];
		curl_multi_remove_handle(h->multi, x.easy);
		x.done(x.arg, x.easy, msg->data.result);
	}
}

/* Every string read, to free at the end (the messages' fields are const). */
static char	**owned;
static size_t	  nowned;

static const char *
h_keep(const char *s)
{
	char	*copy;

	if (s == NULL)
		return NULL;
	if ((copy = strdup(s)) == NULL)
		abort();
	owned = realloc(owned, (nowned + 1) * sizeof *owned);
	if (owned == NULL)
		abort();
	owned[nowned++] = copy;
	return copy;
}

/* Read the messages, one JSON object a line. */
static struct sv_message *
h_read(size_t *n)
{
	struct sv_message	*v = NULL;
	json_error_t		 err;
	json_t			*o;
	char			*line = NULL;
	size_t			 cap = 0;

	*n = 0;
	while (getline(&line, &cap, stdin) > 0) {
		if ((o = json_loads(line, 0, &err)) == NULL) {
			fprintf(stderr, "plughost: bad message line: %s\n",
			    err.text);
			exit(2);
		}
		v = realloc(v, (*n + 1) * sizeof *v);
		memset(&v[*n], 0, sizeof v[*n]);
		v[*n].id = json_integer_value(json_object_get(o, "id"));
#define STR(f) h_keep(json_string_value(json_object_get(o, #f)))
		v[*n].key = STR(key);
		v[*n].kind = STR(kind);
		v[*n].to = STR(to);
		v[*n].to_name = STR(to_name);
		v[*n].subject = STR(subject);
		v[*n].body = STR(body);
		v[*n].dlr_url = STR(dlr_url);
#undef STR
		v[*n].urgent = json_is_true(json_object_get(o, "urgent"));
		v[*n].encrypt = json_is_true(json_object_get(o, "encrypt"));
		v[*n].created = json_integer_value(json_object_get(o,
		    "created"));
		(*n)++;
		json_decref(o);
	}
	free(line);
	return v;
}

int
main(int argc, char *argv[])
{
	const struct sv_channel_ops	*ops;
	struct sv_host			 h;
	struct sv_message		*msgs;
	sv_plugin_entry_fn		 entry;
	void				*dl, *ctx;
	size_t				 n = 0, i, next;
	int				 ch, check = 0, running;

	memset(&h, 0, sizeof h);
	h.state = ".";
	while ((ch = getopt(argc, argv, "cs:")) != -1) {
		if (ch == 'c')
			check = 1;
		else if (ch == 's')
			h.state = optarg;
		else
			return 2;
	}
	if (optind >= argc)
		return 2;
	if ((dl = dlopen(argv[optind], RTLD_NOW | RTLD_LOCAL)) == NULL) {
		fprintf(stderr, "plughost: %s\n", dlerror());
		return 2;
	}
	*(void **)&entry = dlsym(dl, SV_PLUGIN_ENTRY);
	if (entry == NULL || (ops = entry(&host_api)) == NULL ||
	    ops->abi != SV_PLUGIN_ABI) {
		fprintf(stderr, "plughost: no ABI %d entry\n", SV_PLUGIN_ABI);
		return 2;
	}
	h.kv = argv + optind + 1;
	h.nkv = argc - optind - 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	h.multi = curl_multi_init();
	ctx = ops->init(&h, check);
	if (ctx == NULL || h.errors > 0) {
		if (ctx != NULL)
			ops->shutdown(ctx);
		curl_multi_cleanup(h.multi);
		curl_global_cleanup();
		return 1;
	}
	if (!check) {
		msgs = h_read(&n);
		next = 0;
		h.pending = (int)n;
		while (h.pending > 0) {
			/* hand over what the plugin takes; the rest waits */
			while (next < n && ops->send(ctx, &msgs[next]) == 0)
				next++;
			curl_multi_perform(h.multi, &running);
			h_reap(&h);
			/* freed slots take the next messages before waiting */
			while (next < n && ops->send(ctx, &msgs[next]) == 0)
				next++;
			if (h.pending > 0)
				curl_multi_poll(h.multi, NULL, 0, 1000, NULL);
		}
	}
	ops->shutdown(ctx);
	for (i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	if (!check)
		free(msgs);
	free(h.xfers);
	curl_multi_cleanup(h.multi);
	curl_global_cleanup();
	return 0;
}

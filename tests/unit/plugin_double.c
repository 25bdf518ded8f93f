/*
 * plugin_double.c: a channel plugin double for the dispatcher's unit tests,
 * built like a real plugin (the ABI header alone) and loaded by the real
 * loader.
 *
 * Keys of its [channel.NAME] section:
 *	record	a file (relative to the configuration's folder) that gets one
 *		line per message handed over:
 *		"id=ID key=KEY kind=KIND to=TO subject=0|1 body=0|1
 *		encrypt=0|1 outcome=O"
 *		(the test's own temp folder: a real plugin logs ids only)
 *	outcome	what to answer: sent, retry, failed (the outcome, given from
 *		inside send()) or busy (send() refuses the message); default
 *		sent
 * A message whose body holds "double=sent", "double=retry" or
 * "double=failed" gets that outcome instead.  The reply is
 * "double: OUTCOME".  A message with encrypt set is built whole
 * ("From: double@example.be", To, Subject, the body) and handed to the
 * host's encrypt(), as the smtp plugin does: the wrapped bytes go to the
 * file "RECORD.wrapped.ID" next to the record, and a refusal fails the
 * message ("double: encryption failed").  "double=forge" in the body
 * makes it ask for a message without encrypt, which the host refuses.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stoppvif_plugin.h"

enum double_outcome { D_SENT, D_RETRY, D_FAILED, D_BUSY };

static const char *const double_names[] = { "sent", "retry", "failed", "busy" };

struct double_ctx {
	struct sv_host		*host;
	char			*record;
	enum double_outcome	 outcome;
};

static const struct sv_host_api *api;

const struct sv_channel_ops *stoppvif_plugin_entry(const struct sv_host_api *);

static int
double_parse(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof double_names / sizeof double_names[0]; i++)
		if (strcmp(s, double_names[i]) == 0)
			return (int)i;
	return -1;
}

static void *
double_init(struct sv_host *host, int check_only)
{
	struct double_ctx	*dc;
	const char		*record = api->conf(host, "record");
	const char		*outcome = api->conf(host, "outcome");
	int			 o = D_SENT;

	if (record == NULL || *record == '\0') {
		api->conf_error(host, NULL, "the double needs record = FILE");
		return NULL;
	}
	if (outcome != NULL && (o = double_parse(outcome)) == -1) {
		api->conf_error(host, "outcome", "sent, retry, failed or busy");
		return NULL;
	}
	if ((dc = calloc(1, sizeof *dc)) == NULL)
		abort();
	dc->host = host;
	dc->outcome = (enum double_outcome)o;
	dc->record = api->path(host, record);
	return dc;
}

/* The outcome for msg: a marker in its body, else the section's. */
static enum double_outcome
double_outcome(const struct double_ctx *dc, const struct sv_message *msg)
{
	const char	*p;
	size_t		 i;

	if (msg->body != NULL && (p = strstr(msg->body, "double=")) != NULL)
		for (i = 0; i < D_BUSY; i++)
			if (strncmp(p + 7, double_names[i],
			    strlen(double_names[i])) == 0)
				return (enum double_outcome)i;
	return dc->outcome;
}

/* Append one line about msg to the record file. */
static void
double_record(const struct double_ctx *dc, const struct sv_message *msg,
    enum double_outcome o)
{
	char	 line[1024];
	int	 fd, n;

	n = snprintf(line, sizeof line, "id=%lld key=%s kind=%s to=%s "
	    "subject=%d body=%d encrypt=%d outcome=%s\n", (long long)msg->id,
	    msg->key ? msg->key : "-", msg->kind ? msg->kind : "-",
	    msg->to ? msg->to : "-", msg->subject != NULL && *msg->subject,
	    msg->body != NULL && *msg->body, msg->encrypt != 0,
	    double_names[o]);
	if (n < 0 || (size_t)n >= sizeof line)
		n = (int)strlen(line);
	fd = open(dc->record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1) {
		api->log(dc->host, SV_LOG_WARN, "double record: %s",
		    strerror(errno));
		return;
	}
	if (write(fd, line, (size_t)n) != n)
		api->log(dc->host, SV_LOG_WARN, "double record: short write");
	close(fd);
}

/* Build msg whole, have the host encrypt it, keep the result: 0 or -1. */
static int
double_encrypt(const struct double_ctx *dc, const struct sv_message *msg)
{
	char	*plain, *out, path[4096];
	size_t	 outlen;
	int	 fd, n, rc;

	n = asprintf(&plain, "From: double@example.be\r\nTo: %s\r\n"
	    "Subject: %s\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	    "\r\n%s\r\n", msg->to, msg->subject ? msg->subject : "",
	    msg->body ? msg->body : "");
	if (n < 0)
		abort();
	rc = api->encrypt(dc->host, msg, plain, (size_t)n, &out, &outlen);
	free(plain);
	if (rc == -1)
		return -1;
	snprintf(path, sizeof path, "%s.wrapped.%lld", dc->record,
	    (long long)msg->id);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || write(fd, out, outlen) != (ssize_t)outlen)
		api->log(dc->host, SV_LOG_WARN, "double wrapped: cannot write");
	if (fd != -1)
		close(fd);
	free(out);
	return 0;
}

static int
double_send(void *arg, const struct sv_message *msg)
{
	struct double_ctx	*dc = arg;
	enum double_outcome	 o = double_outcome(dc, msg);
	char			 reply[64];

	double_record(dc, msg, o);
	if (o == D_BUSY)
		return -1;
	/* "double=forge" in the body: ask even without encrypt, as a
	 * broken plugin would */
	if ((msg->encrypt || (msg->body != NULL &&
	    strstr(msg->body, "double=forge") != NULL)) &&
	    double_encrypt(dc, msg) == -1) {
		api->complete(dc->host, msg, SV_FAILED,
		    "double: encryption failed");
		return 0;
	}
	snprintf(reply, sizeof reply, "double: %s", double_names[o]);
	api->complete(dc->host, msg, o == D_SENT ? SV_SENT : o == D_RETRY ?
	    SV_RETRY : SV_FAILED, reply);
	return 0;
}

static void
double_shutdown(void *arg)
{
	struct double_ctx	*dc = arg;

	if (dc == NULL)
		return;
	free(dc->record);
	free(dc);
}

static const struct sv_channel_ops double_ops = {
	SV_PLUGIN_ABI, "double", double_init, double_send, double_shutdown,
};

const struct sv_channel_ops *
stoppvif_plugin_entry(const struct sv_host_api *host)
{
	if (host == NULL || host->abi != SV_PLUGIN_ABI)
		return NULL;
	api = host;
	return &double_ops;
}

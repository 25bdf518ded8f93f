/*
 * stoppvif_plugin.h: the channel plugin ABI, version 2.
 *
 * A channel plugin is a shared object (plugins/NAME.so) that exports one
 * symbol, SV_PLUGIN_ENTRY, a function of type sv_plugin_entry_fn.  The daemon
 * loads it with dlopen(RTLD_NOW | RTLD_LOCAL) and calls it with the host's
 * function table; the plugin answers with its channel operations, or NULL
 * when it does not speak the host's ABI version.  Plugins never link against
 * daemon symbols: everything they need from the daemon is in struct
 * sv_host_api.  They may link libcurl themselves (the daemon drives their
 * transfers on its own multi handle through curl_add).
 *
 * Everything runs on the daemon's one thread.  Ownership: the host owns
 * every sv_message until the plugin calls complete() for it; the plugin owns
 * its context from init() to shutdown().  Strings handed to a plugin are
 * valid for the duration of the call unless said otherwise.
 *
 * Privacy: a plugin must never log an address, a phone number, a subject or
 * a body.  Identify messages by their id.
 *
 * Version 2 (was 1): struct sv_message has encrypt, struct sv_host_api has
 * encrypt() at its end.  An email whose encrypt is set must be built whole
 * (header and body, as it would go in clear) and handed to encrypt(); the
 * plugin sends what comes back instead, byte for byte.  Key material never
 * reaches a plugin.  A version 1 plugin is refused at start.
 *
 * Still version 2, extended at the ends of two structs (a plugin built
 * before does not know the new fields and is served as before; a plugin
 * built with them needs a host of this version or later, which is why the
 * in-tree plugins ship with the daemon):
 *	struct sv_message has dlr_url: where the gateway may report what
 *	became of an SMS on the handset, or NULL;
 *	struct sv_host_api has reports(): a plugin that passes dlr_url on
 *	to its gateway says so once, in init().  A plugin that ignores
 *	dlr_url never calls it, and the host then awaits no report.
 */
#ifndef STOPPVIF_PLUGIN_H
#define STOPPVIF_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#define SV_PLUGIN_ABI		2
#define SV_PLUGIN_ENTRY		"stoppvif_plugin_entry"

enum sv_log {
	SV_LOG_WARN,
	SV_LOG_INFO,
	SV_LOG_DEBUG,
};

/* What became of one message. */
enum sv_outcome {
	SV_SENT,	/* the server accepted it (SMTP 250, gateway 2xx + body) */
	SV_RETRY,	/* temporary: 4xx, 429, 5xx HTTP, connection, TLS */
	SV_FAILED,	/* permanent: SMTP 5xx, HTTP 4xx but 429, bad address */
};

/* One message to send; owned by the host until complete(). */
struct sv_message {
	int64_t		 id;		/* outbox row id */
	const char	*key;		/* unique outbox key (Message-ID) */
	const char	*kind;		/* "reminder", "alert", ... */
	const char	*to;		/* an email address or +E.164 number */
	const char	*to_name;	/* display name, NULL when none */
	const char	*subject;	/* email; NULL for SMS */
	const char	*body;		/* UTF-8 text */
	int		 urgent;	/* a shelter alert */
	int64_t		 created;	/* UTC seconds, for a Date header */
	/*
	 * An email that must go encrypted (the recipient has a usable key):
	 * send only what encrypt() makes of the complete message.  0: send
	 * it as it is.  Always 0 for an SMS.
	 */
	int		 encrypt;
	/*
	 * SMS: the URL the gateway may call to report what became of the
	 * message on the handset (delivery report), with "%d" where Kannel
	 * puts the report's type: "http://127.0.0.1:8481/sms/dlr?id=..&
	 * mac=..&type=%d".  It holds no number.  NULL when no report is
	 * wanted; a plugin that never called reports() ignores it.
	 */
	const char	*dlr_url;
};

/* The channel instance as the host knows it; opaque to plugins. */
struct sv_host;

typedef void (*sv_curl_done_fn)(void *arg, CURL *easy, CURLcode result);

/* What the host offers a plugin. */
struct sv_host_api {
	int		 abi;		/* SV_PLUGIN_ABI */

	/*
	 * A log line "event key=value key=\"quoted value\"" (stoppvifd(8),
	 * LOGS), which the host prefixes with "channel.NAME ".
	 */
	void		(*log)(struct sv_host *, enum sv_log, const char *fmt,
			    ...) __attribute__((format(printf, 3, 4)));

	/*
	 * The value of key in the channel's [channel.NAME] section, or NULL
	 * when absent.  A key the plugin never asks for is reported by the host
	 * as unknown.  The string lives as long as the channel.
	 */
	const char	*(*conf)(struct sv_host *, const char *key);
	/*
	 * Report a problem with key (NULL: the section itself); the host
	 * prints "file:line: key: message" with the key's line.  Any problem
	 * reported during init() makes init fail.
	 */
	void		(*conf_error)(struct sv_host *, const char *key,
			    const char *fmt, ...)
			    __attribute__((format(printf, 3, 4)));
	/*
	 * A path value resolved against the configuration file's folder, as
	 * every path of stoppvif.ini is (a new string: free() it).
	 */
	char		*(*path)(struct sv_host *, const char *value);
	/* The daemon's state folder (the spool lives under it). */
	const char	*(*state_dir)(struct sv_host *);

	/*
	 * Run an easy handle, fully set up, on the daemon's curl multi handle.
	 * done(arg, easy, result) is called once, on the event loop, when the
	 * transfer ends; the easy handle is then the plugin's again (reuse it:
	 * connections are kept alive).  Returns 0, or -1 when it cannot be
	 * added (done is then never called).  CURLOPT_PRIVATE belongs to the
	 * host: the plugin must not set it.
	 */
	int		(*curl_add)(struct sv_host *, CURL *easy,
			    sv_curl_done_fn done, void *arg);

	/*
	 * The outcome of a message given to send(): exactly once per message,
	 * possibly from inside send() itself.  reply is the server's answer
	 * ("250 2.0.0 Ok: queued as 4F2", "0: Accepted for delivery"), kept
	 * in the outbox; NULL when there is none.  msg must not be used after.
	 */
	void		(*complete)(struct sv_host *, const struct sv_message *msg,
			    enum sv_outcome, const char *reply);

	/*
	 * Encrypt the complete RFC 5322 message of len bytes at plain (From,
	 * To = msg->to, Date, Subject, Content-Type..., an empty line, the
	 * body; CRLF) for msg's recipient, whose key the host holds.  Returns
	 * 0 with *out (NUL-terminated, 7-bit, CRLF, *outlen bytes; free() it)
	 * the message to send instead: S/MIME or PGP/MIME, with only From, To,
	 * Date, Auto-Submitted, a Message-ID and the neutral [privacy]
	 * encrypted_subject visible.  Returns -1 (the host has logged why, by
	 * message id) when msg has no key or the message cannot be wrapped:
	 * complete() it as SV_FAILED.  Called during send() or later, before
	 * complete().
	 */
	int		(*encrypt)(struct sv_host *, const struct sv_message *msg,
			    const char *plain, size_t len, char **out,
			    size_t *outlen);

	/*
	 * Say, in init(), that this channel hands each message's dlr_url to
	 * its gateway: the host then awaits the reports (and an urgent SMS
	 * with none in time falls back to email).  Not calling it means no
	 * report is awaited.
	 */
	void		(*reports)(struct sv_host *);
};

/* What a plugin offers. */
struct sv_channel_ops {
	int		 abi;		/* SV_PLUGIN_ABI */
	const char	*name;		/* "smtp", "sms_http", "spool" */

	/*
	 * Read and check the channel's section.  With check_only (stoppvifd
	 * -t), check everything but open nothing.  Returns the plugin's
	 * context, or NULL after reporting the problems with conf_error().
	 */
	void		*(*init)(struct sv_host *, int check_only);

	/*
	 * Start sending msg.  Returns 0 when the plugin took it (complete()
	 * follows, maybe already done), -1 when it cannot take more right now
	 * (the host retries later; complete() must not have been called).
	 */
	int		 (*send)(void *ctx, const struct sv_message *msg);

	/*
	 * Abort what is in flight (without calling complete(): the host
	 * counts those messages as not sent) and free the context.  The host
	 * has already taken every transfer of the plugin off its multi handle:
	 * curl_easy_cleanup() them.
	 */
	void		 (*shutdown)(void *ctx);
};

/*
 * The one exported symbol.  Returns NULL when host->abi is not the ABI the
 * plugin was built for.
 */
typedef const struct sv_channel_ops *(*sv_plugin_entry_fn)(
    const struct sv_host_api *host);

#endif

/*
 * httpd.h: a small, strict HTTP/1.1 server for the listeners that face
 * what is not the machine's users: the SMS gateway and the public pages of
 * signed links (inbound.c).  The control API keeps evhttp on its Unix
 * socket; these listeners need what evhttp 2.1 cannot give:
 *
 *	- a cap on open connections, in total and per source address, applied
 *	  when a connection is accepted (over it: 503 and close);
 *	- a deadline for a whole request (its first byte to its last), so a
 *	  client trickling one byte at a time cannot hold a connection;
 *	- limits on the request line, the head and the body, each refused with
 *	  its own status (414, 431, 413) and the connection closed.
 *
 * Only GET and POST with a Content-Length body are understood (405, 501
 * otherwise).  Keep-alive as HTTP/1.1 says; requests are answered in order.
 * The handler runs synchronously and fills a response.
 */
#ifndef STOPPVIF_HTTPD_H
#define STOPPVIF_HTTPD_H

#include <stddef.h>

struct event_base;
struct evbuffer;
struct httpd;

#define HTTPD_MAX_TARGET	2048	/* bytes of the request-target */
#define HTTPD_MAX_HEAD		8192	/* request line and headers */
#define HTTPD_MAX_HEADERS	32
#define HTTPD_MAX_BODY		4096	/* unless the limits say otherwise */

enum httpd_method { HTTPD_GET, HTTPD_POST };

/* One parsed request; the strings point into one buffer it owns. */
struct httpd_req {
	enum httpd_method	 method;
	const char		*target;	/* as sent: "/a/xyz?q=1" */
	const char		*path;		/* before '?', not decoded */
	const char		*query;		/* after '?'; NULL when none */
	int			 minor;		/* HTTP/1.minor */
	int			 keep_alive;
	struct {
		const char	*name;
		const char	*value;		/* trimmed */
	}			 hdr[HTTPD_MAX_HEADERS];
	size_t			 nhdr;
	const char		*body;		/* len bytes, NUL after them */
	size_t			 len;
	const char		*peer;		/* "127.0.0.1", "::1", "local" */
	char			*buf;		/* owns the strings above */
};

/*
 * Parse one request from the len bytes at data, its body at most max_body
 * bytes (0: HTTPD_MAX_BODY).  Returns 1 with *req filled and *used the
 * bytes it took, 0 when more bytes are needed, or the HTTP status of a
 * refusal (400, 405, 413, 414, 431, 501, 505) with nothing allocated.
 * Pure: no I/O, no state (the fuzz target drives it).
 */
int		 httpd_parse(const char *data, size_t len, size_t max_body,
		    struct httpd_req *, size_t *used);
/* Free what httpd_parse() allocated. */
void		 httpd_req_clear(struct httpd_req *);
/* A header's value (case-insensitive name), or NULL. */
const char	*httpd_header(const struct httpd_req *, const char *name);

/* What a handler answers. */
struct httpd_resp {
	int		 status;	/* 200 unless set */
	const char	*type;		/* Content-Type; "text/plain" */
	const char	*headers;	/* more "Name: value\r\n" lines, or NULL */
	struct evbuffer	*body;		/* empty to begin with */
};

/* The handler: read req, fill resp.  It must not keep req. */
typedef void	(*httpd_handler)(const struct httpd_req *, struct httpd_resp *,
		    void *arg);

struct httpd_limits {
	int	 max_conns;		/* open at once */
	int	 max_per_source;	/* from one address */
	int	 deadline;		/* seconds for a whole request */
	int	 idle;			/* seconds a kept-alive connection waits */
	size_t	 max_body;		/* bytes of a body; 0: HTTPD_MAX_BODY */
};

/*
 * Listen on addr: "host:port" (IPv4, or "[v6]:port") or the path of a Unix
 * socket (absolute, or "unix:PATH"; its folder is checked like the control
 * socket's, the socket made 0660).  name names it in the log.  NULL with
 * *cause on failure.
 */
struct httpd	*httpd_new(struct event_base *, const char *name,
		    const char *addr, const struct httpd_limits *,
		    httpd_handler, void *arg, char **cause);
/* Close every connection and the listener (and remove a Unix socket). */
void		 httpd_free(struct httpd *);

#endif

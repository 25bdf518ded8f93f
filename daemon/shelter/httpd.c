/*
 * httpd.c: the small HTTP/1.1 server of the inbound listeners (httpd.h).
 *
 * The parser is a pure function over the bytes received so far; the
 * server around it owns the connections: admission at accept (caps in
 * total and per source), one timer per connection (the whole-request
 * deadline, then the keep-alive idle time), and the responses.
 */
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "httpd.h"
#include "log.h"
#include "util.h"

#define HTTPD_MAX_REQUESTS	1000	/* on one connection */

/* ---- the parser ---- */

/* Whether c may be in a token (a method, a header's name). */
static int
httpd_tchar(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) !=
	    NULL);
}

/* The end of the head (just after its blank line) in data, or 0. */
static size_t
httpd_head_end(const char *data, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (data[i] != '\n')
			continue;
		if (i + 1 < len && data[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && data[i + 1] == '\r' && data[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Cut the next line of *p off (LF or CRLF); NULL past the end. */
static char *
httpd_line(char **p)
{
	char	*line = *p, *nl;

	if (line == NULL || (nl = strchr(line, '\n')) == NULL)
		return NULL;
	*p = nl + 1;
	if (nl > line && nl[-1] == '\r')
		nl--;
	*nl = '\0';
	return line;
}

/* The request line "METHOD TARGET HTTP/1.x"; 0 or a status. */
static int
httpd_request_line(char *line, struct httpd_req *req)
{
	char	*target, *version;
	size_t	 i, n;

	if ((target = strchr(line, ' ')) == NULL)
		return 400;
	*target++ = '\0';
	if ((version = strchr(target, ' ')) == NULL)
		return 400;
	*version++ = '\0';
	for (i = 0; line[i] != '\0'; i++)
		if (!httpd_tchar((unsigned char)line[i]))
			return 400;
	if (i == 0)
		return 400;
	if (strncmp(version, "HTTP/", 5) != 0 || !isdigit((unsigned char)
	    version[5]) || version[6] != '.' || !isdigit((unsigned char)
	    version[7]) || version[8] != '\0')
		return 400;
	if (version[5] != '1')
		return 505;
	req->minor = version[7] - '0';
	if ((n = strlen(target)) > HTTPD_MAX_TARGET)
		return 414;
	if (target[0] != '/')
		return 400;
	for (i = 0; i < n; i++)
		if ((unsigned char)target[i] <= 0x20 ||
		    (unsigned char)target[i] >= 0x7f)
			return 400;
	if (strcmp(line, "GET") == 0)
		req->method = HTTPD_GET;
	else if (strcmp(line, "POST") == 0)
		req->method = HTTPD_POST;
	else
		return 405;
	req->target = target;
	return 0;
}

/* One "Name: value" line; 0 or a status. */
static int
httpd_header_line(char *line, struct httpd_req *req)
{
	char	*colon, *v, *end;
	size_t	 i;

	if (*line == ' ' || *line == '\t')
		return 400;		/* obsolete line folding */
	if ((colon = strchr(line, ':')) == NULL || colon == line)
		return 400;
	for (i = 0; line + i < colon; i++)
		if (!httpd_tchar((unsigned char)line[i]))
			return 400;
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (end = v + strlen(v); end > v && (end[-1] == ' ' ||
	    end[-1] == '\t'); end--)
		;
	*end = '\0';
	for (i = 0; v[i] != '\0'; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') ||
		    v[i] == 0x7f)
			return 400;
	if (req->nhdr == HTTPD_MAX_HEADERS)
		return 431;
	req->hdr[req->nhdr].name = line;
	req->hdr[req->nhdr++].value = v;
	return 0;
}

const char *
httpd_header(const struct httpd_req *req, const char *name)
{
	size_t	 i;

	for (i = 0; i < req->nhdr; i++)
		if (strcasecmp(req->hdr[i].name, name) == 0)
			return req->hdr[i].value;
	return NULL;
}

/* Whether the comma list value holds token (case-insensitive). */
static int
httpd_has_token(const char *value, const char *token)
{
	size_t	 n = strlen(token);
	const char *p = value;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (strncasecmp(p, token, n) == 0 && (p[n] == '\0' ||
		    p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
			return 1;
		p = strchr(p, ',');
	}
	return 0;
}

/* The body's length from the headers, at most max; -1 or a status (as a
 * negative). */
static int64_t
httpd_body_length(const struct httpd_req *req, size_t max)
{
	const char	*v = NULL;
	int64_t		 n;
	size_t		 i;

	for (i = 0; i < req->nhdr; i++) {
		if (strcasecmp(req->hdr[i].name, "Transfer-Encoding") == 0)
			return -501;
		if (strcasecmp(req->hdr[i].name, "Content-Length") != 0)
			continue;
		if (v != NULL && strcmp(v, req->hdr[i].value) != 0)
			return -400;
		v = req->hdr[i].value;
	}
	if (v == NULL)
		return 0;
	if (strspn(v, "0123456789") != strlen(v) || *v == '\0' ||
	    strlen(v) > 10)
		return strlen(v) > 10 && strspn(v, "0123456789") ==
		    strlen(v) ? -413 : -400;
	if (util_parse_int(v, 0, INT64_MAX, &n) == -1)
		return -400;
	return n > (int64_t)max ? -413 : n;
}

/* Parse the head copied into req->buf; 0 or a status. */
static int
httpd_head(struct httpd_req *req)
{
	const char	*conn;
	char		*p = req->buf, *line, *q;
	int		 rc;

	if ((line = httpd_line(&p)) == NULL)
		return 400;
	if ((rc = httpd_request_line(line, req)) != 0)
		return rc;
	while ((line = httpd_line(&p)) != NULL && *line != '\0')
		if ((rc = httpd_header_line(line, req)) != 0)
			return rc;
	req->path = req->target;
	if ((q = strchr(req->target, '?')) != NULL) {
		/* path and query: the target's copy ends at the '?' */
		req->query = q + 1;
	}
	if ((conn = httpd_header(req, "Connection")) == NULL)
		conn = "";
	req->keep_alive = req->minor >= 1 ? !httpd_has_token(conn, "close") :
	    httpd_has_token(conn, "keep-alive");
	return 0;
}

/* No end of the head in the len bytes at data yet: 0 to wait for more,
 * or the status that refuses a head already too long. */
static int
httpd_incomplete(const char *data, size_t len)
{
	size_t	 i;

	for (i = 0; i < len && data[i] != '\n'; i++)
		;
	if (i == len && len > HTTPD_MAX_TARGET + 32)
		return 414;
	return len >= HTTPD_MAX_HEAD ? 431 : 0;
}

int
httpd_parse(const char *data, size_t len, size_t max_body,
    struct httpd_req *req, size_t *used)
{
	size_t	 head, i;
	int64_t	 body;
	int	 rc;
	char	*q;

	memset(req, 0, sizeof *req);
	head = httpd_head_end(data, len < HTTPD_MAX_HEAD ? len :
	    HTTPD_MAX_HEAD);
	if (head == 0)
		return httpd_incomplete(data, len);
	if (memchr(data, '\0', head) != NULL)
		return 400;
	/* head, NUL, body, NUL; the path gets its own copy below */
	if (max_body == 0)
		max_body = HTTPD_MAX_BODY;
	req->buf = xmalloc(head + max_body + 2 + HTTPD_MAX_TARGET + 1);
	memcpy(req->buf, data, head);
	req->buf[head] = '\0';
	if ((rc = httpd_head(req)) != 0)
		goto refuse;
	if ((body = httpd_body_length(req, max_body)) < 0) {
		rc = (int)-body;
		goto refuse;
	}
	if (len - head < (size_t)body) {
		httpd_req_clear(req);
		return 0;
	}
	req->body = req->buf + head + 1;
	memcpy(req->buf + head + 1, data + head, (size_t)body);
	req->buf[head + 1 + (size_t)body] = '\0';
	req->len = (size_t)body;
	/* the path alone, NUL-terminated, after the body */
	q = req->buf + head + 1 + (size_t)body + 1;
	i = req->query != NULL ? (size_t)(req->query - 1 - req->target) :
	    strlen(req->target);
	memcpy(q, req->target, i);
	q[i] = '\0';
	req->path = q;
	*used = head + (size_t)body;
	return 1;
refuse:
	httpd_req_clear(req);
	return rc;
}

void
httpd_req_clear(struct httpd_req *req)
{
	/* the head and body may hold a session cookie, a password */
	if (req->buf != NULL && req->body != NULL)
		explicit_bzero(req->buf, (size_t)(req->body - req->buf) +
		    req->len);
	free(req->buf);
	memset(req, 0, sizeof *req);
}

/* ---- the server ---- */

struct hconn {
	struct httpd		*h;
	struct bufferevent	*bev;
	struct event		*timer;
	char			 peer[INET6_ADDRSTRLEN];
	int			 in_request;	/* bytes of a request came */
	int			 closing;	/* close once written */
	unsigned		 served;
	LIST_ENTRY(hconn)	 entry;
};

struct httpd {
	struct event_base	*base;
	char			*name;
	char			*unix_path;	/* to remove at the end */
	struct evconnlistener	*lev;
	struct httpd_limits	 lim;
	size_t			 max_input;	/* head and body */
	httpd_handler		 fn;
	void			*arg;
	LIST_HEAD(, hconn)	 conns;
	int			 nconns;
	time_t			 refused_logged;
	unsigned		 refused;	/* since then */
};

static const struct {
	int		 status;
	const char	*reason;
} httpd_reasons[] = {
	{ 200, "OK" }, { 304, "Not Modified" }, { 400, "Bad Request" },
	{ 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" }, { 413, "Content Too Large" },
	{ 414, "URI Too Long" }, { 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 503, "Service Unavailable" }, { 505, "HTTP Version Not Supported" },
};

static const char *
httpd_reason(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof httpd_reasons / sizeof httpd_reasons[0]; i++)
		if (httpd_reasons[i].status == status)
			return httpd_reasons[i].reason;
	return "Error";
}

static void
hconn_free(struct hconn *c)
{
	LIST_REMOVE(c, entry);
	c->h->nconns--;
	event_free(c->timer);
	bufferevent_free(c->bev);
	free(c);
}

/* Queue a response on c; close after it when keep is 0. */
static void
hconn_respond(struct hconn *c, const struct httpd_resp *r, int keep)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	size_t		 n = r->body != NULL ? evbuffer_get_length(r->body) : 0;

	evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n",
	    r->status, httpd_reason(r->status), r->type != NULL ? r->type :
	    "text/plain");
	/* a 304 has no body, and no length but that of the 200 (RFC 9110) */
	if (r->status != 304)
		evbuffer_add_printf(out, "Content-Length: %zu\r\n", n);
	else
		n = 0;
	evbuffer_add_printf(out, "Connection: %s\r\n%s%s\r\n", keep ?
	    "keep-alive" : "close", r->status == 405 ? "Allow: GET, POST\r\n" :
	    "", r->headers != NULL ? r->headers : "");
	if (n > 0)
		evbuffer_add_buffer(out, r->body);
	if (!keep) {
		c->closing = 1;
		bufferevent_disable(c->bev, EV_READ);
	}
}

/* Refuse the request being read with status, and close. */
static void
hconn_refuse(struct hconn *c, int status)
{
	struct httpd_resp	 r = { status, "text/plain", NULL, NULL };

	log_debug("httpd.%s refused status=%d peer=%s", c->h->name, status,
	    c->peer);
	hconn_respond(c, &r, 0);
}

/* Arm c's timer: the deadline of a request, or the idle wait. */
static void
hconn_arm(struct hconn *c, int secs)
{
	struct timeval	 tv = { secs, 0 };

	evtimer_add(c->timer, &tv);
}

/* Answer every complete request in c's input, in order. */
static void
hconn_read(struct bufferevent *bev, void *arg)
{
	struct hconn		*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct httpd_req	 req;
	struct httpd_resp	 r;
	size_t			 len, used;
	int			 rc;

	while (!c->closing && (len = evbuffer_get_length(in)) > 0) {
		if (!c->in_request) {
			c->in_request = 1;
			hconn_arm(c, c->h->lim.deadline);
		}
		if (len > c->h->max_input + 1)
			len = c->h->max_input + 1;
		rc = httpd_parse((const char *)evbuffer_pullup(in,
		    (ev_ssize_t)len), len, c->h->lim.max_body, &req, &used);
		if (rc == 0)
			return;		/* wait for more */
		if (rc != 1) {
			hconn_refuse(c, rc);
			return;
		}
		req.peer = c->peer;
		memset(&r, 0, sizeof r);
		r.status = 200;
		r.body = evbuffer_new();
		if (r.body == NULL)
			fatalx("httpd out_of_memory");
		c->h->fn(&req, &r, c->h->arg);
		evbuffer_drain(in, used);
		c->in_request = 0;
		hconn_respond(c, &r, req.keep_alive &&
		    ++c->served < HTTPD_MAX_REQUESTS);
		evbuffer_free(r.body);
		httpd_req_clear(&req);
		hconn_arm(c, evbuffer_get_length(in) > 0 ?
		    c->h->lim.deadline : c->h->lim.idle);
	}
}

/* Everything written: close when that was the last response. */
static void
hconn_write(struct bufferevent *bev, void *arg)
{
	struct hconn	*c = arg;

	if (c->closing)
		hconn_free(c);
}

static void
hconn_event(struct bufferevent *bev, short what, void *arg)
{
	hconn_free(arg);
}

/* The deadline passed: 408 for a request under way, else just close. */
static void
hconn_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct hconn	*c = arg;

	if (c->closing) {
		hconn_free(c);
		return;
	}
	if (c->in_request) {
		log_debug("httpd.%s deadline peer=%s", c->h->name, c->peer);
		hconn_refuse(c, 408);
		hconn_arm(c, 2);	/* to flush it, then drop it */
	} else
		hconn_free(c);
}

/* Say (at most once a second) that connections were turned away. */
static void
httpd_log_refused(struct httpd *h, const char *peer)
{
	time_t	 now = time(NULL);

	h->refused++;
	if (now == h->refused_logged)
		return;
	log_warnx("httpd.%s busy refused=%u last_peer=%s open=%d max=%d "
	    "max_per_address=%d", h->name, h->refused,
	    peer, h->nconns, h->lim.max_conns, h->lim.max_per_source);
	h->refused_logged = now;
	h->refused = 0;
}

static void
httpd_accept(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n";
	struct httpd	*h = arg;
	struct hconn	*c, *o;
	char		 peer[INET6_ADDRSTRLEN] = "local";
	int		 same = 0;

	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)sa)->
		    sin_addr, peer, sizeof peer);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)sa)->
		    sin6_addr, peer, sizeof peer);
	LIST_FOREACH(o, &h->conns, entry)
		same += strcmp(o->peer, peer) == 0;
	if (h->nconns >= h->lim.max_conns || same >= h->lim.max_per_source) {
		httpd_log_refused(h, peer);
		/* best effort: it is being refused either way */
		(void)!write(fd, busy, sizeof busy - 1);
		evutil_closesocket(fd);
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->h = h;
	util_strlcpy(c->peer, peer, sizeof c->peer);
	c->bev = bufferevent_socket_new(h->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->timer = evtimer_new(h->base, hconn_timeout, c);
	if (c->bev == NULL || c->timer == NULL)
		fatalx("httpd out_of_memory");
	/* stop reading past what one request may hold */
	bufferevent_setwatermark(c->bev, EV_READ, 0, h->max_input + 1);
	bufferevent_setcb(c->bev, hconn_read, hconn_write, hconn_event, c);
	bufferevent_enable(c->bev, EV_READ);
	LIST_INSERT_HEAD(&h->conns, c, entry);
	h->nconns++;
	hconn_arm(c, h->lim.deadline);
}

/* A listening socket for addr; -1 with *cause. */
static int
httpd_listen_fd(struct httpd *h, const char *addr, char **cause)
{
	struct sockaddr_storage	 ss;
	int			 sslen = sizeof ss, fd, one = 1;

	if (strncmp(addr, "unix:", 5) == 0)
		addr += 5;
	if (addr[0] == '/') {
		if ((fd = util_listen_unix(addr, 0660, cause)) != -1)
			h->unix_path = xstrdup(addr);
		return fd;
	}
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss,
	    &sslen) == -1) {
		util_cause(cause, "%s: not address:port", addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof one) == -1 || bind(fd, (struct sockaddr *)&ss,
	    (socklen_t)sslen) == -1 || listen(fd, 128) == -1) {
		util_cause(cause, "%s: cannot listen: %s", addr,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

struct httpd *
httpd_new(struct event_base *base, const char *name, const char *addr,
    const struct httpd_limits *lim, httpd_handler fn, void *arg,
    char **cause)
{
	struct httpd	*h = xcalloc(1, sizeof *h);
	int		 fd;

	h->base = base;
	h->name = xstrdup(name);
	h->lim = *lim;
	if (h->lim.max_body == 0)
		h->lim.max_body = HTTPD_MAX_BODY;
	h->max_input = HTTPD_MAX_HEAD + h->lim.max_body;
	h->fn = fn;
	h->arg = arg;
	LIST_INIT(&h->conns);
	if ((fd = httpd_listen_fd(h, addr, cause)) == -1) {
		httpd_free(h);
		return NULL;
	}
	h->lev = evconnlistener_new(base, httpd_accept, h,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (h->lev == NULL)
		fatalx("httpd.%s listen_failed addr=%s", name, addr);
	log_info("httpd.%s listening addr=%s", name, addr);
	return h;
}

void
httpd_free(struct httpd *h)
{
	if (h == NULL)
		return;
	while (!LIST_EMPTY(&h->conns))
		hconn_free(LIST_FIRST(&h->conns));
	if (h->lev != NULL)
		evconnlistener_free(h->lev);
	if (h->unix_path != NULL) {
		unlink(h->unix_path);
		free(h->unix_path);
	}
	free(h->name);
	free(h);
}

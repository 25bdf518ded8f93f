/*
 * web_form.c: what a page reads of its request and how it writes a form
 * (web_int.h): the parameters of the query and of the form body, decoded
 * and checked; the cookies; the page's language; the labelled fields with
 * the API's validation messages under them; dates as people write them.
 *
 * Parameters are parsed once, on first use, and kept in the request's
 * private part until web_form_clear().  A value that is not UTF-8 or holds
 * a NUL is kept but never handed out: a page sees it as absent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "api.h"
#include "config.h"
#include "datefmt.h"
#include "html.h"
#include "httpd.h"
#include "lang.h"
#include "recur.h"
#include "tz.h"
#include "utf8.h"
#include "util.h"
#include "web_int.h"
#include "web_page.h"

const char *
web_w(const struct web_ctx *ctx, const char *fr, const char *nl,
    const char *de, const char *en)
{
	switch (ctx->lang) {
	case LANG_NL:
		return nl;
	case LANG_DE:
		return de;
	case LANG_EN:
		return en;
	default:
		return fr;
	}
}

/*
 * Decode the n bytes at s ('+' is a space, %XX a byte) into a new string,
 * *len its length (it may hold NULs).  NULL when an escape is malformed.
 */
static char *
web_decode(const char *s, size_t n, size_t *len)
{
	char	*out = xmalloc(n + 1);
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[o++] = ' ';
		else if (s[i] != '%')
			out[o++] = s[i];
		else if (i + 2 < n &&
		    (hi = util_hexdigit((unsigned char)s[i + 1])) != -1 &&
		    (lo = util_hexdigit((unsigned char)s[i + 2])) != -1) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			explicit_bzero(out, o);
			free(out);
			return NULL;
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
}

/* Parse the n bytes of an urlencoded text into a new array (*count). */
static struct web_param *
web_parse(const char *s, size_t n, size_t *count)
{
	struct web_param	*p = NULL;
	const char		*end = s + n, *amp, *eq;
	size_t			 np = 0, nlen, vlen;
	char			*name, *value;

	while (s != NULL && s < end && np < WEB_MAX_PARAMS) {
		if ((amp = memchr(s, '&', (size_t)(end - s))) == NULL)
			amp = end;
		if ((eq = memchr(s, '=', (size_t)(amp - s))) == NULL)
			eq = amp;
		name = web_decode(s, (size_t)(eq - s), &nlen);
		value = web_decode(eq < amp ? eq + 1 : eq, eq < amp ?
		    (size_t)(amp - eq - 1) : 0, &vlen);
		if (name != NULL && value != NULL && *name != '\0' &&
		    strlen(name) == nlen) {
			p = xreallocarray(p, np + 1, sizeof *p);
			p[np].name = name;
			p[np].value = value;
			p[np].len = vlen;
			p[np++].valid = strlen(value) == vlen &&
			    utf8_valid(value, vlen);
		} else {
			free(name);
			if (value != NULL)
				explicit_bzero(value, vlen);
			free(value);
		}
		s = amp + 1;
	}
	*count = np;
	return p;
}

static void
web_params_free(struct web_param *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		free(p[i].name);
		if (p[i].value != NULL)	/* a password, a token */
			explicit_bzero(p[i].value, p[i].len);
		free(p[i].value);
	}
	free(p);
}

void
web_form_clear(struct web_ctx *ctx)
{
	struct web_priv	*pv = ctx->priv;

	web_params_free(pv->query, pv->nquery);
	web_params_free(pv->form, pv->nform);
	pv->query = pv->form = NULL;
	pv->nquery = pv->nform = 0;
	pv->parsed_query = pv->parsed_form = 0;
}

/* The i-th valid value of name among the n parameters at p. */
static const char *
web_find(const struct web_param *p, size_t n, const char *name, size_t i)
{
	size_t	 k;

	for (k = 0; k < n; k++) {
		if (!p[k].valid || strcmp(p[k].name, name) != 0)
			continue;
		if (i-- == 0)
			return p[k].value;
	}
	return NULL;
}

const char *
web_query(struct web_ctx *ctx, const char *name)
{
	struct web_priv	*pv = ctx->priv;
	const char	*q = ctx->req->query;

	if (!pv->parsed_query) {
		pv->parsed_query = 1;
		if (q != NULL)
			pv->query = web_parse(q, strlen(q), &pv->nquery);
	}
	return web_find(pv->query, pv->nquery, name, 0);
}

const char *
web_param_n(struct web_ctx *ctx, const char *name, size_t i)
{
	struct web_priv	*pv = ctx->priv;

	if (ctx->req->method == HTTPD_GET) {
		(void)web_query(ctx, name);
		return web_find(pv->query, pv->nquery, name, i);
	}
	if (!pv->parsed_form) {
		pv->parsed_form = 1;
		if (ctx->req->body != NULL)
			pv->form = web_parse(ctx->req->body, ctx->req->len,
			    &pv->nform);
	}
	return web_find(pv->form, pv->nform, name, i);
}

int
web_param_sent(struct web_ctx *ctx, const char *name)
{
	struct web_priv		*pv = ctx->priv;
	const struct web_param	*p;
	size_t			 n, k;

	(void)web_param_n(ctx, name, 0);	/* parsed */
	p = ctx->req->method == HTTPD_GET ? pv->query : pv->form;
	n = ctx->req->method == HTTPD_GET ? pv->nquery : pv->nform;
	for (k = 0; k < n; k++)
		if (strcmp(p[k].name, name) == 0)
			return 1;
	return 0;
}

const char *
web_param(struct web_ctx *ctx, const char *name)
{
	return web_param_n(ctx, name, 0);
}

const char *
web_cookie(const struct web_ctx *ctx, const char *name, char *buf,
    size_t len)
{
	const char	*h = httpd_header(ctx->req, "Cookie"), *p, *end;
	size_t		 n = strlen(name), vlen, i;

	for (p = h; p != NULL && *p != '\0'; p = end) {
		while (*p == ' ' || *p == ';')
			p++;
		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		if (strncmp(p, name, n) != 0 || p[n] != '=')
			continue;
		vlen = (size_t)(end - p - (ptrdiff_t)n - 1);
		while (vlen > 0 && p[n + vlen] == ' ')
			vlen--;
		if (vlen >= len)
			return NULL;
		memcpy(buf, p + n + 1, vlen);
		buf[vlen] = '\0';
		/* cookie-octets only (RFC 6265): printable ASCII */
		for (i = 0; i < vlen; i++)
			if ((unsigned char)buf[i] <= 0x20 ||
			    (unsigned char)buf[i] >= 0x7f || buf[i] == '"' ||
			    buf[i] == ',' || buf[i] == '\\')
				return NULL;
		return buf;
	}
	return NULL;
}

void
web_form_lang(struct web_ctx *ctx)
{
	char	 buf[8];
	int	 l = -1;

	if (web_cookie(ctx, "sv_lang", buf, sizeof buf) != NULL)
		l = lang_parse(buf);
	if (l < 0 && ctx->user != NULL)
		l = lang_parse(ctx->user->lang);
	if (l < 0 || l >= LANG_COUNT)
		l = LANG_FR;
	ctx->lang = (enum lang)l;
	ctx->lcode = lang_codes[l];
}

void
web_form_begin(struct web_ctx *ctx, const char *action)
{
	html_tpl(ctx->body, "<form method=\"post\" action=\"{a}\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"{c}\">", "a", action,
	    "c", ctx->csrf, (char *)NULL);
}

void
web_form_end(struct web_ctx *ctx)
{
	html_raw(ctx->body, "</form>");
}

/* The message of err when it is an error about field (NULL: any). */
static const char *
web_err_msg(const json_t *err, const char *field)
{
	const char	*msg, *f;

	if (!json_is_object(err) || (msg = json_string_value(
	    json_object_get(err, "error"))) == NULL)
		return NULL;
	if (field == NULL)
		return msg;
	f = json_string_value(json_object_get(err, "field"));
	return f != NULL && strcmp(f, field) == 0 ? msg : NULL;
}

void
web_input(struct web_ctx *ctx, const struct web_input *in, const json_t *err)
{
	const char	*msg = web_err_msg(err, in->name);
	const char	*type = in->type != NULL ? in->type : "text";
	const char	*value = in->value;
	char		 desc[160] = "";

	if (strcmp(type, "password") == 0)
		value = NULL;		/* never written back into a page */
	if (in->hint != NULL)
		snprintf(desc, sizeof desc, "h-%s", in->name);
	if (msg != NULL)
		snprintf(desc + strlen(desc), sizeof desc - strlen(desc),
		    "%se-%s", *desc != '\0' ? " " : "", in->name);
	html_tpl(ctx->body, "<div class=\"field{inv}\"><label for=\"f-{n}\">"
	    "{l}{!req}</label>", "inv", msg != NULL ? " invalid" : "",
	    "n", in->name, "l", in->label, "req", in->required ?
	    " <span class=\"muted\" aria-hidden=\"true\">*</span>" : "",
	    (char *)NULL);
	if (in->hint != NULL)
		html_tpl(ctx->body, "<p class=\"hint\" id=\"h-{n}\">{h}</p>",
		    "n", in->name, "h", in->hint, (char *)NULL);
	html_tpl(ctx->body, strcmp(type, "textarea") == 0 ?
	    "<textarea id=\"f-{n}\" name=\"{n}\" rows=\"6\"{!rq}{!ai}{!db}"
	    "{d}{!de}>{v}</textarea>" :
	    "<input type=\"{t}\" id=\"f-{n}\" name=\"{n}\" value=\"{v}\""
	    "{!rq}{!ai}{!db}{d}{!de}>",
	    "t", type, "n", in->name, "v", value,
	    "rq", in->required ? " required" : "",
	    "ai", msg != NULL ? " aria-invalid=\"true\"" : "",
	    "db", *desc != '\0' ? " aria-describedby=\"" : "",
	    "d", desc, "de", *desc != '\0' ? "\"" : "", (char *)NULL);
	if (msg != NULL)
		html_tpl(ctx->body, "<p class=\"error\" id=\"e-{n}\">{m}</p>",
		    "n", in->name, "m", msg, (char *)NULL);
	html_raw(ctx->body, "</div>");
}

void
web_error_box(struct web_ctx *ctx, const json_t *err)
{
	const char	*msg = web_err_msg(err, NULL);

	if (msg != NULL)
		html_tpl(ctx->body, "<div class=\"error-box\" role=\"alert\">"
		    "<p>{m}</p></div>", "m", msg, (char *)NULL);
}

/*
 * A time of the API as civil time in the daemon's zone: "...Z" is moved
 * into the zone, an offset is taken as that of the civil time given.
 * Returns 1 with a time, 0 a date alone, -1 when unreadable.
 */
static int
web_date_parse(const struct web_ctx *ctx, const char *s,
    struct recur_civil *c)
{
	const struct tz	*zone;
	char		 civil[20];
	char		*cause = NULL;
	int64_t		 secs;
	size_t		 n = strlen(s);

	if (n == 10)
		return recur_date_parse(s, c, &cause) == 0 ? 0 : (free(cause),
		    -1);
	if (n < 16 || n > 32)
		return -1;
	util_strlcpy(civil, s, n >= 19 && s[16] == ':' ? 20 : 17);
	if (recur_civil_parse(civil, c, &cause) == -1) {
		free(cause);
		return -1;
	}
	if (s[n - 1] == 'Z' && ctx->env != NULL && (zone = tz_cached(
	    (*ctx->env->conf)->timezone, &cause)) != NULL) {
		secs = recur_civil_secs(c);
		recur_secs_civil(secs + tz_offset_at(zone, secs), c);
	}
	free(cause);
	return 1;
}

const char *
web_date(const struct web_ctx *ctx, const char *api_time, int style,
    char *buf, size_t len)
{
	struct recur_civil	 c;
	int			 rc;

	if (api_time == NULL) {
		util_strlcpy(buf, "", len);
		return buf;
	}
	if ((rc = web_date_parse(ctx, api_time, &c)) == -1)
		return len >= 8 ? utf8_cut(buf, len, api_time, len / 4 - 1) :
		    "";
	if (style < DATEFMT_LONG || style > DATEFMT_TIME)
		style = DATEFMT_LONG;
	if (rc == 0 && style != DATEFMT_TIME)
		style = DATEFMT_DATE;
	return datefmt(ctx->lcode != NULL ? ctx->lcode : "fr",
	    (enum datefmt_style)style, &c, buf, len);
}

const char *
web_str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

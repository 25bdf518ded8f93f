/*
 * fuzz_webform.c: what the web console reads of a request, on arbitrary
 * bytes.  The bytes go through httpd_parse() with the console's body limit,
 * then through web_form.c as a page reads them: parameters of the query
 * and of the form (percent-decoding, '+', repeated names, names and values
 * that are not UTF-8 or hold a NUL), cookies, the page's language, dates,
 * a labelled field with an error under it.  Whatever the bytes, nothing
 * may crash, and what a page is handed is valid UTF-8 without NUL (a value
 * that is not is absent); a redirect target said to be local is one.
 *
 * Input: the bytes of one request, as a connection would carry them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "datefmt.h"
#include "html.h"
#include "httpd.h"
#include "utf8.h"
#include "web_int.h"
#include "web_page.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A value handed to a page: text, and safe to write into a page. */
static void
fuzz_check(struct web_ctx *ctx, const char *name, const char *v)
{
	struct web_input	 in = { name, "Champ", NULL, v, "Aide", 1 };
	char			 date[DATEFMT_LEN];
	json_t			*err;
	size_t			 i;

	if (v == NULL)
		return;
	if (!utf8_valid(v, strlen(v)))
		abort();
	web_date(ctx, v, (int)(strlen(v) % 5), date, sizeof date);
	if (!utf8_valid(date, strlen(date)))
		abort();
	if (web_local_path(v)) {
		if (v[0] != '/' || v[1] == '/' || v[1] == '\\')
			abort();
		for (i = 0; v[i] != '\0'; i++)
			if ((unsigned char)v[i] <= 0x20 ||
			    (unsigned char)v[i] >= 0x7f)
				abort();
	}
	err = json_pack("{ss ss}", "error", v, "field", name);
	web_input(ctx, &in, err);
	web_error_box(ctx, err);
	json_decref(err);
	if (html_failed(ctx->body))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "name", "csrf", "next", "phone",
	    "do", "month", "q", "" };
	struct httpd_req	 req;
	struct web_ctx		 ctx;
	struct web_priv		 pv;
	char			 cookie[64];
	const char		*v;
	size_t			 used, i;

	if (httpd_parse((const char *)data, size, WEB_MAX_BODY, &req,
	    &used) != 1)
		return 0;
	req.peer = "127.0.0.1";
	memset(&ctx, 0, sizeof ctx);
	memset(&pv, 0, sizeof pv);
	ctx.req = &req;
	ctx.priv = &pv;
	ctx.body = html_new();
	ctx.csrf = "fuzz";
	web_form_lang(&ctx);
	if (ctx.lcode == NULL || (int)ctx.lang < 0 || ctx.lang >= LANG_COUNT)
		abort();
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		fuzz_check(&ctx, names[i], web_param(&ctx, names[i]));
		fuzz_check(&ctx, names[i], web_query(&ctx, names[i]));
	}
	for (i = 0; i < 64 && (v = web_param_n(&ctx, "roles", i)) != NULL;
	    i++)
		fuzz_check(&ctx, "roles", v);
	fuzz_check(&ctx, "cookie", web_cookie(&ctx, "sv_session", cookie,
	    sizeof cookie));
	fuzz_check(&ctx, "cookie", web_cookie(&ctx, "sv_lang", cookie,
	    sizeof cookie));
	web_form_begin(&ctx, "/people/new");
	web_form_end(&ctx);
	web_form_clear(&ctx);
	/* parsed again after a clear: the same answers */
	(void)web_param(&ctx, "name");
	web_form_clear(&ctx);
	html_free(ctx.body);
	httpd_req_clear(&req);
	return 0;
}

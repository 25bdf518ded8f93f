/*
 * test_web_page.c: the console's answers and request reading without a
 * listener: a request built by httpd_parse() as the server would, a page
 * sent through web_page_send(), and the bytes and headers checked.  A page
 * whose template failed answers 500 and none of its half; a redirect goes
 * only to a path of the site; an error message, a flash and a typed value
 * are escaped; the navigation follows the role; parameters are decoded
 * and what is not text is absent; cookies are read as sent; the client's
 * address is the proxy's word only when the proxy is on this machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <event2/buffer.h>
#include <jansson.h>

#include "api.h"
#include "config.h"
#include "html.h"
#include "httpd.h"
#include "web_int.h"
#include "web_page.h"

/* One request and what is needed to answer it. */
struct fix {
	struct httpd_req	 req;
	struct httpd_resp	 resp;
	struct web		 web;
	struct web_ctx		 ctx;
	struct web_priv		 pv;
	struct webuser		 user;
	struct api_env		 env;
	struct config		 conf;
	struct config		*confp;
	char			 sender[32];	/* [daemon] sender_name */
	char			*out;	/* the body sent, NUL-terminated */
};

static void
fix_start(struct fix *f, const char *raw, enum web_role role)
{
	size_t	 used;

	memset(f, 0, sizeof *f);
	assert_int_equal(httpd_parse(raw, strlen(raw), WEB_MAX_BODY, &f->req,
	    &used), 1);
	f->req.peer = "127.0.0.1";
	f->resp.status = 200;
	f->resp.body = evbuffer_new();
	f->conf.sender_name = f->sender;
	f->confp = &f->conf;
	f->env.conf = &f->confp;
	f->ctx.env = &f->env;
	f->ctx.web = &f->web;
	f->ctx.req = &f->req;
	f->ctx.resp = &f->resp;
	f->ctx.priv = &f->pv;
	f->ctx.body = html_new();
	f->ctx.csrf = "tok";
	if (role != WEB_ROLE_NONE) {
		f->user.id = 3;
		snprintf(f->user.name, sizeof f->user.name, "marie");
		f->user.role = role;
		snprintf(f->user.lang, sizeof f->user.lang, "fr");
		f->ctx.user = &f->user;
	}
	web_form_lang(&f->ctx);
}

/* The navigation's roles, as web.c's table says. */
static enum web_role
fix_role_of(const char *path)
{
	if (strcmp(path, "/people") == 0 || strcmp(path, "/rota") == 0)
		return WEB_ROLE_COORDINATOR;
	return WEB_ROLE_VIEWER;
}

static void
fix_send(struct fix *f)
{
	size_t	 n;

	web_page_send(&f->ctx, fix_role_of);
	n = evbuffer_get_length(f->resp.body);
	f->out = calloc(1, n + 1);
	evbuffer_remove(f->resp.body, f->out, n);
}

static void
fix_end(struct fix *f)
{
	web_form_clear(&f->ctx);
	html_free(f->ctx.body);
	evbuffer_free(f->resp.body);
	httpd_req_clear(&f->req);
	free(f->pv.location);
	free(f->pv.flash);
	free(f->pv.fail);
	free(f->web.headers);
	free(f->out);
}

#define GET(path)	"GET " path " HTTP/1.1\r\nHost: x\r\n\r\n"

static void
test_failed_template_is_500(void **state)
{
	struct fix	 f;

	(void)state;
	fix_start(&f, GET("/"), WEB_ROLE_COORDINATOR);
	f.ctx.title = "Tableau de bord";
	html_tpl(f.ctx.body, "<p>début de page secret</p>", (char *)NULL);
	html_tpl(f.ctx.body, "<p>{absent}</p>", (char *)NULL);
	assert_true(html_failed(f.ctx.body));
	fix_send(&f);
	assert_int_equal(f.resp.status, 500);
	assert_null(strstr(f.out, "début de page secret"));
	assert_non_null(strstr(f.out, "La page n&#39;a pas pu"));
	assert_non_null(strstr(f.resp.headers, "Cache-Control: no-store"));
	assert_non_null(strstr(f.resp.headers,
	    "Content-Security-Policy: default-src 'none'"));
	assert_string_equal(f.resp.type, "text/html; charset=utf-8");
	fix_end(&f);
}

static void
test_redirect_stays_on_the_site(void **state)
{
	static const char *const bad[] = { "//evil.example", "/\\evil",
	    "http://evil.example", "evil", "", "/a b", "/a\r\nSet-Cookie: x",
	    "/\xc3\xa9", NULL };
	struct fix	 f;
	size_t		 i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		fix_start(&f, GET("/"), WEB_ROLE_VIEWER);
		web_redirect(&f.ctx, bad[i]);
		fix_send(&f);
		assert_int_equal(f.resp.status, 303);
		assert_non_null(strstr(f.resp.headers, "\r\nLocation: /\r\n"));
		assert_string_equal(f.out, "");
		fix_end(&f);
	}
	fix_start(&f, GET("/"), WEB_ROLE_VIEWER);
	web_redirect(&f.ctx, "/people/12?x=1");
	fix_send(&f);
	assert_non_null(strstr(f.resp.headers,
	    "\r\nLocation: /people/12?x=1\r\n"));
	fix_end(&f);
}

static void
test_messages_are_escaped(void **state)
{
	struct fix	 f;

	(void)state;
	fix_start(&f, GET("/"), WEB_ROLE_VIEWER);
	f.pv.flash_shown = "<b>flash</b>";
	web_fail(&f.ctx, 403, "<script>x</script> \"q\"");
	fix_send(&f);
	assert_int_equal(f.resp.status, 403);
	assert_null(strstr(f.out, "<script>x"));
	assert_null(strstr(f.out, "<b>flash"));
	assert_non_null(strstr(f.out, "&lt;script&gt;x"));
	assert_non_null(strstr(f.out, "Accès refusé"));
	fix_end(&f);
}

/* The top bar and the title name the sender, escaped, else "Console". */
static void
test_brand(void **state)
{
	struct fix	 f;

	(void)state;
	fix_start(&f, GET("/"), WEB_ROLE_VIEWER);
	f.ctx.title = "Tableau de bord";
	fix_send(&f);
	assert_non_null(strstr(f.out, "<title>Tableau de bord · Console"));
	fix_end(&f);
	fix_start(&f, GET("/"), WEB_ROLE_VIEWER);
	snprintf(f.sender, sizeof f.sender, "CPAS <Ath>");
	f.ctx.title = "Tableau de bord";
	fix_send(&f);
	assert_null(strstr(f.out, "<Ath>"));
	assert_non_null(strstr(f.out, "Tableau de bord · CPAS &lt;Ath&gt;"));
	assert_null(strstr(f.out, "Console"));
	fix_end(&f);
}

static void
test_navigation_by_role(void **state)
{
	struct fix	 f;

	(void)state;
	fix_start(&f, GET("/calendar"), WEB_ROLE_VIEWER);
	f.ctx.title = "Calendrier";
	fix_send(&f);
	assert_int_equal(f.resp.status, 200);
	assert_non_null(strstr(f.out, "<a href=\"/calendar\" "
	    "aria-current=\"page\">Calendrier</a>"));
	assert_null(strstr(f.out, "href=\"/people\""));
	assert_null(strstr(f.out, "href=\"/rota\""));
	assert_non_null(strstr(f.out, "<span class=\"who\">marie</span>"));
	assert_non_null(strstr(f.out, "name=\"csrf\" value=\"tok\""));
	assert_non_null(strstr(f.out,
	    "/lang?set=nl&amp;next=%2Fcalendar"));
	fix_end(&f);
	fix_start(&f, GET("/"), WEB_ROLE_COORDINATOR);
	fix_send(&f);
	assert_non_null(strstr(f.out, "href=\"/people\""));
	assert_non_null(strstr(f.out, "href=\"/rota\""));
	fix_end(&f);
	/* no account: no navigation, no logout */
	fix_start(&f, GET("/login"), WEB_ROLE_NONE);
	fix_send(&f);
	assert_null(strstr(f.out, "<nav"));
	assert_null(strstr(f.out, "/logout"));
	fix_end(&f);
}

static void
test_params(void **state)
{
	struct fix	 f;
	const char	 body[] = "name=Marie+%C3%A9&roles=a&roles=b&bad=%ff"
			     "&nul=a%00b&half=%4&roles=c&=x&csrf=t";
	char		 raw[512];

	(void)state;
	snprintf(raw, sizeof raw, "POST /people/new?month=2027-01 HTTP/1.1\r\n"
	    "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
	fix_start(&f, raw, WEB_ROLE_COORDINATOR);
	assert_string_equal(web_param(&f.ctx, "name"), "Marie \xc3\xa9");
	assert_string_equal(web_param_n(&f.ctx, "roles", 0), "a");
	assert_string_equal(web_param_n(&f.ctx, "roles", 1), "b");
	assert_string_equal(web_param_n(&f.ctx, "roles", 2), "c");
	assert_null(web_param_n(&f.ctx, "roles", 3));
	assert_null(web_param(&f.ctx, "bad"));
	assert_null(web_param(&f.ctx, "nul"));
	assert_null(web_param(&f.ctx, "half"));
	assert_null(web_param(&f.ctx, "month"));	/* not the form's */
	assert_string_equal(web_query(&f.ctx, "month"), "2027-01");
	assert_null(web_query(&f.ctx, "name"));
	fix_end(&f);
}

static void
test_cookies_and_language(void **state)
{
	struct fix	 f;
	char		 buf[64];

	(void)state;
	fix_start(&f, "GET / HTTP/1.1\r\nCookie: a=b; sv_lang=nl;"
	    "sv_session=abc ; x=\"q\"\r\n\r\n", WEB_ROLE_VIEWER);
	assert_string_equal(web_cookie(&f.ctx, "sv_session", buf,
	    sizeof buf), "abc");
	assert_null(web_cookie(&f.ctx, "x", buf, sizeof buf));
	assert_null(web_cookie(&f.ctx, "sv", buf, sizeof buf));
	assert_null(web_cookie(&f.ctx, "a", buf, 1));
	assert_int_equal(f.ctx.lang, LANG_NL);
	assert_string_equal(W(&f.ctx, "fr", "nl", "de", "en"), "nl");
	fix_end(&f);
	fix_start(&f, "GET / HTTP/1.1\r\nCookie: sv_lang=xx\r\n\r\n",
	    WEB_ROLE_VIEWER);
	assert_int_equal(f.ctx.lang, LANG_FR);	/* the account's: fr */
	fix_end(&f);
}

static void
test_client_address(void **state)
{
	struct fix	 f;
	char		 buf[64];

	(void)state;
	fix_start(&f, "GET / HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1, "
	    "203.0.113.9\r\n\r\n", WEB_ROLE_VIEWER);
	assert_string_equal(web_client_addr(&f.ctx, buf, sizeof buf),
	    "203.0.113.9");
	f.req.peer = "198.51.100.4";	/* not through our proxy */
	assert_string_equal(web_client_addr(&f.ctx, buf, sizeof buf),
	    "198.51.100.4");
	fix_end(&f);
	fix_start(&f, "GET / HTTP/1.1\r\nX-Forwarded-For: <script>\r\n\r\n",
	    WEB_ROLE_VIEWER);
	assert_string_equal(web_client_addr(&f.ctx, buf, sizeof buf),
	    "127.0.0.1");
	fix_end(&f);
}

static void
test_input_shows_the_api_error(void **state)
{
	struct fix	 f;
	struct web_input in = { "phone", "Téléphone", "tel", "12<", "+32...",
			    1 };
	struct web_input pw = { "password", "Mot de passe", "password",
			    "secret-typed", NULL, 1 };
	json_t		*err = json_pack("{ss ss}", "error",
			    "numéro belge invalide <b>", "field", "phone");
	const char	*out;

	(void)state;
	fix_start(&f, GET("/people/new"), WEB_ROLE_COORDINATOR);
	web_input(&f.ctx, &in, err);
	web_input(&f.ctx, &pw, err);
	web_error_box(&f.ctx, err);
	out = html_data(f.ctx.body, NULL);
	assert_non_null(strstr(out, "aria-invalid=\"true\" "
	    "aria-describedby=\"h-phone e-phone\""));
	assert_non_null(strstr(out, "<p class=\"error\" id=\"e-phone\">"
	    "numéro belge invalide &lt;b&gt;</p>"));
	assert_non_null(strstr(out, "value=\"12&lt;\""));
	assert_null(strstr(out, "secret-typed"));
	assert_non_null(strstr(out, "class=\"error-box\""));
	json_decref(err);
	fix_end(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failed_template_is_500),
		cmocka_unit_test(test_redirect_stays_on_the_site),
		cmocka_unit_test(test_messages_are_escaped),
		cmocka_unit_test(test_brand),
		cmocka_unit_test(test_navigation_by_role),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_cookies_and_language),
		cmocka_unit_test(test_client_address),
		cmocka_unit_test(test_input_shows_the_api_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

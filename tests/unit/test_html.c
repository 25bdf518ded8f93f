/*
 * test_html.c: the HTML builder, checked on the bytes it writes: each
 * special character escaped, values made valid UTF-8 without control
 * characters, raw values kept, braces, every malformed template marked
 * failed with nothing of it written, and the helpers (html_escape cut at a
 * character, html_urlencode, html_int).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "html.h"
#include "utf8.h"

/* The output of a single value substituted escaped into "[{v}]". */
static void
check_value(const char *value, const char *want)
{
	struct html	*h = html_new();
	size_t		 len;
	const char	*out;

	html_tpl(h, "[{v}]", "v", value, (char *)NULL);
	out = html_data(h, &len);
	assert_false(html_failed(h));
	assert_int_equal(len, strlen(out));
	assert_string_equal(out, want);
	assert_true(utf8_valid(out, len));
	html_free(h);
}

/* The output of template tpl with no pair, and whether it failed. */
static void
check_bare(const char *tpl, const char *want, int failed)
{
	struct html	*h = html_new();

	html_tpl(h, tpl, (char *)NULL);
	assert_string_equal(html_data(h, NULL), want);
	assert_int_equal(html_failed(h), failed);
	html_free(h);
}

static void
test_escape_each(void **state)
{
	(void)state;
	check_value("&", "[&amp;]");
	check_value("<", "[&lt;]");
	check_value(">", "[&gt;]");
	check_value("\"", "[&quot;]");
	check_value("'", "[&#39;]");
	check_value("a&b<c>d\"e'f", "[a&amp;b&lt;c&gt;d&quot;e&#39;f]");
	check_value("&amp;", "[&amp;amp;]");
	check_value("", "[]");
	check_value("Liège, Eupen, Sankt Vith",
	    "[Liège, Eupen, Sankt Vith]");
}

static void
test_script_in_value(void **state)
{
	struct html	*h = html_new();

	(void)state;
	html_tpl(h, "<p class=\"name\">{name}</p>", "name",
	    "<script>alert(1)</script>", (char *)NULL);
	assert_string_equal(html_data(h, NULL),
	    "<p class=\"name\">&lt;script&gt;alert(1)&lt;/script&gt;</p>");
	assert_null(strstr(html_data(h, NULL), "<script"));
	html_free(h);
}

/* A value is never read as a template: its braces are text. */
static void
test_value_not_template(void **state)
{
	struct html	*h = html_new();

	(void)state;
	html_tpl(h, "<p>{a}</p>{!b}", "a", "{b} {{ } {!b}", "b", "{a}",
	    (char *)NULL);
	assert_string_equal(html_data(h, NULL), "<p>{b} {{ } {!b}</p>{a}");
	assert_false(html_failed(h));
	html_free(h);
}

/* A value cannot leave a quoted attribute, single or double. */
static void
test_attribute_quotes(void **state)
{
	struct html	*h = html_new();

	(void)state;
	html_tpl(h, "<input value=\"{v}\"><a title='{v}'>",
	    "v", "\" onfocus=\"alert(1)' x='", (char *)NULL);
	assert_string_equal(html_data(h, NULL),
	    "<input value=\"&quot; onfocus=&quot;alert(1)&#39; x=&#39;\">"
	    "<a title='&quot; onfocus=&quot;alert(1)&#39; x=&#39;'>");
	html_free(h);
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	/* a lone continuation byte, a truncated sequence, an overlong '<',
	 * a surrogate, a byte past U+10FFFF, Latin-1 */
	check_value("a\x80z", "[a\xef\xbf\xbdz]");
	check_value("\xc3", "[\xef\xbf\xbd]");
	check_value("\xc0\xbc", "[\xef\xbf\xbd\xef\xbf\xbd]");
	check_value("\xed\xa0\x80", "[\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd]");
	check_value("\xf5\x80\x80\x80", "[\xef\xbf\xbd\xef\xbf\xbd"
	    "\xef\xbf\xbd\xef\xbf\xbd]");
	check_value("Li\xe8ge", "[Li\xef\xbf\xbdge]");
	/* valid multibyte kept whole */
	check_value("\xf0\x9f\x98\x80 \xe2\x80\xa8", "[\xf0\x9f\x98\x80 "
	    "\xe2\x80\xa8]");
}

static void
test_control_dropped(void **state)
{
	(void)state;
	check_value("a\x01\x1b[31mb\x7f" "c", "[a[31mbc]");
	check_value("tab\tnl\ncr\r", "[tab\tnl\ncr\r]");
	/* C1 controls (U+0080, U+009F) dropped, U+00A0 kept */
	check_value("x\xc2\x80y\xc2\x9fz\xc2\xa0", "[xyz\xc2\xa0]");
}

static void
test_raw(void **state)
{
	struct html	*inner = html_new(), *h = html_new();

	(void)state;
	html_tpl(inner, "<b>{x}</b>", "x", "<i>", (char *)NULL);
	html_tpl(h, "<div>{!body}</div>{x}", "body", html_data(inner, NULL),
	    "x", "<", (char *)NULL);
	assert_string_equal(html_data(h, NULL),
	    "<div><b>&lt;i&gt;</b></div>&lt;");
	assert_false(html_failed(h));
	html_raw(h, "<hr>");
	html_text(h, "<&>");
	assert_string_equal(html_data(h, NULL),
	    "<div><b>&lt;i&gt;</b></div>&lt;<hr>&lt;&amp;&gt;");
	html_free(inner);
	html_free(h);
}

static void
test_braces(void **state)
{
	(void)state;
	check_bare("a {{b}} c", "a {b} c", 0);
	check_bare("{{{{", "{{", 0);
	check_bare("}}", "}", 0);
	check_bare("function() {{ return 1; }}", "function() { return 1; }",
	    0);
}

static void
test_missing_name(void **state)
{
	struct html	*h = html_new();

	(void)state;
	html_tpl(h, "<p>{name} et {other}</p>", "name", "Ana", (char *)NULL);
	assert_string_equal(html_data(h, NULL), "<p>Ana et </p>");
	assert_true(html_failed(h));
	html_free(h);
	check_bare("<p>{x}</p>", "<p></p>", 1);
	check_bare("{!x}", "", 1);
}

static void
test_malformed(void **state)
{
	(void)state;
	check_bare("abc{", "abc", 1);		/* unclosed at the end */
	check_bare("abc{!", "abc", 1);
	check_bare("abc{name", "abc", 1);
	check_bare("a}b", "ab", 1);		/* a stray brace */
	check_bare("a}", "a", 1);
	check_bare("a{}b", "ab", 1);		/* empty name */
	check_bare("a{!}b", "ab", 1);
	check_bare("a{Name}b", "ab", 1);	/* bad names */
	check_bare("a{na-me}b", "ab", 1);
	check_bare("a{na me}b", "ab", 1);
	check_bare("a{<script>}b", "ab", 1);
	check_bare("a{x{y}b", "ab", 1);
	/* 33 characters: too long even when given */
	{
		struct html	*h = html_new();
		const char	*n33 = "abcdefghijklmnopqrstuvwxyz0123456";
		const char	*n32 = "abcdefghijklmnopqrstuvwxyz012345";

		html_tpl(h, "[{abcdefghijklmnopqrstuvwxyz0123456}]", n33, "v",
		    (char *)NULL);
		assert_string_equal(html_data(h, NULL), "[]");
		assert_true(html_failed(h));
		html_reset(h);
		html_tpl(h, "[{abcdefghijklmnopqrstuvwxyz012345}]", n32, "v",
		    (char *)NULL);
		assert_string_equal(html_data(h, NULL), "[v]");
		assert_false(html_failed(h));
		html_free(h);
	}
}

static void
test_null_and_twice(void **state)
{
	struct html	*h = html_new();

	(void)state;
	html_tpl(h, "[{a}|{!a}]", "a", (char *)NULL, (char *)NULL);
	assert_string_equal(html_data(h, NULL), "[|]");
	assert_false(html_failed(h));
	html_reset(h);
	html_tpl(h, "[{a}]", "a", "first", "a", "second", (char *)NULL);
	assert_string_equal(html_data(h, NULL), "[first]");
	html_reset(h);
	html_text(h, NULL);
	html_raw(h, NULL);
	assert_string_equal(html_data(h, NULL), "");
	html_free(h);
}

static void
test_reset(void **state)
{
	struct html	*h = html_new();
	size_t		 len = 99;

	(void)state;
	html_tpl(h, "x{y}z", (char *)NULL);
	assert_true(html_failed(h));
	html_tpl(h, "ok", (char *)NULL);	/* stays failed */
	assert_true(html_failed(h));
	html_reset(h);
	assert_false(html_failed(h));
	assert_string_equal(html_data(h, &len), "");
	assert_int_equal(len, 0);
	html_tpl(h, "<p>{v}</p>", "v", "1", (char *)NULL);
	assert_string_equal(html_data(h, NULL), "<p>1</p>");
	html_free(h);
	html_free(NULL);
}

/* Many pairs (past the stack's 16), and html_tplv. */
static void
test_many_pairs(void **state)
{
	static const char *const names[] = { "a", "b", "c" };
	static const char *const values[] = { "1", "<", NULL };
	struct html	*h = html_new();

	(void)state;
	html_tpl(h, "{a}{b}{c}{d}{e}{f}{g}{h}{i}{j}{k}{l}{m}{n}{o}{p}{q}{r}",
	    "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6",
	    "g", "7", "h", "8", "i", "9", "j", "a", "k", "b", "l", "c",
	    "m", "d", "n", "e", "o", "f", "p", "g", "q", "h", "r", "<",
	    (char *)NULL);
	assert_string_equal(html_data(h, NULL), "123456789abcdefgh&lt;");
	assert_false(html_failed(h));
	html_reset(h);
	html_tplv(h, "{a}{b}{c}{!b}", names, values, 3);
	assert_string_equal(html_data(h, NULL), "1&lt;<");
	assert_false(html_failed(h));
	html_tplv(h, "{a}", names, values, 0);
	assert_true(html_failed(h));
	html_free(h);
}

/* A big page grows the buffer and keeps every byte. */
static void
test_growth(void **state)
{
	struct html	*h = html_new();
	size_t		 i, len;
	const char	*out;

	(void)state;
	for (i = 0; i < 10000; i++)
		html_tpl(h, "<li>{v}</li>", "v", "&", (char *)NULL);
	out = html_data(h, &len);
	assert_int_equal(len, 10000 * strlen("<li>&amp;</li>"));
	assert_int_equal(strlen(out), len);
	assert_memory_equal(out + len - 14, "<li>&amp;</li>", 14);
	html_free(h);
}

static void
test_escape_buf(void **state)
{
	char	 buf[64];

	(void)state;
	assert_string_equal(html_escape(buf, sizeof buf, "a<b"), "a&lt;b");
	/* "ab" + a 4-byte emoji: a buffer of 6 bytes holds "ab" + NUL,
	 * never half the emoji */
	assert_string_equal(html_escape(buf, 6, "ab\xf0\x9f\x98\x80"), "ab");
	assert_string_equal(html_escape(buf, 7, "ab\xf0\x9f\x98\x80"),
	    "ab\xf0\x9f\x98\x80");
	/* never half an entity */
	assert_string_equal(html_escape(buf, 6, "a&b"), "a");
	assert_string_equal(html_escape(buf, 7, "a&b"), "a&amp;");
	assert_string_equal(html_escape(buf, 1, "abc"), "");
	assert_string_equal(html_escape(buf, sizeof buf, "\xff"),
	    "\xef\xbf\xbd");
	assert_string_equal(html_escape(buf, sizeof buf, NULL), "");
	buf[0] = 'x';
	html_escape(buf, 0, "abc");
	assert_int_equal(buf[0], 'x');
}

static void
test_urlencode(void **state)
{
	char	*s;

	(void)state;
	s = html_urlencode("\xc3\xa9 &/?");
	assert_string_equal(s, "%C3%A9%20%26%2F%3F");
	free(s);
	s = html_urlencode("AZaz09-._~");
	assert_string_equal(s, "AZaz09-._~");
	free(s);
	s = html_urlencode("<\"'>#%+=\x01\xff");
	assert_string_equal(s, "%3C%22%27%3E%23%25%2B%3D%01%FF");
	free(s);
	s = html_urlencode("");
	assert_string_equal(s, "");
	free(s);
}

static void
test_int(void **state)
{
	struct html	*h = html_new();

	(void)state;
	html_int(h, INT64_MIN);
	html_raw(h, " ");
	html_int(h, INT64_MAX);
	html_raw(h, " ");
	html_int(h, 0);
	html_raw(h, " ");
	html_int(h, -42);
	assert_string_equal(html_data(h, NULL), "-9223372036854775808 "
	    "9223372036854775807 0 -42");
	html_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_each),
		cmocka_unit_test(test_script_in_value),
		cmocka_unit_test(test_value_not_template),
		cmocka_unit_test(test_attribute_quotes),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_control_dropped),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_braces),
		cmocka_unit_test(test_missing_name),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_null_and_twice),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_many_pairs),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_escape_buf),
		cmocka_unit_test(test_urlencode),
		cmocka_unit_test(test_int),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

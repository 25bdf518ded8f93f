/*
 * test_log.c: log lines as JSON objects (log_json.c), the two escapes, and
 * whole lines through log.c's writer into a pipe, as text and as JSON.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "log.h"
#include "log_json.h"

/* msg as JSON in a buffer of len bytes, checked to parse; caller frees. */
static json_t *
conv(const char *msg, const char *err, size_t len, char *out)
{
	json_error_t	 je;
	json_t		*o;
	size_t		 n;

	n = log_json(out, len, "2026-12-07T03:31:25.123Z", "info",
	    "stoppvifd", msg, err);
	assert_int_equal(n, strlen(out));
	assert_true(n < len);
	o = json_loads(out, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (o == NULL)
		fail_msg("not JSON (%s): %s", je.text, out);
	assert_true(json_is_object(o));
	return o;
}

static const char *
str(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("%s is not a string", key);
	return json_string_value(v);
}

static void
test_form(void **state)
{
	char	 out[2048];
	json_t	*o;

	(void)state;
	o = conv("dispatch sent id=42 reply=\"250 2.0.0 Ok: queued\"", NULL,
	    sizeof out, out);
	assert_string_equal(out, "{\"ts\":\"2026-12-07T03:31:25.123Z\","
	    "\"level\":\"info\",\"prog\":\"stoppvifd\",\"module\":\"dispatch\","
	    "\"event\":\"sent\",\"id\":42,\"reply\":\"250 2.0.0 Ok: queued\"}");
	json_decref(o);

	/* = and spaces inside quotes, a quoted number stays a string */
	o = conv("channel.smtp x_y q=\"a=1 b=2\" n=\"7\" e=", NULL, sizeof out,
	    out);
	assert_string_equal(str(o, "msg"), "channel.smtp x_y q=\"a=1 b=2\" "
	    "n=\"7\" e=");	/* an empty bare value is not the form */
	json_decref(o);
	o = conv("channel.smtp x_y q=\"a=1 b=2\" n=\"7\"", NULL, sizeof out,
	    out);
	assert_string_equal(str(o, "module"), "channel.smtp");
	assert_string_equal(str(o, "q"), "a=1 b=2");
	assert_string_equal(str(o, "n"), "7");
	assert_null(json_object_get(o, "msg"));
	json_decref(o);

	/* an event alone */
	o = conv("daemon stopped", NULL, sizeof out, out);
	assert_string_equal(str(o, "event"), "stopped");
	json_decref(o);
}

static void
test_numbers(void **state)
{
	char	 out[512];
	json_t	*o;

	(void)state;
	o = conv("m e a=0 b=-7 c=0700 d=12345678901234567890 f=1.5 g=-", NULL,
	    sizeof out, out);
	assert_int_equal(json_integer_value(json_object_get(o, "a")), 0);
	assert_int_equal(json_integer_value(json_object_get(o, "b")), -7);
	assert_string_equal(str(o, "c"), "0700");
	assert_string_equal(str(o, "d"), "12345678901234567890");
	assert_string_equal(str(o, "f"), "1.5");
	assert_string_equal(str(o, "g"), "-");
	json_decref(o);
}

static void
test_escapes(void **state)
{
	char	 out[512];
	json_t	*o;

	(void)state;
	/* log_escape's \xNN of UTF-8 bytes back to the character */
	o = conv("m e v=\"caf\\xc3\\xa9 \\x22q\\x22 \\\\ \\\"\" "
	    "w=\\xe2\\x82\\xac", NULL, sizeof out, out);
	assert_string_equal(str(o, "v"), "caf\xc3\xa9 \"q\" \\ \"");
	assert_string_equal(str(o, "w"), "\xe2\x82\xac");
	json_decref(o);
	/* raw UTF-8 kept; an invalid byte, a control and a cut sequence */
	o = conv("m e v=\"\xc3\xa9t\xc3\xa9\" x=\\xff y=\"\\x01\\x0a\" "
	    "z=\\xc3 s=\\xed\\xa0\\x80", NULL, sizeof out, out);
	assert_string_equal(str(o, "v"), "\xc3\xa9t\xc3\xa9");
	assert_string_equal(str(o, "x"), "\xc3\xbf");	/* U+00FF */
	assert_non_null(strstr(out, "\"x\":\"\\u00ff\""));
	assert_non_null(strstr(out, "\"y\":\"\\u0001\\u000a\""));
	assert_non_null(strstr(out, "\"z\":\"\\u00c3\""));
	assert_non_null(strstr(out, "\"s\":\"\\u00ed\\u00a0\\u0080\""));
	json_decref(o);
	/* a backslash that escapes nothing, bare */
	o = conv("m e p=C:\\dir\\x", NULL, sizeof out, out);
	assert_string_equal(str(o, "p"), "C:\\dir\\x");
	json_decref(o);
}

static void
test_not_form(void **state)
{
	static const char *const lines[] = {
		"",
		"delivery: cannot load",
		"Daemon started",
		"m e key",
		"m e key=\"open",
		"m e  k=v",
		"m e k=v ",
		"m e K=v",
		"m e k=\"v\"x",
		"m e k=\"v\\",
		"m E",
		"m e\tk=v",
	};
	char	 out[512];
	json_t	*o;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof lines / sizeof *lines; i++) {
		o = conv(lines[i], NULL, sizeof out, out);
		assert_string_equal(str(o, "msg"), lines[i]);
		assert_null(json_object_get(o, "module"));
		json_decref(o);
	}
	/* \xNN undone in a line kept whole too */
	o = conv("plain text caf\\xc3\\xa9", NULL, sizeof out, out);
	assert_string_equal(str(o, "msg"), "plain text caf\xc3\xa9");
	json_decref(o);
}

static void
test_keys(void **state)
{
	char	 out[512];
	json_t	*o;

	(void)state;
	/* no member hides another: a key twice, or one of ours */
	o = conv("shelter alert_opened level=2 id=1 id=2 msg=x ts=y",
	    "No such file", sizeof out, out);
	assert_string_equal(str(o, "level"), "info");
	assert_int_equal(json_integer_value(json_object_get(o, "level_")), 2);
	assert_int_equal(json_integer_value(json_object_get(o, "id")), 1);
	assert_int_equal(json_integer_value(json_object_get(o, "id_")), 2);
	assert_string_equal(str(o, "msg_"), "x");
	assert_string_equal(str(o, "ts_"), "y");
	assert_string_equal(str(o, "error"), "No such file");
	json_decref(o);
	/* the line's own error stays "error" without errno */
	o = conv("store close_failed error=\"busy\"", NULL, sizeof out, out);
	assert_string_equal(str(o, "error"), "busy");
	json_decref(o);
	o = conv("store open error=\"busy\"", "Permission denied", sizeof out,
	    out);
	assert_string_equal(str(o, "error_"), "busy");
	assert_string_equal(str(o, "error"), "Permission denied");
	json_decref(o);
}

/* Long lines: never past the buffer, cut between characters, marked. */
static void
test_long(void **state)
{
	char		 line[6000], out[LOG_JSON_MIN + 300];
	const char	*v;
	json_t		*o;
	size_t		 n, len, i;

	(void)state;
	n = (size_t)snprintf(line, sizeof line, "dispatch sent id=1 reply=\"");
	for (i = 0; i < 1500; i++) {
		memcpy(line + n, "\xc3\xa9", 2);	/* é, 2 bytes */
		n += 2;
	}
	memcpy(line + n, "\" after=1", 10);
	for (len = LOG_JSON_MIN; len <= sizeof out; len += 7) {
		memset(out, 'Z', sizeof out);
		o = conv(line, NULL, len, out);
		assert_true(strlen(out) < len);
		assert_true(json_is_true(json_object_get(o, "truncated")));
		assert_null(json_object_get(o, "after"));
		if ((v = json_string_value(json_object_get(o, "reply"))) !=
		    NULL) {
			/* jansson refuses invalid UTF-8: it loaded, so whole */
			assert_true(strlen(v) >= 3);
			assert_string_equal(v + strlen(v) - 3, "...");
		}
		json_decref(o);
	}
	/* a line kept whole and cut; an error that does not fit */
	memset(line, 'a', 5000);
	line[5000] = '\0';
	o = conv(line, "No such file", 300, out);
	assert_true(json_is_true(json_object_get(o, "truncated")));
	assert_null(json_object_get(o, "error"));
	json_decref(o);
	/* too small a buffer: an empty string, never an overflow */
	assert_int_equal(log_json(out, LOG_JSON_MIN - 1, "t", "l", "p", "m e",
	    NULL), 0);
	assert_string_equal(out, "");
}

static void
test_quote(void **state)
{
	char	 buf[32];

	(void)state;
	assert_string_equal(log_quote(buf, sizeof buf, "cl\xc3\xa9 \"x\"\n\\"),
	    "cl\xc3\xa9 \\\"x\\\"\\x0a\\\\");
	assert_string_equal(log_escape(buf, sizeof buf, "cl\xc3\xa9 \"x\""),
	    "cl\\xc3\\xa9 \\x22x\\x22");
	/* a bidirectional override and an invalid byte are escaped */
	assert_string_equal(log_quote(buf, sizeof buf, "a\xe2\x80\xae" "b\xff"),
	    "a\\xe2\\x80\\xaeb\\xff");
	/* cut at a character boundary: never half of é */
	assert_string_equal(log_quote(buf, 5, "ab\xc3\xa9\xc3\xa9"),
	    "ab\xc3\xa9");
	assert_string_equal(log_quote(buf, 4, "ab\xc3\xa9"), "ab");
	assert_string_equal(log_quote(buf, 4, "a\"b"), "a\\\"");
	assert_string_equal(log_quote(buf, 3, "a\"b"), "a");
}

static void
test_format_parse(void **state)
{
	(void)state;
	assert_int_equal(log_format_parse("text"), LOG_FORMAT_TEXT);
	assert_int_equal(log_format_parse("json"), LOG_FORMAT_JSON);
	assert_int_equal(log_format_parse("JSON"), -1);
	assert_int_equal(log_format_parse(""), -1);
	assert_int_not_equal(LOG_FORMAT_TEXT, 0);	/* 0: not chosen */
}

/* Run f with stderr into a pipe; the bytes written, NUL-terminated. */
static void
capture(void (*f)(void), char *buf, size_t len)
{
	int	 p[2], saved;
	ssize_t	 n;

	assert_int_equal(pipe(p), 0);
	saved = dup(STDERR_FILENO);
	dup2(p[1], STDERR_FILENO);
	f();
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(p[1]);
	n = read(p[0], buf, len - 1);
	close(p[0]);
	assert_true(n > 0);
	buf[n] = '\0';
}

static void
emit_warn(void)
{
	errno = ENOENT;
	log_warn("store open_failed file=%s", "/x");
}

static void
emit_long(void)
{
	char	 v[3000];

	memset(v, 'a', sizeof v - 1);
	v[sizeof v - 1] = '\0';
	log_info("dispatch sent id=1 reply=\"%s\"", v);
}

static void
emit_newline(void)
{
	log_info("api request path=\"%s\" status=%d", "/x\n2026 forged\x1b",
	    404);
}

static void
test_writer(void **state)
{
	char		 buf[8192], *p;
	json_error_t	 je;
	json_t		*o;

	(void)state;
	log_init("stoppvifd", 1, LOG_LEVEL_INFO);
	log_setformat(LOG_FORMAT_TEXT);
	capture(emit_warn, buf, sizeof buf);
	p = strstr(buf, " stoppvifd: ");
	assert_non_null(p);
	assert_string_equal(p, " stoppvifd: store open_failed file=/x "
	    "error=\"No such file or directory\"\n");
	/* a cut line keeps the form: its quoted value closed */
	capture(emit_long, buf, sizeof buf);
	assert_true(strlen(buf) <= 2048);
	assert_string_equal(buf + strlen(buf) - 5, "...\"\n");
	/* a raw control character from a careless caller: still one line */
	capture(emit_newline, buf, sizeof buf);
	p = strstr(buf, " stoppvifd: ");
	assert_non_null(p);
	assert_string_equal(p, " stoppvifd: api request path=\"/x?2026 "
	    "forged?\" status=404\n");

	log_setformat(LOG_FORMAT_JSON);
	log_setformat(0);	/* not chosen: stays JSON */
	capture(emit_warn, buf, sizeof buf);
	assert_int_equal(buf[strlen(buf) - 1], '\n');
	o = json_loads(buf, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	assert_non_null(o);
	assert_string_equal(str(o, "level"), "warn");
	assert_string_equal(str(o, "module"), "store");
	assert_string_equal(str(o, "event"), "open_failed");
	assert_string_equal(str(o, "file"), "/x");
	assert_string_equal(str(o, "error"), "No such file or directory");
	json_decref(o);
	capture(emit_long, buf, sizeof buf);
	assert_true(strlen(buf) <= 2048);
	o = json_loads(buf, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	assert_non_null(o);
	json_decref(o);
	log_setformat(LOG_FORMAT_TEXT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_not_form),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_writer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * template.h: the messages the daemon sends, rendered from the files of
 * etc/templates/LANG/KIND.CHANNEL (LANG fr, nl, de, en; French is the
 * default and the fallback of the others).
 *
 *	KIND.email	"Subject: ..." on line 1, a blank line, then the body
 *	KIND.sms	the text, one paragraph (lines are joined, spaces
 *			collapsed, a trailing newline ignored)
 *
 * {name} is a placeholder from a fixed table (template_render.c); {{ and
 * }} write a literal brace.  A placeholder the kind does not offer, an
 * unknown one or a lone brace refuses the file.  SMS texts and subjects may
 * reach a phone that someone else reads: {place}, {link} and {shelter} are
 * refused there, and so are the words of guard_phone_check() (guard.h): in
 * the template's own text, every line of it (an email's first lines show on
 * a lock screen, an alert's are read on phones), and in what is rendered:
 * template_render refuses an SMS text or an email subject that holds one,
 * whatever brought it there (a title, the sender's name).
 *
 * Empty placeholders:
 *   - when an SMS text or a subject begins with a placeholder that renders
 *     empty ({sender} unset), that placeholder and the separator after it
 *     (spaces, then one of ':' ',' '-' '–', then spaces) are dropped, and
 *     the letter that then begins the text, when the template wrote it, is
 *     made a capital: "{sender} : un logement..." is "Un logement...";
 *   - in an email body, a line whose placeholders all render empty (no
 *     place given, no sender) is left out.
 *
 * Every kind offers
 *
 *	{sender}	the name the network signs with ([daemon] sender_name,
 *			set by template_set_sender(); empty by default)
 *
 * A reminder, from the outbox payload ({"title", "start", "end",
 * "offset", "location", "commune"}; needs title and start):
 *
 *	{title}		the event's title
 *	{date}		the start's date in words: mercredi 6 janvier 2027
 *	{time}		the start's time: 14h00, 14.00 uur, 14:00 Uhr, 14:00
 *	{when}		date and time: mercredi 6 janvier 2027 à 14h00
 *	{end_time}	the end's time
 *	{place}		"location, commune" (email bodies only)
 *	{in}		the offset in words: dans 7 jours, demain, in 2 hours;
 *			with "now" (UTC seconds, set by the dispatcher when it
 *			renders) and a message more than 5 minutes late, the
 *			time truly left: dans 20 heures
 *
 * The shelter alerts, from {"code", "link", "shelter", "until",
 * "opened"} (times local with their offset, like a reminder's start):
 *
 *	alert		to each person alerted: a lodging is free, reply
 *			OK {code} (or open {link}) to claim it
 *	alert_confirm	to the claim that won: held for you until {until}
 *	alert_taken	to the others alerted: already claimed
 *	alert_late	to a claim that came after: too late
 *	alert_closed	to everyone alerted, the lodging withdrawn while open
 *	alert_unclear	to a person alerted whose SMS reply was not understood
 *			or carried a wrong code: reply OK {code} ({code}: the
 *			code of this person's alert)
 *	alert_nobody	to the coordinators: nobody answered alert {code}
 *	alert_no_oncall	to the coordinators: nobody on call, alert {code}
 *			went straight to the escalation level
 *	alert_locked	to the coordinators, once per alert: one phone alerted
 *			sent too many wrong codes for alert {code}; its SMS
 *			replies are refused until the next alert
 *
 *	{code}		the code, "482113": the person's own when they were
 *			alerted, else the alert's (all; needed by all)
 *	{link}		the signed link that claims it (alert, email bodies
 *			only)
 *	{shelter}	the shelter's title (all, email bodies only; left out
 *			when guard_phone_check() refuses it)
 *	{until}		when the claim ends, in words, like {when}
 *			(alert_confirm, which needs it)
 *	{opened}	when the alert was opened, in words (alert_nobody,
 *			alert_no_oncall, alert_locked)
 *
 * An alert is urgent: each SMS template of an alert kind must take one
 * message when rendered with the longest plausible params (code "8888",
 * the widest date of its language) and the sender's name, or the file (at
 * load) or the name (template_set_sender) is refused.
 */
#ifndef STOPPVIF_TEMPLATE_H
#define STOPPVIF_TEMPLATE_H

#include <jansson.h>

struct template_set;

/*
 * Load and check every KIND.CHANNEL of every language folder under dir.
 * Every problem is reported, one a line ("dir/fr/reminder.sms:3: unknown
 * placeholder {xyz}"), in *cause (a new string).  A French template missing
 * for a known kind and channel is an error; another language missing one
 * falls back to French.  Returns a new set (template_free) or NULL.
 */
struct template_set *template_load(const char *dir, char **cause);
void	 template_free(struct template_set *);

/*
 * Render kind ("reminder") for channel ("email" or "sms") in lang (NULL or
 * unknown: French; a language without this template: French, dates
 * included) with params, a JSON object the caller keeps.  On success *body
 * is a new string, and *subject too for email (NULL for sms; subject may be
 * NULL then).  Subjects and SMS texts are one line, spaces collapsed; an SMS
 * written with accents outside GSM-7 (ê, ç, û...) loses them when that
 * makes the whole text GSM-7.  An email body ends with a newline.  Missing
 * optional params render empty; a kind's required params (reminder: title
 * and start; an alert: code, and until for alert_confirm) missing, any
 * param of the wrong type or a date-time that does not parse is an error;
 * unknown params are ignored.  An SMS text or a subject that
 * guard_phone_check() refuses is an error too, its cause
 * "phone guard: \"viol\" may not reach a phone (SMS text)" (or "(email
 * subject)").
 * Returns 0, or -1 with *cause set and nothing allocated.
 */
int	 template_render(const struct template_set *, const char *kind,
	    const char *channel, const char *lang, json_t *params,
	    char **subject, char **body, char **cause);

/*
 * Set the name {sender} renders (NULL or "": none, the default), at most
 * TEMPLATE_SENDER_MAX characters on one line.  Refused, with *cause set and
 * the previous name kept: a name that guard_input_check() or
 * guard_phone_check() refuses, or one that would make an alert SMS of some
 * language take more than one message.  The daemon calls it after each
 * template_load() with [daemon] sender_name.  Returns 0 or -1.
 */
#define TEMPLATE_SENDER_MAX	40
int	 template_set_sender(struct template_set *, const char *sender,
	    char **cause);

/*
 * How many SMS segments text (UTF-8) takes: GSM-7 when every character is in
 * the GSM 03.38 default alphabet (those of the extension table, € [ ] { }
 * ^ ~ | \, count 2), 160 septets in one SMS, 153 a part when concatenated;
 * otherwise UCS-2, 70 units alone, 67 a part (a character beyond U+FFFF
 * counts 2).  A character is never split across parts.  "" takes 1.
 */
int	 template_sms_segments(const char *text);

#endif

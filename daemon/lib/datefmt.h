/*
 * datefmt.h: dates and times written the way people of each language write
 * them, for messages and for stoppvifctl's agenda:
 *	fr  mercredi 7 janvier 2026 à 14h00     mer. 7 janv. 2026 14:00
 *	nl  woensdag 7 januari 2026 om 14.00 uur wo 7 jan. 2026 14:00
 *	de  Mittwoch, 7. Januar 2026 um 14:00 Uhr Mi., 7. Jan. 2026 14:00
 *	en  Wednesday 7 January 2026 at 14:00   Wed 7 Jan 2026 14:00
 * An unknown language falls back to French, the network's language.
 */
#ifndef STOPPVIF_DATEFMT_H
#define STOPPVIF_DATEFMT_H

#include <stddef.h>

struct recur_civil;

enum datefmt_style {
	DATEFMT_LONG,		/* weekday, date and time, in words */
	DATEFMT_SHORT,		/* abbreviated, for tables */
	DATEFMT_DATE,		/* weekday and date, in words */
	DATEFMT_TIME,		/* the time alone: 14h00, 14.00 uur */
};

#define DATEFMT_LEN	96

/* Format c in lang ("fr", "nl", "de", "en") into buf; returns buf. */
const char	*datefmt(const char *lang, enum datefmt_style,
		    const struct recur_civil *c, char *buf, size_t len);
/* The name of month (1 to 12) in lang, abbreviated ("janv.") or not
 * ("janvier"); "?" out of range. */
const char	*datefmt_month(const char *lang, int month, int abbr);

#endif

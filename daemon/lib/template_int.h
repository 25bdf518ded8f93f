/*
 * template_int.h: what the parts of the template module share: the tables
 * of languages and kinds and the compiled set (template.c), loading and
 * checking the files (template_load.c), the placeholders and rendering
 * (template_render.c), and the text rules (template_text.c: values,
 * one-line texts, GSM 03.38).  Not a module contract: see template.h.
 */
#ifndef STOPPVIF_TEMPLATE_INT_H
#define STOPPVIF_TEMPLATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "chan.h"
#include "lang.h"

/* ---- the tables (template.c) ---- */

/* The languages are lang.h's: French (LANG_FR) first, required, the
 * fallback. */

/* The kinds of message, one bit each. */
#define K_REMINDER		0x01
#define K_ALERT			0x02	/* a lodging is free: claim it */
#define K_ALERT_CONFIRM		0x04	/* to the claim that won */
#define K_ALERT_TAKEN		0x08	/* to the others alerted */
#define K_ALERT_LATE		0x10	/* to a claim after it was taken */
#define K_ALERT_CLOSED		0x20	/* withdrawn while the alert was open */
#define K_ALERT_NOBODY		0x40	/* to the coordinators: no answer */
#define K_ALERT_NO_ONCALL	0x80	/* to the coordinators: none on call */
#define K_ALERT_UNCLEAR		0x100	/* a reply not understood */
#define K_ALERT_LOCKED		0x200	/* to the coordinators: wrong codes */
/* The coordinators' kinds, which say when the alert was opened. */
#define K_OPENED		(K_ALERT_NOBODY | K_ALERT_NO_ONCALL | \
				 K_ALERT_LOCKED)
/* The shelter alert kinds: urgent, so each SMS must be one message. */
#define K_ALERTS		(K_ALERT | K_ALERT_CONFIRM | K_ALERT_TAKEN | \
				 K_ALERT_LATE | K_ALERT_CLOSED | \
				 K_ALERT_UNCLEAR | K_OPENED)
#define K_NOTICE		0x400	/* stands for an email that could not
					 * be encrypted: email only */
#define K_ALARM			0x800	/* the dead-man's switch: broken */
#define K_ALARM_CLEAR		0x1000	/* the dead-man's switch: rétabli */
#define K_ALARMS		(K_ALARM | K_ALARM_CLEAR)
/* Urgent kinds: each SMS must take one message. */
#define K_ONE_SMS		(K_ALERTS | K_ALARMS)
#define K_ALL			(K_REMINDER | K_ALERTS | K_NOTICE | K_ALARMS)

/* A kind of message: each needs KIND.email and KIND.sms in French
 * (notice: notice.email only). */
struct tkind {
	const char		*name;
	unsigned		 bit;
	const char *const	*needs;		/* params that must be given */
};
#define TEMPLATE_NKINDS		13
extern const struct tkind template_kinds[TEMPLATE_NKINDS];

/* The index of the kind named by the len bytes at kind, or -1. */
int	 template_kind_find(const char *kind, size_t len);

/* ---- compiled templates ---- */

struct rctx;

/*
 * A placeholder (template_render.c): its name, its meaning, the kinds that
 * offer it, whether it may reach a phone (SMS texts and subjects), and how
 * its value is made from the params of a rendering.
 */
struct tph {
	const char	*name;
	const char	*what;
	unsigned	 kinds;
	int		 phone;
	char		*(*fill)(const struct rctx *);
};

/* Literal text, or a placeholder. */
struct tpart {
	const struct tph	*ph;		/* NULL: literal text */
	char			*text;
};

struct tline {
	struct tpart		*parts;
	size_t			 nparts;
};

struct tmpl {
	int			 loaded;
	struct tline		 subject;	/* email */
	struct tline		*lines;		/* the body, or the SMS text */
	size_t			 nlines;
};

/* A loaded set: a template by language, kind and channel. */
struct template_set {
	struct tmpl	 t[LANG_COUNT][TEMPLATE_NKINDS][CHAN_COUNT];
	char		*sender;	/* {sender}, never NULL */
};

/* Free what t holds and zero it. */
void	 template_tmpl_free(struct tmpl *t);

/* ---- rendering (template_render.c) ---- */

/* The placeholder called by the len bytes at name, or NULL. */
const struct tph *template_ph_find(const char *name, size_t len);

/*
 * The SMS segments the alert SMS template t of kind k in lang takes with
 * the longest plausible params and sender; -1 with *why set when they do
 * not render.
 */
int	 template_alert_segments(const struct tmpl *t, const struct tkind *k,
	    int lang, const char *sender, char **why);

/* ---- text rules (template_text.c) ---- */

/* A growing string. */
struct tbuf {
	char	*s;
	size_t	 len, cap;
};

void	 template_tbuf_add(struct tbuf *, const char *, size_t);
/* The string built so far, handed over (never NULL); b is left empty. */
char	*template_tbuf_take(struct tbuf *);
/* A param value safe to insert (new string). */
char	*template_clean_value(const char *);
/* s on one line, spaces collapsed (new string). */
char	*template_one_line(const char *s);
/* An SMS text made GSM-7 when dropping accents gets it there: takes s,
 * returns a new string. */
char	*template_sms_gsm(char *s);

#endif

/*
 * chan.h: the channels a message can take, written once.
 *
 * Every module that names a channel (the outbox rows, the dispatcher's
 * queues, the plugins it loads, the templates, the events' channel lists,
 * the alerts) goes through this table: its index (enum chan), its bit in a
 * set of channels (CHAN_BIT), its name in the configuration, the API and the
 * database ("email", "sms"), and the field of a person that reaches it.
 */
#ifndef STOPPVIF_CHAN_H
#define STOPPVIF_CHAN_H

enum chan {
	CHAN_EMAIL,
	CHAN_SMS,
	CHAN_COUNT
};

#define CHAN_BIT(c)	(1u << (c))
#define CHAN_ALL	((1u << CHAN_COUNT) - 1)

/* "email" or "sms". */
const char	*chan_name(enum chan);
/* The channel called name, or -1 when none is. */
int		 chan_parse(const char *name);
/* The person's field that reaches the channel: "email" or "phone". */
const char	*chan_address(enum chan);
/* The other channel (the fallback of an urgent message). */
enum chan	 chan_other(enum chan);
/* The names, comma-separated, for messages: "email, sms". */
const char	*chan_list(void);

#endif

/*
 * chan.c: the one table of channels (chan.h).
 */
#include <stddef.h>
#include <string.h>

#include "chan.h"
#include "util.h"

static const struct {
	const char	*name;
	const char	*address;
} chans[CHAN_COUNT] = {
	[CHAN_EMAIL] = { "email", "email" },
	[CHAN_SMS] = { "sms", "phone" },
};

const char *
chan_name(enum chan c)
{
	return chans[c].name;
}

int
chan_parse(const char *name)
{
	int	 c;

	for (c = 0; c < CHAN_COUNT; c++)
		if (name != NULL && strcmp(name, chans[c].name) == 0)
			return c;
	return -1;
}

const char *
chan_address(enum chan c)
{
	return chans[c].address;
}

enum chan
chan_other(enum chan c)
{
	return c == CHAN_EMAIL ? CHAN_SMS : CHAN_EMAIL;
}

const char *
chan_list(void)
{
	static char	 list[64];
	int		 c;

	if (list[0] == '\0')
		for (c = 0; c < CHAN_COUNT; c++) {
			if (c > 0)
				util_strlcat(list, ", ", sizeof list);
			util_strlcat(list, chans[c].name, sizeof list);
		}
	return list;
}

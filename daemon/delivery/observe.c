/*
 * observe.c: the observers of message outcomes (observe.h).
 */
#include <stddef.h>
#include <string.h>

#include "log.h"
#include "observe.h"

static struct {
	observe_fn	 fn;
	void		*arg;
} observers[OBSERVE_MAX];
static int	 nobservers;

static const char *const obs_names[OBS_COUNT] = {
	[OBS_SENT] = "sent", [OBS_RETRY] = "retry", [OBS_FAILED] = "failed",
	[OBS_DEFERRED] = "deferred", [OBS_DELIVERED] = "delivered",
	[OBS_UNDELIVERED] = "undelivered", [OBS_NO_REPORT] = "no_report",
	[OBS_FALLBACK] = "fallback",
};

void
observe_add(observe_fn fn, void *arg)
{
	if (nobservers == OBSERVE_MAX)
		fatalx("observe too_many max=%d", OBSERVE_MAX);
	observers[nobservers].fn = fn;
	observers[nobservers].arg = arg;
	nobservers++;
}

void
observe_remove(observe_fn fn, void *arg)
{
	int	 i;

	for (i = 0; i < nobservers; i++)
		if (observers[i].fn == fn && observers[i].arg == arg) {
			memmove(&observers[i], &observers[i + 1],
			    (size_t)(nobservers - i - 1) * sizeof observers[0]);
			nobservers--;
			return;
		}
}

void
observe(const struct obs *o)
{
	int	 i;

	for (i = 0; i < nobservers; i++)
		observers[i].fn(observers[i].arg, o);
}

const char *
observe_name(enum obs_kind k)
{
	return k >= 0 && k < OBS_COUNT ? obs_names[k] : "unknown";
}

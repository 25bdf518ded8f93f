/*
 * shelter_state.c: a shelter's states, the causes of its moves and the
 * moves it may make, each written once.  The names are those of the
 * database (shelters.state, shelter_history), the API and the log.  Pure:
 * no store, no clock; shelter.c does what a move implies.
 */
#include <stddef.h>
#include <string.h>

#include "shelter_int.h"
#include "util.h"

static const struct {
	const char	*name;
	const char	*words;		/* in a French sentence */
} sstates[SS_COUNT] = {
	[SS_OCCUPIED] = { "occupied", "occupé" },
	[SS_VACANT] = { "vacant", "libre (alerte ouverte)" },
	[SS_RESERVED] = { "reserved", "réservé" },
	[SS_UNAVAILABLE] = { "unavailable", "indisponible" },
};

static const struct {
	const char	*name;
	int		 command;	/* a coordinator may ask for it */
} scauses[SC_COUNT] = {
	[SC_VACATE] = { "vacate", 1 },
	[SC_CLAIM] = { "claim", 0 },
	[SC_OCCUPY] = { "occupy", 1 },
	[SC_UNAVAILABLE] = { "unavailable", 1 },
	[SC_HOLD_EXPIRED] = { "hold_expired", 0 },
	[SC_CONFIGURED] = { "configured", 0 },	/* its first row */
};

/* The moves a shelter may make. */
static const struct smove {
	enum sstate	 from;
	enum scause	 cause;
	enum sstate	 to;
} smoves[] = {
	{ SS_OCCUPIED, SC_VACATE, SS_VACANT },
	{ SS_UNAVAILABLE, SC_VACATE, SS_VACANT },
	{ SS_RESERVED, SC_VACATE, SS_VACANT },		/* the claim fell through */
	{ SS_VACANT, SC_CLAIM, SS_RESERVED },
	{ SS_RESERVED, SC_OCCUPY, SS_OCCUPIED },
	{ SS_VACANT, SC_OCCUPY, SS_OCCUPIED },		/* housed another way */
	{ SS_UNAVAILABLE, SC_OCCUPY, SS_OCCUPIED },
	{ SS_OCCUPIED, SC_UNAVAILABLE, SS_UNAVAILABLE },
	{ SS_VACANT, SC_UNAVAILABLE, SS_UNAVAILABLE },
	{ SS_RESERVED, SC_UNAVAILABLE, SS_UNAVAILABLE },
	{ SS_RESERVED, SC_HOLD_EXPIRED, SS_VACANT },
};
#define NSMOVES	(sizeof smoves / sizeof smoves[0])

const char *
shelter_state_name(enum sstate state)
{
	return sstates[state].name;
}

const char *
shelter_state_words(enum sstate state)
{
	return sstates[state].words;
}

enum sstate
shelter_state_parse(const char *name)
{
	int	 i;

	for (i = 0; i < SS_COUNT; i++)
		if (strcmp(sstates[i].name, name) == 0)
			return i;
	return SS_OCCUPIED;
}

const char *
shelter_cause_name(enum scause cause)
{
	return scauses[cause].name;
}

int
shelter_command_parse(const char *name)
{
	int	 i;

	for (i = 0; i < SC_COUNT; i++)
		if (scauses[i].command && strcmp(scauses[i].name, name) == 0)
			return i;
	return -1;
}

int
shelter_move_find(enum sstate from, enum scause cause, enum sstate *to)
{
	size_t	 i;

	for (i = 0; i < NSMOVES; i++)
		if (smoves[i].from == from && smoves[i].cause == cause) {
			*to = smoves[i].to;
			return 0;
		}
	return -1;
}

void
shelter_allowed(enum sstate state, char *buf, size_t len)
{
	size_t	 i;

	*buf = '\0';
	for (i = 0; i < NSMOVES; i++) {
		if (smoves[i].from != state || !scauses[smoves[i].cause].command)
			continue;
		if (*buf != '\0')
			util_strlcat(buf, ", ", len);
		util_strlcat(buf, scauses[smoves[i].cause].name, len);
	}
	if (state == SS_VACANT)
		util_strlcat(buf, ", alerts ack CODE", len);
}

/*
 * audience.c: the roles and the one audience parser (audience.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audience.h"
#include "util.h"

const char *const audience_roles[] = {
	"referent", "platform", "oncall", "coordinator", "animator", "partner",
	NULL
};

int
audience_role(const char *role)
{
	int	 i;

	for (i = 0; audience_roles[i] != NULL; i++)
		if (strcmp(audience_roles[i], role) == 0)
			return i;
	return -1;
}

const char *
audience_role_list(void)
{
	static char	 list[128];

	return list[0] != '\0' ? list : util_join(list, sizeof list,
	    audience_roles);
}

int
audience_item_parse(const char *item, struct audience_item *it)
{
	it->role = -1;
	it->person = 0;
	if (strncmp(item, "role:", 5) == 0 &&
	    (it->role = audience_role(item + 5)) >= 0)
		return 0;
	if (strncmp(item, "person:", 7) == 0 &&
	    util_parse_int(item + 7, 1, INT64_MAX, &it->person) == 0)
		return 0;
	return -1;
}

int
audience_parse(const char *list, size_t max, struct audience_item **items,
    size_t *n, char **bad)
{
	char	*copy, *tok, *save = NULL;
	int	 rc = 0;

	*items = NULL;
	*n = 0;
	*bad = NULL;
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL && rc == 0;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (*n == max) {
			rc = -1;
			break;
		}
		*items = xreallocarray(*items, *n + 1, sizeof **items);
		if ((rc = audience_item_parse(tok, &(*items)[*n])) == 0)
			(*n)++;
		else
			*bad = xstrdup(tok);
	}
	free(copy);
	if (rc == -1) {
		free(*items);
		*items = NULL;
		*n = 0;
	}
	return rc;
}

const char *
audience_item_text(const struct audience_item *it, char *buf, size_t len)
{
	if (it->role >= 0)
		snprintf(buf, len, "role:%s", audience_roles[it->role]);
	else
		snprintf(buf, len, "person:%lld", (long long)it->person);
	return buf;
}

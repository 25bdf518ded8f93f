/*
 * duration.h: human durations as the contracts write them: "90s", "30m",
 * "2h", "7d", and combinations such as "1d12h".
 */
#ifndef STOPPVIF_DURATION_H
#define STOPPVIF_DURATION_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse s into seconds.  Units s, m, h, d (and w for weeks), each at most
 * once and in decreasing order; a bare number, an unknown unit, a repeated
 * unit or an overflow is refused with *cause set (no "field:" prefix).
 * Returns 0 or -1.
 */
int	duration_parse(const char *s, int64_t *seconds, char **cause);

/* Format seconds back into the shortest combined form ("1d12h", "0s"). */
const char *duration_format(int64_t seconds, char *buf, size_t len);

#endif

/*
 * privdrop.h: what stoppvifd gives up at start.
 *
 * Always: it is not dumpable (no core file, no ptrace or /proc reading by
 * processes of the same user) from its first instruction.  Started as root
 * with [daemon] user set: the folders it writes are made for that user (or
 * checked to be its own), then it takes that user's groups, gid and uid for
 * good, before it opens the database, the master key, the plugins or any
 * socket.  Every failure stops it, with the fix in French.
 */
#ifndef STOPPVIF_PRIVDROP_H
#define STOPPVIF_PRIVDROP_H

#include <sys/types.h>

struct config;

/* Not dumpable, no core file: first thing in main().  fatal() on failure. */
void	privdrop_harden(void);

/*
 * Right after the configuration is read, before anything else is checked
 * or opened, for -t (check) as for the start.  As root with [daemon] user:
 * the folders the daemon writes must be that user's (at start, the
 * missing ones are made for it), then the daemon becomes that user, so
 * that what follows is read and checked as the daemon will read it.  As
 * root without it: a warning (at start).  With user but not root: the
 * daemon must already be that user (at start).  With user, listening
 * ports under 1024 are refused: the listeners open after the drop.
 *
 * Returns 0, or -1 with *cause, one problem a line (-t: the drop is done
 * all the same).  At start every problem is fatal, with what to do.
 */
int	privdrop_start(const struct config *, int check, char **cause);

#endif

/*
 * ctl_backup.c: the stoppvifctl command that has the daemon copy its
 * database while it runs:
 *
 *	backup FILE [--force]
 *
 * The daemon writes FILE itself, as its own user, so the path is made
 * absolute here.  It answers at once and copies a few pages per turn of
 * its loop; this asks how it goes until it is done or failed, and gives up
 * when nothing moved for CTL_BACKUP_STALL seconds.  The key is not in the
 * backup: the command says so, naming the key file to keep elsewhere.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl_cmd.h"
#include "ctl_io.h"
#include "util.h"

#define CTL_BACKUP_POLL_MS	100	/* between two questions */
#define CTL_BACKUP_STALL	60	/* seconds without a page copied */

/* FILE as an absolute path (new string). */
static char *
ctl_backup_path(const char *file)
{
	char	*cwd, *path;

	if (*file == '/')
		return xstrdup(file);
	if ((cwd = getcwd(NULL, 0)) == NULL)
		ctl_die(EXIT_REFUSED, "dossier courant illisible (%s) : donnez "
		    "un chemin absolu", strerror(errno));
	xasprintf(&path, "%s/%s", cwd, file);
	free(cwd);
	return path;
}

/* Monotonic seconds. */
static double
ctl_backup_now(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * Ask the daemon how backup id goes until it is no longer running; the
 * last answer.  Exits 1 when it stalls or another backup took its place.
 */
static json_t *
ctl_backup_wait(struct ctl *c, json_t *ans)
{
	const struct timespec	 pause = { 0, CTL_BACKUP_POLL_MS * 1000000L };
	long long		 id = ctl_num(ans, "id"), pages = -1;
	double			 moved = ctl_backup_now();

	while (ctl_str(ans, "state") != NULL &&
	    strcmp(ctl_str(ans, "state"), "running") == 0) {
		if (ctl_num(ans, "pages") != pages) {
			pages = ctl_num(ans, "pages");
			moved = ctl_backup_now();
		} else if (ctl_backup_now() - moved > CTL_BACKUP_STALL)
			ctl_die(EXIT_REFUSED, "la sauvegarde n'avance plus "
			    "depuis %d s (%lld pages sur %lld) : voyez le "
			    "journal du démon", CTL_BACKUP_STALL, pages,
			    ctl_num(ans, "pages_total"));
		nanosleep(&pause, NULL);
		json_decref(ans);
		ans = ctl_call(c, "GET", "/v1/backup", NULL);
		if (ctl_num(ans, "id") != id)
			ctl_die(EXIT_REFUSED, "une autre sauvegarde a commencé "
			    "entre-temps : voyez le journal du démon pour "
			    "celle-ci");
	}
	return ans;
}

/* What the backup became, for people; the exit code. */
static int
ctl_backup_print(json_t *ans)
{
	const char	*state = ctl_str(ans, "state");

	if (state == NULL || strcmp(state, "done") != 0) {
		fprintf(stderr, "stoppvifctl: sauvegarde échouée : %s\n",
		    ctl_str(ans, "error") ? ctl_str(ans, "error") : "?");
		return EXIT_REFUSED;
	}
	printf("sauvegarde faite : %s (%.1f Mo, %lld pages, %.1f s)\n",
	    ctl_str(ans, "file"), (double)ctl_num(ans, "bytes") / 1e6,
	    ctl_num(ans, "pages_total"), json_number_value(json_object_get(ans,
	    "seconds")));
	printf("la clé n'est pas dans la sauvegarde : gardez une copie de %s "
	    "ailleurs, séparément\n", ctl_str(ans, "key_file") ?
	    ctl_str(ans, "key_file") : "la clé ([crypto] key_file)");
	return 0;
}

int
ctl_backup(struct ctl *c, const struct ctl_cmd *cmd, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	json_t	*body, *ans;
	char	*path;
	int	 ch, force = 0, rc;

	optind = 0;	/* GNU getopt permutes: --force may come first */
	while ((ch = getopt_long(argc + 1, argv - 1, "", opts, NULL)) != -1) {
		if (ch != 'F')
			ctl_cmd_usage(cmd);
		force = 1;
	}
	if (argc + 1 - optind != 1 || *argv[optind - 1] == '\0')
		ctl_cmd_usage(cmd);
	path = ctl_backup_path(argv[optind - 1]);
	body = json_pack("{sb}", "force", force);
	ctl_body_set(body, "file", path);
	free(path);
	ans = ctl_call(c, "POST", "/v1/backup", body);
	json_decref(body);
	ans = ctl_backup_wait(c, ans);
	if (c->json) {
		rc = strcmp(ctl_str(ans, "state") ? ctl_str(ans, "state") : "",
		    "done") == 0 ? 0 : EXIT_REFUSED;
		ctl_print_json(ans);
		json_decref(ans);
		return rc;
	}
	rc = ctl_backup_print(ans);
	json_decref(ans);
	return rc;
}

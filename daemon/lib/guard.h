/*
 * guard.h: two checks on text.  Pure code (libunistring for Unicode), shared
 * by the daemon and the client.
 *
 * guard_phone_check() keeps off a phone the words that say what a message
 * is about (violence, victime, geweld, Opfer, shelter, the acronym VIF...):
 * an SMS text and an email subject show on a lock screen, and the person
 * who reads that screen may be the abuser.  It is applied to what is really
 * sent (template_render checks the final SMS text and subject), so that no
 * later transformation can bring a word back.
 *
 * guard_input_check() refuses, in every text field that arrives from a
 * user (an API request, a calendar file, a configuration value), what a
 * person cannot see: invalid UTF-8, control characters, invisible and
 * direction-changing characters, private-use and non-characters.  Its
 * messages are French, written for a social worker.
 *
 * The word list is process-wide state: the built-in list (guard.c) plus the
 * extra entries of the configuration ([privacy] phone_words), which the
 * daemon sets with guard_words_set() at start and at each reload.  Not
 * thread-safe; the daemon and the client are single-threaded.
 *
 * Text is compared after folding: decoded from UTF-8 (an invalid byte
 * separates words), NFKD (compatibility forms such as fullwidth or
 * mathematical letters become plain ones), combining marks and invisible
 * characters dropped, look-alikes from other scripts mapped to Latin
 * (Cyrillic о, Greek ο...), lower case; anything but a-z and 0-9 separates
 * words.  It is then matched as written, with digits and signs read as
 * letters (v1olence, vi0l, @buse), with the separators between words
 * squeezed out for entries of 6 letters or more (V.i.o.l.e.n.c.e, Vio lence)
 * and with letters written one by one joined (V.I.F., V I F).
 *
 * An entry of the list is one of:
 *
 *	word		that word alone, or followed by s, e, es, en or n
 *			(victime, victimes)
 *	stem*		any word that begins with stem (maltraitance)
 *	*stem		any word that ends with stem, or with stem then s,
 *			e, es, en or n (Gewaltopfer, Gewaltopfern)
 *	*stem*		stem anywhere in a word (Partnergewalt, huiselijkgeweld)
 *	two words	those words one after the other, each as a word entry,
 *			and the words written together (safe house, safehouse)
 *
 * Entries hold letters, spaces between words and '*' at the ends only; case
 * and accents do not count; at least 3 letters.
 */
#ifndef STOPPVIF_GUARD_H
#define STOPPVIF_GUARD_H

/*
 * Whether text may be shown on a phone: 0, or -1 with *cause (when cause is
 * not NULL) set to "\"ENTRY\" may not reach a phone", ENTRY the list entry
 * found as written in the list ("violen*", "vif").  NULL is "".
 */
int	 guard_phone_check(const char *text, char **cause);

/*
 * Whether text may be stored as a user's field: 0, or -1 with *cause set to
 * a French message naming the character and its position, counted in
 * characters from 1 ("caractère invisible U+200B (espace sans largeur) en
 * position 4 : retirez-le (il vient souvent d'un copier-coller)").  Tabs
 * are allowed, line breaks (LF, CR) only when multiline is set.  Emoji
 * keep their variation selector (U+FE0F) and the joiner (U+200D) between
 * two of them.  NULL is "".
 */
int	 guard_input_check(const char *text, int multiline, char **cause);

/*
 * Check list, entries separated by commas ("a, b*, *c*, safe house"; empty
 * pieces are skipped): 0, or -1 with *cause naming the first bad entry.
 */
int	 guard_words_check(const char *list, char **cause);

/*
 * Check list like guard_words_check() and make its entries the extra words
 * of guard_phone_check(), in place of the previous extra words (NULL or ""
 * clears them).  On error the previous extra words stay.
 */
int	 guard_words_set(const char *list, char **cause);

#endif

/* quote: strings written into another language, as data, never as code.
 *
 * One function per language; every string a writer splices into a gnuplot
 * script, a gnuplot data table, a shell script or a terminal goes through
 * the one for that language, whatever its origin (a configuration, a
 * results file someone else made, a path on the command line).  Names are
 * also checked when read (base/name.h), but the quoting does not rely on it.
 *
 * The buffer versions write a NUL-terminated result to out[cap] and return
 * out.  Control characters (U+0000..U+001F, DEL, U+0080..U+009F) and bytes
 * that are not UTF-8 never come through as they are.
 */
#ifndef BS_QUOTE_H
#define BS_QUOTE_H

#include <stddef.h>

/* Room for the quoted form of any string of n bytes, uncut (gnuplot: a '
 * takes 7 bytes; shell: 4; print: at most 4 a byte). */
#define QUOTE_ROOM(n) (7 * (n) + 8)

/* A gnuplot string: 'text', with control characters and stray bytes
 * replaced by '?'; a text holding ' is an expression of single-quoted
 * parts joined by "'" ('' does not work after another '), in parentheses:
 * ('it'."'".'s').  gnuplot does no backquote, macro (@) or backslash
 * substitution inside single quotes nor in "'", and the result holds no
 * newline, so it is also safe in a comment.  Cut (ending "...'") if it does
 * not fit; cap >= 8. */
const char *quote_gp(char *out, size_t cap, const char *s);

/* A field of a gnuplot data file's header ("columnheader"): "text", with "
 * replaced by ' and control characters, stray bytes by '?', so that a name
 * with spaces is still one column.  Cut like quote_gp. */
const char *quote_gp_data(char *out, size_t cap, const char *s);

/* A shell word: 'text', with ' as '\''.  Everything else (a newline too)
 * is literal inside single quotes.  -1 if it does not fit, else 0. */
int quote_sh(char *out, size_t cap, const char *s);

/* For a terminal: the text with \\, \n, \t, \r, \xNN (other control
 * characters and stray bytes) and \u0085-style C1 controls escaped, so that
 * nothing printed can move the cursor or change the terminal.  Cut (ending
 * "...") if it does not fit; cap >= 8. */
const char *quote_print(char *out, size_t cap, const char *s);

/* Whether s holds a control character or a byte that is not UTF-8. */
int quote_has_control(const char *s);

#endif

/* name: what a name from a configuration may contain.
 *
 * Every name a configuration gives (the scenario's, apps', regions', ISPs',
 * VPN protocols', network nodes', the names in event lists, a sweep's name,
 * a sweep parameter's path) is data that ends up in results files, data
 * tables, gnuplot scripts and terminals.  The one rule: printable UTF-8
 * (spaces allowed) with no control character (U+0000..U+001F, U+007F,
 * U+0080..U+009F: no newline, tab or escape), at most a given number of
 * bytes (a world name: W_NAME - 1 = 31).  A name that also names a file or
 * folder (the scenario's, the sweep's) must not be empty, hold "/" or be
 * "." or "..".  Writers still escape every name for the language they
 * write (base/quote.h): the rule keeps the data sane, the quoting keeps it
 * data.
 */
#ifndef BS_NAME_H
#define BS_NAME_H

#include <stddef.h>

/* 0 if `s` is a good name of at most `max` bytes (`file`: also usable as a
 * file or folder name); -1 otherwise, with the reason ("holds a control
 * character (byte 3)") in why[size]. */
int name_check(const char *s, size_t max, int file, char *why, size_t size);

/* Length in bytes of the valid UTF-8 sequence at s (1..4), 0 if the bytes
 * there are not one (a stray, overlong or truncated sequence, a surrogate,
 * or beyond U+10FFFF).  Sets *cp to the code point. */
int name_utf8_len(const char *s, unsigned *cp);

/* Whether code point cp is a control character (C0, DEL or C1). */
int name_is_control(unsigned cp);

#endif

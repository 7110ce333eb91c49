/* Unit tests for the name rule (base/name.h) and the quoting of strings for
 * gnuplot, gnuplot data files, the shell and terminals (base/quote.h).
 *
 * Expected values are written out by hand from the rules in the headers:
 * gnuplot single quotes with a ' spliced in as "'" in a parenthesised
 * expression (gnuplot ends '' after another '), '?' for control characters
 * and bytes that are not UTF-8; the shell's '\''; C-style escapes for the
 * terminal.  That the gnuplot and shell forms are data when run is checked
 * end to end by tests/e2e/hostile_names.py.
 */
#include <setjmp.h> /* before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "base/name.h"
#include "base/quote.h"

static int bad(const char *s, size_t max, int file)
{
    char why[160];
    return name_check(s, max, file, why, sizeof why) != 0;
}

static void name_rule(void **state)
{
    (void)state;
    assert_false(bad("whatsapp", 31, 0));
    assert_false(bad("saint-petersburg mobile", 31, 0)); /* spaces are printable */
    assert_false(bad("Сбер", 31, 0));                    /* UTF-8, 8 bytes */
    assert_false(bad("`x` ';\"$(y)", 31, 0));            /* printable: quoting's job */
    assert_false(bad("", 31, 0));                        /* "": none, where optional */
    assert_true(bad("a\nb", 31, 0));
    assert_true(bad("a\tb", 31, 0));
    assert_true(bad("\x1b[31m", 31, 0));
    assert_true(bad("a\x7f", 31, 0));
    assert_true(bad("\xc2\x85", 31, 0));     /* U+0085 (NEL), a C1 control */
    assert_true(bad("a\xff", 31, 0));        /* not UTF-8 */
    assert_true(bad("\xc0\xaf", 31, 0));     /* overlong "/" */
    assert_true(bad("\xed\xa0\x80", 31, 0)); /* a surrogate */
    assert_true(bad("\xe2\x82", 31, 0));     /* truncated */
    char name[40];
    memset(name, 'a', sizeof name);
    name[31] = '\0';
    assert_false(bad(name, 31, 0)); /* 31 bytes: W_NAME - 1 */
    name[31] = 'a';
    name[32] = '\0';
    assert_true(bad(name, 31, 0));
    /* file names */
    assert_false(bad("no-block", 31, 1));
    assert_false(bad("...", 31, 1));
    assert_true(bad("..", 31, 1));
    assert_true(bad(".", 31, 1));
    assert_true(bad("", 31, 1));
    assert_true(bad("a/b", 31, 1));
    assert_false(bad("a/b", 31, 0));
}

static void gnuplot(void **state)
{
    (void)state;
    char b[QUOTE_ROOM(64)];
    assert_string_equal(quote_gp(b, sizeof b, "max"), "'max'");
    assert_string_equal(quote_gp(b, sizeof b, ""), "''");
    assert_string_equal(quote_gp(b, sizeof b, "it's"), "('it'.\"'\".'s')");
    assert_string_equal(quote_gp(b, sizeof b, "'x''"),
                        "(''.\"'\".'x'.\"'\".''.\"'\".'')");
    assert_string_equal(quote_gp(b, sizeof b, "a\n!touch C"), "'a?!touch C'");
    assert_string_equal(quote_gp(b, sizeof b, "`x` \"y\" $z @w \\n"), "'`x` \"y\" $z @w \\n'");
    assert_string_equal(quote_gp(b, sizeof b, "\xff\xc2\x85Ü"), "'??Ü'");
    /* cut: whole characters, then ... and the closing quote */
    char small[12];
    assert_string_equal(quote_gp(small, sizeof small, "abcdefghijkl"), "'abcde...'"); /* room kept for "...')" */
    assert_string_equal(quote_gp(small, sizeof small, "ab'cdefghij"), "('ab...')"); /* a ' (7 bytes) does not fit */
    char all[QUOTE_ROOM(3)]; /* QUOTE_ROOM is room for the worst case, uncut */
    assert_string_equal(quote_gp(all, sizeof all, "'''"),
                        "(''.\"'\".''.\"'\".''.\"'\".'')");
    char utf[10];
    assert_string_equal(quote_gp(utf, sizeof utf, "aÜÜÜÜ"), "'aÜ...'");
}

static void gnuplot_data(void **state)
{
    (void)state;
    char b[QUOTE_ROOM(64)];
    assert_string_equal(quote_gp_data(b, sizeof b, "sp ace"), "\"sp ace\"");
    assert_string_equal(quote_gp_data(b, sizeof b, "a\"b'c"), "\"a'b'c\"");
    assert_string_equal(quote_gp_data(b, sizeof b, "tg\n!x\t"), "\"tg?!x?\"");
}

static void shell(void **state)
{
    (void)state;
    char b[QUOTE_ROOM(64)];
    assert_int_equal(quote_sh(b, sizeof b, "/a b/$(x)`y`"), 0);
    assert_string_equal(b, "'/a b/$(x)`y`'");
    assert_int_equal(quote_sh(b, sizeof b, "it's"), 0);
    assert_string_equal(b, "'it'\\''s'");
    assert_int_equal(quote_sh(b, sizeof b, "a\nb"), 0);
    assert_string_equal(b, "'a\nb'"); /* literal inside single quotes */
    char small[6];
    assert_int_equal(quote_sh(small, sizeof small, "abcd"), -1); /* never cut */
    assert_int_equal(quote_sh(small, sizeof small, "abc"), 0);
    assert_string_equal(small, "'abc'");
    assert_false(quote_has_control("/tmp/it's a dir"));
    assert_true(quote_has_control("/tmp/dir\nx"));
    assert_true(quote_has_control("/tmp/\xff"));
}

static void terminal(void **state)
{
    (void)state;
    char b[QUOTE_ROOM(64)];
    assert_string_equal(quote_print(b, sizeof b, "plain Ü"), "plain Ü");
    assert_string_equal(quote_print(b, sizeof b, "a\nb\tc\rd\\e"), "a\\nb\\tc\\rd\\\\e");
    assert_string_equal(quote_print(b, sizeof b, "\x1b[31m\x7f"), "\\x1b[31m\\x7f");
    assert_string_equal(quote_print(b, sizeof b, "\xc2\x85\xff"), "\\u0085\\xff");
    char small[8];
    assert_string_equal(quote_print(small, sizeof small, "abcdefghij"), "abcd...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(name_rule), cmocka_unit_test(gnuplot), cmocka_unit_test(gnuplot_data),
        cmocka_unit_test(shell),     cmocka_unit_test(terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

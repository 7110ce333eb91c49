/* Unit tests for atomic output files (models/base/atomic.h).
 *
 * - atomic_open + atomic_commit: the final name holds exactly what was
 *   written, and nothing else is left in the folder (the temporary renamed);
 *   before the commit the final name does not exist.
 * - atomic_abort: neither the final name nor a temporary is left.
 * - a write to a folder that is missing fails with a message naming it.
 * - atomic_temp_name: ".NAME.tmp-PID-" followed by 8 hex digits, in the
 *   folder of the path; two calls give two names.
 * - atomic_clean: removes the temporaries of a PID that has exited (a child
 *   this test forked and reaped), files and a folder; keeps those of a live
 *   PID (this process) and names that only look alike (no leading dot, a
 *   tag that is not 8 hex digits, a PID of 0); returns how many it removed.
 *   A zombie's (a child that exited, not yet reaped) are removed too.
 */
#include <setjmp.h> /* before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/atomic.h"
#include "base/status.h"

static char dir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/bs-test-atomic-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Names in dir, sorted, joined by '|'. */
static void listing(char *out, size_t n)
{
    struct dirent **e;
    int k = scandir(dir, &e, NULL, alphasort);
    out[0] = '\0';
    for (int i = 0; i < k; i++) {
        if (strcmp(e[i]->d_name, ".") && strcmp(e[i]->d_name, "..")) {
            if (out[0])
                strncat(out, "|", n - strlen(out) - 1);
            strncat(out, e[i]->d_name, n - strlen(out) - 1);
        }
        free(e[i]);
    }
    free(e);
}

static void touch(const char *name)
{
    char p[1100];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("half", f);
    fclose(f);
}

static void test_commit(void **state)
{
    (void)state;
    char path[512], got[64] = "", names[1024];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    atomic_file *a = atomic_open(path);
    assert_non_null(a);
    fputs("hello\n", atomic_stream(a));
    assert_int_not_equal(access(path, F_OK), 0); /* not there before the commit */
    assert_int_equal(atomic_commit(a), BS_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(got, sizeof got, f));
    fclose(f);
    assert_string_equal(got, "hello\n");
    listing(names, sizeof names);
    assert_string_equal(names, "out.txt");
    unlink(path);
}

static void test_abort(void **state)
{
    (void)state;
    char path[512], names[1024];
    snprintf(path, sizeof path, "%s/gone.txt", dir);
    atomic_file *a = atomic_open(path);
    assert_non_null(a);
    fputs("never seen\n", atomic_stream(a));
    atomic_abort(a);
    listing(names, sizeof names);
    assert_string_equal(names, "");
}

static void test_missing_folder(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/no/such/x.txt", dir);
    bs_clear_error();
    assert_null(atomic_open(path));
    assert_int_equal(bs_last_status(), BS_ERUNTIME);
    assert_non_null(strstr(bs_last_error(), path));
    assert_non_null(strstr(bs_last_error(), "No such file"));
}

static void test_temp_name(void **state)
{
    (void)state;
    char a[512], b[512], want[512];
    assert_int_equal(atomic_temp_name("some/dir/fig.png", a, sizeof a), BS_OK);
    assert_int_equal(atomic_temp_name("some/dir/fig.png", b, sizeof b), BS_OK);
    snprintf(want, sizeof want, "some/dir/.fig.png.tmp-%ld-", (long)getpid());
    assert_int_equal(strncmp(a, want, strlen(want)), 0);
    assert_int_equal(strlen(a), strlen(want) + 8);
    assert_int_equal(strspn(a + strlen(want), "0123456789abcdef"), 8);
    assert_string_not_equal(a, b);
    char small[16];
    assert_int_equal(atomic_temp_name("some/dir/fig.png", small, sizeof small), BS_EINPUT);
}

static void test_clean(void **state)
{
    (void)state;
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    assert_true(child > 0);
    waitpid(child, NULL, 0); /* exited and reaped: its PID names no process */
    char name[512], names[2048], want[2048];
    long dead = (long)child, live = (long)getpid();
    snprintf(name, sizeof name, ".a.png.tmp-%ld-0123abcd", dead);
    touch(name);
    snprintf(name, sizeof name, "r.h5.partial-%ld", dead);
    touch(name);
    snprintf(name, sizeof name, "%s/.fig.tmp-%ld-89abcdef", dir, dead);
    assert_int_equal(mkdir(name, 0777), 0);
    snprintf(name, sizeof name, ".fig.tmp-%ld-89abcdef/fig.dat", dead);
    touch(name);
    /* kept: a live PID, and names that only look like temporaries */
    snprintf(name, sizeof name, ".b.png.tmp-%ld-0123abcd", live);
    touch(name);
    snprintf(name, sizeof name, "c.png.tmp-%ld-0123abcd", dead); /* no leading dot */
    touch(name);
    snprintf(name, sizeof name, ".d.tmp-%ld-xyz", dead); /* not 8 hex digits */
    touch(name);
    touch(".e.tmp-0-0123abcd"); /* PID 0 */
    touch("notes.partial-draft");
    assert_int_equal(atomic_clean(dir), 3);
    listing(names, sizeof names);
    snprintf(want, sizeof want, ".b.png.tmp-%ld-0123abcd|.d.tmp-%ld-xyz|.e.tmp-0-0123abcd|"
             "c.png.tmp-%ld-0123abcd|notes.partial-draft", live, dead, dead);
    assert_string_equal(names, want);
}

/* A child that has exited but is not reaped yet (a zombie: what the workers
 * of a command killed with -9 are until init reaps them) writes nothing
 * more: its temporaries go too. */
static void test_clean_zombie(void **state)
{
    (void)state;
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    assert_true(child > 0);
    siginfo_t si;
    /* wait until it has exited, leaving it a zombie (WNOWAIT) */
    assert_int_equal(waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT), 0);
    char name[512], names[2048];
    snprintf(name, sizeof name, "g000-run-000002.h5.partial-%ld", (long)child);
    touch(name);
    assert_int_equal(atomic_clean(dir), 1);
    listing(names, sizeof names);
    assert_null(strstr(names, name));
    waitpid(child, NULL, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit),       cmocka_unit_test(test_abort),
        cmocka_unit_test(test_missing_folder), cmocka_unit_test(test_temp_name),
        cmocka_unit_test(test_clean),        cmocka_unit_test(test_clean_zombie),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

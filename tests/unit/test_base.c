/* Unit tests for the shared utilities of models/base: the hash (base/hash.h),
 * mkdir -p and the folder lock (base/fsutil.h) and string duplication
 * (base/str.h).
 *
 * Where the expected values come from:
 *  - FNV-1a 64 of "", "a" and "foobar": the published test vectors of
 *    Fowler, Noll and Vo (0xcbf29ce484222325, 0xaf63dc4c8601ec8c,
 *    0x85944171f73967e8); "" is the offset basis itself.
 *  - The seeds, the configuration hash and the checksum pinned in
 *    old_values_kept: printed by the code of commit 686b4e3, before the three
 *    copies of FNV-1a were replaced by base/hash.c (rng_seed_of from that
 *    commit's models/base/rng.c, the loops of sweep_config_hash and of
 *    reproduce.c's checksum copied verbatim into a scratch program).  The
 *    checksum was also recomputed independently in Python (struct.pack of the
 *    three doubles, FNV-1a from 1469598103934665603, then h ^ (h >> 29)).
 *  - mkdir -p: what `mkdir -p` does (nested folders made, existing ones
 *    fine), and the project's rule that a file in the way is bad input.
 *  - The folder lock: POSIX record locks (fcntl F_SETLK) belong to a
 *    process: another process is refused while the holder lives, a child
 *    forked by the holder does not hold it (a sweep's workers), and a
 *    process that ends without unlocking (_exit, as a kill) holds nothing.
 *    The refusal names the holder: "another blockshift sweep (pid N)".
 */
#include <setjmp.h> /* before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/hash.h"
#include "base/rng.h"
#include "base/status.h"
#include "base/str.h"
#include "sweep/sweep_config.h"

static void fnv1a_published_vectors(void **state)
{
    (void)state;
    assert_true(hash_fnv1a64("", 0, HASH_FNV1A64_BASIS) == 0xcbf29ce484222325ull);
    assert_true(hash_fnv1a64(NULL, 0, HASH_FNV1A64_BASIS) == 0xcbf29ce484222325ull);
    assert_true(hash_fnv1a64("a", 1, HASH_FNV1A64_BASIS) == 0xaf63dc4c8601ec8cull);
    assert_true(hash_fnv1a64("foobar", 6, HASH_FNV1A64_BASIS) == 0x85944171f73967e8ull);
    assert_true(hash_fnv1a64_str("", HASH_FNV1A64_BASIS) == 0xcbf29ce484222325ull);
    assert_true(hash_fnv1a64_str("a", HASH_FNV1A64_BASIS) == 0xaf63dc4c8601ec8cull);
    assert_true(hash_fnv1a64_str("foobar", HASH_FNV1A64_BASIS) == 0x85944171f73967e8ull);
    /* Continuing from a previous result is hashing the concatenation. */
    uint64_t foo = hash_fnv1a64("foo", 3, HASH_FNV1A64_BASIS);
    assert_true(hash_fnv1a64("bar", 3, foo) == 0x85944171f73967e8ull);
    /* Bytes after a NUL count when a length is given. */
    assert_true(hash_fnv1a64("a\0b", 3, HASH_FNV1A64_BASIS) !=
                hash_fnv1a64("a", 1, HASH_FNV1A64_BASIS));
}

/* The values that seeds, sweep run hashes and reproduce's checksums had
 * before the hash was shared (see the top of the file). */
static void old_values_kept(void **state)
{
    (void)state;
    assert_true(rng_seed_of(7, 3, "population.adopt") == 0xfbc7f3ae9b05fadfull);
    assert_true(rng_seed_of(1, 0, "") == 0xe6d12fe67255d361ull);
    assert_true(sweep_config_hash("days = 30;\n") == 0x68888dc4108616e9ull);
    const double x[3] = {0.5, -1.25, 1e300};
    uint64_t h = hash_fnv1a64(x, sizeof x, 1469598103934665603ull);
    assert_true((h ^ (h >> 29)) == 0xe76256f0ad966311ull);
}

static void str_dup_copies(void **state)
{
    (void)state;
    const char *s = "blockshift";
    char *d = str_dup(s);
    assert_non_null(d);
    assert_ptr_not_equal(d, s);
    assert_string_equal(d, s);
    free(d);
    d = str_dup("");
    assert_non_null(d);
    assert_string_equal(d, "");
    free(d);
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* A fresh empty folder for a test, and its removal (rm -r, small trees). */
static int setup_dir(void **state)
{
    char *tmpl = str_dup("/tmp/bs-test-base-XXXXXX");
    if (!tmpl || !mkdtemp(tmpl)) {
        free(tmpl);
        return -1;
    }
    *state = tmpl;
    return 0;
}

static int teardown_dir(void **state)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", (char *)*state);
    int rc = system(cmd);
    free(*state);
    return rc == 0 ? 0 : -1;
}

static void make_dirs_nested(void **state)
{
    const char *top = *state;
    char path[512], mid[512];
    snprintf(path, sizeof path, "%s/a/b/c", top);
    snprintf(mid, sizeof mid, "%s/a/b", top);
    assert_int_equal(fsutil_make_dirs(path), BS_OK);
    assert_true(is_dir(mid));
    assert_true(is_dir(path));
    /* A trailing slash and a doubled one name the same folders. */
    snprintf(path, sizeof path, "%s/x//y/", top);
    assert_int_equal(fsutil_make_dirs(path), BS_OK);
    snprintf(path, sizeof path, "%s/x/y", top);
    assert_true(is_dir(path));
    /* A relative name is made under the working folder. */
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(top), 0);
    int st = fsutil_make_dirs("r/s");
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(st, BS_OK);
    snprintf(path, sizeof path, "%s/r/s", top);
    assert_true(is_dir(path));
}

static void make_dirs_existing(void **state)
{
    const char *top = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/e/f", top);
    assert_int_equal(fsutil_make_dirs(path), BS_OK);
    assert_int_equal(fsutil_make_dirs(path), BS_OK); /* again: nothing to do */
    assert_int_equal(fsutil_make_dirs(top), BS_OK);
    assert_int_equal(fsutil_make_dirs("/"), BS_OK);
    assert_true(is_dir(path));
}

static void make_dirs_file_in_the_way(void **state)
{
    const char *top = *state;
    char file[512], path[512];
    snprintf(file, sizeof file, "%s/plain", top);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    /* The file is the folder asked for. */
    bs_clear_error();
    assert_int_equal(fsutil_make_dirs(file), BS_EINPUT);
    assert_non_null(strstr(bs_last_error(), "plain: exists and is not a folder"));
    /* The file is a parent of the folder asked for. */
    snprintf(path, sizeof path, "%s/plain/sub/deeper", top);
    bs_clear_error();
    assert_int_equal(fsutil_make_dirs(path), BS_EINPUT);
    assert_non_null(strstr(bs_last_error(), "plain: exists and is not a folder"));
    snprintf(path, sizeof path, "%s/plain/sub", top);
    assert_false(is_dir(path));
}

/* In a child process: 0 if fsutil_lock(dir) is refused naming `holder`
 * (want_refused) or is granted (!want_refused); 1 otherwise. */
static int lock_in_child(const char *dir, pid_t holder, int want_refused)
{
    pid_t pid = fork();
    if (pid == 0) {
        int fd = fsutil_lock(dir, "sweep");
        char want[128];
        snprintf(want, sizeof want, "another blockshift sweep (pid %ld) is working",
                 (long)holder);
        _exit(want_refused ? !(fd == BS_ERUNTIME && strstr(bs_last_error(), want))
                           : !(fd >= 0));
    }
    int status = -1;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static void lock_one_holder(void **state)
{
    const char *dir = *state;
    int fd = fsutil_lock(dir, "sweep");
    assert_true(fd >= 0);
    assert_int_equal(lock_in_child(dir, getpid(), 1), 0); /* refused, naming us */
    /* A worker forked while the lock is held does not hold it. */
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    pid_t worker = fork();
    if (worker == 0) {
        char c;
        close(pipefd[1]);
        _exit(read(pipefd[0], &c, 1) < 0); /* lives until the pipe closes */
    }
    close(pipefd[0]);
    close(fd);
    assert_int_equal(lock_in_child(dir, 0, 0), 0); /* granted: the worker lives on */
    close(pipefd[1]);
    waitpid(worker, NULL, 0);
    /* A holder that dies without unlocking holds nothing. */
    pid_t dying = fork();
    if (dying == 0)
        _exit(fsutil_lock(dir, "sweep") >= 0 ? 0 : 1);
    int status = -1;
    waitpid(dying, &status, 0);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    fd = fsutil_lock(dir, "sweep");
    assert_true(fd >= 0);
    close(fd);
}

static void make_dirs_bad_names(void **state)
{
    (void)state;
    bs_clear_error();
    assert_int_equal(fsutil_make_dirs(""), BS_EINPUT);
    assert_string_equal(bs_last_error(), "empty folder name");
    assert_int_equal(fsutil_make_dirs(NULL), BS_EINPUT);
    /* A folder that cannot be made names itself and the reason: /proc takes
     * no new folders, not even from root (ENOENT). */
    bs_clear_error();
    assert_int_equal(fsutil_make_dirs("/proc/bs-test-base/x"), BS_EINPUT);
    assert_non_null(strstr(bs_last_error(), "/proc/bs-test-base: cannot create folder: "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fnv1a_published_vectors),
        cmocka_unit_test(old_values_kept),
        cmocka_unit_test(str_dup_copies),
        cmocka_unit_test_setup_teardown(make_dirs_nested, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(make_dirs_existing, setup_dir, teardown_dir),
        cmocka_unit_test_setup_teardown(make_dirs_file_in_the_way, setup_dir, teardown_dir),
        cmocka_unit_test(make_dirs_bad_names),
        cmocka_unit_test_setup_teardown(lock_one_holder, setup_dir, teardown_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

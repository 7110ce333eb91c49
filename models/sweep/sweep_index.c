/* sweep_index: writing and reading a sweep's index.h5, and plain tables
 * (see sweep_index.h for the layout). */
#include "sweep/sweep_index.h"

#include "base/quote.h"
#include "base/atomic.h"
#include "base/status.h"
#include "base/version.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The fixed columns of /runs around the parameters and the numbers. */
static const char *const head_cols[] = {"k", "point", "replication"};
static const char *const tail_cols[] = {"seed",         "run",  "status",      "error",
                                        "wall_seconds", "host", "config_hash", "file"};
enum { N_HEAD = 3, N_TAIL = 8 };

static results_table *table_new(int rows, int cols)
{
    results_table *t = calloc(1, sizeof *t);
    if (!t || !(t->cols = calloc((size_t)cols, sizeof *t->cols))) {
        free(t);
        return NULL;
    }
    t->n_rows = rows;
    t->n_cols = cols;
    return t;
}

/* Name column c and give it room for its rows; 0, or -1 if out of memory. */
static int col_init(results_table *t, int c, const char *name, enum results_col_type type,
                    const char *units)
{
    results_column *col = &t->cols[c];
    col->type = type;
    col->name = strdup(name);
    col->units = strdup(units);
    col->data = calloc(t->n_rows ? (size_t)t->n_rows : 1, 8);
    return col->name && col->units && col->data ? 0 : -1;
}

static double *dcol(results_table *t, int c) { return (double *)t->cols[c].data; }
static long long *icol(results_table *t, int c) { return (long long *)t->cols[c].data; }
static char **scol(results_table *t, int c) { return (char **)t->cols[c].data; }

int sweep_index_runs(const sweep_spec *s, const sweep_row *rows, const double *values,
                     results_table **out)
{
    int np = s->n_params, nc = s->n_collect, n = s->n_runs;
    int tail = N_HEAD + np, first_value = tail + N_TAIL;
    results_table *t = table_new(n, first_value + nc);
    int bad = !t;
    for (int c = 0; c < N_HEAD && !bad; c++)
        bad = col_init(t, c, head_cols[c], RCOL_INT, "") != 0;
    for (int j = 0; j < np && !bad; j++)
        bad = col_init(t, N_HEAD + j, s->params[j].path,
                       s->params[j].text ? RCOL_STRING : RCOL_DOUBLE, "") != 0;
    static const enum results_col_type tail_types[N_TAIL] = {RCOL_INT,    RCOL_INT,    RCOL_STRING,
                                                             RCOL_STRING, RCOL_DOUBLE, RCOL_STRING,
                                                             RCOL_STRING, RCOL_STRING};
    static const char *const tail_units[N_TAIL] = {"", "", "", "", "s", "", "FNV-1a 64, hex", ""};
    for (int c = 0; c < N_TAIL && !bad; c++)
        bad = col_init(t, tail + c, tail_cols[c], tail_types[c], tail_units[c]) != 0;
    for (int c = 0; c < nc && !bad; c++)
        bad = col_init(t, first_value + c, s->collect[c], RCOL_DOUBLE, "") != 0;
    for (int k = 0; k < n && !bad; k++) {
        sweep_run_id id = sweep_spec_run(s, k);
        const sweep_row *r = &rows[k];
        char buf[512];
        icol(t, 0)[k] = k;
        icol(t, 1)[k] = id.point;
        icol(t, 2)[k] = id.replication;
        for (int j = 0; j < np && !bad; j++) {
            if (s->params[j].text) {
                sweep_spec_label(s, id.point, j, buf, sizeof buf);
                bad = !(scol(t, N_HEAD + j)[k] = strdup(buf));
            } else
                dcol(t, N_HEAD + j)[k] = s->point_number[(size_t)id.point * (size_t)np + (size_t)j];
        }
        icol(t, tail)[k] = id.seed;
        icol(t, tail + 1)[k] = id.run;
        scol(t, tail + 2)[k] = strdup(sweep_status_names[r->status]);
        scol(t, tail + 3)[k] = strdup(r->error ? r->error : "");
        dcol(t, tail + 4)[k] = r->wall_seconds;
        scol(t, tail + 5)[k] = strdup(r->host ? r->host : "");
        snprintf(buf, sizeof buf, "%016llx", (unsigned long long)r->config_hash);
        scol(t, tail + 6)[k] = strdup(buf);
        snprintf(buf, sizeof buf, "runs/run-%05d.h5", k);
        scol(t, tail + 7)[k] = strdup(buf);
        for (int c = 2; c < N_TAIL && !bad; c++)
            bad = tail_types[c] == RCOL_STRING && !scol(t, tail + c)[k];
        for (int c = 0; c < nc; c++)
            dcol(t, first_value + c)[k] = values[(size_t)k * (size_t)nc + (size_t)c];
    }
    if (bad) {
        results_table_free(t);
        return bs_nomem("building the index (sweep)");
    }
    *out = t;
    return BS_OK;
}

static int find_col(const results_table *t, const char *name)
{
    for (int c = 0; c < t->n_cols; c++)
        if (strcmp(t->cols[c].name, name) == 0)
            return c;
    return -1;
}

int sweep_index_layout(const results_table *runs, const char *path, sweep_layout *l)
{
    int pos[N_HEAD + N_TAIL];
    for (int c = 0; c < N_HEAD; c++)
        pos[c] = find_col(runs, head_cols[c]);
    for (int c = 0; c < N_TAIL; c++)
        pos[N_HEAD + c] = find_col(runs, tail_cols[c]);
    int ok = 1;
    for (int c = 0; c < N_HEAD; c++)
        ok = ok && pos[c] == c && runs->cols[c].type == RCOL_INT;
    for (int c = 0; c < N_TAIL && ok; c++)
        ok = pos[N_HEAD + c] >= N_HEAD && (c == 0 || pos[N_HEAD + c] == pos[N_HEAD] + c);
    if (ok) {
        l->k = 0;
        l->point = 1;
        l->first_param = N_HEAD;
        l->n_params = pos[N_HEAD] - N_HEAD;
        l->status = pos[N_HEAD + 2];
        l->error = pos[N_HEAD + 3];
        l->wall_seconds = pos[N_HEAD + 4];
        l->host = pos[N_HEAD + 5];
        l->config_hash = pos[N_HEAD + 6];
        l->first_value = pos[N_HEAD] + N_TAIL;
        l->n_values = runs->n_cols - l->first_value;
        ok = runs->cols[l->status].type == RCOL_STRING &&
             runs->cols[l->error].type == RCOL_STRING && runs->cols[l->host].type == RCOL_STRING &&
             runs->cols[l->config_hash].type == RCOL_STRING &&
             runs->cols[l->wall_seconds].type == RCOL_DOUBLE;
        for (int c = 0; c < l->n_values && ok; c++)
            ok = runs->cols[l->first_value + c].type == RCOL_DOUBLE;
        for (int r = 0; r < runs->n_rows && ok; r++) /* runs in order, points from 0 */
            ok = ((const long long *)runs->cols[0].data)[r] == r &&
                 ((const long long *)runs->cols[1].data)[r] >= 0 &&
                 ((const long long *)runs->cols[1].data)[r] <= r;
    }
    if (!ok)
        return bs_fail(BS_EINPUT, "%s: /runs is not the table of a blockshift sweep", path);
    return BS_OK;
}

#define TRY(call)                                                                                  \
    do {                                                                                           \
        if ((st = (call)) != BS_OK)                                                                \
            goto fail;                                                                             \
    } while (0)

int sweep_index_write(const char *dir, const char *name, const char *sweep_text,
                      const results_table *runs, const results_table *points,
                      const sweep_index_extra *extra)
{
    char path[4200], created[32];
    snprintf(path, sizeof path, "%s/index.h5", dir);
    sweep_layout l;
    int st = sweep_index_layout(runs, path, &l);
    if (st != BS_OK)
        return bs_fail(BS_ERUNTIME, "sweep: %s", bs_last_error());
    long long count[N_SWEEP_STATUS] = {0};
    for (int r = 0; r < runs->n_rows; r++)
        for (int s = 0; s < N_SWEEP_STATUS; s++)
            count[s] +=
                strcmp(((char *const *)runs->cols[l.status].data)[r], sweep_status_names[s]) == 0;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    results *r = results_create(path);
    if (!r)
        return bs_last_status() ? bs_last_status() : BS_ERUNTIME;
    TRY(results_attr_str(r, "/", "format", RESULTS_FORMAT));
    TRY(results_attr_int(r, "/", "format_version", RESULTS_FORMAT_VERSION));
    TRY(results_attr_str(r, "/", "kind", "sweep-index"));
    TRY(results_attr_str(r, "/", "tool_version", BS_VERSION));
    TRY(results_attr_str(r, "/", "git_revision", BS_GIT_REVISION));
    TRY(results_attr_str(r, "/", "created", created));
    TRY(results_attr_str(r, "/", "scenario", name));
    TRY(results_write_text(r, "/config/text", sweep_text, "The sweep file"));
    TRY(results_write_table(r, "/runs", "k", runs->n_rows, runs->n_cols, runs->cols,
                            "Every run of the sweep: its parameters, seed and run number, "
                            "status, and the numbers collected from its /summary"));
    if (points)
        TRY(results_write_table(r, "/points", "point", points->n_rows, points->n_cols, points->cols,
                                "Per parameter point, across replications that ran: mean, "
                                "standard deviation and 95% confidence interval (Student t) of "
                                "each collected number"));
    TRY(results_attr_int(r, "/summary", "runs", runs->n_rows));
    TRY(results_attr_int(r, "/summary", "ok", count[SWEEP_OK]));
    TRY(results_attr_int(r, "/summary", "failed", count[SWEEP_FAILED]));
    TRY(results_attr_int(r, "/summary", "pending", count[SWEEP_PENDING]));
    if (points)
        TRY(results_attr_int(r, "/summary", "points", points->n_rows));
    if (extra && extra->write)
        TRY(extra->write(r, extra->arg));
    return results_commit(r);
fail:
    results_abort(r);
    return st;
}

int sweep_index_read(const char *dir, results_table **runs, char **name, char **sweep_text)
{
    *runs = NULL;
    *name = *sweep_text = NULL;
    char path[4200];
    snprintf(path, sizeof path, "%s/index.h5", dir);
    if (access(path, F_OK) != 0)
        return bs_fail(BS_EINPUT, "%s: no sweep there (no index.h5)", dir);
    results_numbers *nums = NULL;
    int st = results_read_numbers(path, &nums);
    if (st == BS_OK)
        st = results_read_table(path, "/runs", runs);
    sweep_layout l;
    if (st == BS_OK)
        st = sweep_index_layout(*runs, path, &l);
    if (st == BS_OK) {
        *name = nums->scenario;
        *sweep_text = nums->config_text;
        nums->scenario = nums->config_text = NULL;
    } else {
        results_table_free(*runs);
        *runs = NULL;
    }
    results_numbers_free(nums);
    return st;
}

/* A string cell for gnuplot: as it is, or quoted as a gnuplot data field
 * (quote_gp_data: in double quotes, a double quote inside as a single one,
 * control characters as '?') if it has blanks, '#', '"' or control
 * characters, or is empty. */
void sweep_index_put_cell(FILE *f, const char *s)
{
    if (s[0] && !strpbrk(s, " #\"") && !quote_has_control(s)) {
        fputs(s, f);
        return;
    }
    size_t cap = QUOTE_ROOM(strlen(s));
    char *q = malloc(cap);
    fputs(q ? quote_gp_data(q, cap, s) : "\"?\"", f);
    free(q);
}

int sweep_index_write_text(const char *path, const char *title, const results_table *t,
                           const sweep_index_extra *extra)
{
    atomic_file *a = atomic_open(path);
    if (!a)
        return bs_last_status();
    FILE *f = atomic_stream(a);
    fprintf(f, "# %s\n#", title);
    for (int c = 0; c < t->n_cols; c++)
        fprintf(f, " %s", t->cols[c].name);
    fputc('\n', f);
    for (int r = 0; r < t->n_rows; r++) {
        for (int c = 0; c < t->n_cols; c++) {
            const results_column *col = &t->cols[c];
            if (c)
                fputc(' ', f);
            if (col->type == RCOL_STRING)
                sweep_index_put_cell(f, ((char *const *)col->data)[r]);
            else if (col->type == RCOL_INT)
                fprintf(f, "%lld", ((const long long *)col->data)[r]);
            else {
                double x = ((const double *)col->data)[r];
                if (isfinite(x))
                    fprintf(f, "%.10g", x);
                else
                    fputs(isnan(x) ? "NaN" : x > 0 ? "Inf" : "-Inf", f);
            }
        }
        fputc('\n', f);
    }
    if (extra && extra->text)
        extra->text(f, extra->arg);
    return atomic_commit(a); /* every write checked, renamed into place */
}

/*
 * csv.c - the run's numbers as CSV: the per-batch costs of `simdnet train
 * --costs` and the per-epoch test accuracy a report keeps beside them.
 *
 * Both are strict about their numbers and order (a report must not draw a
 * curve from a file it misread) and name the line that is wrong. Both
 * stream: they hold the numbers, not the file (limits in report.h). One
 * reader (csv_read) walks the lines; each format checks its rows.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "report/report.h"
#include "report/utf8.h"

/* Lines are read one at a time from the stream, at most SN_CSV_MAX_LINE
 * bytes each: a file that is not such text (/dev/zero, a binary file, a
 * line without end) is refused at its first bad line, having read no more
 * than that line. */
typedef struct csv_reader {
    FILE *f;
    size_t lineno;
    char line[SN_CSV_MAX_LINE + 1];
} csv_reader;

/* The next line into r->line without its LF or CR LF: 1, or 0 at the end,
 * -1 with err set for a line too long, a NUL byte or a read error. */
static int next_line(csv_reader *r, sn_error *err)
{
    size_t n = 0;
    int c;
    while ((c = getc(r->f)) != EOF && c != '\n') {
        if (c == '\0')
            return sn_set_error(err, "line %zu holds a NUL byte: not a text "
                                     "file", r->lineno + 1);
        if (n == SN_CSV_MAX_LINE)
            return sn_set_error(err, "line %zu is longer than %d bytes",
                                r->lineno + 1, SN_CSV_MAX_LINE);
        r->line[n++] = (char)c;
    }
    if (c == EOF && ferror(r->f))
        return sn_set_error(err, "%s", strerror(errno ? errno : EIO));
    if (c == EOF && n == 0)
        return 0;
    if (n && r->line[n - 1] == '\r')
        n--;
    r->line[n] = '\0';
    r->lineno++;
    return 1;
}

/* Reads up to max comma-separated numbers from line into v; returns how
 * many, or -1 if a field is not a finite number. */
static int parse_fields(char *line, double *v, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        char *end;
        errno = 0;
        v[n] = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(v[n]))
            return -1;
        while (*end == ' ' || *end == '\t')
            end++;
        n++;
        if (*end == '\0')
            return n;
        if (*end != ',')
            return -1;
        p = end + 1;
    }
}

/* A line that is not what expected says: quoted, up to 60 characters cut
 * on a character boundary, unless it is not UTF-8 text at all. */
static int bad_line(sn_error *err, size_t lineno, const char *expected,
                    const char *line)
{
    const size_t n = strlen(line);
    if (sn_utf8_invalid(line, n) < n)
        return sn_set_error(err, "line %zu: expected %s, got bytes that are "
                                 "not UTF-8 text", lineno, expected);
    const size_t keep = sn_utf8_prefix(line, n, 60);
    return sn_set_error(err, "line %zu: expected %s, got '%.*s'%s", lineno,
                        expected, (int)keep, line, keep < n ? "..." : "");
}

static int is_count(double v)
{
    return v >= 1 && v <= 1e9 && v == floor(v);
}

/* The numbers of a file's lines, one row of nfields values each, with
 * header (on line 1) and blank lines skipped. For every other line, row()
 * checks the values (it names the line if they are wrong) and may take
 * them; it returns 0, or -1 with err set. */
typedef int (*csv_row_fn)(void *ctx, const double *f, int nf, size_t lineno,
                          const char *line, sn_error *err);

static int csv_read(FILE *f, const char *header, int nfields, csv_row_fn row,
                    void *ctx, sn_error *err)
{
    csv_reader rd = {f, 0, {0}};
    int got;
    while ((got = next_line(&rd, err)) == 1) {
        if (rd.lineno == 1 && !strcmp(rd.line, header))
            continue;
        if (!*rd.line)
            continue;
        double v[3];
        const int nf = parse_fields(rd.line, v, nfields);
        if (row(ctx, v, nf, rd.lineno, rd.line, err) != 0)
            return -1;
    }
    return got;
}

/* A list of values that grows as it is read, up to max of them. */
typedef struct csv_list {
    void *v;
    size_t n, cap, size, first_cap, max;
    const char *what; /* what the values are, for the limit's message */
} csv_list;

/* Room for one more value at the end of l. */
static int list_reserve(csv_list *l, sn_error *err)
{
    if (l->n == l->max)
        return sn_set_error(err, "more than %zu %s, the most this reader "
                                 "accepts", l->max, l->what);
    if (l->n < l->cap)
        return 0;
    const size_t cap = l->cap ? 2 * l->cap : l->first_cap;
    void *grown = realloc(l->v, cap * l->size);
    if (!grown)
        return sn_set_error(err, "out of memory");
    l->v = grown;
    l->cap = cap;
    return 0;
}

/* Opens path and reads it through csv_read (the caller names the path in
 * any error). */
static int csv_read_file(const char *path, const char *header, int nfields,
                         csv_row_fn row, void *ctx, sn_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sn_set_error(err, "%s", strerror(errno));
    const int rc = csv_read(f, header, nfields, row, ctx, err) < 0 ? -1 : 0;
    fclose(f);
    return rc;
}

/* What sn_costs_read follows through the file. */
typedef struct costs_state {
    csv_list costs;
    size_t per_epoch, epoch, batch;
} costs_state;

static int costs_row(void *ctx, const double *f, int nf, size_t lineno,
                     const char *line, sn_error *err)
{
    costs_state *st = ctx;
    if (nf != 3 || !is_count(f[0]) || !is_count(f[1]))
        return bad_line(err, lineno, "'epoch,batch,cost' with whole epoch "
                                     "and batch numbers from 1", line);
    /* The next batch of this epoch, or batch 1 of the next one, after an
     * epoch as long as the first. */
    const size_t e = (size_t)f[0], b = (size_t)f[1];
    const int same = e == st->epoch && b == st->batch + 1;
    const int next = e == st->epoch + 1 && b == 1 && st->batch > 0 &&
                     (st->per_epoch == 0 || st->batch == st->per_epoch);
    if (!same && !next)
        return sn_set_error(err, "line %zu: epoch %zu batch %zu after epoch "
                                 "%zu batch %zu: expected batches in order, "
                                 "every epoch as long as the first", lineno,
                            e, b, st->epoch, st->batch);
    if (next) {
        st->per_epoch = st->batch;
        st->epoch = e;
    }
    st->batch = b;
    if (f[2] < 0)
        return sn_set_error(err, "line %zu: a cost cannot be negative (%g)",
                            lineno, f[2]);
    if (list_reserve(&st->costs, err) != 0)
        return -1;
    ((float *)st->costs.v)[st->costs.n++] = (float)f[2];
    return 0;
}

int sn_costs_read(const char *path, float **costs, size_t *epochs,
                  size_t *nbatches, sn_error *err)
{
    *costs = NULL;
    *epochs = *nbatches = 0;
    costs_state st = {{NULL, 0, 0, sizeof(float), 1024, SN_COSTS_MAX,
                       "costs"}, 0, 1, 0};
    int rc = csv_read_file(path, "epoch,batch,cost", 3, costs_row, &st, err);
    if (rc == 0 && st.costs.n == 0)
        rc = sn_set_error(err, "no costs in it (expected lines of "
                               "'epoch,batch,cost')");
    if (rc == 0 && st.per_epoch != 0 && st.batch != st.per_epoch)
        rc = sn_set_error(err, "the last epoch has %zu batches, the others "
                               "%zu", st.batch, st.per_epoch);
    if (rc != 0) {
        free(st.costs.v);
        return sn_prefix_error(err, "%s: ", path);
    }
    *costs = st.costs.v;
    *nbatches = st.per_epoch ? st.per_epoch : st.batch;
    *epochs = st.epoch;
    return 0;
}

static int accuracy_row(void *ctx, const double *f, int nf, size_t lineno,
                        const char *line, sn_error *err)
{
    csv_list *acc = ctx;
    if (nf != 2 || f[0] != (double)(acc->n + 1) || f[1] < 0 || f[1] > 100)
        return bad_line(err, lineno, "'epoch,test_accuracy_percent' with the "
                                     "next epoch and a percentage from 0 to "
                                     "100", line);
    if (list_reserve(acc, err) != 0)
        return -1;
    ((double *)acc->v)[acc->n++] = f[1] / 100.0;
    return 0;
}

int sn_accuracy_read(const char *path, double **acc, size_t *epochs,
                     sn_error *err)
{
    *acc = NULL;
    *epochs = 0;
    csv_list list = {NULL, 0, 0, sizeof(double), 64, SN_ACCURACY_MAX,
                     "epochs"};
    int rc = csv_read_file(path, "epoch,test_accuracy_percent", 2,
                           accuracy_row, &list, err);
    if (rc == 0 && list.n == 0)
        rc = sn_set_error(err, "no accuracies in it (expected lines of "
                               "'epoch,test_accuracy_percent')");
    if (rc != 0) {
        free(list.v);
        return sn_prefix_error(err, "%s: ", path);
    }
    *acc = list.v;
    *epochs = list.n;
    return 0;
}

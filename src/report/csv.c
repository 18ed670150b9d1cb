/*
 * csv.c - the run's numbers as CSV: the per-batch costs of `simdnet train
 * --costs` and the per-epoch test accuracy a report keeps beside them.
 *
 * Both are strict about their numbers and order (a report must not draw a
 * curve from a file it misread) and name the line that is wrong. Both
 * stream: they hold the numbers, not the file (limits in report.h).
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

int sn_costs_read(const char *path, float **costs, size_t *epochs,
                  size_t *nbatches, sn_error *err)
{
    *costs = NULL;
    *epochs = *nbatches = 0;
    csv_reader rd = {fopen(path, "rb"), 0, {0}};
    if (!rd.f)
        return sn_set_error(err, "%s: %s", path, strerror(errno));
    size_t cap = 0, n = 0, per_epoch = 0, epoch = 1, batch = 0;
    float *v = NULL;
    int rc = -1, got;
    while ((got = next_line(&rd, err)) == 1) {
        const char *line = rd.line;
        const size_t lineno = rd.lineno;
        if (lineno == 1 && !strcmp(line, "epoch,batch,cost"))
            continue;
        if (!*line)
            continue;
        double f[3];
        if (parse_fields(rd.line, f, 3) != 3 || !is_count(f[0]) ||
            !is_count(f[1])) {
            bad_line(err, lineno, "'epoch,batch,cost' with whole epoch and "
                                  "batch numbers from 1", line);
            goto out;
        }
        /* The next batch of this epoch, or batch 1 of the next one, after an
         * epoch as long as the first. */
        const size_t e = (size_t)f[0], b = (size_t)f[1];
        const int same = e == epoch && b == batch + 1;
        const int next = e == epoch + 1 && b == 1 && batch > 0 &&
                         (per_epoch == 0 || batch == per_epoch);
        if (!same && !next) {
            sn_set_error(err, "line %zu: epoch %zu batch %zu after epoch %zu "
                              "batch %zu: expected batches in order, every "
                              "epoch as long as the first", lineno, e, b,
                         epoch, batch);
            goto out;
        }
        if (next) {
            per_epoch = batch;
            epoch = e;
        }
        batch = b;
        if (f[2] < 0) {
            sn_set_error(err, "line %zu: a cost cannot be negative (%g)",
                         lineno, f[2]);
            goto out;
        }
        if (n == SN_COSTS_MAX) {
            sn_set_error(err, "more than %zu costs, the most this reader "
                              "accepts", (size_t)SN_COSTS_MAX);
            goto out;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            float *grown = realloc(v, cap * sizeof *v);
            if (!grown) {
                sn_set_error(err, "out of memory");
                goto out;
            }
            v = grown;
        }
        v[n++] = (float)f[2];
    }
    if (got < 0)
        goto out;
    if (n == 0) {
        sn_set_error(err, "no costs in it (expected lines of "
                          "'epoch,batch,cost')");
        goto out;
    }
    if (per_epoch != 0 && batch != per_epoch) {
        sn_set_error(err, "the last epoch has %zu batches, the others %zu",
                     batch, per_epoch);
        goto out;
    }
    *costs = v;
    *nbatches = per_epoch ? per_epoch : batch;
    *epochs = epoch;
    v = NULL;
    rc = 0;
out:
    free(v);
    fclose(rd.f);
    if (rc != 0)
        sn_prefix_error(err, "%s: ", path);
    return rc;
}

int sn_accuracy_read(const char *path, double **acc, size_t *epochs,
                     sn_error *err)
{
    *acc = NULL;
    *epochs = 0;
    csv_reader rd = {fopen(path, "rb"), 0, {0}};
    if (!rd.f)
        return sn_set_error(err, "%s: %s", path, strerror(errno));
    size_t cap = 0, n = 0;
    double *v = NULL;
    int rc = -1, got;
    while ((got = next_line(&rd, err)) == 1) {
        const char *line = rd.line;
        if (rd.lineno == 1 && !strcmp(line, "epoch,test_accuracy_percent"))
            continue;
        if (!*line)
            continue;
        double f[2];
        if (parse_fields(rd.line, f, 2) != 2 || f[0] != (double)(n + 1) ||
            f[1] < 0 || f[1] > 100) {
            bad_line(err, rd.lineno, "'epoch,test_accuracy_percent' with the "
                                     "next epoch and a percentage from 0 to "
                                     "100", line);
            goto out;
        }
        if (n == SN_ACCURACY_MAX) {
            sn_set_error(err, "more than %zu epochs, the most this reader "
                              "accepts", (size_t)SN_ACCURACY_MAX);
            goto out;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            double *grown = realloc(v, cap * sizeof *v);
            if (!grown) {
                sn_set_error(err, "out of memory");
                goto out;
            }
            v = grown;
        }
        v[n++] = f[1] / 100.0;
    }
    if (got < 0)
        goto out;
    if (n == 0) {
        sn_set_error(err, "no accuracies in it (expected lines of "
                          "'epoch,test_accuracy_percent')");
        goto out;
    }
    *acc = v;
    *epochs = n;
    v = NULL;
    rc = 0;
out:
    free(v);
    fclose(rd.f);
    if (rc != 0)
        sn_prefix_error(err, "%s: ", path);
    return rc;
}

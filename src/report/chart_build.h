/*
 * chart_build.h - building an sn_bar_chart from benchmark results
 * (chart_build.c), for the readers in bench_json.c.
 */
#ifndef SN_REPORT_CHART_BUILD_H
#define SN_REPORT_CHART_BUILD_H

#include <stddef.h>

#include "report/report.h"

/* A malloc'd copy of s, or NULL if out of memory. */
char *sn_chart_strdup(const char *s);

enum { SN_INTERN_OOM = -1, SN_INTERN_FULL = -2 };

/* Index of s[0..n) in list, appending a copy if absent and the list has
 * fewer than max entries; SN_INTERN_OOM or SN_INTERN_FULL otherwise. */
long sn_chart_intern(char ***list, size_t *count, const char *s, size_t n,
                     size_t max);
void sn_chart_free_list(char **list, size_t n);
/* sn_chart_intern for the names that each make a chart (ops, kernel sets):
 * at most SN_CHART_MAX_CHARTS of them, else "more than 64 <what>: more
 * charts than one report shows". 0, or -1 with err set. */
int sn_chart_intern_chart(char ***list, size_t *count, const char *s,
                          size_t n, const char *what, sn_error *err);

/* Frees what c holds and zeroes it. */
void sn_chart_free(sn_bar_chart *c);
/* Moves c into set (c is zeroed); at most SN_CHART_MAX_CHARTS. On an
 * error c is freed. */
int sn_chart_push(sn_chart_set *set, sn_bar_chart *c, sn_error *err);
/* The end of every chart's reader: rc (0 or -1 with err set) from building
 * c; on 0, sn_chart_push, else c freed and -1. */
int sn_chart_finish(sn_chart_set *set, sn_bar_chart *c, int rc,
                    sn_error *err);

/* Adds a group and a series to chart c (if new) and returns the index of
 * their value, [group * nseries + series], or -1 with err set: out of
 * memory, or the chart full. Charts are made in two passes over the
 * results: the first finds every group and series, the values are
 * allocated, the second finds each value's index. */
long sn_chart_slot(sn_bar_chart *c, const char *group, size_t glen,
                   const char *series, size_t slen, sn_error *err);

/* A file name part for a chart: "prefix-name" with the name lowercased,
 * runs of anything but [a-z0-9] made one '-', at most 40 bytes of it.
 * Where that loses anything (punctuation, case, non-ASCII letters, the
 * length), the name's hash follows, so that "gemv_t" and "gemv-t" get
 * files of their own ("-" and 8 hex digits); the report makes the names
 * unique in the end whatever the hashes do. NULL if out of memory. */
char *sn_chart_slug(const char *prefix, const char *name, size_t n);

#endif

/*
 * chart_build.c - bar charts built up from benchmark results: groups and
 * series found by name as the results come (each name kept once), the
 * index of each value, and a chart's file name. The readers of the two
 * benchmark formats (bench_json.c) share these.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "report/chart_build.h"
#include "report/svg.h"

char *sn_chart_strdup(const char *s)
{
    const size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static char *chart_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

long sn_chart_intern(char ***list, size_t *count, const char *s, size_t n,
                     size_t max)
{
    for (size_t i = 0; i < *count; i++)
        if (!strncmp((*list)[i], s, n) && (*list)[i][n] == '\0')
            return (long)i;
    if (*count >= max)
        return SN_INTERN_FULL;
    char **grown = realloc(*list, (*count + 1) * sizeof **list);
    if (!grown)
        return SN_INTERN_OOM;
    *list = grown;
    if (!(grown[*count] = chart_strndup(s, n)))
        return SN_INTERN_OOM;
    return (long)(*count)++;
}

int sn_chart_intern_chart(char ***list, size_t *count, const char *s,
                          size_t n, const char *what, sn_error *err)
{
    const long k = sn_chart_intern(list, count, s, n, SN_CHART_MAX_CHARTS);
    if (k == SN_INTERN_FULL)
        return sn_set_error(err, "more than %d %s: more charts than one "
                                 "report shows", SN_CHART_MAX_CHARTS, what);
    return k < 0 ? sn_set_error(err, "out of memory") : 0;
}

void sn_chart_free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static void roofline_free(sn_roofline *rl)
{
    if (!rl)
        return;
    for (size_t i = 0; i < rl->nroofs; i++)
        free(rl->roofs[i].name);
    for (size_t i = 0; i < rl->npoints; i++) {
        free(rl->points[i].op);
        free(rl->points[i].shape);
    }
    free(rl->roofs);
    free(rl->points);
    free(rl);
}

void sn_chart_free(sn_bar_chart *c)
{
    roofline_free(c->roofline);
    free(c->title);
    free(c->subtitle);
    free(c->unit);
    free(c->slug);
    sn_chart_free_list(c->groups, c->ngroups);
    sn_chart_free_list(c->series, c->nseries);
    free(c->value);
    free(c->lo);
    free(c->hi);
    memset(c, 0, sizeof *c);
}

void sn_chart_set_free(sn_chart_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        sn_chart_free(&set->charts[i]);
    free(set->charts);
    memset(set, 0, sizeof *set);
}

int sn_chart_push(sn_chart_set *set, sn_bar_chart *c, sn_error *err)
{
    if (set->n >= SN_CHART_MAX_CHARTS) {
        sn_chart_free(c);
        return sn_set_error(err, "more than %d charts", SN_CHART_MAX_CHARTS);
    }
    sn_bar_chart *grown = realloc(set->charts, (set->n + 1) * sizeof *grown);
    if (!grown) {
        sn_chart_free(c);
        return sn_set_error(err, "out of memory");
    }
    set->charts = grown;
    set->charts[set->n++] = *c;
    memset(c, 0, sizeof *c);
    return 0;
}

int sn_chart_finish(sn_chart_set *set, sn_bar_chart *c, int rc,
                    sn_error *err)
{
    if (rc != 0) {
        sn_chart_free(c);
        return -1;
    }
    return sn_chart_push(set, c, err);
}

long sn_chart_slot(sn_bar_chart *c, const char *group, size_t glen,
                   const char *series, size_t slen, sn_error *err)
{
    const long g = sn_chart_intern(&c->groups, &c->ngroups, group, glen,
                                   SN_CHART_MAX_GROUPS);
    const long s = g < 0 ? g
                         : sn_chart_intern(&c->series, &c->nseries, series,
                                           slen, SN_CHART_MAX_SERIES);
    if (g == SN_INTERN_FULL || s == SN_INTERN_FULL)
        return sn_set_error(err, "chart '%s' would have more than %d %s: "
                                 "more than one chart can show", c->title,
                            g == SN_INTERN_FULL ? SN_CHART_MAX_GROUPS
                                                : SN_CHART_MAX_SERIES,
                            g == SN_INTERN_FULL ? "groups" : "series");
    if (g < 0 || s < 0)
        return sn_set_error(err, "out of memory");
    return g * (long)c->nseries + s;
}

/* FNV-1a, 32 bits: a name's fingerprint in its file name. */
static uint32_t fnv1a(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

enum { SLUG_NAME = 40 }; /* the bytes of the name kept (chart_build.h) */

char *sn_chart_slug(const char *prefix, const char *name, size_t n)
{
    char part[SLUG_NAME + 1];
    size_t len = 0;
    int lossy = 0;
    for (size_t i = 0; i < n; i++) {
        const char c = name[i];
        const int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        const int upper = c >= 'A' && c <= 'Z';
        if (!alnum && !upper && c != '-')
            lossy = 1;
        if (alnum || upper) {
            if (len == SLUG_NAME) {
                lossy = 1;
                break;
            }
            part[len++] = upper ? (char)(c - 'A' + 'a') : c;
            lossy |= upper;
        } else if (len > 0 && part[len - 1] != '-' && len < SLUG_NAME) {
            part[len++] = '-';
        } else {
            lossy = 1; /* a run of separators, or one at the start */
        }
    }
    while (len > 0 && part[len - 1] == '-') {
        len--;
        lossy = 1;
    }
    part[len] = '\0';
    sn_buf b = {0};
    sn_buf_printf(&b, "%s%s%s", prefix, len ? "-" : "", part);
    if (lossy || len == 0)
        sn_buf_printf(&b, "-%08x", (unsigned)fnv1a(name, n));
    return sn_buf_take(&b);
}

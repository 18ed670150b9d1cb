/* progress.c - a progress bar on a terminal, nothing when piped. It fits
 * the terminal's width (a line longer than that would wrap and scroll)
 * and shows the running cost and the time left. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The terminal's width: the tty's, else $COLUMNS, else 80. */
static int terminal_width(FILE *out)
{
    struct winsize ws;
    if (ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *env = getenv("COLUMNS");
    const int cols = env ? atoi(env) : 0;
    return cols > 0 ? cols : 80;
}

void cli_progress_begin(cli_progress *p, FILE *out, const char *label)
{
    p->out = out;
    p->enabled = isatty(fileno(out));
    p->start = cli_now();
    p->last_draw = 0.0;
    p->label = label;
    p->cost_sum = 0.0;
    p->costs = 0;
    p->width = p->enabled ? terminal_width(out) : 0;
}

/* "42s", "3m05s", "1h02m". */
static void format_eta(double secs, char *buf, size_t len)
{
    const long s = secs < 0 ? 0 : (long)(secs + 0.5);
    if (s < 60)
        snprintf(buf, len, "%lds", s);
    else if (s < 3600)
        snprintf(buf, len, "%ldm%02lds", s / 60, s % 60);
    else
        snprintf(buf, len, "%ldh%02ldm", s / 3600, s % 3600 / 60);
}

void cli_progress_update(cli_progress *p, size_t done, size_t total,
                         float cost)
{
    if (!p->enabled || total == 0)
        return;
    p->cost_sum += (double)cost;
    p->costs++;
    const double now = cli_now();
    /* Redrawing costs a write(2); ten times a second is plenty. */
    if (done < total && now - p->last_draw < 0.1)
        return;
    p->last_draw = now;
    char eta[48];
    format_eta(done ? (now - p->start) * (double)(total - done) / (double)done
                    : 0.0, eta, sizeof eta);
    char pct[8], count[48], rest[96];
    snprintf(pct, sizeof pct, " %3zu%%", done * 100 / total);
    snprintf(count, sizeof count, "  %zu/%zu", done, total);
    snprintf(rest, sizeof rest, "  cost %.4f  ETA %s",
             p->cost_sum / (double)(p->costs ? p->costs : 1), eta);
    /* One column short of the width: writing the last column makes some
     * terminals wrap at once. What does not fit goes: the bar, then the
     * counts; the line is cut as a last resort. */
    const size_t fit = p->width > 1 ? (size_t)p->width - 1 : 1;
    const size_t text = strlen(p->label) + strlen(pct) + strlen(rest);
    const int with_count = text + strlen(count) <= fit;
    const size_t used = text + (with_count ? strlen(count) : 0) + 3;
    enum { MAX_BAR = 30, MIN_BAR = 5 };
    const size_t width = used + MIN_BAR > fit ? 0
                         : fit - used > MAX_BAR ? MAX_BAR : fit - used;
    char bar[MAX_BAR + 4] = "";
    if (width) {
        const size_t filled = done * width / total;
        bar[0] = ' ';
        bar[1] = '[';
        for (size_t i = 0; i < width; i++)
            bar[2 + i] = i < filled ? '#' : '.';
        bar[2 + width] = ']';
        bar[3 + width] = '\0';
    }
    char line[256];
    snprintf(line, sizeof line, "%s%s%s%s%s", p->label, bar, pct,
             with_count ? count : "", rest);
    if (strlen(line) > fit)
        line[fit] = '\0';
    fprintf(p->out, "\r%s\033[K", line);
    fflush(p->out);
}

void cli_progress_end(cli_progress *p)
{
    if (!p->enabled)
        return;
    /* Clear the line so the next output starts clean. */
    fputs("\r\033[K", p->out);
    fflush(p->out);
}

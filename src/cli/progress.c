/* progress.c - a progress bar on a terminal, nothing when piped. */
#include <time.h>
#include <unistd.h>

#include "cli.h"

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_begin(cli_progress *p, FILE *out, const char *label)
{
    p->out = out;
    p->enabled = isatty(fileno(out));
    p->start = cli_now();
    p->last_draw = 0.0;
    p->label = label;
}

void cli_progress_update(cli_progress *p, size_t done, size_t total)
{
    if (!p->enabled || total == 0)
        return;
    const double now = cli_now();
    /* Redrawing costs a write(2); ten times a second is plenty. */
    if (done < total && now - p->last_draw < 0.1)
        return;
    p->last_draw = now;
    enum { WIDTH = 30 };
    const size_t filled = done * WIDTH / total;
    char bar[WIDTH + 1];
    for (size_t i = 0; i < WIDTH; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(p->out, "\r%s [%s] %3zu%%  %zu/%zu", p->label, bar,
            done * 100 / total, done, total);
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

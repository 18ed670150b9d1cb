/* peer_libm.c - the sigmoid as anyone would first write it, on libm's expf:
 * the baseline that the vectorised sigmoid kernels are measured against. */
#include <math.h>
#include <stdio.h>

#include "alloc.h"
#include "bench_peers.h"
#include "bench_util.h"

static void sigmoid_libm(size_t n, const float *x, float *y)
{
    for (size_t i = 0; i < n; i++)
        y[i] = 1.0f / (1.0f + expf(-x[i]));
}

static void run_sigmoid(gb_state *st, const void *arg)
{
    const bench_shape *s = arg;
    const size_t n = s->rows;
    float *x = bench_floats(n, 2), *y = bench_floats(n, 3);
    if (!x || !y) {
        gb_skip_with_error(st, "out of memory for the operands");
    } else {
        for (size_t i = 0; i < n; i++)
            x[i] *= 8.0f; /* [-8, 8), as for the kernels */
        const int64_t batch = bench_batch(n);
        while (gb_keep_running_batch(st, batch))
            for (int64_t i = 0; i < batch; i++)
                sigmoid_libm(n, x, y);
        bench_report(st, bench_op_work("sigmoid", s, 0), 0.0);
    }
    sn_free(x);
    sn_free(y);
}

void bench_register_libm(void)
{
    for (const bench_shape *s = bench_shapes("sigmoid"); s && s->rows; s++) {
        char shape[32], name[96];
        bench_shape_name(s, shape, sizeof shape);
        snprintf(name, sizeof name, "sigmoid/libm/%s", shape);
        gb_register(name, run_sigmoid, s);
    }
}

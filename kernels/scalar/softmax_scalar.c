/* softmax, scalar reference: libm's expf and logf.
 *
 * m = max x; e[i] = exp(max(x[i], floor) - m) with floor = m - 2^127 for
 * m > 0, so that the subtraction cannot overflow for any finite x (an x
 * below the floor is more than 2^127 below m: its exp is 0 either way; for
 * m <= 0, x - m >= -FLT_MAX and the floor is -FLT_MAX, no clamp);
 * y = e / sum e, summed in order; lse = m + log(sum). The sum is at least
 * 1 (the max contributes exp(0)), so the division and the log are safe.
 * A NaN in x passes the clamp and makes every output NaN. Row by row. */
#include <math.h>

#include "kernels.h"

static float softmax_row(size_t n, const float *x, float *y)
{
    float m = x[0];
    for (size_t i = 1; i < n; i++)
        if (x[i] > m)
            m = x[i];
    const float floor = sn_softmax_floor(m);
    float sum = 0.0f;
    for (size_t i = 0; i < n; i++) {
        const float xi = x[i] < floor ? floor : x[i];
        const float e = expf(xi - m);
        y[i] = e;
        sum += e;
    }
    for (size_t i = 0; i < n; i++)
        y[i] = y[i] / sum;
    return m + logf(sum);
}

void sn_softmax_scalar(size_t m, size_t n, const float *x, float *y,
                       float *lse)
{
    for (size_t r = 0; r < m; r++)
        lse[r] = softmax_row(n, x + r * n, y + r * n);
}

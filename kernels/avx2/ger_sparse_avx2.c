/* ger_sparse, AVX2+FMA: WT[idx[j]] += val[j] * d, with d held in registers
 * 32 outputs at a time while the rows of the nonzero inputs stream through. */
#include "vec_avx2.h"
#include "kernels.h"

void sn_ger_sparse_avx2(size_t m, size_t nnz, const uint32_t *idx,
                        const float *val, const float *d, float *dwt)
{
    for (size_t c = 0; c < m; c += 32) {
        const size_t rem = m - c < 32 ? m - c : 32;
        __m256i mask[4];
        size_t lanes[4];
        __m256 dv[4];
        for (int q = 0; q < 4; q++) {
            const size_t lo = 8 * (size_t)q;
            lanes[q] = rem <= lo ? 0 : rem - lo < 8 ? rem - lo : 8;
            mask[q] = sn_avx2_tail_mask(lanes[q]);
            dv[q] = sn_avx2_load_n(d + c + 8 * q, lanes[q], mask[q]);
        }
        for (size_t j = 0; j < nnz; j++) {
            float *w = dwt + (size_t)idx[j] * m + c;
            const __m256 v = _mm256_set1_ps(val[j]);
            for (int q = 0; q < 4; q++)
                sn_avx2_store_n(w + 8 * q, lanes[q], mask[q],
                    _mm256_fmadd_ps(v, dv[q], sn_avx2_load_n(w + 8 * q, lanes[q], mask[q])));
        }
    }
}

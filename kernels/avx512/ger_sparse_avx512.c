/* ger_sparse, AVX-512: WT[idx[j]] += val[j] * d. d stays in registers (32
 * outputs at a time) while the rows of the nonzero inputs stream through. */
#include "vec_avx512.h"
#include "kernels.h"

void sn_ger_sparse_avx512(size_t m, size_t nnz, const uint32_t *idx,
                          const float *val, const float *d, float *dwt)
{
    if (m == 32) {
        /* The tutorial's first layer: rows of exactly two vectors. */
        const __m512 d0 = _mm512_loadu_ps(d);
        const __m512 d1 = _mm512_loadu_ps(d + 16);
        for (size_t j = 0; j < nnz; j++) {
            float *w = dwt + ((size_t)idx[j] << 5);
            const __m512 v = _mm512_set1_ps(val[j]);
            _mm512_storeu_ps(w, _mm512_fmadd_ps(v, d0, _mm512_loadu_ps(w)));
            _mm512_storeu_ps(w + 16, _mm512_fmadd_ps(v, d1, _mm512_loadu_ps(w + 16)));
        }
        return;
    }
    for (size_t c = 0; c < m; c += 32) {
        const size_t rem = m - c;
        const __mmask16 k0 = sn_avx512_tail_mask(rem < 16 ? rem : 16);
        const __mmask16 k1 = sn_avx512_tail_mask(rem <= 16 ? 0 : rem < 32 ? rem - 16 : 16);
        const __m512 d0 = _mm512_maskz_loadu_ps(k0, d + c);
        const __m512 d1 = _mm512_maskz_loadu_ps(k1, d + c + 16);
        for (size_t j = 0; j < nnz; j++) {
            float *w = dwt + (size_t)idx[j] * m + c;
            const __m512 v = _mm512_set1_ps(val[j]);
            _mm512_mask_storeu_ps(w, k0, _mm512_fmadd_ps(v, d0, _mm512_maskz_loadu_ps(k0, w)));
            _mm512_mask_storeu_ps(w + 16, k1, _mm512_fmadd_ps(v, d1, _mm512_maskz_loadu_ps(k1, w + 16)));
        }
    }
}

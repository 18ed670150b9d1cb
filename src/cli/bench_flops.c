/* bench_flops.c - the FLOPs `simdnet bench` divides by: dense-equivalent
 * and effective (bench.h), so that a percentage of the FMA peak of the
 * effective count is of work really done and cannot pass 100%. */
#include "bench.h"

/* Every multiply-add counts 2: the forward pass and the weight gradients
 * each do one per weight, and the errors passed back through layers 2..L
 * one per weight of those layers (the first layer's input needs none).
 * The first layer's forward pass and gradients cost `nonzero` of their
 * dense count in the engine that skips zero pixels. 108,416 dense for
 * 784-32-32-10. */
bench_flops bench_flop_per_sample(const sn_net *net, double nonzero)
{
    double all = 0.0, first = 0.0;
    for (size_t l = 0; l < net->nlayers; l++) {
        const double w = (double)net->sizes[l] * (double)net->sizes[l + 1];
        all += w;
        if (l == 0)
            first = w;
    }
    const double back = 2.0 * (all - first);
    const double sparse_all = all - first + nonzero * first;
    return (bench_flops){.dense = 4.0 * all + back,
                         .sparse = 4.0 * sparse_all + back};
}

/* The per-sample and sparse-dense engines visit every pixel. */
double bench_effective_flops(const bench_flops *f, const engine_variant *e)
{
    return e->engine == SN_ENGINE_SPARSE && !e->dense_input ? f->sparse
                                                            : f->dense;
}

double bench_nonzero_fraction(const sn_dataset *ds)
{
    const size_t n = ds->count * ds->input_size;
    size_t nz = 0;
    for (size_t i = 0; i < n; i++)
        nz += ds->pixels[i] != 0;
    return n ? (double)nz / (double)n : 1.0;
}

/* eval.c - accuracy, mean cost (the net's loss) and confusion matrix on a
 * data set. */
#include <omp.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "layers.h"
#include "net_kind.h"
#include "registry.h"

static size_t argmax_first(size_t n, const float *a)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++) {
        if (a[i] > a[best])
            best = i;
    }
    return best;
}

int sn_evaluate(const sn_net *net, const sn_kernels *k, const sn_dataset *ds,
                int threads, sn_eval_result *res, sn_error *err)
{
    memset(res, 0, sizeof *res);
    if (!k && sn_kernels_select(NULL, &k, err) != 0)
        return -1;
    if (sn_net_check_kind(net, err) != 0)
        return -1;
    if (ds->input_size != net->sizes[0])
        return sn_set_error(err, "the data's samples have %zu inputs but the "
                                 "network's first layer has %zu",
                            ds->input_size, net->sizes[0]);
    const size_t classes = net->sizes[net->nlayers];
    if (threads <= 0)
        threads = omp_get_max_threads();
    if (classes > 4096)
        return sn_set_error(err, "evaluation supports at most 4096 classes");

    /* Per-thread confusion counts and costs, combined in thread order so the
     * mean cost is reproducible for a given thread count. The first layer
     * runs over each sample's nonzero pixels with W1 transposed, as the
     * sparse training engine does. */
    const size_t cells = classes * classes;
    const size_t n0 = net->sizes[0], n1 = net->sizes[1];
    const size_t list = n0 + 16; /* nonzero_u8's room past the count */
    size_t *conf = sn_alloc_array((size_t)threads * cells, sizeof(size_t));
    double *costs = sn_alloc_array((size_t)threads, sizeof(double));
    float *wt = sn_alloc_array(n0 * n1, sizeof(float));
    int failed = 0;
    /* The loaders checked the labels (max_label); a data set built by hand
     * may not have been: its first label out of range is refused here, in
     * the pass itself, as the confusion matrix has no cell for it. */
    size_t first_bad = SIZE_MAX;
    if (!conf || !costs || !wt) {
        sn_free(conf);
        sn_free(costs);
        sn_free(wt);
        return sn_set_error(err, "out of memory for evaluation");
    }
    k->transpose(n1, n0, net->params + net->w_off[0], 0, n1, wt);
    int nt_used = 1;
#pragma omp parallel num_threads(threads)
    {
        const int id = omp_get_thread_num();
        const int nt = omp_get_num_threads();
        sn_activations a;
        uint32_t *idx = sn_alloc_array(list, sizeof *idx);
        float *val = sn_alloc_array(list, sizeof *val);
        if (!idx || !val || sn_activations_create(&a, net, NULL) != 0) {
#pragma omp atomic write
            failed = 1;
        } else {
            const size_t lo = ds->count * (size_t)id / (size_t)nt;
            const size_t hi = ds->count * (size_t)(id + 1) / (size_t)nt;
            size_t *my = conf + (size_t)id * cells;
            double c = 0.0;
            const float *out = NULL;
            const float *b1 = net->params + net->b_off[0];
            for (size_t i = lo; i < hi; i++) {
                const uint8_t *x = ds->pixels + i * ds->input_size;
                const size_t nnz = k->nonzero_u8(n0, x, SN_PIXEL_SCALE, idx,
                                                 val, NULL);
                k->gemv_sparse(n1, nnz, idx, val, wt, b1,
                               layer_product(net, &a, 0));
                layer_activate(k, net, 0, &a);
                net_forward_upper(k, net, &a);
                if (ds->labels[i] >= classes) {
#pragma omp critical(sn_eval_bad_label)
                    if (i < first_bad)
                        first_bad = i;
                    continue;
                }
                const unsigned label = ds->labels[i];
                c += net_head(k, net, &label, 0, &a);
                out = a.act[net->nlayers - 1];
                my[(size_t)ds->labels[i] * classes + argmax_first(classes, out)]++;
            }
            costs[id] = c;
            sn_activations_free(&a);
        }
        sn_free(idx);
        sn_free(val);
        if (id == 0)
            nt_used = nt;
    }
    sn_free(wt);
    if (failed) {
        sn_free(conf);
        sn_free(costs);
        return sn_set_error(err, "out of memory for evaluation");
    }
    if (first_bad != SIZE_MAX) {
        sn_free(conf);
        sn_free(costs);
        return sn_set_error(err, "sample %zu has label %u but the output "
                                 "layer has only %zu neurons", first_bad,
                            ds->labels[first_bad], classes);
    }
    double cost = 0.0;
    for (int j = 0; j < nt_used; j++) {
        cost += costs[j];
        if (j > 0) {
            for (size_t c = 0; c < cells; c++)
                conf[c] += conf[(size_t)j * cells + c];
        }
    }
    sn_free(costs);
    res->count = ds->count;
    res->classes = classes;
    res->confusion = conf; /* the first cells entries hold the sum */
    for (size_t c = 0; c < classes; c++)
        res->correct += conf[c * classes + c];
    res->accuracy = ds->count ? (double)res->correct / (double)ds->count : 0.0;
    res->mean_cost = ds->count ? cost / (double)ds->count : 0.0;
    return 0;
}

void sn_eval_free(sn_eval_result *res)
{
    sn_free(res->confusion);
    memset(res, 0, sizeof *res);
}

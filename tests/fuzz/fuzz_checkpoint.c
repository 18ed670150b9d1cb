/*
 * fuzz_checkpoint.c - libFuzzer harness for the checkpoint reader
 * (sn_checkpoint_load), from a regular file and from a pipe.
 *
 * Input: byte 0 bit 0 picks the pipe; the rest is the checkpoint file.
 */
#include <math.h>
#include <string.h>

#include "fuzz_file.h"
#include "simdnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a loaded checkpoint promises (docs/checkpoint-format.md). */
static int read_checkpoint(const char *path, size_t file_size, sn_error *err)
{
    sn_checkpoint ck;
    if (sn_checkpoint_load(&ck, path, err) != 0)
        return -1;
    const sn_run_state *r = &ck.run;
    const size_t nb = r->data_count / ck.cfg.batch +
                      (r->data_count % ck.cfg.batch != 0);
    if (!ck.net.params || (ck.nstates && !ck.state[0]) || ck.cfg.batch < 1 ||
        !(ck.cfg.lr > 0.0f) || !isfinite(ck.cfg.lr) ||
        r->epoch > r->epochs || r->batches_done >= nb ||
        r->data_inputs != ck.net.sizes[0] ||
        (r->ncosts && r->ncosts != r->epoch * nb + r->batches_done) ||
        (r->ncosts != 0) != (r->costs != NULL) ||
        file_size < 4 * (1 + ck.nstates) * ck.net.nparams + 4 * r->ncosts)
        abort();
    fuzz_touch(ck.net.params, ck.net.nparams * sizeof *ck.net.params);
    for (size_t k = 0; k < ck.nstates; k++)
        fuzz_touch(ck.state[k], ck.net.nparams * sizeof *ck.state[k]);
    fuzz_touch(r->costs, r->ncosts * sizeof *r->costs);
    sn_checkpoint_free(&ck);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_read_one_file(data, size, read_checkpoint);
}

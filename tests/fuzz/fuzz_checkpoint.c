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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    fuzz_file f;
    fuzz_file_open(&f, data + 1, size - 1, data[0] & 1);
    sn_checkpoint ck;
    sn_error err;
    if (sn_checkpoint_load(&ck, f.path, &err) == 0) {
        /* What a loaded checkpoint promises (docs/checkpoint-format.md). */
        const sn_run_state *r = &ck.run;
        const size_t nb = r->data_count / ck.cfg.batch +
                          (r->data_count % ck.cfg.batch != 0);
        if (!ck.net.params || (ck.nstates && !ck.state[0]) || ck.cfg.batch < 1 ||
            !(ck.cfg.lr > 0.0f) || !isfinite(ck.cfg.lr) ||
            r->epoch > r->epochs || r->batches_done >= nb ||
            r->data_inputs != ck.net.sizes[0] ||
            (r->ncosts && r->ncosts != r->epoch * nb + r->batches_done) ||
            (r->ncosts != 0) != (r->costs != NULL) ||
            size - 1 < 8 * ck.net.nparams + 4 * r->ncosts)
            abort();
        float sum = 0.0f;
        for (size_t i = 0; i < ck.net.nparams; i++)
            sum += ck.net.params[i] + (ck.nstates ? ck.state[0][i] : 0.0f);
        for (size_t i = 0; i < r->ncosts; i++)
            sum += r->costs[i];
        (void)sum;
        sn_checkpoint_free(&ck);
    } else if (err.msg[0] == '\0') {
        abort();
    }
    fuzz_file_close(&f);
    return 0;
}

/*
 * fuzz_model.c - libFuzzer harness for the model reader (sn_model_load),
 * from a regular file (its length is checked against the header before
 * anything is allocated) and from a pipe (no length to check: the reader
 * must still not allocate what the stream does not hold).
 *
 * Input: byte 0 bit 0 picks the pipe; the rest is the model file.
 */
#include <string.h>

#include "fuzz_file.h"
#include "simdnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file f;
    if (!fuzz_file_from_input(&f, data, size))
        return 0;
    sn_net net;
    sn_error err;
    if (sn_model_load(&net, f.path, &err) == 0) {
        /* A loaded model is a network sn_net_shape accepts, all of whose
         * parameters are readable. */
        size_t w_off[SN_MAX_LAYERS], b_off[SN_MAX_LAYERS], nparams;
        if (sn_net_shape(net.sizes, net.nlayers + 1, w_off, b_off, &nparams,
                         NULL) != 0 ||
            nparams != net.nparams || size - 1 < 4 * nparams)
            abort();
        fuzz_touch(net.params, net.nparams * sizeof *net.params);
        sn_net_free(&net);
    } else if (err.msg[0] == '\0') {
        abort();
    }
    fuzz_file_close(&f);
    return 0;
}

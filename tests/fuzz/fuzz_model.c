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

/* A loaded model is a network sn_net_shape accepts, all of whose
 * parameters are readable. */
static int read_model(const char *path, size_t file_size, sn_error *err)
{
    sn_net net;
    if (sn_model_load(&net, path, err) != 0)
        return -1;
    size_t w_off[SN_MAX_LAYERS], b_off[SN_MAX_LAYERS], nparams;
    if (sn_net_shape(net.sizes, net.nlayers + 1, w_off, b_off, &nparams,
                     NULL) != 0 ||
        nparams != net.nparams || file_size < 4 * nparams)
        abort();
    fuzz_touch(net.params, net.nparams * sizeof *net.params);
    sn_net_free(&net);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_read_one_file(data, size, read_model);
}

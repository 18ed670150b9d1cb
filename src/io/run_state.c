/*
 * run_state.c - a training run's position (epoch, batches done, costs) and
 * its data's CRC, held to the limits of a run (simdnet.h). Saving, loading
 * and resuming a checkpoint (checkpoint.c, checkpoint_resume.c) and
 * sn_run_state_check all check through sn_check_position.
 */
#include <stdint.h>

#include "bytes.h"
#include "checked.h"
#include "error.h"
#include "run_state.h"
#include "simdnet.h"

uint32_t sn_dataset_crc(const sn_dataset *ds)
{
    if (ds->count == 0)
        return sn_crc32(0, NULL, 0);
    const uint32_t crc = sn_crc32(0, ds->labels, ds->count);
    return sn_crc32(crc, ds->pixels, ds->count * ds->input_size);
}

size_t sn_batches_per_epoch(size_t count, size_t batch)
{
    return batch == 0 ? 0 : count / batch + (count % batch != 0);
}

/* A run's position and sizes, held to the limits of a run (simdnet.h):
 * the one check behind saving, loading, sn_run_state_check and resuming,
 * on 64-bit values so that a file's fields are checked before they are
 * narrowed. Messages start with `prefix`. */
int sn_check_position(uint64_t count, uint64_t batch, uint64_t epochs,
                      uint64_t epoch, uint64_t done, uint64_t ncosts,
                      const char *prefix, sn_error *err)
{
    if (count < 1 || count > SN_MAX_SAMPLES)
        return sn_set_error(err, "%s%llu training samples (expected 1 to "
                                 "%llu)", prefix, (unsigned long long)count,
                            (unsigned long long)SN_MAX_SAMPLES);
    if (batch < 1 || batch > SN_MAX_BATCH || batch > count)
        return sn_set_error(err, "%sbatch %llu (expected 1 to %llu, the "
                                 "training samples, at most %d)", prefix,
                            (unsigned long long)batch,
                            (unsigned long long)count, SN_MAX_BATCH);
    if (epochs < 1 || epochs > SN_MAX_EPOCHS)
        return sn_set_error(err, "%s%llu epochs (expected 1 to %d)", prefix,
                            (unsigned long long)epochs, SN_MAX_EPOCHS);
    const uint64_t nb = count / batch + (count % batch != 0);
    if (epoch > epochs || done >= nb || (epoch == epochs && done != 0))
        return sn_set_error(err, "%sposition outside the run: epoch %llu "
                                 "of %llu, %llu of its %llu batches done",
                            prefix, (unsigned long long)epoch + 1,
                            (unsigned long long)epochs,
                            (unsigned long long)done, (unsigned long long)nb);
    /* At most 10^6 epochs of 2^32 batches: no overflow, checked anyway. */
    uint64_t applied;
    if (sn_mul_add_overflow(epoch, nb, done, &applied) ||
        (ncosts != 0 && ncosts != applied))
        return sn_set_error(err, "%s%llu batch costs for a position after "
                                 "%llu batches", prefix,
                            (unsigned long long)ncosts,
                            (unsigned long long)applied);
    if (!sn_fits_size(ncosts) || ncosts > SIZE_MAX / sizeof(float))
        return sn_set_error(err, "%s%llu batch costs: too many for this "
                                 "machine", prefix, (unsigned long long)ncosts);
    return 0;
}

int sn_run_state_check(const sn_run_state *run, size_t batch, sn_error *err)
{
    if (run->ncosts != 0 && !run->costs)
        return sn_set_error(err, "%zu batch costs and no cost array",
                            run->ncosts);
    return sn_check_position(run->data_count, batch, run->epochs, run->epoch,
                             run->batches_done, run->ncosts, "", err);
}

/*
 * checkpoint_resume.c - putting a loaded checkpoint back into a trainer,
 * after checking that the run it asks to go on is the run it came from
 * (the same settings, layers and data), so that the resumed run ends with
 * exactly the weights an uninterrupted one would. Reading the file is
 * checkpoint.c.
 */
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "optimizer.h"
#include "simdnet.h"
#include "trainer_access.h"


/* "used learning rate 0.1, this one asks for 0.2", with as many digits as
 * it takes to tell the two apart. */
static int differ(sn_error *err, const char *what, float had, float want)
{
    char a[32], b[32];
    for (int digits = 6; digits <= 9; digits++) {
        snprintf(a, sizeof a, "%.*g", digits, (double)had);
        snprintf(b, sizeof b, "%.*g", digits, (double)want);
        if (strcmp(a, b) != 0)
            break;
    }
    return sn_set_error(err, "the checkpoint's run used %s %s, this one asks "
                             "for %s", what, a, b);
}

/* The settings of ck's optimizer and schedule that decide the result,
 * against the trainer's: -1 with a message naming the first that differs. */
static int same_settings(const sn_train_config *had,
                         const sn_train_config *want, sn_error *err)
{
    if (want->optimizer != had->optimizer)
        return sn_set_error(err, "the checkpoint's run used %s, this one "
                                 "asks for %s",
                            sn_optimizer_name(had->optimizer),
                            sn_optimizer_name(want->optimizer));
    const unsigned uses = sn_optimizer_uses(had->optimizer);
    const struct {
        const char *what;
        float had, want;
        int used;
    } floats[] = {
        {"learning rate", had->lr, want->lr, 1},
        {"epsilon", had->eps, want->eps, (uses & SN_USES_EPS) != 0},
        {"momentum", had->momentum, want->momentum,
         (uses & SN_USES_MOMENTUM) != 0},
        {"beta1", had->beta1, want->beta1, (uses & SN_USES_BETA1) != 0},
        {"beta2", had->beta2, want->beta2, (uses & SN_USES_BETA2) != 0},
        {"weight decay", had->weight_decay, want->weight_decay, 1},
        {"gamma", had->gamma, want->gamma,
         had->schedule == SN_SCHEDULE_STEP},
    };
    if (want->schedule != had->schedule)
        return sn_set_error(err, "the checkpoint's run used the %s schedule, "
                                 "this one asks for %s",
                            sn_schedule_name(had->schedule),
                            sn_schedule_name(want->schedule));
    /* Compared as bits: the same flag value parses to the same float. */
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
        if (floats[i].used &&
            memcmp(&floats[i].had, &floats[i].want, sizeof(float)) != 0)
            return differ(err, floats[i].what, floats[i].had, floats[i].want);
    if (had->schedule == SN_SCHEDULE_STEP &&
        want->step_epochs != had->step_epochs)
        return sn_set_error(err, "the checkpoint's run stepped its learning "
                                 "rate every %zu epochs, this one asks for "
                                 "%zu", had->step_epochs, want->step_epochs);
    if (had->schedule == SN_SCHEDULE_COSINE && want->epochs != had->epochs)
        return sn_set_error(err, "the checkpoint's cosine schedule spans %zu "
                                 "epochs, this one asks for %zu", had->epochs,
                            want->epochs);
    return 0;
}

/* The network's kinds, which decide the result as its sizes do. */
static int same_kinds(const sn_net *had, const sn_net *want, sn_error *err)
{
    for (size_t l = 0; l < had->nlayers; l++)
        if (had->act[l] != want->act[l])
            return sn_set_error(err, "the checkpoint's network has %s on "
                                     "layer %zu, this run's %s",
                                sn_activation_name(had->act[l]), l + 1,
                                sn_activation_name(want->act[l]));
    if (had->loss != want->loss)
        return sn_set_error(err, "the checkpoint's network has loss %s, this "
                                 "run's %s", sn_loss_name(had->loss),
                            sn_loss_name(want->loss));
    return 0;
}

int sn_checkpoint_resume(const sn_checkpoint *ck, sn_trainer *t,
                         const sn_dataset *train, sn_error *err)
{
    sn_net *net = sn_trainer_net(t);
    const sn_train_config *cfg = sn_trainer_config(t);
    /* ck is a public struct: what the reader checked may have changed. */
    int have_states = ck->nstates <= SN_MAX_STATES;
    for (size_t k = 0; have_states && k < ck->nstates; k++)
        have_states = ck->state[k] != NULL;
    if (!ck->net.params || !have_states)
        return sn_set_error(err, "the checkpoint holds no parameters or "
                                 "optimizer state");
    if (sn_run_state_check(&ck->run, ck->cfg.batch, err) != 0)
        return sn_prefix_error(err, "the checkpoint's run: ");
    int same = net->nlayers == ck->net.nlayers;
    for (size_t i = 0; same && i <= net->nlayers; i++)
        same = net->sizes[i] == ck->net.sizes[i];
    if (!same) {
        char have[160], want[160];
        sn_format_layers(&ck->net, have, sizeof have);
        sn_format_layers(net, want, sizeof want);
        return sn_set_error(err, "the checkpoint's network is %s, this run's "
                                 "is %s", have, want);
    }
    if (same_kinds(&ck->net, net, err) != 0)
        return -1;
    if (cfg->batch != ck->cfg.batch)
        return sn_set_error(err, "the checkpoint's run used batch %zu, this "
                                 "one asks for %zu", ck->cfg.batch,
                            cfg->batch);
    if (same_settings(&ck->cfg, cfg, err) != 0)
        return -1;
    if (ck->nstates != sn_trainer_state_count(t))
        return sn_set_error(err, "the checkpoint holds %zu optimizer state "
                                 "arrays, this run's %s keeps %zu",
                            ck->nstates, sn_optimizer_name(cfg->optimizer),
                            sn_trainer_state_count(t));
    if ((cfg->shuffle != 0) != (ck->cfg.shuffle != 0) ||
        (cfg->shuffle && cfg->shuffle_seed != ck->cfg.shuffle_seed))
        return sn_set_error(err, "the checkpoint's run %s, this one %s",
                            ck->cfg.shuffle ? "shuffled" : "kept file order",
                            !cfg->shuffle ? "keeps file order"
                            : ck->cfg.shuffle ? "shuffles with another seed"
                                              : "shuffles");
    if (train->count != ck->run.data_count ||
        train->input_size != ck->run.data_inputs)
        return sn_set_error(err, "the checkpoint's run trained on %zu samples "
                                 "of %zu inputs, this one has %zu of %zu",
                            ck->run.data_count, ck->run.data_inputs,
                            train->count, train->input_size);
    const uint32_t crc = sn_dataset_crc(train);
    if (crc != ck->run.data_crc)
        return sn_set_error(err, "the training data differs from the "
                                 "checkpoint's (CRC-32 %08x, checkpoint "
                                 "%08x): same size, other samples",
                            (unsigned)crc, (unsigned)ck->run.data_crc);
    if (net->params != ck->net.params) /* a trainer on a copy of it */
        memcpy(net->params, ck->net.params, net->nparams * sizeof(float));
    for (size_t k = 0; k < ck->nstates; k++)
        sn_trainer_set_state(t, k, ck->state[k]);
    sn_trainer_set_step(t, ck->step);
    return 0;
}

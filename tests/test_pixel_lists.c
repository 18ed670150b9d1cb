/* test_pixel_lists.c - sn_trainer_keep_pixel_lists: the kept lists change
 * no value, are used where their contract says (the data set, a window of
 * its samples) and nowhere else, and follow the pixels only when kept
 * again. */
#include <criterion/criterion.h>
#include <string.h>

#include "simdnet.h"
#include "test_support.h"

/* One recipe of each path the lists feed: the tutorial's rows path with
 * AdaGrad's touched rows, the grouped path over panels (130 wide), and
 * ReLU + softmax + Adam, which steps the rows at rest by the bitmaps. */
typedef struct recipe {
    const char *name;
    size_t sizes[4], nsizes;
    int relu_adam;
} recipe;

static const recipe recipes[] = {
    {"tutorial rows", {49, 8, 6, 4}, 4, 0},
    {"grouped, panels", {49, 130, 4}, 3, 0},
    {"relu adam", {49, 16, 4}, 3, 1},
};

/* Whether the trainer keeps ds's lists before training (keep), and on
 * which data set it trains. */
typedef struct plan {
    const sn_dataset *keep;
    const sn_dataset *train;
} plan;

/* A fresh network of recipe r trained two epochs (batches of 25,
 * shuffled or not) by plan p; the caller frees *net. */
static void train_recipe(sn_net *net, const recipe *r, int threads,
                         int shuffle, plan p)
{
    sn_error err;
    cr_assert_eq(sn_net_create(net, r->sizes, r->nsizes, &err), 0, "%s",
                 err.msg);
    sn_train_config cfg = test_train_config(threads, NULL, SN_ENGINE_SPARSE);
    cfg.batch = 25;
    cfg.shuffle = shuffle;
    cfg.shuffle_seed = 7;
    if (r->relu_adam) {
        const sn_activation relu = SN_ACT_RELU;
        cr_assert_eq(sn_net_set_kind(net, &relu, 1, SN_ACT_SOFTMAX,
                                     SN_LOSS_CE, &err), 0, "%s", err.msg);
        cr_assert_eq(sn_net_init(net, SN_INIT_HE, 3), 0);
        sn_train_config_optimizer(&cfg, SN_OPT_ADAM);
        cfg.lr = 0.01f;
    } else {
        sn_net_init_uniform(net, 3);
    }
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, net, &cfg, &err), 0, "%s", err.msg);
    if (p.keep)
        cr_assert_eq(sn_trainer_keep_pixel_lists(t, p.keep, &err), 0, "%s",
                     err.msg);
    for (size_t e = 0; e < 2; e++)
        cr_assert_eq(sn_train_epoch(t, p.train, e, NULL, NULL, &err), 0,
                     "%s", err.msg);
    sn_trainer_free(t);
}

static int same_bits(const sn_net *a, const sn_net *b)
{
    return a->nparams == b->nparams &&
           memcmp(a->params, b->params, a->nparams * sizeof(float)) == 0;
}

/* Samples [pos, pos + n) of ds, no copy. */
static sn_dataset window(const sn_dataset *ds, size_t pos, size_t n)
{
    sn_dataset w = *ds;
    w.count = n;
    w.pixels = ds->pixels + pos * ds->input_size;
    w.labels = ds->labels + pos;
    return w;
}

/* Every recipe, 1 to 3 threads, shuffled or not: the same bytes with the
 * lists kept as without them. */
Test(pixel_lists, kept_lists_change_no_value)
{
    sn_dataset ds;
    cr_assert_eq(test_synthetic_dataset(&ds, 310, 49, 4, 5), 0);
    for (size_t i = 0; i < sizeof recipes / sizeof recipes[0]; i++)
        for (int threads = 1; threads <= 3; threads++)
            for (int shuffle = 0; shuffle <= 1; shuffle++) {
                sn_net with, without;
                train_recipe(&with, &recipes[i], threads, shuffle,
                             (plan){&ds, &ds});
                train_recipe(&without, &recipes[i], threads, shuffle,
                             (plan){NULL, &ds});
                cr_expect(same_bits(&with, &without), "%s, %d threads, "
                          "shuffle %d: the kept lists changed the weights",
                          recipes[i].name, threads, shuffle);
                sn_net_free(&with);
                sn_net_free(&without);
            }
    sn_dataset_free(&ds);
}

/* The lists are of the pixels as they were kept: training after the
 * pixels change (without keeping them again) still learns the old ones,
 * which shows the lists are read, for the data set and for a window of
 * its samples; kept again, they follow the new pixels. A copy of the data
 * set elsewhere in memory is not covered and is listed as it is. */
Test(pixel_lists, lists_are_read_where_they_cover_and_only_there)
{
    sn_dataset ds, old, copy;
    cr_assert_eq(test_synthetic_dataset(&ds, 300, 49, 4, 9), 0);
    cr_assert_eq(test_synthetic_dataset(&old, 300, 49, 4, 9), 0);
    cr_assert_eq(test_synthetic_dataset(&copy, 300, 49, 4, 9), 0);
    const recipe *r = &recipes[0];
    sn_net ref_old, ref_new, ref_old_win, net;

    train_recipe(&ref_old, r, 2, 1, (plan){NULL, &old});
    const sn_dataset old_win = window(&old, 100, 150);
    train_recipe(&ref_old_win, r, 2, 1, (plan){NULL, &old_win});

    /* Every nonzero pixel halved, the zeros kept: the same lists' shape,
     * other values. */
    for (size_t i = 0; i < ds.count * ds.input_size; i++) {
        ds.pixels[i] /= 2;
        copy.pixels[i] /= 2;
    }
    train_recipe(&ref_new, r, 2, 1, (plan){NULL, &ds});
    cr_assert(!same_bits(&ref_old, &ref_new), "halving the pixels changed "
              "nothing: the test could not tell old lists from new");

    /* Kept before the change, used after it: the old pixels' result. */
    sn_error err;
    cr_assert_eq(sn_net_create(&net, r->sizes, r->nsizes, &err), 0);
    sn_net_init_uniform(&net, 3);
    sn_train_config cfg = test_train_config(2, NULL, SN_ENGINE_SPARSE);
    cfg.batch = 25;
    cfg.shuffle = 1;
    cfg.shuffle_seed = 7;
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0, "%s", err.msg);
    cr_assert_eq(sn_trainer_keep_pixel_lists(t, &old, &err), 0, "%s",
                 err.msg);
    for (size_t i = 0; i < old.count * old.input_size; i++)
        old.pixels[i] /= 2;
    for (size_t e = 0; e < 2; e++)
        cr_assert_eq(sn_train_epoch(t, &old, e, NULL, NULL, &err), 0);
    sn_trainer_free(t);
    cr_expect(same_bits(&net, &ref_old), "the kept lists were not read");
    sn_net_free(&net);
    sn_net_free(&ref_old);

    /* The same through a window of old's samples, kept as they were and
     * halved before the training: only the lists can give the reference. */
    sn_dataset_free(&old);
    cr_assert_eq(test_synthetic_dataset(&old, 300, 49, 4, 9), 0);
    cr_assert_eq(sn_net_create(&net, r->sizes, r->nsizes, &err), 0);
    sn_net_init_uniform(&net, 3);
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0, "%s", err.msg);
    cr_assert_eq(sn_trainer_keep_pixel_lists(t, &old, &err), 0);
    for (size_t i = 0; i < old.count * old.input_size; i++)
        old.pixels[i] /= 2;
    const sn_dataset win = window(&old, 100, 150);
    for (size_t e = 0; e < 2; e++)
        cr_assert_eq(sn_train_epoch(t, &win, e, NULL, NULL, &err), 0);
    cr_expect(same_bits(&net, &ref_old_win), "a window of the kept set did "
              "not read its lists");
    sn_trainer_free(t);
    sn_net_free(&net);

    /* With ds's old pixels kept, its halved copy elsewhere in memory is
     * not covered: the copy's own pixels are listed. Then: ds kept again
     * after halving it, and kept then dropped, both train on the new
     * pixels. */
    for (int how = 0; how < 3; how++) {
        sn_dataset_free(&ds);
        cr_assert_eq(test_synthetic_dataset(&ds, 300, 49, 4, 9), 0);
        cr_assert_eq(sn_net_create(&net, r->sizes, r->nsizes, &err), 0);
        sn_net_init_uniform(&net, 3);
        cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0, "%s",
                     err.msg);
        cr_assert_eq(sn_trainer_keep_pixel_lists(t, &ds, &err), 0);
        const sn_dataset *train = &copy;
        if (how > 0) {
            for (size_t i = 0; i < ds.count * ds.input_size; i++)
                ds.pixels[i] /= 2;
            cr_assert_eq(sn_trainer_keep_pixel_lists(t, how == 1 ? &ds : NULL,
                                                     &err), 0);
            train = &ds;
        }
        for (size_t e = 0; e < 2; e++)
            cr_assert_eq(sn_train_epoch(t, train, e, NULL, NULL, &err), 0);
        static const char *what[] = {"a copy elsewhere read the lists of "
                                     "the original", "lists kept again do "
                                     "not follow the pixels", "dropped "
                                     "lists were still read"};
        cr_expect(same_bits(&net, &ref_new), "%s", what[how]);
        sn_trainer_free(t);
        sn_net_free(&net);
    }

    sn_net_free(&ref_new);
    sn_net_free(&ref_old_win);
    sn_dataset_free(&ds);
    sn_dataset_free(&old);
    sn_dataset_free(&copy);
}

/* A data set the network cannot take is refused by name; the engines and
 * modes that list no pixels keep none and train as before. */
Test(pixel_lists, refusals_and_engines_without_lists)
{
    sn_dataset ds, narrow;
    cr_assert_eq(test_synthetic_dataset(&ds, 100, 49, 4, 2), 0);
    cr_assert_eq(test_synthetic_dataset(&narrow, 100, 36, 4, 2), 0);
    sn_net net;
    sn_error err;
    static const size_t sizes[] = {49, 8, 4};
    cr_assert_eq(sn_net_create(&net, sizes, 3, &err), 0);
    sn_net_init_uniform(&net, 1);
    sn_train_config cfg = test_train_config(1, NULL, SN_ENGINE_SPARSE);
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, &net, &cfg, &err), 0);
    cr_expect_neq(sn_trainer_keep_pixel_lists(t, &narrow, &err), 0);
    cr_expect(strstr(err.msg, "36 inputs") && strstr(err.msg, "49"),
              "message: %s", err.msg);
    /* No samples: empty lists, kept. */
    sn_dataset none = ds;
    none.count = 0;
    cr_expect_eq(sn_trainer_keep_pixel_lists(t, &none, &err), 0, "%s",
                 err.msg);
    sn_trainer_free(t);

    for (int mode = 0; mode < 2; mode++) {
        sn_train_config c = test_train_config(
            1, NULL, mode == 0 ? SN_ENGINE_PER_SAMPLE : SN_ENGINE_SPARSE);
        c.dense_input = mode == 1;
        cr_assert_eq(sn_trainer_create(&t, &net, &c, &err), 0);
        /* Even a mismatched data set: nothing is listed, nothing checked. */
        cr_expect_eq(sn_trainer_keep_pixel_lists(t, &narrow, &err), 0);
        cr_expect_eq(sn_train_epoch(t, &ds, 0, NULL, NULL, &err), 0, "%s",
                     err.msg);
        sn_trainer_free(t);
    }
    sn_net_free(&net);
    sn_dataset_free(&ds);
    sn_dataset_free(&narrow);
}

/* Trains one epoch of a 784-32-32-10 network (the first layer as wide as
 * the data's images) and prints its test accuracy, through libsimdnet's
 * public API alone.
 *
 *   cc consumer.c $(pkg-config --cflags --libs simdnet) -o consumer
 *   ./consumer data/mnist
 */
#include <simdnet.h>
#include <stdio.h>

static int run(const char *dir, sn_dataset *train, sn_dataset *test,
               sn_net *net, sn_trainer **trainer, sn_eval_result *res,
               sn_error *err)
{
    if (sn_dataset_load(train, dir, SN_SPLIT_TRAIN, 10, err) != 0 ||
        sn_dataset_load(test, dir, SN_SPLIT_TEST, 10, err) != 0)
        return -1;
    const size_t sizes[] = {train->input_size, 32, 32, 10};
    if (sn_net_create(net, sizes, 4, err) != 0)
        return -1;
    sn_net_init_uniform(net, 0);
    const sn_train_config cfg = sn_train_config_default();
    if (sn_trainer_create(trainer, net, &cfg, err) != 0 ||
        sn_train_epoch(*trainer, train, 0, NULL, NULL, err) != 0)
        return -1;
    return sn_evaluate(net, NULL, test, 0, res, err);
}

int main(int argc, char **argv)
{
    sn_dataset train = {0}, test = {0};
    sn_net net = {0};
    sn_trainer *trainer = NULL;
    sn_eval_result res = {0};
    sn_error err;
    const int failed = run(argc > 1 ? argv[1] : "data/mnist", &train, &test,
                           &net, &trainer, &res, &err) != 0;
    if (failed)
        fprintf(stderr, "consumer: %s\n", err.msg);
    else
        printf("libsimdnet %s: test accuracy %.2f%% after 1 epoch\n",
               sn_version(), 100.0 * res.accuracy);
    sn_eval_free(&res);
    sn_trainer_free(trainer);
    sn_net_free(&net);
    sn_dataset_free(&test);
    sn_dataset_free(&train);
    return failed;
}

/* test_net.c - network shape, initialisation, PRNG, layer parsing, and a
 * finite-difference check of backpropagation. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"
#include "registry.h"
#include "simdnet.h"
#include "test_support.h"

Test(net, default_shape_has_26432_weights_and_74_biases)
{
    const size_t sizes[] = {784, 32, 32, 10};
    sn_net net;
    sn_error err;
    cr_assert_eq(sn_net_create(&net, sizes, 4, &err), 0, "%s", err.msg);
    cr_expect_eq(net.nparams, 26432u + 74u);
    cr_expect_eq(net.w_off[0], 0u);
    cr_expect_eq(net.b_off[0], 784u * 32u);
    cr_expect_eq(net.w_off[1], 784u * 32u + 32u);
    cr_expect_eq(net.b_off[2], net.nparams - 10u);
    cr_expect_eq((uintptr_t)net.params % 64, 0u, "params are 64-byte aligned");
    sn_net_free(&net);
    cr_expect_null(net.params);
}

Test(net, rejects_bad_shapes)
{
    sn_net net;
    sn_error err;
    const size_t zero[] = {784, 0, 10};
    cr_expect_eq(sn_net_create(&net, zero, 3, &err), -1);
    cr_expect(strstr(err.msg, "layer 1 has size 0"), "%s", err.msg);
    const size_t one[] = {784};
    cr_expect_eq(sn_net_create(&net, one, 1, &err), -1);
    cr_expect(strstr(err.msg, "at least 2"), "%s", err.msg);
    /* 2^20 x 2^20 weights: terabytes; refused before any allocation. */
    const size_t huge[] = {1u << 20, 1u << 20, 10};
    cr_expect_eq(sn_net_create(&net, huge, 3, &err), -1);
    cr_expect(strstr(err.msg, "more than"), "%s", err.msg);
    cr_expect_null(net.params);
}

Test(net, parse_layers)
{
    size_t sizes[SN_MAX_LAYERS], n = 0;
    sn_error err;
    cr_assert_eq(sn_parse_layers("784,32,32,10", sizes, &n, &err), 0);
    cr_expect_eq(n, 4u);
    cr_expect_eq(sizes[0], 784u);
    cr_expect_eq(sizes[3], 10u);
    const char *bad[] = {"", "784", "784,,10", "784,0,10", "784,x", "784,32,",
                         "-5,3", "784,32;10", "99999999999999999999999,3",
                         "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err.msg[0] = '\0';
        cr_expect_eq(sn_parse_layers(bad[i], sizes, &n, &err), -1,
                     "'%s' accepted", bad[i]);
        cr_expect(strlen(err.msg) > 0, "'%s' gave no message", bad[i]);
    }
}

Test(rng, pcg32_reference_values)
{
    /* The generator must stay what docs and tools/reference.py say: PCG32
     * XSH-RR seeded with splitmix64(seed). The expected values were computed
     * with a separate Python implementation of both generators. */
    sn_rng rng;
    sn_rng_seed(&rng, 0);
    cr_expect_eq(rng.state, 0xe220a8397b1dcdafULL, "splitmix64(0)");
    cr_expect_eq(sn_rng_u32(&rng), 0x412162a4u);
    cr_expect_eq(sn_rng_u32(&rng), 0x109e014au);
    cr_expect_eq(sn_rng_u32(&rng), 0x3dfa6d1du);
    /* Two generators with the same seed agree; different seeds differ. */
    sn_rng a, b, c;
    sn_rng_seed(&a, 42);
    sn_rng_seed(&b, 42);
    sn_rng_seed(&c, 43);
    int differs = 0;
    for (int i = 0; i < 1000; i++) {
        uint32_t x = sn_rng_u32(&a);
        cr_assert_eq(x, sn_rng_u32(&b));
        differs |= x != sn_rng_u32(&c);
    }
    cr_expect(differs);
}

Test(rng, uniform_pm1_range_and_mean)
{
    sn_rng rng;
    sn_rng_seed(&rng, 7);
    double sum = 0.0;
    float lo = 1.0f, hi = -1.0f;
    for (int i = 0; i < 200000; i++) {
        const float u = sn_rng_uniform_pm1(&rng);
        cr_assert(u >= -1.0f && u < 1.0f, "out of [-1,1): %g", (double)u);
        sum += u;
        lo = fminf(lo, u);
        hi = fmaxf(hi, u);
    }
    cr_expect(fabs(sum / 200000.0) < 0.01, "mean %g", sum / 200000.0);
    cr_expect(lo < -0.999f && hi > 0.999f);
}

Test(net, init_uniform_is_seeded_and_zeroes_biases)
{
    const size_t sizes[] = {20, 7, 3};
    sn_net a, b;
    cr_assert_eq(sn_net_create(&a, sizes, 3, NULL), 0);
    cr_assert_eq(sn_net_create(&b, sizes, 3, NULL), 0);
    sn_net_init_uniform(&a, 5);
    sn_net_init_uniform(&b, 5);
    cr_expect_eq(memcmp(a.params, b.params, a.nparams * sizeof(float)), 0);
    for (size_t l = 0; l < a.nlayers; l++)
        for (size_t i = 0; i < a.sizes[l + 1]; i++)
            cr_expect_eq(a.params[a.b_off[l] + i], 0.0f);
    sn_net_init_uniform(&b, 6);
    cr_expect_neq(memcmp(a.params, b.params, a.nparams * sizeof(float)), 0);
    sn_net_free(&a);
    sn_net_free(&b);
}

/* The cost of one sample, for finite differences. */
static double sample_cost(const sn_kernels *k, const sn_net *net,
                          const uint8_t *x, unsigned label, sn_activations *a)
{
    net_forward(k, net, x, a);
    return net_head(k, net, &label, 0, a);
}

/* dC/d(parameter i) by central differences with step h. */
static double central_difference(const sn_kernels *k, sn_net *net,
                                 const uint8_t *x, unsigned label,
                                 sn_activations *a, size_t i, float h)
{
    const float p = net->params[i];
    net->params[i] = p + h;
    const double up = sample_cost(k, net, x, label, a);
    net->params[i] = p - h;
    const double down = sample_cost(k, net, x, label, a);
    net->params[i] = p;
    return (up - down) / (2.0 * h);
}

/* Backpropagation against central differences of the cost, for every
 * parameter of a small network (the tutorial's 10-3-3-2 shape with 5
 * inputs), on the scalar kernels and on every other usable set. */
Test(backprop, matches_finite_differences)
{
    const size_t sizes[] = {5, 3, 3, 2};
    const uint8_t x[5] = {0, 255, 17, 128, 3};
    const unsigned label = 1;
    for (int isa = 0; isa < SN_ISA_COUNT; isa++) {
        const sn_kernels *k = sn_kernels_for((sn_isa)isa);
        if (!k)
            continue;
        sn_net net;
        sn_activations acts;
        cr_assert_eq(sn_net_create(&net, sizes, 4, NULL), 0);
        cr_assert_eq(sn_activations_create(&acts, &net, NULL), 0);
        sn_net_init_uniform(&net, 3);
        for (size_t i = 0; i < net.nparams; i++)
            net.params[i] *= 2.0f; /* larger weights: less flat sigmoids */
        float grad[64] = {0};
        cr_assert(net.nparams <= 64);
        net_forward_backward(k, &net, x, label, &acts, grad);

        /* h = 1e-2 on float32: truncation error ~h^2 * C''' ~ 1e-5, rounding
         * ~eps * C / h ~ 1e-5; 1e-3 absolute plus 1% is far above both and
         * far below any real backprop error (a wrong sign or factor). */
        const float h = 1e-2f;
        for (size_t i = 0; i < net.nparams; i++) {
            const double fd = central_difference(k, &net, x, label, &acts,
                                                 i, h);
            cr_expect(fabs(fd - grad[i]) <= 1e-3 + 1e-2 * fabs(fd),
                      "%s: parameter %zu: backprop %g, finite difference %g",
                      sn_isa_name((sn_isa)isa), i, (double)grad[i], fd);
        }
        sn_activations_free(&acts);
        sn_net_free(&net);
    }
}

Test(names, activation_loss_and_init_round_trip_and_refuse_others)
{
    sn_error err;
    for (int a = 0; a <= SN_ACT_SOFTMAX; a++) {
        sn_activation got;
        cr_assert_eq(sn_activation_parse(sn_activation_name((sn_activation)a),
                                         &got, &err), 0, "%s", err.msg);
        cr_expect_eq(got, (sn_activation)a);
    }
    for (int l = 0; l <= SN_LOSS_CE; l++) {
        sn_loss got;
        cr_assert_eq(sn_loss_parse(sn_loss_name((sn_loss)l), &got, &err), 0);
        cr_expect_eq(got, (sn_loss)l);
    }
    for (int i = 0; i <= SN_INIT_XAVIER; i++) {
        sn_init got;
        cr_assert_eq(sn_init_parse(sn_init_name((sn_init)i), &got, &err), 0);
        cr_expect_eq(got, (sn_init)i);
    }
    cr_expect_str_eq(sn_activation_name(SN_ACT_RELU), "relu");
    cr_expect_str_eq(sn_loss_name(SN_LOSS_CE), "ce");
    cr_expect_str_eq(sn_init_name(SN_INIT_XAVIER), "xavier");
    cr_expect_str_eq(sn_activation_name((sn_activation)9), "unknown");
    sn_activation a;
    cr_expect_eq(sn_activation_parse("gelu", &a, &err), -1);
    cr_expect(strstr(err.msg, "sigmoid, relu, tanh or softmax"), "%s", err.msg);
    sn_loss l;
    cr_expect_eq(sn_loss_parse("l1", &l, &err), -1);
    cr_expect(strstr(err.msg, "l2 or ce"), "%s", err.msg);
    sn_init i;
    cr_expect_eq(sn_init_parse(NULL, &i, &err), -1);
    cr_expect(strstr(err.msg, "uniform, he or xavier"), "%s", err.msg);
}

Test(net, set_kind_applies_one_or_one_per_hidden_layer_and_refuses_bad_ones)
{
    const size_t sizes[] = {6, 5, 4, 3};
    sn_net net;
    sn_error err;
    cr_assert_eq(sn_net_create(&net, sizes, 4, &err), 0);
    for (size_t l = 0; l < 3; l++)
        cr_expect_eq(net.act[l], SN_ACT_SIGMOID, "a new net is the tutorial's");
    cr_expect_eq(net.loss, SN_LOSS_L2);
    const sn_activation relu = SN_ACT_RELU;
    cr_assert_eq(sn_net_set_kind(&net, &relu, 1, SN_ACT_SOFTMAX, SN_LOSS_CE,
                                 &err), 0, "%s", err.msg);
    cr_expect(net.act[0] == SN_ACT_RELU && net.act[1] == SN_ACT_RELU &&
              net.act[2] == SN_ACT_SOFTMAX && net.loss == SN_LOSS_CE);
    const sn_activation two[] = {SN_ACT_TANH, SN_ACT_SIGMOID};
    cr_assert_eq(sn_net_set_kind(&net, two, 2, SN_ACT_SIGMOID, SN_LOSS_L2,
                                 &err), 0, "%s", err.msg);
    cr_expect(net.act[0] == SN_ACT_TANH && net.act[1] == SN_ACT_SIGMOID &&
              net.act[2] == SN_ACT_SIGMOID && net.loss == SN_LOSS_L2);

    /* Refused, each naming what is wrong, the net unchanged. */
    const sn_activation three[] = {SN_ACT_RELU, SN_ACT_RELU, SN_ACT_RELU};
    cr_expect_eq(sn_net_set_kind(&net, three, 3, SN_ACT_SIGMOID, SN_LOSS_L2,
                                 &err), -1);
    cr_expect(strstr(err.msg, "3 hidden activations"), "%s", err.msg);
    const sn_activation soft[] = {SN_ACT_RELU, SN_ACT_SOFTMAX};
    cr_expect_eq(sn_net_set_kind(&net, soft, 2, SN_ACT_SIGMOID, SN_LOSS_L2,
                                 &err), -1);
    cr_expect(strstr(err.msg, "layer 2 (hidden) has activation softmax"), "%s",
              err.msg);
    cr_expect_eq(sn_net_set_kind(&net, &relu, 1, SN_ACT_RELU, SN_LOSS_L2,
                                 &err), -1);
    cr_expect(strstr(err.msg, "layer 3 (the output) has activation relu"),
              "%s", err.msg);
    cr_expect_eq(sn_net_set_kind(&net, &relu, 1, SN_ACT_SIGMOID, (sn_loss)5,
                                 &err), -1);
    cr_expect(strstr(err.msg, "loss code 5"), "%s", err.msg);
    cr_expect(net.act[0] == SN_ACT_TANH && net.act[1] == SN_ACT_SIGMOID &&
              net.act[2] == SN_ACT_SIGMOID && net.loss == SN_LOSS_L2,
              "a refused kind changed the net");
    sn_net_free(&net);
}

/* The weights of a 5-3-2 net drawn with seed 7, as tools/reference.py
 * draws them (init_he, init_xavier; printed with float.hex from
 * `W.astype(np.float32)`, both layers, row-major). */
static const float he_5_3_2_seed7[21] = {
    0x1.6cf56ep-1f, 0x1.fd50f0p-1f, -0x1.a81df0p-4f, 0x1.12f97ep-1f,
    0x1.e2afc8p-3f, -0x1.e3393ep-1f, -0x1.cdd410p-1f, 0x1.6e82aep-3f,
    -0x1.1ff1b2p+0f, 0x1.502118p-4f, -0x1.fe8590p-4f, -0x1.74550cp-5f,
    0x1.4eea78p-2f, -0x1.b06f88p-3f, 0x1.716d7cp-3f, -0x1.15901ep-1f,
    -0x1.5bcd6ap-1f, 0x1.1b2e08p-8f, 0x1.3c80eep+0f, -0x1.33071ep-3f,
    0x1.0700e6p+0f,
};
static const float xavier_5_3_2_seed7[21] = {
    -0x1.1e8d3cp-1f, 0x1.397fd8p-1f, -0x1.74043ep-2f, 0x1.ba40c6p-1f,
    0x1.0a01dap-4f, -0x1.91c7d6p-2f, -0x1.2f54b2p-1f, -0x1.1e5222p-1f,
    0x1.ca54f6p-2f, -0x1.27c860p-1f, -0x1.10bb90p-1f, -0x1.560facp-3f,
    -0x1.ff9e92p-2f, 0x1.629752p-3f, -0x1.1f4aecp-1f, -0x1.33a45cp-1f,
    -0x1.4efe4ap-1f, -0x1.4988c6p-5f, 0x1.c12346p-1f, -0x1.4bb44ep-1f,
    -0x1.cf65dcp-4f,
};

Test(net, he_and_xavier_match_the_reference_bit_for_bit)
{
    const size_t sizes[] = {5, 3, 2};
    const struct {
        sn_init init;
        const float *want;
    } cases[] = {{SN_INIT_HE, he_5_3_2_seed7},
                 {SN_INIT_XAVIER, xavier_5_3_2_seed7}};
    for (size_t c = 0; c < 2; c++) {
        sn_net net;
        cr_assert_eq(sn_net_create(&net, sizes, 3, NULL), 0);
        for (size_t i = 0; i < net.nparams; i++)
            net.params[i] = 1.0f; /* the biases must come back 0 */
        cr_assert_eq(sn_net_init(&net, cases[c].init, 7), 0);
        const float *w[2] = {net.params + net.w_off[0],
                             net.params + net.w_off[1]};
        for (size_t i = 0; i < 21; i++) {
            const float got = i < 15 ? w[0][i] : w[1][i - 15];
            cr_expect_eq(got, cases[c].want[i], "%s weight %zu: %a, want %a",
                         sn_init_name(cases[c].init), i, (double)got,
                         (double)cases[c].want[i]);
        }
        for (size_t l = 0; l < net.nlayers; l++)
            for (size_t i = 0; i < net.sizes[l + 1]; i++)
                cr_expect_eq(net.params[net.b_off[l] + i], 0.0f);
        sn_net_free(&net);
    }
    /* uniform is sn_net_init_uniform exactly; an unknown scheme draws
     * nothing. */
    sn_net a, b;
    cr_assert_eq(sn_net_create(&a, sizes, 3, NULL), 0);
    cr_assert_eq(sn_net_create(&b, sizes, 3, NULL), 0);
    cr_assert_eq(sn_net_init(&a, SN_INIT_UNIFORM, 7), 0);
    sn_net_init_uniform(&b, 7);
    cr_expect_eq(memcmp(a.params, b.params, a.nparams * sizeof(float)), 0);
    cr_expect_eq(sn_net_init(&a, (sn_init)3, 7), -1);
    cr_expect_eq(memcmp(a.params, b.params, a.nparams * sizeof(float)), 0);
    sn_net_free(&a);
    sn_net_free(&b);
}

/* Every network kind the gradient checks cover: each hidden activation in
 * both hidden layers, and relu then tanh, each with every output/loss. */
typedef struct kind_case {
    sn_activation hidden[2];
    sn_activation output;
    sn_loss loss;
} kind_case;

static size_t all_kinds(kind_case *cases)
{
    const sn_activation hidden[4][2] = {{SN_ACT_SIGMOID, SN_ACT_SIGMOID},
                                        {SN_ACT_RELU, SN_ACT_RELU},
                                        {SN_ACT_TANH, SN_ACT_TANH},
                                        {SN_ACT_RELU, SN_ACT_TANH}};
    const sn_activation outputs[2] = {SN_ACT_SIGMOID, SN_ACT_SOFTMAX};
    size_t n = 0;
    for (int h = 0; h < 4; h++)
        for (int o = 0; o < 2; o++)
            for (int l = 0; l < 2; l++)
                cases[n++] = (kind_case){{hidden[h][0], hidden[h][1]},
                                         outputs[o], (sn_loss)l};
    return n;
}

/* One sample through an engine as a batch of one, with plain SGD at lr 1:
 * the change of every parameter is minus its gradient. */
static void engine_gradient(sn_net *net, const sn_kernels *k,
                            sn_engine_kind engine, const sn_dataset *ds,
                            float *grad)
{
    sn_error err;
    float *before = malloc(net->nparams * sizeof(float));
    cr_assert_not_null(before);
    memcpy(before, net->params, net->nparams * sizeof(float));
    sn_train_config cfg = sn_train_config_default();
    cfg.optimizer = SN_OPT_SGD;
    cfg.lr = 1.0f;
    cfg.threads = 1;
    cfg.kernels = k;
    cfg.engine = engine;
    sn_trainer *t;
    cr_assert_eq(sn_trainer_create(&t, net, &cfg, &err), 0, "%s", err.msg);
    cr_assert_eq(sn_train_batch(t, ds, 0, 1, NULL, &err), 0, "%s", err.msg);
    sn_trainer_free(t);
    for (size_t i = 0; i < net->nparams; i++) {
        grad[i] = before[i] - net->params[i];
        net->params[i] = before[i];
    }
    free(before);
}

/* Backpropagation through every hidden activation and every output/loss
 * pair against central differences of the head's cost, for every
 * parameter: the per-sample path (net_forward_backward) and both engines,
 * on every usable kernel set. */
Test(backprop, every_kind_matches_finite_differences_in_both_engines)
{
    const size_t sizes[] = {5, 4, 3, 3};
    const uint8_t x[5] = {0, 255, 17, 128, 3};
    const unsigned label = 1;
    uint8_t label8 = (uint8_t)label;
    sn_dataset ds = {.count = 1, .rows = 1, .cols = 5, .input_size = 5,
                     .pixels = (uint8_t *)x, .labels = &label8};
    kind_case cases[16];
    const size_t ncases = all_kinds(cases);
    for (int isa = 0; isa < SN_ISA_COUNT; isa++) {
        const sn_kernels *k = sn_kernels_for((sn_isa)isa);
        if (!k)
            continue;
        for (size_t c = 0; c < ncases; c++) {
            const kind_case *kc = &cases[c];
            sn_net net;
            sn_activations acts;
            cr_assert_eq(sn_net_create(&net, sizes, 4, NULL), 0);
            cr_assert_eq(sn_net_set_kind(&net, kc->hidden, 2, kc->output,
                                         kc->loss, NULL), 0);
            cr_assert_eq(sn_activations_create(&acts, &net, NULL), 0);
            sn_net_init_uniform(&net, 3);
            for (size_t i = 0; i < net.nparams; i++)
                net.params[i] *= 2.0f;
            float grad[3][64] = {{0}};
            cr_assert(net.nparams <= 64);
            net_forward_backward(k, &net, x, label, &acts, grad[0]);
            engine_gradient(&net, k, SN_ENGINE_PER_SAMPLE, &ds, grad[1]);
            engine_gradient(&net, k, SN_ENGINE_SPARSE, &ds, grad[2]);
            const char *path[3] = {"net_forward_backward", "per-sample engine",
                                   "sparse engine"};

            /* Tolerances as in matches_finite_differences; a ReLU's kink
             * is never within h of these samples' pre-activations (the
             * check would fail loudly if it were). */
            const float h = 1e-2f;
            for (size_t i = 0; i < net.nparams; i++) {
                const double fd = central_difference(k, &net, x, label,
                                                     &acts, i, h);
                for (int g = 0; g < 3; g++)
                    cr_expect(fabs(fd - grad[g][i]) <= 1e-3 + 1e-2 * fabs(fd),
                              "%s, hidden %s,%s, %s + %s, %s: parameter %zu: "
                              "backprop %g, finite difference %g",
                              sn_isa_name((sn_isa)isa),
                              sn_activation_name(kc->hidden[0]),
                              sn_activation_name(kc->hidden[1]),
                              sn_activation_name(kc->output),
                              sn_loss_name(kc->loss), path[g], i,
                              (double)grad[g][i], fd);
            }
            sn_activations_free(&acts);
            sn_net_free(&net);
        }
    }
}

/* The head on logits of +-1e30 and on equal logits: a finite cost and
 * gradient for every output/loss pair, with the one-layer net's output as
 * its first layer (the engines' first-layer path through the head). */
Test(head, extreme_and_equal_logits_give_finite_costs_and_gradients)
{
    const size_t sizes[] = {2, 3};
    const uint8_t x[2] = {255, 255}; /* inputs 1, 1 */
    const sn_activation outputs[2] = {SN_ACT_SIGMOID, SN_ACT_SOFTMAX};
    for (int isa = 0; isa < SN_ISA_COUNT; isa++) {
        const sn_kernels *k = sn_kernels_for((sn_isa)isa);
        if (!k)
            continue;
        for (int o = 0; o < 2; o++) {
            for (int loss = 0; loss < 2; loss++) {
                sn_net net;
                sn_activations acts;
                cr_assert_eq(sn_net_create(&net, sizes, 2, NULL), 0);
                cr_assert_eq(sn_net_set_kind(&net, NULL, 0, outputs[o],
                                             (sn_loss)loss, NULL), 0);
                cr_assert_eq(sn_activations_create(&acts, &net, NULL), 0);
                const char *what = sn_activation_name(outputs[o]);
                const char *lname = sn_loss_name((sn_loss)loss);
                for (unsigned label = 0; label < 3; label++) {
                    /* z = {1e30, -1e30, 0}. */
                    float *w = net.params;
                    memset(w, 0, net.nparams * sizeof(float));
                    w[0] = 1e30f;
                    w[2] = -1e30f;
                    float grad[16] = {0};
                    const float c = net_forward_backward(k, &net, x, label,
                                                         &acts, grad);
                    cr_expect(isfinite(c), "%s %s + %s, label %u: cost %g",
                              sn_isa_name((sn_isa)isa), what, lname, label,
                              (double)c);
                    for (size_t i = 0; i < net.nparams; i++)
                        cr_expect(isfinite(grad[i]), "%s %s + %s, label %u: "
                                  "gradient %zu is %g",
                                  sn_isa_name((sn_isa)isa), what, lname, label,
                                  i, (double)grad[i]);

                    /* Equal logits (all 0): p = 1/3 and a = 1/2. */
                    memset(w, 0, net.nparams * sizeof(float));
                    memset(grad, 0, sizeof grad);
                    const float e = net_forward_backward(k, &net, x, label,
                                                         &acts, grad);
                    const double want =
                        outputs[o] == SN_ACT_SOFTMAX
                            ? (loss == SN_LOSS_CE ? log(3.0)
                                                  : 4.0 / 9.0 + 2.0 / 9.0)
                            : (loss == SN_LOSS_CE ? 3.0 * log(2.0) : 0.75);
                    cr_expect(fabs(e - want) < 1e-6, "%s %s + %s: equal "
                              "logits cost %.9g, want %.9g",
                              sn_isa_name((sn_isa)isa), what, lname, (double)e,
                              want);
                    for (size_t i = 0; i < net.nparams; i++)
                        cr_expect(isfinite(grad[i]));
                }
                sn_activations_free(&acts);
                sn_net_free(&net);
            }
        }
    }
}

/* The mean L2 cost of samples [0, n) of ds. */
static double batch_cost(const sn_kernels *k, const sn_net *net,
                         const sn_dataset *ds, size_t n, sn_activations *a)
{
    double sum = 0.0;
    for (size_t s = 0; s < n; s++)
        sum += sample_cost(k, net, ds->pixels + s * ds->input_size,
                           ds->labels[s], a);
    return sum / (double)n;
}

/* The sparse engine's batch gradient, both first-layer paths, against
 * central differences of the batch's mean cost. A first layer 150 wide is
 * three panels (64, 64 and a tail of 22); plain gradient descent with lr 1 moves
 * every parameter by minus its gradient, which reads the gradient back
 * out of the trained weights (to float32 rounding of the weights, far
 * below the tolerance). */
Test(backprop, sparse_engine_matches_finite_differences)
{
    const size_t sizes[] = {49, 150, 5, 4};
    const size_t n = 12;
    sn_dataset ds;
    cr_assert_eq(test_synthetic_dataset(&ds, n, 49, 4, 7), 0);
    const sn_first_layer paths[] = {SN_FIRST_LAYER_ROWS,
                                    SN_FIRST_LAYER_GROUPED};
    for (int isa = 0; isa < SN_ISA_COUNT; isa++) {
        const sn_kernels *k = sn_kernels_for((sn_isa)isa);
        if (!k)
            continue;
        for (size_t path = 0; path < 2; path++) {
            sn_net net, moved;
            sn_activations acts;
            sn_error err;
            cr_assert_eq(sn_net_create(&net, sizes, 4, NULL), 0);
            cr_assert_eq(sn_net_create(&moved, sizes, 4, NULL), 0);
            cr_assert_eq(sn_activations_create(&acts, &net, NULL), 0);
            sn_net_init_uniform(&net, 5);
            for (size_t i = 0; i < net.nparams; i++)
                net.params[i] *= 0.3f; /* keep the sigmoids off their tails */
            memcpy(moved.params, net.params, net.nparams * sizeof(float));

            sn_train_config cfg = sn_train_config_default();
            cfg.optimizer = SN_OPT_SGD;
            cfg.lr = 1.0f;
            cfg.threads = 2;
            cfg.kernels = k;
            cfg.first_layer = paths[path];
            sn_trainer *t;
            cr_assert_eq(sn_trainer_create(&t, &moved, &cfg, &err), 0, "%s",
                         err.msg);
            cr_assert_eq(sn_trainer_first_layer(t), paths[path]);
            cr_assert_eq(sn_train_batch(t, &ds, 0, n, NULL, &err), 0, "%s",
                         err.msg);
            sn_trainer_free(t);

            const float h = 1e-2f;
            for (size_t i = 0; i < net.nparams; i++) {
                const double grad = (double)net.params[i] - moved.params[i];
                const float p = net.params[i];
                net.params[i] = p + h;
                const double up = batch_cost(k, &net, &ds, n, &acts);
                net.params[i] = p - h;
                const double down = batch_cost(k, &net, &ds, n, &acts);
                net.params[i] = p;
                const double fd = (up - down) / (2.0 * h);
                cr_expect(fabs(fd - grad) <= 1e-3 + 1e-2 * fabs(fd),
                          "%s, %s: parameter %zu: gradient %g, finite "
                          "difference %g", sn_isa_name((sn_isa)isa),
                          sn_first_layer_name(paths[path]), i, grad, fd);
            }
            sn_activations_free(&acts);
            sn_net_free(&net);
            sn_net_free(&moved);
        }
    }
    sn_dataset_free(&ds);
}

/* test_net.c - network shape, initialisation, PRNG, layer parsing, and a
 * finite-difference check of backpropagation. */
#include <criterion/criterion.h>
#include <math.h>
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
            const float p = net.params[i];
            net.params[i] = p + h;
            const double up = sample_cost(k, &net, x, label, &acts);
            net.params[i] = p - h;
            const double down = sample_cost(k, &net, x, label, &acts);
            net.params[i] = p;
            const double fd = (up - down) / (2.0 * h);
            cr_expect(fabs(fd - grad[i]) <= 1e-3 + 1e-2 * fabs(fd),
                      "%s: parameter %zu: backprop %g, finite difference %g",
                      sn_isa_name((sn_isa)isa), i, (double)grad[i], fd);
        }
        sn_activations_free(&acts);
        sn_net_free(&net);
    }
}

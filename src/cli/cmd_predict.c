/* cmd_predict.c - `simdnet predict`: classify the user's own images. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_report.h"
#include "image/image.h"

static const char *const CMD = "predict";

static void predict_usage(FILE *out)
{
    fputs(
        "usage: simdnet predict --model FILE [options] IMAGE...\n"
        "\n"
        "Classifies PNG or PGM images of any size: each is turned gray, scaled\n"
        "to the network's input (28x28 for MNIST) by area averaging, and\n"
        "inverted if its background is light, since MNIST digits are light on\n"
        "black. Prints one line per image, tab-separated:\n"
        "\n"
        "  IMAGE  CLASS  A0 A1 ... (the output layer's activations)\n"
        "\n"
        "  --model FILE     the model (from simdnet train --save or --report)\n"
        "  --invert WHEN    auto (default: if the border is light), yes or no\n"
        "  --fit            prepare the image as MNIST was: crop to the ink,\n"
        "                   scale it into a 20x20 box, centre its mass (for\n"
        "                   photos and drawings that do not fill the frame)\n"
        "  --isa NAME       kernel set: scalar, avx2, avx512, neon\n"
        "  -h, --help       this help\n"
        "\n"
        "An image that cannot be read is reported on stderr and the others are\n"
        "still classified; the exit status is then 1.\n",
        out);
}

/* The side of the square image the input layer takes, or 0. */
static size_t input_side(size_t n)
{
    size_t s = (size_t)sqrt((double)n);
    while (s * s > n)
        s--;
    while ((s + 1) * (s + 1) <= n)
        s++;
    return s * s == n ? s : 0;
}

int cmd_predict(int argc, char **argv)
{
    enum { O_MODEL = 256, O_INVERT, O_FIT, O_ISA };
    static const struct option opts[] = {
        {"model", required_argument, 0, O_MODEL},
        {"invert", required_argument, 0, O_INVERT},
        {"fit", no_argument, 0, O_FIT},
        {"isa", required_argument, 0, O_ISA},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    const char *model = NULL, *isa = NULL;
    sn_digit_options opt = {SN_INVERT_AUTO, 0};
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (c) {
        case O_MODEL: model = optarg; break;
        case O_ISA: isa = optarg; break;
        case O_FIT: opt.fit = 1; break;
        case O_INVERT:
            if (!strcmp(optarg, "auto"))
                opt.invert = SN_INVERT_AUTO;
            else if (!strcmp(optarg, "yes"))
                opt.invert = SN_INVERT_ALWAYS;
            else if (!strcmp(optarg, "no"))
                opt.invert = SN_INVERT_NEVER;
            else {
                cli_error(CMD, "--invert: expected auto, yes or no, got '%s'",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h': predict_usage(stdout); return 0;
        default:
            cli_bad_option(CMD, c, argv);
            return EXIT_USAGE;
        }
    }
    if (!model) {
        cli_error(CMD, "--model FILE is required");
        return EXIT_USAGE;
    }
    if (optind == argc) {
        cli_error(CMD, "no images to classify (simdnet predict --model FILE "
                       "IMAGE...)");
        return EXIT_USAGE;
    }
    const sn_kernels *kernels;
    if (cli_select_kernels(CMD, isa, &kernels) != 0)
        return EXIT_USAGE;
    sn_error err;
    sn_net net;
    if (sn_model_load(&net, model, &err) != 0) {
        cli_error(CMD, "--model: %s", err.msg);
        return EXIT_FAIL;
    }
    const size_t side = input_side(net.sizes[0]);
    const size_t nout = net.sizes[net.nlayers];
    float *out = malloc(nout * sizeof *out);
    if (side == 0 || !out) {
        if (side == 0)
            cli_error(CMD, "the model's input layer has %zu values, not a "
                           "square image", net.sizes[0]);
        else
            cli_error(CMD, "out of memory");
        free(out);
        sn_net_free(&net);
        return EXIT_FAIL;
    }

    int failed = 0;
    for (int i = optind; i < argc; i++) {
        sn_image img, digit;
        if (sn_image_read(argv[i], &img, &err) != 0) {
            cli_error(CMD, "%s", err.msg);
            failed = 1;
            continue;
        }
        int rc = sn_image_prepare_digit(&img, side, side, &opt, &digit, NULL,
                                        &err);
        sn_image_free(&img);
        if (rc == 0)
            rc = sn_predict(&net, kernels, digit.data, out, &err);
        sn_image_free(&digit);
        if (rc != 0) {
            cli_error(CMD, "%s: %s", argv[i], err.msg);
            failed = 1;
            continue;
        }
        size_t best = 0;
        for (size_t j = 1; j < nout; j++)
            if (out[j] > out[best])
                best = j;
        printf("%s\t%zu", argv[i], best);
        for (size_t j = 0; j < nout; j++)
            printf("\t%.6f", (double)out[j]);
        putchar('\n');
    }
    fflush(stdout);
    free(out);
    sn_net_free(&net);
    return failed ? EXIT_FAIL : 0;
}

/* cmd_predict.c - `simdnet predict`: classify the user's own images. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_report.h"
#include "image/image.h"
#include "options.h"

static const char *const CMD = "predict";

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

static int parse_invert(const char *value, void *invert, sn_error *err)
{
    sn_invert *out = invert;
    if (!strcmp(value, "auto"))
        *out = SN_INVERT_AUTO;
    else if (!strcmp(value, "yes"))
        *out = SN_INVERT_ALWAYS;
    else if (!strcmp(value, "no"))
        *out = SN_INVERT_NEVER;
    else
        return cli_reason(err, "expected auto, yes or no, got '%s'", value);
    return 0;
}

int cmd_predict(int argc, char **argv)
{
    const char *model = NULL, *isa = NULL;
    sn_digit_options opt = {SN_INVERT_AUTO, 0};
    const cli_option options[] = {
        cli_opt(CLI_OPT_MODEL, &model,
                "the model (from simdnet train --save or --report)"),
        {.name = "invert", .kind = CLI_LIST, .dest = &opt.invert,
         .value = "WHEN", .parse = parse_invert,
         .help = "auto (default: if the border is light), yes or no"},
        {.name = "fit", .kind = CLI_FLAG, .dest = &opt.fit,
         .help = "prepare the image as MNIST was: crop to the ink,\n"
                 "scale it into a 20x20 box, centre its mass (for\n"
                 "photos and drawings that do not fill the frame)"},
        cli_opt(CLI_OPT_ISA, &isa, NULL),
    };
    const cli_command_spec spec = {
        CMD, "predict --model FILE [options] IMAGE...",
        "Classifies PNG or PGM images of any size: each is turned gray, scaled\n"
        "to the network's input (28x28 for MNIST) by area averaging, and\n"
        "inverted if its background is light, since MNIST digits are light on\n"
        "black. Prints one line per image, tab-separated:\n"
        "\n"
        "  IMAGE  CLASS  A0 A1 ... (the output layer's activations)\n",
        "An image that cannot be read is reported on stderr and the others are\n"
        "still classified; the exit status is then 1.\n",
        options, sizeof options / sizeof *options, 1};
    int first;
    const int parsed = cli_parse_options(&spec, argc, argv, NULL, &first);
    if (parsed != CLI_PARSED)
        return cli_options_exit(parsed);
    if (!model) {
        cli_error(CMD, "--model FILE is required");
        return EXIT_USAGE;
    }
    if (first == argc) {
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
    for (int i = first; i < argc; i++) {
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

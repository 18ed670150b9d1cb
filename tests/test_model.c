/* test_model.c - model files: round trip, and refusal of damaged files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "simdnet.h"

static char dir[64];
static char path[128];

static void make_dir(void)
{
    strcpy(dir, "/tmp/simdnet-model-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/net.model", dir);
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(model, .init = make_dir, .fini = remove_dir);

static void save_sample(sn_net *net)
{
    const size_t sizes[] = {784, 32, 32, 10};
    sn_error err;
    cr_assert_eq(sn_net_create(net, sizes, 4, &err), 0);
    sn_net_init_uniform(net, 9);
    net->params[net->b_off[2] + 3] = -0.0f; /* signs of zero survive too */
    cr_assert_eq(sn_model_save(net, path, &err), 0, "%s", err.msg);
}

static long file_size(const char *p)
{
    FILE *f = fopen(p, "rb");
    cr_assert_not_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

/* Overwrites one byte of the model file. */
static void poke(long offset, unsigned char value)
{
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    fseek(f, offset, SEEK_SET);
    fputc(value, f);
    fclose(f);
}

Test(model, round_trip_is_bit_identical)
{
    sn_net a, b;
    sn_error err;
    save_sample(&a);
    cr_expect_eq(file_size(path), 8 + 4 + 4 + 16 + 8 + 4 * 26506 + 4);
    cr_assert_eq(sn_model_load(&b, path, &err), 0, "%s", err.msg);
    cr_expect_eq(b.nlayers, 3u);
    cr_expect_eq(b.sizes[0], 784u);
    cr_expect_eq(b.sizes[3], 10u);
    cr_assert_eq(b.nparams, a.nparams);
    cr_expect_eq(memcmp(a.params, b.params, a.nparams * sizeof(float)), 0);
    sn_net_free(&a);
    sn_net_free(&b);
}

Test(model, saving_twice_gives_identical_files_and_no_temporaries)
{
    sn_net a;
    save_sample(&a);
    char other[160], cmd[400];
    snprintf(other, sizeof other, "%s/again.model", dir);
    cr_assert_eq(sn_model_save(&a, other, NULL), 0);
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", path, other);
    cr_expect_eq(system(cmd), 0, "two saves of one net differ");
    snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) -eq 2", dir);
    cr_expect_eq(system(cmd), 0, "temporary files left behind");
    sn_net_free(&a);
}

static void expect_refused(const char *what, const char *needle)
{
    sn_net b;
    sn_error err = {{0}};
    cr_expect_eq(sn_model_load(&b, path, &err), -1, "%s accepted", what);
    cr_expect(strstr(err.msg, needle) != NULL, "%s: message '%s' lacks '%s'",
              what, err.msg, needle);
    cr_expect(strstr(err.msg, path) != NULL, "%s: message names no file", what);
    cr_expect_null(b.params);
}

Test(model, flipped_parameter_byte_fails_the_checksum)
{
    sn_net a;
    save_sample(&a);
    poke(40 + 1000, 0x5a);
    expect_refused("a flipped byte", "checksum");
    sn_net_free(&a);
}

Test(model, bad_magic_and_version_are_refused)
{
    sn_net a;
    save_sample(&a);
    poke(0, 'X');
    expect_refused("bad magic", "not a simdnet model");
    poke(0, 'S');
    poke(8, 2);
    expect_refused("version 2", "version 2");
    sn_net_free(&a);
}

Test(model, truncated_and_extended_files_are_refused)
{
    sn_net a;
    save_sample(&a);
    const long n = file_size(path);
    cr_assert_eq(truncate(path, n - 1), 0);
    expect_refused("a file one byte short", "truncated");
    cr_assert_eq(truncate(path, 20), 0);
    expect_refused("a file cut in the header", "truncated");
    cr_assert_eq(truncate(path, 0), 0);
    expect_refused("an empty file", "not a simdnet model");
    sn_net_free(&a);

    save_sample(&a);
    FILE *f = fopen(path, "ab");
    fputc(0, f);
    fclose(f);
    expect_refused("a trailing byte", "corrupt");
    sn_net_free(&a);
}

Test(model, absurd_sizes_are_refused_without_allocating)
{
    sn_net a;
    save_sample(&a);
    /* sizes[1] = 2^20, sizes[2] = 2^20: a 4 TiB network. */
    poke(16 + 4 + 2, 0x10);
    poke(16 + 8 + 2, 0x10);
    expect_refused("a 4 TiB header", "corrupt model");
    sn_net_free(&a);
}

Test(model, missing_file_and_unwritable_folder)
{
    sn_net b;
    sn_error err;
    cr_expect_eq(sn_model_load(&b, "/nonexistent/x.model", &err), -1);
    cr_expect(strstr(err.msg, "/nonexistent/x.model"), "%s", err.msg);
    sn_net a;
    save_sample(&a);
    cr_expect_eq(sn_model_save(&a, "/nonexistent/dir/x.model", &err), -1);
    cr_expect(strstr(err.msg, "/nonexistent/dir/x.model"), "%s", err.msg);
    sn_net_free(&a);
}

/* test_model.c - model files: round trip, and refusal of damaged files. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "bytes.h"
#include "read_file.h"
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

/* The field helpers the model and checkpoint readers share (bytes.h). */
Test(bytes, fields_are_little_endian_and_cursors_stop_at_the_end)
{
    unsigned char buf[16];
    sn_put_cursor w = sn_put_begin(buf, sizeof buf);
    sn_put_next_u32(&w, 0x04030201u);
    sn_put_next_u64(&w, 0x0c0b0a0908070605ull);
    sn_put_next_f32(&w, 1.0f);
    cr_expect_eq(w.pos, 16);
    cr_expect_not(w.failed);
    for (int i = 0; i < 12; i++)
        cr_expect_eq(buf[i], i + 1, "byte %d", i);
    cr_expect_eq(sn_get_u32(buf + 12), 0x3f800000u);
    sn_put_next_u32(&w, 7); /* one field too many: refused, nothing written */
    cr_expect(w.failed);
    cr_expect_eq(w.pos, 16);

    sn_get_cursor r = sn_get_begin(buf, 15);
    cr_expect_eq(sn_get_next_u32(&r), 0x04030201u);
    cr_expect_eq(sn_get_next_u64(&r), 0x0c0b0a0908070605ull);
    cr_expect_not(r.failed);
    cr_expect_eq(sn_get_next_f32(&r), 0.0f); /* 3 bytes left of 4 */
    cr_expect(r.failed);
    cr_expect_null(sn_get_bytes(&r, 0)); /* failed stays failed */

    unsigned char tail[4];
    const uint32_t crc = sn_crc32(0, buf, 12);
    sn_put_u32(tail, crc);
    cr_expect(sn_crc_trailer_ok(crc, tail));
    tail[3] ^= 1;
    cr_expect_not(sn_crc_trailer_ok(crc, tail));
}

/* A source that hands out `left` bytes of 0x5a. */
typedef struct drip {
    size_t left;
} drip;

static int drip_read(void *src, void *buf, size_t len, size_t *got,
                     sn_error *err)
{
    (void)err;
    drip *d = src;
    const size_t n = len < d->left ? len : d->left;
    memset(buf, 0x5a, n);
    d->left -= n;
    *got = n;
    return 0;
}

Test(bytes, growing_reader_stops_at_the_data_or_the_want)
{
    const size_t cases[][3] = {
        /* data, want, start */
        {0, 10, 4}, {3, 10, 4}, {10, 10, 4}, {25, 10, 4}, {5000, 100000, 1},
        {100000, 5000, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        drip d = {cases[i][0]};
        unsigned char *buf = NULL;
        size_t got = 0;
        sn_error err;
        cr_assert_eq(sn_read_growing(drip_read, &d, cases[i][1], cases[i][2],
                                     "x", "test data", &buf, &got, &err), 0);
        const size_t expect = cases[i][0] < cases[i][1] ? cases[i][0]
                                                       : cases[i][1];
        cr_expect_eq(got, expect, "case %zu: got %zu", i, got);
        for (size_t k = 0; k < got; k++)
            cr_assert_eq(buf[k], 0x5a);
        cr_expect_eq(buf[got], 0, "case %zu: no zero after the data", i);
        sn_free(buf);
    }
}

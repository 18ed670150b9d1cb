/* test_model.c - model files: round trip, and refusal of damaged files. */
#include <criterion/criterion.h>
#include <errno.h>
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
    poke(8, 3);
    expect_refused("version 3", "version 3");
    sn_net_free(&a);
}

/* A network of another kind than the tutorial's: relu and tanh hidden
 * layers, softmax output, cross-entropy. */
static void save_kind_sample(sn_net *net)
{
    save_sample(net);
    const sn_activation hidden[] = {SN_ACT_RELU, SN_ACT_TANH};
    sn_error err;
    cr_assert_eq(sn_net_set_kind(net, hidden, 2, SN_ACT_SOFTMAX, SN_LOSS_CE,
                                 &err), 0, "%s", err.msg);
    cr_assert_eq(sn_model_save(net, path, &err), 0, "%s", err.msg);
}

static uint32_t file_u32(long offset)
{
    unsigned char b[4];
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fseek(f, offset, SEEK_SET);
    cr_assert_eq(fread(b, 1, 4, f), 4u);
    fclose(f);
    return sn_get_u32(b);
}

Test(model, tutorial_network_is_version_1_and_loads_as_the_tutorial)
{
    sn_net a, b;
    sn_error err;
    save_sample(&a);
    cr_expect_eq(file_u32(8), 1u);
    cr_assert_eq(sn_model_load(&b, path, &err), 0, "%s", err.msg);
    for (size_t l = 0; l < b.nlayers; l++)
        cr_expect_eq(b.act[l], SN_ACT_SIGMOID, "layer %zu", l + 1);
    cr_expect_eq(b.loss, SN_LOSS_L2);
    sn_net_free(&a);
    sn_net_free(&b);
}

Test(model, version_2_round_trip_keeps_the_kind_and_every_bit)
{
    sn_net a, b;
    sn_error err;
    save_kind_sample(&a);
    cr_expect_eq(file_u32(8), 2u);
    cr_expect_eq(file_size(path), 8 + 4 + 4 + 16 + 16 + 8 + 4 * 26506 + 4);
    cr_expect_eq(file_u32(32), (uint32_t)SN_ACT_RELU);
    cr_expect_eq(file_u32(36), (uint32_t)SN_ACT_TANH);
    cr_expect_eq(file_u32(40), (uint32_t)SN_ACT_SOFTMAX);
    cr_expect_eq(file_u32(44), (uint32_t)SN_LOSS_CE);
    cr_assert_eq(sn_model_load(&b, path, &err), 0, "%s", err.msg);
    cr_expect_eq(b.act[0], SN_ACT_RELU);
    cr_expect_eq(b.act[1], SN_ACT_TANH);
    cr_expect_eq(b.act[2], SN_ACT_SOFTMAX);
    cr_expect_eq(b.loss, SN_LOSS_CE);
    cr_assert_eq(b.nparams, a.nparams);
    cr_expect_eq(memcmp(a.params, b.params, a.nparams * sizeof(float)), 0);
    /* Saved again, it is the same file. */
    char other[160], cmd[400];
    snprintf(other, sizeof other, "%s/again.model", dir);
    cr_assert_eq(sn_model_save(&b, other, &err), 0, "%s", err.msg);
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", path, other);
    cr_expect_eq(system(cmd), 0, "a reloaded version-2 model saves differently");
    /* Every other output/loss pair round-trips too. */
    const sn_activation outs[] = {SN_ACT_SIGMOID, SN_ACT_SOFTMAX};
    for (int o = 0; o < 2; o++) {
        for (int loss = 0; loss < 2; loss++) {
            const sn_activation relu = SN_ACT_RELU;
            cr_assert_eq(sn_net_set_kind(&a, &relu, 1, outs[o], (sn_loss)loss,
                                         &err), 0, "%s", err.msg);
            cr_assert_eq(sn_model_save(&a, path, &err), 0, "%s", err.msg);
            sn_net c;
            cr_assert_eq(sn_model_load(&c, path, &err), 0, "%s", err.msg);
            cr_expect(c.act[0] == SN_ACT_RELU && c.act[1] == SN_ACT_RELU &&
                      c.act[2] == outs[o] && c.loss == (sn_loss)loss,
                      "%s + %s", sn_activation_name(outs[o]),
                      sn_loss_name((sn_loss)loss));
            sn_net_free(&c);
        }
    }
    sn_net_free(&a);
    sn_net_free(&b);
}

/* Rewrites the 32-bit field at offset and the checksum after it, so that
 * only the field is wrong. */
static void poke_u32_and_fix_crc(long offset, uint32_t value)
{
    size_t len = 0;
    char *text = NULL;
    sn_error err;
    cr_assert_eq(sn_read_file(path, 1 << 20, &text, &len, &err), 0, "%s",
                 err.msg);
    unsigned char *data = (unsigned char *)text;
    sn_put_u32(data + offset, value);
    sn_put_u32(data + len - 4, sn_crc32(0, data, len - 4));
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    sn_free(data);
}

Test(model, version_2_refuses_bad_kinds_naming_the_layer)
{
    const struct {
        long offset;
        uint32_t value;
        const char *needle;
    } cases[] = {
        {32, 7, "layer 1 (hidden) has activation code 7"},
        {32, SN_ACT_SOFTMAX, "layer 1 (hidden) has activation softmax"},
        {36, SN_ACT_SOFTMAX, "layer 2 (hidden) has activation softmax"},
        {40, SN_ACT_RELU, "layer 3 (the output) has activation relu"},
        {40, 0xffffffffu, "layer 3 (the output) has activation code 4294967295"},
        {44, 2, "unknown loss code 2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sn_net a;
        save_kind_sample(&a);
        poke_u32_and_fix_crc(cases[i].offset, cases[i].value);
        expect_refused(cases[i].needle, cases[i].needle);
        sn_net_free(&a);
    }
    /* A version-2 file cut inside its kind fields. */
    sn_net a;
    save_kind_sample(&a);
    cr_assert_eq(truncate(path, 42), 0);
    expect_refused("a version-2 header cut short", "truncated");
    sn_net_free(&a);
}

Test(model, saving_a_bad_kind_is_refused_and_writes_nothing)
{
    sn_net a;
    sn_error err;
    save_sample(&a);
    cr_assert_eq(unlink(path), 0);
    a.act[0] = SN_ACT_SOFTMAX;
    cr_expect_eq(sn_model_save(&a, path, &err), -1);
    cr_expect(strstr(err.msg, "layer 1 (hidden)"), "%s", err.msg);
    cr_expect_eq(access(path, F_OK), -1, "a file was written");
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

/* Whether s is well-formed UTF-8 (lead bytes followed by their
 * continuation bytes; no check for overlong forms, which cutting cannot
 * make). */
static int is_utf8(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        const int len = *p < 0x80 ? 1 : *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3
                      : *p >= 0xC0 ? 2 : 0;
        if (len == 0)
            return 0;
        for (int i = 1; i < len; i++)
            if ((p[i] & 0xC0) != 0x80)
                return 0;
        p += len;
    }
    return 1;
}

static int ends_with(const char *s, const char *tail)
{
    const size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* A 600-character path (folder names of 3-byte characters, so that a cut
 * at a fixed byte would split one) keeps its start, its file name and the
 * reason, whole characters only. */
Test(model, a_long_path_keeps_the_reason)
{
    char longpath[700] = "/nonexistent/";
    while (strlen(longpath) < 600)
        strcat(longpath, "\u30d5\u30a9\u30eb\u30c0/"); /* 4 characters, 12 bytes, and / */
    strcat(longpath, "m.bin");
    sn_net b;
    sn_error err;
    cr_assert_eq(sn_model_load(&b, longpath, &err), -1);
    cr_expect(strncmp(err.msg, "/nonexistent/", 13) == 0, "%s", err.msg);
    cr_expect(strstr(err.msg, "/m.bin: cannot open the model: "), "%s",
              err.msg);
    cr_expect(ends_with(err.msg, strerror(ENOENT)), "%s", err.msg);
    cr_expect(strstr(err.msg, "..."), "%s", err.msg);
    cr_expect(is_utf8(err.msg), "%s", err.msg);

    sn_net a;
    save_sample(&a);
    cr_assert_eq(sn_model_save(&a, longpath, &err), -1);
    cr_expect(strncmp(err.msg, "/nonexistent/", 13) == 0, "%s", err.msg);
    cr_expect(strstr(err.msg, "/m.bin: "), "%s", err.msg);
    cr_expect(ends_with(err.msg, strerror(ENOENT)) ||
                  ends_with(err.msg, strerror(ENAMETOOLONG)),
              "%s", err.msg);
    cr_expect(is_utf8(err.msg), "%s", err.msg);
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

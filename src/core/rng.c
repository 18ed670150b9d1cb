/* rng.c - PCG32 seeded through splitmix64; see simdnet.h for the contract
 * and tools/reference.py for the same generator in Python. */
#include "simdnet.h"

#define PCG_MULT 6364136223846793005ULL
#define PCG_INC 1442695040888963407ULL

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

void sn_rng_seed(sn_rng *rng, uint64_t seed)
{
    rng->state = splitmix64(seed);
}

uint32_t sn_rng_u32(sn_rng *rng)
{
    uint64_t old = rng->state;
    rng->state = old * PCG_MULT + PCG_INC;
    uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
    uint32_t rot = (uint32_t)(old >> 59);
    return (xorshifted >> rot) | (xorshifted << ((32 - rot) & 31));
}

float sn_rng_uniform_pm1(sn_rng *rng)
{
    /* 24 random bits: k * 2^-23 - 1 for k in [0, 2^24) covers [-1, 1) on a
     * grid of 2^-23, every value exact in float32. */
    return (float)(sn_rng_u32(rng) >> 8) * (1.0f / 8388608.0f) - 1.0f;
}

uint32_t sn_rng_below(sn_rng *rng, uint32_t n)
{
    /* Rejection of the short last interval (Lemire's threshold). */
    uint32_t threshold = (uint32_t)(-n) % n;
    for (;;) {
        uint32_t r = sn_rng_u32(rng);
        if (r >= threshold)
            return r % n;
    }
}

/* version.c - the version of the library actually linked. */
#include "simdnet.h"

const char *sn_version(void)
{
    return SN_VERSION_STRING;
}

unsigned sn_version_number(void)
{
    return SN_VERSION_NUMBER;
}

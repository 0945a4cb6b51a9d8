/* fuzz_main.c - libFuzzer entry point; compiled once per harness with -DFUZZ_TARGET_FN=fuzz_<name>. */
#include <stddef.h>
#include <stdint.h>

#include "common/sr_error.h"
#include "fuzz_harness.h"

#ifndef FUZZ_TARGET_FN
#error "define FUZZ_TARGET_FN (e.g. -DFUZZ_TARGET_FN=fuzz_extxyz)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FUZZ_TARGET_FN(data, size);
    return 0;
}

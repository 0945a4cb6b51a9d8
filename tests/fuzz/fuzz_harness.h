/* fuzz_harness.h - one property-checking harness per parser, shared by the libFuzzer executables
 * (fuzz_main.c, clang only) and the corpus replay (fuzz_replay.c, every build).
 *
 * Each harness feeds `size` bytes to one parser entry point and checks its contract:
 *   success  => sane output (counts >= 0, indices in range, finite positions, positive box edges);
 *   failure  => a non-empty, one-line message (sr_error_message() without '\n') and no output left;
 * then frees everything and returns the parser's status (0 = accepted; for `input`, accepted means
 * parsed and bound without a single error). A violated property prints "fuzz[target]: ..." to stderr and aborts, so
 * libFuzzer records a crash and the replay test fails. */
#ifndef FUZZ_HARNESS_H
#define FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

typedef int (*fuzz_fn)(const uint8_t *data, size_t size);

typedef struct fuzz_target {
    const char *name; /* also the corpus folder: tests/corpus/<name>/ */
    fuzz_fn run;
    const char *what; /* the entry point exercised */
} fuzz_target;

/* NULL-terminated table of every harness. */
extern const fuzz_target fuzz_targets[];
const fuzz_target *fuzz_target_find(const char *name);

/* Label of the input being run (a file name in the replay), used in violation messages. */
void fuzz_set_label(const char *label);

int fuzz_input(const uint8_t *data, size_t size);      /* sr_input_parse_string + keyword binding */
int fuzz_extxyz(const uint8_t *data, size_t size);     /* io_extxyz_read_buffer */
int fuzz_lammps(const uint8_t *data, size_t size);     /* io_lammps_data_read_buffer */
int fuzz_checkpoint(const uint8_t *data, size_t size); /* md_checkpoint_read_buffer */
int fuzz_npy(const uint8_t *data, size_t size);        /* ml_npy_parse */
int fuzz_sw(const uint8_t *data, size_t size);         /* Stillinger-Weber .sw file (md_sw.c) */
int fuzz_ncfile(const uint8_t *data, size_t size);     /* io_ncin_open_buffer + io_ncin_read_double */
int fuzz_model(const uint8_t *data, size_t size);      /* ml_model_read_buffer */

#endif

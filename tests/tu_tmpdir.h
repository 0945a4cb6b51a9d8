/* Shared test fixture: a fresh temporary directory per test group (cmocka setup/teardown) and
 * path_of() to name files in it. TU_TMPDIR_FIXTURES("tag") defines setup, teardown and path_of. */
#ifndef TU_TMPDIR_H
#define TU_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TU_TMPDIR_FIXTURES(tag)                                                                       \
    static char dir[64];                                                                              \
    static int setup(void **state)                                                                    \
    {                                                                                                 \
        (void)state;                                                                                  \
        snprintf(dir, sizeof dir, "/tmp/%s_XXXXXX", tag);                                             \
        return mkdtemp(dir) ? 0 : -1;                                                                 \
    }                                                                                                 \
    static int teardown(void **state)                                                                 \
    {                                                                                                 \
        (void)state;                                                                                  \
        char cmd[128];                                                                                \
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);                                                \
        return system(cmd) == 0 ? 0 : -1;                                                             \
    }                                                                                                 \
    __attribute__((unused)) static void path_of(char *buf, size_t size, const char *name)            \
    {                                                                                                 \
        snprintf(buf, size, "%s/%s", dir, name);                                                      \
    }

#endif

/* fuzz_replay.c - run every file of tests/corpus/<target>/ through its fuzz harness, so that each
 * input ever found by the fuzzers (crash-*.bin reproducers included) stays a regression test of the
 * normal build.
 *
 * usage: fuzz_replay CORPUS_DIR [TARGET...]   (default: every target; a missing folder is an error)
 * Each file is copied into an exact-size heap block, so an over-read shows under SEEDRATE_SANITIZE=ON,
 * and run in a child process, so one failing input does not hide the others.
 * Files named valid-* must be accepted (status 0) and broken-* rejected (with the one-line message the
 * harness checks); any other name (fuzzer finds, crash-* reproducers) may go either way.
 * Exit status 0 when every file passed its harness (a violation aborts with the property and file). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz_harness.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int read_whole(const char *path, uint8_t **data, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return -1;
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap *= 2);
            if (!nb) free(b);
            b = nb;
        }
    }
    int err = ferror(fp);
    fclose(fp);
    if (!b || err) {
        free(b);
        return -1;
    }
    /* exact-size copy: one byte past the end is outside the allocation */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(b);
        return -1;
    }
    memcpy(exact, b, n);
    free(b);
    *data = exact;
    *size = n;
    return 0;
}

static int replay_target(const char *corpus, const fuzz_target *t, long *nfiles)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", corpus, t->name);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "fuzz_replay: cannot open corpus folder %s\n", dir);
        return 1;
    }
    char **names = NULL;
    int n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = realloc(names, cap * sizeof *names);
            if (!names) return 1;
        }
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (n > 0) qsort(names, n, sizeof *names, cmp_str);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        uint8_t *data = NULL;
        size_t size = 0;
        if (read_whole(path, &data, &size)) {
            fprintf(stderr, "fuzz_replay: cannot read %s\n", path);
            bad = 1;
        } else {
            /* one child per input, so that a violated property (abort) or a crash is reported and the
             * other inputs still run; the child's exit status carries the parser's verdict */
            fflush(stdout);
            pid_t pid = fork();
            if (pid == 0) {
                fuzz_set_label(path);
                int prc = t->run(data, size);
                free(data);
                exit(prc == 0 ? 0 : 3);
            }
            free(data);
            int ws = 0, rc = -1;
            if (pid < 0 || waitpid(pid, &ws, 0) != pid) {
                fprintf(stderr, "fuzz_replay: %s: cannot run (fork failed)\n", path);
                bad = 1;
                goto next;
            }
            if (WIFEXITED(ws) && (WEXITSTATUS(ws) == 0 || WEXITSTATUS(ws) == 3)) {
                rc = WEXITSTATUS(ws);
            } else {
                fprintf(stderr, "fuzz_replay: %s: FAILED (%s %d)\n", path,
                        WIFSIGNALED(ws) ? "signal" : "exit status", WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
                bad = 1;
                (*nfiles)++;
                goto next;
            }
            if (!strncmp(names[i], "valid-", 6) && rc != 0) {
                fprintf(stderr, "fuzz_replay: %s: expected to be accepted, was rejected\n", path);
                bad = 1;
            } else if (!strncmp(names[i], "broken-", 7) && rc == 0) {
                fprintf(stderr, "fuzz_replay: %s: expected to be rejected, was accepted\n", path);
                bad = 1;
            }
            (*nfiles)++;
        }
    next:
        free(names[i]);
    }
    free(names);
    if (n == 0) {
        fprintf(stderr, "fuzz_replay: corpus folder %s is empty\n", dir);
        bad = 1;
    }
    printf("fuzz_replay: %-10s %4d inputs  (%s)\n", t->name, n, t->what);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        fprintf(argc < 2 ? stderr : stdout, "usage: fuzz_replay CORPUS_DIR [TARGET...]\ntargets:");
        for (const fuzz_target *t = fuzz_targets; t->name; t++) fprintf(argc < 2 ? stderr : stdout, " %s", t->name);
        fprintf(argc < 2 ? stderr : stdout, "\n");
        return argc < 2 ? 2 : 0;
    }
    int bad = 0;
    long nfiles = 0;
    if (argc == 2) {
        for (const fuzz_target *t = fuzz_targets; t->name; t++) bad |= replay_target(argv[1], t, &nfiles);
    } else {
        for (int i = 2; i < argc; i++) {
            const fuzz_target *t = fuzz_target_find(argv[i]);
            if (!t) {
                fprintf(stderr, "fuzz_replay: unknown target '%s'\n", argv[i]);
                bad = 1;
                continue;
            }
            bad |= replay_target(argv[1], t, &nfiles);
        }
    }
    printf("fuzz_replay: %ld inputs replayed, %s\n", nfiles, bad ? "FAILED" : "all properties held");
    return bad;
}

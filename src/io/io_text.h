/* io_text.h - private to src/io: a bounds-checked line lexer over a memory buffer, strict number
 * parsing, "file:line: expected ..., got ..." errors, whole-file reading and atomic text output. */
#ifndef IO_TEXT_H
#define IO_TEXT_H

#include <stddef.h>
#include <stdio.h>

typedef struct io_lex {
    const char *buf;  /* input, not NUL-terminated; never read at or beyond buf + len */
    size_t len, pos;
    const char *name; /* file name for messages */
    long line;        /* 1-based number of the current line (0 before the first) */
    char *cur;        /* NUL-terminated copy of the current line, without the line ending */
    size_t curlen, curcap;
    char *work;       /* copy of cur cut into tokens */
    size_t workcap;
    char **tok;       /* tokens of the current line after io_lex_split */
    int ntok, tokcap;
} io_lex;

void io_lex_init(io_lex *lx, const char *buf, size_t len, const char *name);
void io_lex_free(io_lex *lx);
/* Advance to the next line; *eof = 1 (and cur = "") at the end of the buffer. */
int io_lex_next(io_lex *lx, int *eof);
/* Bytes not yet consumed (an upper bound for counts read from headers). */
size_t io_lex_remaining(const io_lex *lx);
/* Split the current line (or its part before `comment_char`, 0 = none) into whitespace tokens. */
int io_lex_split(io_lex *lx, char comment_char);
/* SR_EPARSE "name:line: expected <expected>, got <got>" (got is quoted, truncated and cleaned). */
int io_lex_fail(const io_lex *lx, const char *got, const char *expected_fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with "end of file" as what was got. */
int io_lex_fail_eof(const io_lex *lx, const char *expected_fmt, ...) __attribute__((format(printf, 2, 3)));

/* Whole token as a finite double / an integer in [lo, hi]; 0 on success, -1 otherwise. */
int io_parse_double(const char *tok, double *out);
int io_parse_long(const char *tok, long lo, long hi, long *out);

/* Read a whole file into a new buffer (NUL-terminated for convenience; *len excludes the NUL). */
int io_read_file(const char *path, char **buf, size_t *len);

/* Atomic text output: open path.tmp; finish with io_text_close(f, tmp, path, commit), which
 * renames on commit (after checking write errors) and removes tmp otherwise. */
int io_text_open(const char *path, FILE **f, char **tmp);
int io_text_close(FILE *f, char *tmp, const char *path, int commit);

#endif

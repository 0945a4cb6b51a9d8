/* sr_input.h - sectioned "key = value" input files and keyword tables.
 *
 * Format (documented in README.md):
 *     # comment            ; comment
 *     [section]
 *     key = value          # trailing comment
 *     list = 1.0 2.5 3.0   (whitespace- or comma-separated)
 *
 * Each plug-in (potential, classifier, campaign stage) declares its keywords in one sr_keyword table
 * (name, type, unit, default, range, doc) that binds values straight into a C struct. The same table
 * drives parsing, `seedrate help KEYS` and the "unknown key" error, so nothing is read that is not
 * documented. Errors name file:line and the expected value, and all of them are collected at once. */
#ifndef SR_INPUT_H
#define SR_INPUT_H

#include <stddef.h>
#include <stdio.h>

typedef struct sr_entry {
    char *key;
    char *value;
    int line;
    int used;
} sr_entry;

typedef struct sr_section {
    char *name;
    const char *file; /* points into the owning sr_input */
    int line;
    sr_entry *entries;
    int n, cap;
} sr_section;

typedef struct sr_input {
    char *file;
    sr_section **sections;
    int n, cap;
} sr_input;

/* A list of error messages, so that validation reports everything wrong at once. */
typedef struct sr_errlist {
    char **msg;
    int n, cap;
} sr_errlist;

void sr_errlist_add(sr_errlist *el, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sr_errlist_print(const sr_errlist *el, FILE *out);
/* Record the first message with SR_ERROR(SR_EINVAL) and return SR_EINVAL when el is non-empty. */
int sr_errlist_status(const sr_errlist *el);
void sr_errlist_clear(sr_errlist *el);

int sr_input_parse_file(const char *path, sr_input **out);
int sr_input_parse_string(const char *text, const char *name, sr_input **out);
void sr_input_free(sr_input *in);
/* NULL when absent. */
sr_section *sr_input_section(const sr_input *in, const char *name);
/* Sections never looked at through sr_input_section / sr_input_require are errors:
 * appends "file:line: unknown section [x]" for each one not in `known` (NULL-terminated). */
void sr_input_check_sections(const sr_input *in, const char *const *known, sr_errlist *el);

/* Programmatic sections (tests, defaults). */
sr_section *sr_section_create(const char *name);
void sr_section_free(sr_section *s);
int sr_section_set(sr_section *s, const char *key, const char *value);
const char *sr_section_get(const sr_section *s, const char *key); /* raw value or NULL */

enum sr_kw_type {
    SR_KW_REAL,   /* double */
    SR_KW_INT,    /* int */
    SR_KW_LONG,   /* long */
    SR_KW_BOOL,   /* int 0/1: yes/no/true/false/on/off/1/0 */
    SR_KW_STRING, /* char[SR_KW_STRLEN] */
    SR_KW_CHOICE, /* int index into `choices` ("a|b|c") */
    SR_KW_REALS,  /* sr_reals */
};

#define SR_KW_STRLEN 256
#define SR_KW_MAXLIST 64

typedef struct sr_reals {
    int n;
    double v[SR_KW_MAXLIST];
} sr_reals;

typedef struct sr_keyword {
    const char *name;
    int type;
    size_t offset;       /* offsetof(target struct, member) */
    const char *unit;    /* "" for dimensionless; "length", "energy", ... are resolved by the unit style */
    const char *def;     /* default as text; NULL = required */
    double min, max;     /* allowed range for numbers (and list items) */
    const char *choices; /* for SR_KW_CHOICE: "nve|nvt|npt" */
    const char *doc;
} sr_keyword;

/* Terminator for keyword tables. */
#define SR_KW_END {0}

/* Fill `target` from the section (defaults first, then the given values), checking type, range
 * and choice, and mark the entries it consumed as used. s may be NULL (all defaults; required keys
 * then error). Appends every problem to el; returns the number of problems found. A section may be
 * bound by several tables (e.g. [potential]: style, then the style's own keys); afterwards
 * sr_section_check_unused reports the keys no table knew. */
int sr_section_bind(sr_section *s, const sr_keyword *table, void *target, sr_errlist *el,
                    const char *section_name);
/* "file:line: unknown key 'k' in [section]" for every entry not consumed by a bind. */
void sr_section_check_unused(const sr_section *s, sr_errlist *el);
/* Only the defaults, no section. */
int sr_keywords_defaults(const sr_keyword *table, void *target);
/* Document a keyword table (for --help / `seedrate help keys`). */
void sr_keywords_print(const sr_keyword *table, const char *section_name, FILE *out);

/* Split a whitespace/comma separated list of numbers; returns count or -1 on a bad token. */
int sr_parse_reals(const char *text, double *v, int max);

#endif

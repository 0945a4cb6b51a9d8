/* order_args.c - a classifier from command-line options: `--input FILE` (its [order] section) and
 * `--KEY VALUE` for `style` and every keyword of the chosen class (dashes in KEY read as
 * underscores, so --bond-threshold sets bond_threshold). Command-line values override the file.
 * The keyword tables do the validation, so a new class (CHILL+, ...) gets its options for free. */
#include "order.h"

#include <stdlib.h>
#include <string.h>

/* "--bond-threshold" -> "bond_threshold" into buf; 0 if arg is not a long option. */
static int option_key(const char *arg, char *buf, size_t size)
{
    if (strncmp(arg, "--", 2) != 0 || !arg[2] || strlen(arg + 2) >= size) return 0;
    strcpy(buf, arg + 2);
    for (char *p = buf; *p; p++)
        if (*p == '-') *p = '_';
    return 1;
}

static int table_has(const sr_keyword *t, const char *key)
{
    for (; t && t->name; t++)
        if (strcmp(t->name, key) == 0) return 1;
    return 0;
}

/* Set key = value in sec, replacing an existing entry (so that the option overrides the file). */
static int section_override(sr_section *sec, const char *key, const char *value)
{
    for (int i = 0; i < sec->n; i++)
        if (strcmp(sec->entries[i].key, key) == 0) {
            char *v = malloc(strlen(value) + 1);
            if (!v) return SR_ERROR(SR_ENOMEM, "out of memory");
            strcpy(v, value);
            free(sec->entries[i].value);
            sec->entries[i].value = v;
            return SR_OK;
        }
    return sr_section_set(sec, key, value);
}

int order_classifier_from_args(int argc, char **argv, unsigned char *used, order_classifier **out,
                               sr_errlist *el)
{
    if (!out || !el || !used || argc < 0) return SR_ERROR(SR_EINVAL, "order_classifier_from_args: bad arguments");
    *out = NULL;
    const char *input = NULL, *style = NULL;
    char key[64];
    for (int i = 0; i < argc; i++) {
        if (!option_key(argv[i], key, sizeof key)) continue;
        if (strcmp(key, "input") == 0 || strcmp(key, "style") == 0) {
            if (i + 1 >= argc) {
                sr_errlist_add(el, "command line: %s needs a value", argv[i]);
                return sr_errlist_status(el);
            }
            if (key[0] == 'i')
                input = argv[i + 1];
            else
                style = argv[i + 1];
            used[i] = used[i + 1] = 1;
            i++;
        }
    }
    sr_input *in = NULL;
    sr_section *sec = NULL, *own = NULL;
    if (input) {
        SR_TRY(sr_input_parse_file(input, &in));
        sec = sr_input_section(in, "order");
    }
    if (!sec) {
        own = sr_section_create("order");
        if (!own) {
            sr_input_free(in);
            return SR_ERROR(SR_ENOMEM, "out of memory");
        }
        own->file = input ? input : "command line";
        sec = own;
    }
    int rc = style ? section_override(sec, "style", style) : SR_OK;
    const char *sty = sr_section_get(sec, "style");
    const order_classifier_class *cls = order_classifier_find(sty ? sty : order_style_keywords[0].def);
    /* the class's keywords given as options (an unknown style is reported by from_section) */
    for (int i = 0; !rc && cls && i < argc; i++) {
        if (used[i] || !option_key(argv[i], key, sizeof key) || !table_has(cls->keywords, key)) continue;
        if (i + 1 >= argc) {
            sr_errlist_add(el, "command line: %s needs a value", argv[i]);
            rc = sr_errlist_status(el);
            break;
        }
        rc = section_override(sec, key, argv[i + 1]);
        used[i] = used[i + 1] = 1;
        i++;
    }
    if (!rc) rc = order_classifier_from_section(sec, out, el);
    sr_section_free(own);
    sr_input_free(in);
    return rc;
}

const order_steinhardt_config *order_steinhardt_get_config(const order_classifier *c)
{
    if (!c || (c->cls != &order_classifier_bonds && c->cls != &order_classifier_qbar)) return NULL;
    return (const order_steinhardt_config *)c->state; /* the config is the state's first member */
}

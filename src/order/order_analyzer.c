/* order_analyzer.c - one call per frame: neighbor candidates (md cell list on a private copy),
 * classification, crystalline mask and clusters, with every buffer kept between frames. This is what
 * the seeding driver and `seedrate analyze` call every k steps. */
#include "order.h"

#include <stdlib.h>

struct order_analyzer {
    order_classifier *cls; /* borrowed */
    double cluster_cutoff;
    order_nbuilder *builder;
    order_neighbors *nb;
    order_cluster_ws *ws;
    int cap;
    int *labels;
    unsigned char *mask;
};

void order_analyzer_free(order_analyzer *a)
{
    if (!a) return;
    order_nbuilder_free(a->builder);
    order_neighbors_free(a->nb);
    order_cluster_ws_free(a->ws);
    free(a->labels);
    free(a->mask);
    free(a);
}

int order_analyzer_create(order_classifier *c, double cluster_cutoff, order_analyzer **out)
{
    if (!c || !out) return SR_ERROR(SR_EINVAL, "order_analyzer_create: NULL argument");
    *out = NULL;
    const double rclass = order_classifier_cutoff(c);
    if (cluster_cutoff <= 0) cluster_cutoff = rclass;
    order_analyzer *a = calloc(1, sizeof *a);
    if (!a) return SR_ERROR(SR_ENOMEM, "order_analyzer_create: out of memory");
    a->cls = c;
    a->cluster_cutoff = cluster_cutoff;
    a->builder = order_nbuilder_create(cluster_cutoff > rclass ? cluster_cutoff : rclass);
    a->nb = order_neighbors_create();
    a->ws = order_cluster_ws_create(0);
    if (!a->builder || !a->nb || !a->ws) {
        order_analyzer_free(a);
        return SR_ERROR(SR_ENOMEM, "order_analyzer_create: out of memory");
    }
    *out = a;
    return SR_OK;
}

int order_analyze_frame(order_analyzer *a, const md_system *s, order_cluster_result *res)
{
    if (!a || !s || !res) return SR_ERROR(SR_EINVAL, "order_analyze_frame: NULL argument");
    if (s->n > a->cap) {
        free(a->labels);
        free(a->mask);
        a->labels = malloc((size_t)s->n * sizeof *a->labels);
        a->mask = malloc((size_t)s->n);
        a->cap = (a->labels && a->mask) ? s->n : 0;
        if (!a->cap) return SR_ERROR(SR_ENOMEM, "order_analyze_frame: out of memory for %d atoms", s->n);
    }
    SR_TRY(order_nbuilder_build(a->builder, s, a->nb));
    SR_TRY(order_classify(a->cls, s, a->nb, a->labels));
    order_classifier_mask(a->cls, s->n, a->labels, a->mask);
    return order_clusters_find(a->ws, a->nb, s->x, &s->box, a->mask, a->cluster_cutoff, res);
}

const int *order_analyzer_labels(const order_analyzer *a) { return a ? a->labels : NULL; }

const double *order_analyzer_score(const order_analyzer *a, const char **name)
{
    if (!a || !a->cls->cls->score) return NULL;
    return a->cls->cls->score(a->cls->state, name);
}

const int *order_analyzer_cluster_index(const order_analyzer *a)
{
    return a ? order_cluster_index(a->ws) : NULL;
}

const int *order_analyzer_cluster_sizes(const order_analyzer *a)
{
    return a ? order_cluster_sizes(a->ws) : NULL;
}

double order_analyzer_cluster_cutoff(const order_analyzer *a) { return a ? a->cluster_cutoff : 0; }

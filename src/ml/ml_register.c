/* ml_register.c - make the "nn" potential style known to md (call once at start-up). */
#include "ml.h"

int ml_register(void) { return md_potential_register(&ml_potential_nn); }

#include <stdio.h>
#include "cli.h"
int cmd_md(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "not yet\n"); return 1; }

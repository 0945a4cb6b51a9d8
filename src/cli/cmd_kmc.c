#include <stdio.h>
#include "cli.h"
int cmd_kmc(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "seedrate: error: kmc is not available in this build\n");
    return 1;
}

/* being written */
#include "cli.h"
int cmd_secret(struct cli *cli, int argc, char **argv) { (void)argc; (void)argv; return cli_fail(cli, "not yet"); }
int cmd_key(struct cli *cli, int argc, char **argv) { (void)argc; (void)argv; return cli_fail(cli, "not yet"); }

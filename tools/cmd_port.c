/* being written */
#include "cli.h"
int cmd_export(struct cli *cli, int argc, char **argv) { (void)argc; (void)argv; return cli_fail(cli, "not yet"); }
int cmd_import(struct cli *cli, int argc, char **argv) { (void)argc; (void)argv; return cli_fail(cli, "not yet"); }

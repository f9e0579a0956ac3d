/* being written */
#include "cli.h"
int cmd_check(struct cli *cli, int argc, char **argv) { (void)argc; (void)argv; return cli_fail(cli, "not yet"); }
int cmd_rollback(struct cli *cli, int argc, char **argv) { (void)argc; (void)argv; return cli_fail(cli, "not yet"); }
int cmd_generations(struct cli *cli, int argc, char **argv) { (void)argc; (void)argv; return cli_fail(cli, "not yet"); }

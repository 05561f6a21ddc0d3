/*
 * The one reading of a long option with a value, shared by hut, hut-monitor
 * and hut-oci: "--name VALUE" or "--name=VALUE", as getopt_long reads them.
 * Each program reports a missing value its own way (exit codes and message
 * formats differ), so this only tells it that one is missing.
 */
#ifndef CLI_OPTION_H
#define CLI_OPTION_H

/* What cli_option returns for NAME given as the last word, with no value. */
extern const char cli_no_value[];

/* If argv[*i] is NAME or NAME=VALUE: its value (advancing *i past a
 * separate one), or cli_no_value. NULL when argv[*i] is another word. */
const char *cli_option(int argc, char **argv, int *i, const char *name);

#endif

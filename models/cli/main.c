/* blockshift: the command.  main() reads the subcommand and hands over; each
 * subcommand is a pipeline (read args, read config, check, build, step, write,
 * free) and only here is the process exit code decided. */
#include "cli/cli.h"

#include "base/log.h"
#include "base/status.h"
#include "base/version.h"
#include "config/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: blockshift COMMAND [ARGS]\n"
    "\n"
    "  run CONFIG [-o DIR] [--seed N] [--run K] [--set key=value]... [--scale X] [--quiet]\n"
    "                       run a scenario and write its results (HDF5); CONFIG: a file,\n"
    "                       or a shipped scenario's name (BLOCKSHIFT_PATH, then the\n"
    "                       installed share/blockshift/scenarios)\n"
    "  check CONFIG [--set key=value]...\n"
    "                       validate a configuration: every error, with file:line\n"
    "  params [--markdown]  every parameter: path, type, default, range, unit, meaning, source\n"
    "  info RESULT.h5       what is in a results file, its provenance\n"
    "  testbed CONFIG [-o DIR] [--calibration-out FILE]\n"
    "                       packet-level (ns-3) experiments on the network of CONFIG\n"
    "  plot RESULT.h5 [--format png|svg|pdf] [--style screen|paper|slides] [--size WxH] [-o DIR]\n"
    "                       the standard figures of a run (gnuplot)\n"
    "  compare A.h5 B.h5 [-o DIR]\n"
    "                       two runs of the same world side by side (counterfactuals)\n"
    "  reproduce MANIFEST [-o DIR]\n"
    "                       every figure of a paper, with checksums to compare\n"
    "  sweep SWEEP [-o DIR] [-j N] [--mpi] [--resume] [--slurm [--slurm-array] ...] [--quiet]\n"
    "  sweep --summarise DIR\n"
    "                       a parameter sweep with replications, on local cores or MPI\n"
    "  calibrate CALIBRATION.cfg [-o DIR] [-j N] [--mpi] [--resume] [--quiet]\n"
    "                       fit parameters to observations (ABC-SMC)\n"
    "  validate [CASE.cfg...] [-o DIR] [-j N] [--quiet]\n"
    "                       the model against observations it was not fitted to\n"
    "\n"
    "  --version            the version and git revision\n"
    "  COMMAND --help       help on a command\n"
    "\n"
    "Exit codes: 0 success, 1 runtime failure, 2 bad input.\n"
    "Logging: BLOCKSHIFT_LOG=population=info,config=debug (levels error, warn, info, debug).\n";

int cli_fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("blockshift: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return bs_exit_code(status);
}

int cli_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (log_init(getenv("BLOCKSHIFT_LOG")) != BS_OK)
        return cli_fail(BS_EINPUT, "%s", bs_last_error());
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    static char share[4096];
    if (cli_share_dir(share, sizeof share) == 0)
        config_search_share(share); /* @include files of an installed blockshift */
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("blockshift %s (git %s, %s build)\n", BS_VERSION, BS_GIT_REVISION,
               BS_BUILD_TYPE);
#ifdef BS_WITH_NS3
        const char *ns3 = "built";
#else
        const char *ns3 = "not built (configured --without-ns3)";
#endif
#ifdef BS_WITH_MPI
        const char *mpi = "built";
#else
        const char *mpi = "not built (configured --without-mpi)";
#endif
        printf("packet engine (ns-3, blockshift testbed): %s\nMPI (blockshift sweep --mpi): %s\n",
               ns3, mpi);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "params") == 0)
        return cmd_params(argc - 1, argv + 1);
    if (strcmp(cmd, "info") == 0)
        return cmd_info(argc - 1, argv + 1);
    if (strcmp(cmd, "sweep") == 0)
        return cmd_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "calibrate") == 0)
        return cmd_calibrate(argc - 1, argv + 1);
    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);
    if (strcmp(cmd, "testbed") == 0)
        return cmd_testbed(argc - 1, argv + 1);
    if (strcmp(cmd, "plot") == 0)
        return cmd_plot(argc - 1, argv + 1);
    if (strcmp(cmd, "compare") == 0)
        return cmd_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "reproduce") == 0)
        return cmd_reproduce(argc - 1, argv + 1);
    fprintf(stderr, "blockshift: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}

/* reproduce: every figure of a paper from one command (blockshift reproduce).
 *
 * A manifest (libconfig) lists figures:
 *
 *   paper = "Blocking calls: an example";
 *   figures = (
 *     { name = "uptake"; scenario = "../../scenarios/whatsapp-then-facetime.cfg";
 *       set = ["population.scale=14600.0"]; seed = 1; replications = 2;
 *       plot = "primary"; }
 *   );
 *
 * Paths are relative to the manifest's folder; `plot` is one of the standard
 * figures of plot.h (primary, failed, vpn, border, censor, links); `set`
 * overrides parameters as --set does.  For each figure, each replication r
 * (run number r, the figure's seed) is run unless its results file is there,
 * complete, and made from the same configuration (resuming), or an earlier
 * figure has the same run (scenario, set and seed: run once, used by both,
 * in that figure's folder); then the figure
 * is drawn from replication 0 and every replication's datasets behind it get
 * a checksum (64 bits over their bytes).  checksums.txt lists them; when a
 * checksums.txt from an earlier run (another machine) is there, each figure
 * is reported as reproduced bit for bit or not, and the old file is kept as
 * checksums.previous.txt.  Bad manifests: BS_EINPUT naming file:line and the
 * setting; the manifest is read by the configuration's schema engine
 * (config_load_file), like scenarios and sweep files: unknown keys with
 * "did you mean", every error at once. */
#ifndef BS_REPRODUCE_H
#define BS_REPRODUCE_H

/* `self`: the blockshift executable, run for each missing replication.
 * `mode`: base/progress.h's (PROGRESS_OFF: --quiet, no messages either).
 * Each figure's path is printed on stdout.  *reproduced and *compared count
 * the figures that matched an earlier checksums.txt and that had one to
 * compare with. */
int reproduce_run(const char *manifest, const char *dir, const char *self, int mode,
                  int *reproduced, int *compared);

/* Read and check `manifest` only: BS_OK, or BS_EINPUT with *errors every
 * error, one per line, "file:line: path: message" (malloc'd; caller frees;
 * NULL when the failure is not the manifest's, see bs_last_error()). */
int reproduce_check(const char *manifest, char **errors);

#endif

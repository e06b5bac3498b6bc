/**
 * The CLI's entry: parse, dispatch to one file per subcommand, return an exit code.
 * No caching logic lives here.
 *
 * What a request needs is imported when it is known (`--version` loads no store, a run no
 * subcommand): a cache hit is worth little more than the process start, and evaluating
 * unused modules is a visible part of that start.
 *
 * @module
 */
import process from "node:process";
import { getConfig } from "../config/config.ts";
import { isCasherError } from "../errors/casher_error.ts";
import { checkExactInput } from "../command/exact_input.ts";
import { inheritedFds, runtimeVersion } from "../runtime/mod.ts";
import { type CliRequest, parseCli } from "./args.ts";
import { cliCacheDir } from "./cache_dir.ts";
import { writeText } from "./_write.ts";
import { EXIT_CASHER_FAILURE, EXIT_USAGE } from "./exit_codes.ts";
import { installCliLogging } from "./log_sink.ts";
import { ttyProgress } from "./progress.ts";
import { HELP, USAGE_HINT } from "./usage.ts";

/** casher's version, printed by `--version`. */
export const VERSION = "0.1.0";

/**
 * Runs the CLI with `args` (without the program name) and resolves with the exit code.
 *
 * @example
 * ```ts ignore
 * process.exit(await main(process.argv.slice(2)));
 * ```
 */
export async function main(args: readonly string[]): Promise<number> {
  let request: CliRequest;
  try {
    request = parseCli(args, { env: process.env });
  } catch (e) {
    if (!isCasherError(e, "usage")) throw e;
    writeText(2, `casher: ${e.message}\n${USAGE_HINT}\n`);
    return EXIT_USAGE;
  }
  switch (request.kind) {
    case "help":
      writeText(1, HELP);
      return 0;
    case "version":
      writeText(1, `casher ${VERSION} (${runtimeVersion()})\n`);
      return 0;
  }
  if (request.kind === "run") {
    // Before anything asks the runtime for the cwd: it may not be representable.
    const exact = checkExactInput(args, { commandLength: request.argv.length });
    if (exact.kind === "inexact") {
      writeText(2, `casher: ${exact.message}\n`);
      return EXIT_CASHER_FAILURE;
    }
  }
  // What the command would inherit is listed before casher opens a file of its own (under
  // Bun, nothing else tells casher's descriptors from inherited ones).
  if (request.kind === "run" || request.kind === "why") inheritedFds();
  installCliLogging(request.common.verbosity);
  let config;
  try {
    config = getConfig(
      request.common.maxCacheBytes === null ? {} : { maxCacheBytes: request.common.maxCacheBytes },
    );
  } catch (e) {
    writeText(2, `casher: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  const cacheDir = cliCacheDir(request.common.cacheDir, process.env);
  if (request.kind === "run") {
    const { runCommand } = await import("../command/run_command.ts");
    return runCommand({
      ...request.run,
      argv: request.argv,
      cwd: process.cwd(),
      env: process.env as Record<string, string>,
      cacheDir,
      maxCacheBytes: config.maxCacheBytes,
      maxCandidates: config.maxCandidates,
      lockTimeoutMs: config.lockTimeoutMs,
      progress: request.common.verbosity === "quiet" ? undefined : ttyProgress(),
    });
  }
  try {
    const { runSubcommand } = await import("./subcommands.ts");
    return await runSubcommand(request, { cacheDir, config });
  } catch (e) {
    if (!isCasherError(e)) throw e;
    writeText(2, `casher: ${e.message}\n`);
    // A subcommand given a key or value it cannot use is the caller's mistake, not casher's.
    return e.code === "usage" ? EXIT_USAGE : EXIT_CASHER_FAILURE;
  }
}

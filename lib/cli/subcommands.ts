/**
 * Dispatch of the management subcommands (everything but running a command).
 *
 * @module
 */
import process from "node:process";
import type { Config } from "../config/config.ts";
import { CasherError, isCasherError } from "../errors/casher_error.ts";
import { layoutFor } from "../store/layout.ts";
import { openStore, type Store } from "../store/store.ts";
import type { CliRequest } from "./args.ts";
import { lsCommand } from "./ls.ts";
import { clearCommand, gcCommand, verifyCommand } from "./maintenance.ts";
import { rmCommand } from "./rm.ts";
import { statsCommand } from "./stats.ts";
import { whyCommand } from "./why.ts";

/**
 * Runs a management subcommand against the cache at `cacheDir`.
 *
 * @example
 * ```ts ignore
 * await runSubcommand({ kind: "stats", common }, { cacheDir, config });
 * ```
 */
export async function runSubcommand(
  request: Exclude<CliRequest, { kind: "help" | "version" | "run" }>,
  context: { cacheDir: string; config: Config },
): Promise<number> {
  const store = openSubcommandStore(context.cacheDir, context.config);
  try {
    switch (request.kind) {
      case "stats":
        return statsCommand(store, {
          json: request.common.json,
          maxCacheBytes: context.config.maxCacheBytes,
        });
      case "ls":
        return lsCommand(store, { json: request.common.json });
      case "why":
        return await whyCommand(store, {
          argv: request.argv,
          cwd: process.cwd(),
          env: process.env,
          envAllow: request.run.envAllow,
          inputs: request.run.inputs,
          outputs: request.run.outputs,
          outputRoots: request.run.outputRoots,
          traceMode: request.run.traceMode,
        });
      case "rm":
        return rmCommand(store, request);
      case "gc":
        return await gcCommand(store);
      case "verify":
        return await verifyCommand(store);
      case "clear":
        return clearCommand(store);
    }
  } finally {
    store.close();
  }
}

/**
 * Opens the store for a subcommand. The store's own message about an unusable cache
 * ("caching is disabled for this run") is written for running a command; a subcommand
 * has nothing to fall back to, so it says what to do instead.
 */
function openSubcommandStore(cacheDir: string, config: Config): Store {
  try {
    return openStore(cacheDir, {
      maxCacheBytes: config.maxCacheBytes,
      maxCandidates: config.maxCandidates,
    });
  } catch (e) {
    if (!isCasherError(e, "cache-unavailable")) throw e;
    const layout = layoutFor(cacheDir);
    const cause = e.cause instanceof Error ? e.cause.message : String(e.cause ?? e.message);
    if (e.message.includes(layout.dbPath)) {
      throw new CasherError(
        "cache-unavailable",
        `cannot open the cache index at ${layout.dir}: ${cause}: remove ${layout.dir} ` +
          `(it only holds cached results) or use another --cache-dir`,
        { cause: e },
      );
    }
    throw new CasherError(
      "cache-unavailable",
      `cannot use the cache directory ${layout.root}: ${cause}: fix its permissions or use ` +
        `another --cache-dir`,
      { cause: e },
    );
  }
}

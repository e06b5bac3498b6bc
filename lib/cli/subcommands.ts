/**
 * Dispatch of the management subcommands (everything but running a command).
 *
 * @module
 */
import process from "node:process";
import type { Config } from "../config/config.ts";
import { openStore } from "../store/store.ts";
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
  const store = openStore(context.cacheDir, {
    maxCacheBytes: context.config.maxCacheBytes,
    maxCandidates: context.config.maxCandidates,
  });
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

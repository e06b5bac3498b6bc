/**
 * Builds a command's key from its options: absolute declared paths, the allow-listed
 * environment, the stdin digest. Shared by running and by `casher why`.
 *
 * @module
 */
import { fstatSync } from "node:fs";
import { resolve } from "node:path";
import process from "node:process";
import { type BytePath, bytePath } from "../path/byte_path.ts";
import { inheritedFds } from "../runtime/mod.ts";
import { encodeCommandKey, keyOf } from "./key_material.ts";
import { planFds } from "./passed_fds.ts";
import type { StdinSource } from "./stdin.ts";

/**
 * Variables that decide *which files* programs look for: always part of the key. The trace
 * records the paths a run probed, but only along the search path it had; with another
 * `PATH` (or loader, include or module path) the same command may find other files in
 * places the trace never saw it look. Other variables join the key only when listed
 * (`--env`, `CASHER_ENV`).
 */
export const SEARCH_PATH_VARS: readonly string[] = [
  "PATH",
  "LD_LIBRARY_PATH",
  "LD_PRELOAD",
  "PYTHONPATH",
  "PYTHONHOME",
  "NODE_PATH",
  "CPATH",
  "C_INCLUDE_PATH",
  "CPLUS_INCLUDE_PATH",
  "LIBRARY_PATH",
  "PERL5LIB",
  "RUBYLIB",
  "CLASSPATH",
];

/** The process's umask (reading it means setting it; it is set straight back). */
function currentUmask(): number {
  const mask = process.umask(0o022);
  process.umask(mask);
  return mask;
}

/** The parts of a command's options that identify it. */
export interface CommandIdentity {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
  readonly envAllow: readonly string[];
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly outputRoots: readonly string[];
  readonly traceMode: "full" | "fast";
}

/** A command's key and the resolved paths it was built from. */
export interface CommandKey {
  readonly key: string;
  readonly keyMaterial: string;
  readonly label: string;
  readonly inputs: BytePath[];
  readonly outputs: BytePath[];
  readonly outputRoots: BytePath[];
  /** stdout and stderr are one file (part of the key; the command then gets one pipe). */
  readonly sharedOutput: boolean;
}

/**
 * Computes the key of a command run.
 *
 * @example
 * ```ts ignore
 * const { key } = commandKey(identity, { kind: "none" });
 * ```
 */
export function commandKey(id: CommandIdentity, stdin: StdinSource): CommandKey {
  const abs = (p: string) => bytePath(resolve(id.cwd, p));
  const names = [...new Set([...SEARCH_PATH_VARS, ...id.envAllow])];
  const env = Object.fromEntries(names.map((k) => [k, id.env[k] ?? null]));
  const inputs = id.inputs.map(abs);
  const outputs = id.outputs.map(abs);
  const outputRoots = id.outputRoots.length === 0 ? ["/"] : id.outputRoots.map(abs);
  const sharedOutput = outputsShareFile();
  const keyMaterial = encodeCommandKey({
    argv: id.argv,
    cwd: id.cwd,
    env,
    stdin,
    inputs,
    outputs,
    outputRoots,
    traceMode: id.traceMode,
    uid: process.getuid?.() ?? -1,
    umask: currentUmask(),
    sharedOutput,
    fds: planFds(inheritedFds(), { argv: id.argv, env: id.env }).keyed,
  });
  return {
    key: keyOf(keyMaterial),
    keyMaterial,
    label: id.argv.join(" "),
    inputs,
    outputs,
    outputRoots,
    sharedOutput,
  };
}

/** Whether casher's stdout and stderr are one file (same device and inode). */
function outputsShareFile(): boolean {
  try {
    const out = fstatSync(1);
    const err = fstatSync(2);
    return out.dev === err.dev && out.ino === err.ino;
  } catch {
    return false;
  }
}

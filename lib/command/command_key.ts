/**
 * Builds a command's key from its options: absolute declared paths, the allow-listed
 * environment, the stdin digest. Shared by running and by `casher why`.
 *
 * @module
 */
import { resolve } from "node:path";
import { type BytePath, bytePath } from "../path/byte_path.ts";
import { encodeCommandKey, keyOf } from "./key_material.ts";
import type { StdinSource } from "./stdin.ts";

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
  const env = Object.fromEntries(id.envAllow.map((k) => [k, id.env[k] ?? null]));
  const inputs = id.inputs.map(abs);
  const outputs = id.outputs.map(abs);
  const outputRoots = id.outputRoots.length === 0 ? ["/"] : id.outputRoots.map(abs);
  const keyMaterial = encodeCommandKey({
    argv: id.argv,
    cwd: id.cwd,
    env,
    stdin,
    inputs,
    outputs,
    outputRoots,
    traceMode: id.traceMode,
  });
  return {
    key: keyOf(keyMaterial),
    keyMaterial,
    label: id.argv.join(" "),
    inputs,
    outputs,
    outputRoots,
  };
}

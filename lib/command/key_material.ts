/**
 * What identifies a command run: argv, the absolute cwd, the allow-listed environment,
 * the stdin digest (a file's marked as one), and the declared paths and output roots. Encoded canonically
 * (sorted keys, fixed field order) and hashed into the key.
 *
 * @module
 */
import { keyDigest } from "../hash/key_digest.ts";
import type { StdinSource } from "./stdin.ts";

/** Everything a command's key is made of. */
export interface CommandKeyMaterial {
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Allow-listed variables; `null` marks a listed variable that is unset. */
  readonly env: Readonly<Record<string, string | null>>;
  readonly stdin: StdinSource;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly outputRoots: readonly string[];
  readonly traceMode: "full" | "fast";
  /** The user the command runs as (`id`, `whoami` and file permissions depend on it). */
  readonly uid: number;
  /** The file mode creation mask: the modes of every file and directory the run makes. */
  readonly umask: number;
  /**
   * stdout and stderr are one file (a terminal, `> log 2>&1`): the run's bytes are kept in
   * the one order they were written in, which replays right only to one file again.
   */
  readonly sharedOutput: boolean;
  /** The inherited descriptors above 2 the command gets, as `N:kind` (see `passed_fds.ts`). */
  readonly fds: readonly string[];
}

/**
 * Encodes key material canonically; the string is stored in each entry and compared on lookup.
 *
 * @example
 * ```ts
 * import { encodeCommandKey } from "./key_material.ts";
 * encodeCommandKey({ argv: ["echo", "hi"], cwd: "/tmp", env: {}, stdin: { kind: "none" },
 *   inputs: [], outputs: [], outputRoots: ["/"], traceMode: "full", uid: 1000, umask: 0o022,
 *   sharedOutput: false, fds: [] });
 * ```
 */
export function encodeCommandKey(m: CommandKeyMaterial): string {
  const env = Object.keys(m.env).sort().map((k) => [k, m.env[k]]);
  // A file is keyed apart from a pipe with the same bytes: a hit on a file must also move
  // its shared offset as far as the command did, which a run fed by a pipe never recorded
  // (nor did entries stored before offsets were recorded, which this prefix leaves behind).
  const stdin = m.stdin.kind === "data"
    ? m.stdin.digest
    : m.stdin.kind === "file"
    ? `file:${m.stdin.digest}`
    : m.stdin.kind;
  return JSON.stringify([
    "casher-command/1",
    m.argv,
    m.cwd,
    env,
    stdin,
    [...m.inputs].sort(),
    [...m.outputs].sort(),
    [...m.outputRoots].sort(),
    m.traceMode,
    m.uid,
    m.umask,
    m.sharedOutput,
    m.fds,
  ]);
}

/**
 * Decodes what {@link encodeCommandKey} produced (for `ls` and `why`), or `null`.
 *
 * @example
 * ```ts
 * import { decodeCommandKey, encodeCommandKey } from "./key_material.ts";
 * const text = encodeCommandKey({ argv: ["true"], cwd: "/", env: {}, stdin: { kind: "none" },
 *   inputs: [], outputs: [], outputRoots: ["/"], traceMode: "full", uid: 1000, umask: 0o022,
 *   sharedOutput: false, fds: [] });
 * decodeCommandKey(text)?.argv; // ["true"]
 * ```
 */
export function decodeCommandKey(
  text: string,
): {
  argv: string[];
  cwd: string;
  env: [string, string | null][];
  stdin: string;
  umask: number | null;
  sharedOutput: boolean | null;
  fds: string[] | null;
} | null {
  try {
    const v = JSON.parse(text);
    if (!Array.isArray(v) || v[0] !== "casher-command/1") return null;
    // Entries from before umask, sharedOutput and fds joined the key lack them (null).
    const umask = typeof v[10] === "number" ? v[10] : null;
    const sharedOutput = typeof v[11] === "boolean" ? v[11] : null;
    const fds = Array.isArray(v[12]) ? v[12] : null;
    return { argv: v[1], cwd: v[2], env: v[3], stdin: v[4], umask, sharedOutput, fds };
  } catch {
    return null;
  }
}

/**
 * The key: the digest of the encoded material.
 *
 * @example
 * ```ts ignore
 * const key = keyOf(encodeCommandKey(material));
 * ```
 */
export function keyOf(encoded: string): string {
  return keyDigest(encoded);
}

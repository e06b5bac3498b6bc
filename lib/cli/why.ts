/**
 * `casher why -- <cmd>`: a dry run. Says whether the command would hit and, if not, the
 * first thing that differs from the closest candidate.
 *
 * @module
 */
import process from "node:process";
import { type CommandIdentity, commandKey } from "../command/command_key.ts";
import { decodeCommandKey } from "../command/key_material.ts";
import { captureStdin, releaseStdin } from "../command/stdin.ts";
import { lookup } from "../engine/lookup.ts";
import { displayPath } from "../path/byte_path.ts";
import type { Store } from "../store/store.ts";
import type { InputMismatch } from "../store/types.ts";

/**
 * Explains the would-be outcome of running `id` and returns 0 (hit) or 1 (miss).
 *
 * @example
 * ```ts ignore
 * const code = await whyCommand(store, identity);
 * ```
 */
export async function whyCommand(store: Store, id: CommandIdentity): Promise<number> {
  const stdin = await captureStdin({ tmpDir: store.layout.tmpDir });
  try {
    const key = commandKey(id, stdin);
    const found = await lookup(store, key);
    if (found.kind === "hit") {
      say(
        `would hit: entry ${
          found.entry.key.slice(0, 8)
        } (saves about ${found.entry.durationMs} ms)`,
      );
      return 0;
    }
    const r = found.reason;
    if (r.kind === "input-changed") {
      say(`would miss: ${describeMismatch(r.mismatch)}`);
      return 1;
    }
    say(`would miss: ${closestDifference(store, key.keyMaterial)}`);
    return 1;
  } finally {
    releaseStdin(stdin);
  }
}

/**
 * One line naming what changed for a recorded input.
 *
 * @example
 * ```ts
 * import { describeMismatch } from "./why.ts";
 * describeMismatch({ kind: "missing", input: { path: "/a", kind: "file", digest: "x" } });
 * // "input /a no longer exists"
 * ```
 */
export function describeMismatch(m: InputMismatch): string {
  const path = displayPath(m.input.path);
  switch (m.kind) {
    case "changed":
      switch (m.input.kind) {
        case "listing":
          return `the listing of directory ${path} changed (an entry was added, removed or changed type)`;
        case "meta":
          return m.input.digest.startsWith("r:")
            ? `symlink ${path} now points elsewhere (or is no longer a symlink)`
            : `type or permissions of ${path} changed`;
        case "exec":
          return `executable ${path} changed (content digest differs)`;
        case "absent":
          return m.input.digest === "ENOTDIR"
            ? `${path} is still missing, but no longer because a parent is not a directory`
            : `${path} is still missing, but now because a parent is not a directory`;
        default:
          return `file ${path} changed (content digest differs)`;
      }
    case "missing":
      return `input ${path} no longer exists`;
    case "appeared":
      return `${path} now exists, but the command found it absent`;
    case "unreadable":
      return `input ${path} cannot be read: ${m.reason}`;
  }
}

function closestDifference(store: Store, keyMaterial: string): string {
  const want = decodeCommandKey(keyMaterial);
  if (want === null) return "no entry for this command";
  let best: { score: number; text: string } = { score: -1, text: "no entry for this command yet" };
  for (const entry of store.listEntries()) {
    const have = decodeCommandKey(entry.keyMaterial);
    if (have === null) continue;
    const sameArgv = JSON.stringify(have.argv) === JSON.stringify(want.argv);
    const score = (sameArgv ? 4 : have.argv[0] === want.argv[0] ? 1 : 0) +
      (have.cwd === want.cwd ? 2 : 0);
    if (score <= best.score || score === 0) continue;
    best = { score, text: firstDifference(have, want) };
  }
  return best.text;
}

function firstDifference(
  have: NonNullable<ReturnType<typeof decodeCommandKey>>,
  want: NonNullable<ReturnType<typeof decodeCommandKey>>,
): string {
  if (JSON.stringify(have.argv) !== JSON.stringify(want.argv)) {
    return `argv differs from the closest entry (${JSON.stringify(have.argv)} vs ${
      JSON.stringify(want.argv)
    })`;
  }
  if (have.cwd !== want.cwd) return `working directory differs (was ${have.cwd}, now ${want.cwd})`;
  const env = new Map(have.env);
  for (const [name, value] of want.env) {
    if (!env.has(name)) return `env var ${name} is now part of the key (--env)`;
    if (env.get(name) !== value) {
      return `env var ${name} differs (was ${JSON.stringify(env.get(name))}, now ${
        JSON.stringify(value)
      })`;
    }
  }
  if (have.env.length !== want.env.length) return "the --env allow-list differs";
  if (have.stdin !== want.stdin) return "stdin differs";
  if (have.umask !== want.umask) {
    const octal = (m: number | null) => m === null ? "unknown" : "0" + m.toString(8);
    return `the umask differs (was ${octal(have.umask)}, now ${octal(want.umask)})`;
  }
  if (have.sharedOutput !== want.sharedOutput) {
    return want.sharedOutput
      ? "stdout and stderr now go to one file (a terminal, 2>&1), which is part of the key"
      : "stdout and stderr now go to different places, and sharing one file is part of the key";
  }
  if (JSON.stringify(have.fds) !== JSON.stringify(want.fds)) {
    const list = (f: string[] | null) => f === null ? "unknown" : f.join(" ") || "none";
    return `the inherited file descriptors differ (were ${list(have.fds)}, now ${
      list(want.fds)
    }; see "Inherited file descriptors" in the README)`;
  }
  return "declared inputs, outputs or output roots differ";
}

function say(line: string): void {
  process.stdout.write(line + "\n");
}

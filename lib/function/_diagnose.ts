/**
 * `diagnoseMisses`: on a miss, say what differs from the closest earlier entry of the same
 * function: an argument (by parameter name), an env var, a dependency file, the source,
 * the version, or (same key) the recorded input that changed.
 *
 * @module
 */
import type { MissReason } from "../engine/types.ts";
import { logger } from "../log/logger.ts";
import { displayPath } from "../path/byte_path.ts";
import type { Store } from "../store/store.ts";
import { type KeyFields, parseKeyFields } from "./_call_key.ts";

const log = logger("function");

/**
 * Explains a miss in words (one line per difference) and logs them at info level.
 *
 * @example
 * ```ts ignore
 * explainMiss(store, { fields, reason: outcome.reason, label: "train" });
 * // ["argument `lr` differs from the closest entry"]
 * ```
 */
export function explainMiss(
  store: Store,
  miss: { fields: KeyFields; reason: MissReason; label: string },
): string[] {
  const lines = reasons(store, miss);
  for (const line of lines) log.info("miss {label}: {why}", { label: miss.label, why: line });
  return lines;
}

function reasons(store: Store, miss: { fields: KeyFields; reason: MissReason }): string[] {
  const r = miss.reason;
  switch (r.kind) {
    case "input-changed": {
      const path = displayPath(r.mismatch.input.path);
      switch (r.mismatch.kind) {
        case "changed":
          return [`input ${path} changed`];
        case "missing":
          return [`input ${path} no longer exists`];
        case "appeared":
          return [`${path}, absent when the entry was made, now exists`];
        case "unreadable":
          return [`input ${path} cannot be read (${r.mismatch.reason})`];
      }
      return [];
    }
    case "corrupt":
      return [`the entry was damaged (${r.detail})`];
    case "output-conflict":
      return [r.detail];
    case "forced":
      return ["the lookup was skipped"];
    case "absent":
      return compareWithClosest(store, miss.fields);
  }
}

function compareWithClosest(store: Store, now: KeyFields): string[] {
  const mine = JSON.stringify(now); // the entry this miss just stored, if any
  const closest = store.listEntries()
    .filter((e) => e.keyMaterial !== mine)
    .map((e) => parseKeyFields(e.keyMaterial))
    .find((f) => f !== null && f.module === now.module && f.name === now.name);
  if (closest === undefined || closest === null) {
    return [`no earlier entry of ${now.name || "this function"}`];
  }
  const out: string[] = [];
  if (closest.source !== now.source) out.push("the function's source text changed");
  if (closest.site !== now.site) {
    out.push(`cached() is called from another place (line:column ${closest.site} -> ${now.site})`);
  }
  if (closest.cwd !== now.cwd) {
    out.push(`the working directory differs (${closest.cwd} -> ${now.cwd})`);
  }
  if (closest.version !== now.version) {
    out.push(`version changed (${closest.version} -> ${now.version})`);
  }
  const before = new Map(closest.args);
  for (const [name, enc] of now.args) {
    if (!before.has(name)) out.push(`argument \`${name}\` is new`);
    else if (before.get(name) !== enc) out.push(`argument \`${name}\` differs`);
  }
  const nowNames = new Set(now.args.map(([n]) => n));
  for (const [name] of closest.args) {
    if (!nowNames.has(name)) out.push(`argument \`${name}\` was not passed this time`);
  }
  diffPairs(closest.env, now.env, { out, say: (k) => `env var ${k} differs` });
  diffPairs(closest.deps, now.deps, { out, say: (k) => `dependency ${displayPath(k)} differs` });
  if (
    JSON.stringify([closest.inputs, closest.outputs, closest.roots]) !==
      JSON.stringify([now.inputs, now.outputs, now.roots])
  ) {
    out.push("the declared input/output paths differ");
  }
  if (out.length === 0) out.push("the closest entry has the same key but was evicted or expired");
  return out.map((l) => `${l} (vs the closest entry)`);
}

/** Pushes `say(k)` onto `out` for every key `k` whose value differs between `a` and `b`. */
function diffPairs(
  a: readonly (readonly [string, unknown])[],
  b: readonly (readonly [string, unknown])[],
  opts: { readonly out: string[]; readonly say: (k: string) => string },
): void {
  const { out, say } = opts;
  const am = new Map(a);
  const bm = new Map(b);
  for (const k of new Set([...am.keys(), ...bm.keys()])) {
    if (am.get(k) !== bm.get(k)) out.push(say(k));
  }
}

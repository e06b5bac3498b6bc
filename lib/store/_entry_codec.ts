/**
 * Row <-> {@link Entry} conversion for the `entries` table, and the blob digests an
 * entry references.
 *
 * @module
 */
import type { BytePath } from "../path/byte_path.ts";
import type {
  Entry,
  EntryDraft,
  InputStat,
  RecordedInput,
  RecordedOutput,
  RecordedResult,
} from "./types.ts";

/**
 * An entry as read back from SQLite: its `entries` row with its `entry_data` row.
 *
 * @example
 * ```ts
 * const rows = db.prepare(`${SELECT_ENTRIES} ORDER BY e.id`).all() as unknown as EntryRow[];
 * ```
 */
export interface EntryRow {
  id: number;
  key: string;
  key_material: string;
  label: string;
  inputs: string;
  body: string;
  duration_ms: number;
  expires_at: number | null;
  created_at: number;
  last_used: number;
  hits: number;
  size_bytes: number;
}

/**
 * The replay part of an entry, stored as one JSON column. `f` holds the inputs' stat
 * fingerprint fields (aligned with the inputs column, `null` where there is none); it lives here,
 * not in the inputs column, because that column also identifies a candidate: a re-run with
 * the same inputs replaces its twin whatever the files' timestamps. Entries without `f`
 * (older ones) are validated through the memo.
 */
interface Body {
  o: readonly RecordedOutput[];
  d: readonly BytePath[];
  s: string | null;
  r: RecordedResult;
  f?: readonly (InputStat | null)[];
}

/**
 * A SELECT of {@link EntryRow}s: `entries` as `e` joined with `entry_data` as `d`; append
 * a WHERE (on `e.` columns) and an ORDER BY.
 *
 * @example
 * ```ts
 * db.prepare(`${SELECT_ENTRIES} WHERE e.key = ? ORDER BY e.id DESC`);
 * ```
 */
export const SELECT_ENTRIES = "SELECT e.id AS id, e.key AS key, e.key_material AS key_material, " +
  "e.label AS label, d.inputs AS inputs, d.body AS body, e.duration_ms AS duration_ms, " +
  "e.expires_at AS expires_at, e.created_at AS created_at, e.last_used AS last_used, " +
  "e.hits AS hits, e.size_bytes AS size_bytes FROM entries e JOIN entry_data d ON d.id = e.id";

/**
 * Encodes the inputs column (also used to detect a re-store of identical inputs).
 *
 * @example
 * ```ts
 * const inputsColumn = encodeInputs(draft); // JSON text
 * ```
 */
export function encodeInputs(draft: EntryDraft): string {
  return JSON.stringify(
    draft.inputs.map((i) => ({ path: i.path, kind: i.kind, digest: i.digest })),
  );
}

/**
 * Encodes the body column.
 *
 * @example
 * ```ts
 * const bodyColumn = encodeBody(draft); // JSON text
 * ```
 */
export function encodeBody(draft: EntryDraft): string {
  const body: Body = { o: draft.outputs, d: draft.deletions, s: draft.streamBlob, r: draft.result };
  if (draft.inputs.some((i) => i.stat !== undefined)) {
    body.f = draft.inputs.map((i) => i.stat ?? null);
  }
  return JSON.stringify(body);
}

/**
 * Decodes one row into an {@link Entry}.
 *
 * @example
 * ```ts
 * const entries = rows.map(decodeEntry);
 * ```
 */
export function decodeEntry(row: EntryRow): Entry {
  const body = JSON.parse(row.body) as Body;
  const inputs = JSON.parse(row.inputs) as RecordedInput[];
  const stats = body.f;
  if (stats !== undefined && stats.length === inputs.length) {
    for (let i = 0; i < inputs.length; i++) {
      const stat = stats[i];
      // Set on the freshly parsed object: copying hundreds of inputs shows on a hit.
      if (isInputStat(stat)) (inputs[i] as { stat?: InputStat }).stat = stat;
    }
  }
  return {
    id: row.id,
    key: row.key,
    keyMaterial: row.key_material,
    label: row.label,
    inputs,
    outputs: body.o,
    deletions: body.d,
    streamBlob: body.s,
    result: body.r,
    durationMs: row.duration_ms,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    lastUsedAt: row.last_used,
    hits: row.hits,
    sizeBytes: row.size_bytes,
  };
}

/**
 * Every distinct blob digest a draft references, with its uncompressed size when known.
 *
 * @example
 * ```ts
 * for (const [digest, size] of referencedBlobs(draft)) console.log(digest, size);
 * ```
 */
export function referencedBlobs(draft: EntryDraft): Map<string, number | null> {
  const blobs = new Map<string, number | null>();
  for (const o of draft.outputs) if (o.kind === "file") blobs.set(o.blob, o.size);
  if (draft.streamBlob !== null && !blobs.has(draft.streamBlob)) blobs.set(draft.streamBlob, null);
  if (draft.result.kind === "value" && !blobs.has(draft.result.blob)) {
    blobs.set(draft.result.blob, null);
  }
  return blobs;
}

/** Only well-formed fields are trusted as a fingerprint (anything else: validate the slow way). */
function isInputStat(v: unknown): v is InputStat {
  // Written out, not `every` with a callback: this runs once per input on every hit, cold.
  return Array.isArray(v) && v.length === 5 && typeof v[0] === "number" &&
    typeof v[1] === "number" && typeof v[2] === "number" && typeof v[3] === "number" &&
    typeof v[4] === "number";
}

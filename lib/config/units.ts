/**
 * Parsing of human sizes (`512M`, `10G`) and durations (`90s`, `12h`, `7d`).
 *
 * @module
 */
import { CasherError } from "../errors/casher_error.ts";

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
};

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a byte size: plain bytes or a number with a binary suffix K, M, G or T
 * (optionally followed by `B` or `iB`). `source` names where the text came from, for the error.
 *
 * @example
 * ```ts
 * import { parseBytes } from "./units.ts";
 * parseBytes("512M", "--max-cache-bytes"); // 536870912
 * parseBytes("10G", "CASHER_MAX_CACHE_BYTES"); // 10737418240
 * ```
 */
export function parseBytes(text: string, source: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  const value = m ? Math.floor(Number(m[1]) * SIZE_UNITS[m[2].toLowerCase()]) : NaN;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new CasherError(
      "config-invalid",
      `${source}=${JSON.stringify(text)} is not a size: use plain bytes (1073741824) ` +
        `or a number with K, M, G or T (512M, 10G)`,
    );
  }
  return value;
}

/**
 * Parses a duration: a number with a unit ms, s, m, h, d or w (`90s`, `12h`, `7d`),
 * returning milliseconds.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./units.ts";
 * parseDuration("2h", "--ttl"); // 7200000
 * ```
 */
export function parseDuration(text: string, source: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(text);
  const value = m ? Math.round(Number(m[1]) * DURATION_UNITS[m[2].toLowerCase()]) : NaN;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new CasherError(
      "config-invalid",
      `${source}=${JSON.stringify(text)} is not a duration: use a number with ms, s, m, h, d ` +
        `or w (90s, 12h, 7d)`,
    );
  }
  return value;
}

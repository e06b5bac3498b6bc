/**
 * Small formatting helpers for the CLI's human-readable output.
 *
 * @module
 */

/**
 * Formats a byte count (`1.5 MiB`).
 *
 * @example
 * ```ts
 * import { formatBytes } from "./format.ts";
 * formatBytes(1536); // "1.5 KiB"
 * ```
 */
export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

/**
 * Formats a duration in ms (`850 ms`, `12.3 s`, `4.0 min`, `2.5 h`, `3.0 d`).
 *
 * @example
 * ```ts
 * import { formatDuration } from "./format.ts";
 * formatDuration(12_300); // "12.3 s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/**
 * A horizontal bar of `width` cells filled to `fraction` (0..1).
 *
 * @example
 * ```ts
 * import { bar } from "./format.ts";
 * bar(0.5, 10); // "█████░░░░░"
 * ```
 */
export function bar(fraction: number, width: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const full = Math.round(f * width);
  return "█".repeat(full) + "░".repeat(width - full);
}

/**
 * The CLI's log sink: every casher line on stderr starts with `casher:`. The library never
 * installs a sink; only the CLI calls {@link installCliLogging}.
 *
 * @module
 */
import { writeSync } from "node:fs";
import { configureSync, type LogLevel, type LogRecord } from "@logtape/logtape";

/** How chatty the CLI is: `-q` errors only, default warnings, `-v` phase lines, `-vv` debug. */
export type Verbosity = "quiet" | "normal" | "verbose" | "debug";

const LEVEL: Record<Verbosity, LogLevel> = {
  quiet: "error",
  normal: "warning",
  verbose: "info",
  debug: "debug",
};

/**
 * Renders a record as one `casher: ...` line.
 *
 * @example
 * ```ts ignore
 * renderRecord(record); // "casher: hit make: replayed, saved 5123 ms"
 * ```
 */
export function renderRecord(record: LogRecord): string {
  const text = record.message
    .map((part, i) =>
      i % 2 === 0 ? String(part) : typeof part === "string" ? part : JSON.stringify(part)
    )
    .join("");
  return `casher: ${text}\n`;
}

/**
 * Routes the `casher` log category to stderr at the level chosen by `verbosity`.
 *
 * @example
 * ```ts ignore
 * installCliLogging("verbose");
 * ```
 */
export function installCliLogging(verbosity: Verbosity): void {
  configureSync({
    reset: true,
    sinks: {
      stderr: (record: LogRecord) => {
        try {
          writeSync(2, renderRecord(record));
        } catch { /* stderr closed: nothing to say it with */ }
      },
    },
    loggers: [
      { category: ["casher"], sinks: ["stderr"], lowestLevel: LEVEL[verbosity] },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "error" },
    ],
  });
}

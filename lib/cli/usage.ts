/**
 * The `--help` text and the short usage hint printed after a usage error.
 *
 * @module
 */

/** Full help, with examples. */
export const HELP = `casher: cache a command's output, exit code and written files

Usage:
  casher [flags] -- <cmd> [args...]     run <cmd>, or replay it if nothing it read changed
  casher stats [--json]                 hits, misses, hit rate, entries, bytes, time saved
  casher ls [--json]                    stored entries
  casher why [flags] -- <cmd> [args...] would <cmd> hit? if not, the first difference
  casher rm <key>... | --cmd PREFIX | --older-than DURATION
  casher gc                             verify blobs, drop broken entries, delete orphans
  casher verify                         check every blob and entry, report problems
  casher clear                          remove every entry

Flags:
  --cache-dir DIR           cache location (default: $CASHER_CACHE_DIR, else
                            $XDG_CACHE_HOME/casher, else ~/.cache/casher)
  --max-cache-bytes SIZE    byte budget, e.g. 10G or 512M (default 32G, or
                            $CASHER_MAX_CACHE_BYTES)
  --env NAME                make variable NAME part of the key (repeatable; also
                            CASHER_ENV=A,B)
  --input PATH              an extra declared input (repeatable)
  --output PATH             always capture PATH as an output (repeatable)
  --output-root DIR         only writes under DIR are outputs (repeatable)
  --ttl DURATION            entries expire after DURATION (90s, 12h, 7d)
  --force                   run even on a hit, and store the new result
  --no-store                serve hits, but never store a new result
  --cache-failures          also cache non-zero exit codes
  --replay-outputs MODE     always (default) | if-missing | never
  --fast-trace              skip tracing stat/access/readlink (faster; cannot see
                            files that appear where the command probed)
  -v, --verbose             phase lines on stderr (-vv: debug)
  -q, --quiet               only errors
  --json                    machine-readable output (stats, ls)
  --version                 print the version
  -h, --help                this help

Exit codes: the command's own code; 128+N if it was killed by signal N; 126 not
executable; 127 not found; 2 bad casher flags or arguments; 125 casher itself
failed, or an argument, environment variable or the working directory is not
valid UTF-8 (casher cannot pass it on exactly, so nothing runs).

Examples:
  casher -- make -j4
  casher --env CC --output-root build -- ./configure
  curl -s example.test/data.csv | casher -- python3 summarize.py
  casher why -- gcc -c main.c
  #!/usr/bin/env -S casher -- bash        (first line of a script: cache the whole script)
`;

/** One-line hint after a usage error. */
export const USAGE_HINT = "usage: casher [flags] -- <cmd> [args...]   (casher --help for more)";

import assert from "node:assert/strict";
import process from "node:process";
import {
  configure,
  DEFAULT_MAX_CACHE_BYTES,
  getConfig,
  parseBytes,
  parseDuration,
  resetConfig,
} from "../../lib/config/mod.ts";
import { isCasherError } from "../../lib/errors/casher_error.ts";

function withEnv(vars: Record<string, string | undefined>, fn: () => void): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  try {
    for (const [k, v] of Object.entries(vars)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetConfig();
  }
}

Deno.test("default max cache bytes is 32 GiB and cache dir is unset", () => {
  withEnv({ CASHER_CACHE_DIR: undefined, CASHER_MAX_CACHE_BYTES: undefined }, () => {
    assert.equal(getConfig().maxCacheBytes, 34359738368);
    assert.equal(DEFAULT_MAX_CACHE_BYTES, 34359738368);
    assert.equal(getConfig().cacheDir, null);
  });
});

Deno.test("precedence is per-call over configure over env over default", () => {
  withEnv({ CASHER_CACHE_DIR: "/env", CASHER_MAX_CACHE_BYTES: "1G" }, () => {
    assert.equal(getConfig().cacheDir, "/env");
    assert.equal(getConfig().maxCacheBytes, 1024 ** 3);
    configure({ cacheDir: "/configured", maxCacheBytes: "2G" });
    assert.equal(getConfig().cacheDir, "/configured");
    assert.equal(getConfig().maxCacheBytes, 2 * 1024 ** 3);
    assert.equal(getConfig({ cacheDir: "/call", maxCacheBytes: 5 }).cacheDir, "/call");
    assert.equal(getConfig({ maxCacheBytes: 5 }).maxCacheBytes, 5);
  });
});

Deno.test("malformed CASHER_MAX_CACHE_BYTES names the variable and the accepted forms", () => {
  withEnv({ CASHER_MAX_CACHE_BYTES: "12x" }, () => {
    assert.throws(() => getConfig(), (e: unknown) => {
      assert.ok(isCasherError(e, "config-invalid"));
      assert.match((e as Error).message, /CASHER_MAX_CACHE_BYTES="12x"/);
      assert.match((e as Error).message, /512M/);
      return true;
    });
  });
});

Deno.test("sizes accept plain bytes and K/M/G/T suffixes", () => {
  assert.equal(parseBytes("1073741824", "x"), 1073741824);
  assert.equal(parseBytes("512M", "x"), 512 * 1024 ** 2);
  assert.equal(parseBytes("10G", "x"), 10 * 1024 ** 3);
  assert.equal(parseBytes("10GiB", "x"), 10 * 1024 ** 3);
  assert.equal(parseBytes("1.5k", "x"), 1536);
  for (const bad of ["", "12x", "-1", "G", "0"]) assert.throws(() => parseBytes(bad, "x"));
});

Deno.test("durations accept ms, s, m, h, d and w", () => {
  assert.equal(parseDuration("90s", "x"), 90_000);
  assert.equal(parseDuration("12h", "x"), 12 * 3_600_000);
  assert.equal(parseDuration("7d", "x"), 7 * 86_400_000);
  assert.equal(parseDuration("250ms", "x"), 250);
  for (const bad of ["", "5", "5y", "-1s"]) assert.throws(() => parseDuration(bad, "x"));
});

Deno.test("unknown configuration options are a TypeError naming the option", () => {
  assert.throws(() => configure({ cacheDri: "/x" } as never), /cacheDri/);
  resetConfig();
});

import { Writable } from "node:stream";
import { describe, expect, test } from "vitest";
import { ConfigError, loadConfig } from "~/kernel/config";
import { openDatabase, pingDatabase } from "~/kernel/db/database";
import { createLogger } from "~/kernel/log";

describe("config", () => {
  test("defaults: port 3000, embedded database, data in ./.data", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.dataDir).toMatch(/\.data$/);
    expect(config.publicUrl).toBe("http://localhost:3000");
    expect(config.webJobs).toBe(true);
  });

  test("a bad value stops with a message naming each variable", () => {
    const attempt = () => loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", ATRIUM_SECRET: "short", LOG_LEVEL: "loud" });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (err) {
      const message = (err as Error).message;
      for (const name of ["PORT", "DATABASE_URL", "ATRIUM_SECRET", "LOG_LEVEL"]) expect(message).toContain(`${name}:`);
    }
  });

  test("blank values count as unset", () => {
    expect(loadConfig({ PORT: "", DATABASE_URL: "" }).port).toBe(3000);
  });
});

describe("logs", () => {
  test("redact cookies, authorization headers, passwords, tokens and secrets", () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger("info", sink);
    log.info(
      {
        req: { headers: { cookie: "atrium_session=abc123", authorization: "Bearer tok_secret_value" } },
        password: "hunter2-password",
        body: { token: "tok_nested_value", apiKey: "key_nested_value" },
        deep: { a: { b: { secret: "deep_secret_value" } } },
        requestId: "r1",
      },
      "request",
    );
    const out = lines.join("");
    for (const secret of ["abc123", "tok_secret_value", "hunter2-password", "tok_nested_value", "key_nested_value", "deep_secret_value"]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain("[redacted]");
    expect(JSON.parse(out).requestId).toBe("r1");
  });
});

describe("health", () => {
  test("an unreachable database reports false instead of throwing", async () => {
    const handle = openDatabase("postgres://nobody:nothing@127.0.0.1:1/none", { max: 1 });
    expect(await pingDatabase(handle.db, 1000)).toBe(false);
    await handle.close();
  });
});

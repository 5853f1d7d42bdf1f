/**
 * ATRIUM_SECRET: the root secret keys are derived from (database role password, encryption of
 * secrets at rest, signed links). Without ATRIUM_SECRET a random one is generated once and
 * kept in `<ATRIUM_DATA_DIR>/secret` (mode 0600) — except in production with an external
 * database, where losing it would lock data away, so it must be set.
 */
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, type AtriumConfig } from "./config";

export function resolveSecret(config: Pick<AtriumConfig, "secret" | "dataDir" | "nodeEnv" | "databaseUrl">): string {
  if (config.secret) return config.secret;
  if (config.nodeEnv === "production" && config.databaseUrl) {
    throw new ConfigError(
      "Invalid environment configuration:\n  ATRIUM_SECRET: is required in production with DATABASE_URL (at least 32 characters, e.g. `openssl rand -base64 48`)",
    );
  }
  const file = path.join(config.dataDir, "secret");
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(48).toString("base64url"), { mode: 0o600, flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  return readFileSync(file, "utf8").trim();
}

/** A key for one purpose, derived from the root secret (HMAC-SHA256). */
export function deriveKey(secret: string, purpose: string): Buffer {
  return createHmac("sha256", secret).update(`atrium:${purpose}`).digest();
}

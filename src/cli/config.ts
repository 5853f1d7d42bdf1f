/**
 * The remote CLI's files in the user's config directory (`$ATRIUM_CONFIG_DIR`, else
 * `$XDG_CONFIG_HOME/atrium`, else `~/.config/atrium`): `config.json` (server, token, this
 * machine's id) and `state.json` (sync checkpoints). Both are written mode 0600 in a 0700
 * directory, atomically (write, fsync, rename), and a config readable by others is refused.
 */
import { randomUUID } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export class CliProblem extends Error {
  override name = "CliProblem";
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** An `atrium login` through the device grant: what refreshing the one-hour access token needs. */
export interface OAuthLogin {
  clientId: string;
  tokenEndpoint: string;
  revocationEndpoint: string | null;
  refreshToken: string;
  expiresAt: string;
  scope: string;
}

export interface RemoteConfig {
  server: string;
  /** A personal access token (pasted), or an OAuth access token (device grant). */
  token: string;
  machineId: string;
  oauth?: OAuthLogin;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ATRIUM_CONFIG_DIR) return env.ATRIUM_CONFIG_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), ".config"), "atrium");
}

function writePrivate(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function readPrivate(path: string): string | null {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return null;
  }
  if (mode & 0o077) {
    throw new CliProblem(`${path} is readable by other users (mode ${(mode & 0o777).toString(8)}): it holds your token. Run \`chmod 600 ${path}\` (and consider revoking the token), then try again.`);
  }
  return readFileSync(path, "utf8");
}

/** The saved config; `token` is "" after `atrium logout` (the machine id is kept). */
export function readConfig(env: NodeJS.ProcessEnv = process.env): RemoteConfig | null {
  const text = readPrivate(join(configDir(env), "config.json"));
  if (text === null) return null;
  const value = JSON.parse(text) as Partial<RemoteConfig>;
  if (typeof value.server !== "string") return null;
  const oauth = value.oauth && typeof value.oauth.refreshToken === "string" ? value.oauth : undefined;
  return { server: value.server, token: typeof value.token === "string" ? value.token : "", machineId: value.machineId ?? randomUUID(), ...(oauth ? { oauth } : {}) };
}

export function requireConfig(env: NodeJS.ProcessEnv = process.env): RemoteConfig {
  const config = readConfig(env);
  if (!config?.token) throw new CliProblem("Not logged in: run `atrium login --server <url>` first.", 2);
  return config;
}

export function writeConfig(config: RemoteConfig, env: NodeJS.ProcessEnv = process.env): string {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, "config.json");
  writePrivate(path, JSON.stringify(config, null, 2) + "\n");
  return path;
}

/** A checkpoint per (server, source, dataset): where the next sync starts. */
export interface Checkpoint {
  /** SQLite: the cursor column's last value and rowid sent; files: the byte offset and row number. */
  value: string | number | null;
  rowid: number;
  rowsSent: number;
  at: string;
}

export interface SyncState {
  sources: Record<string, string>;
  checkpoints: Record<string, Checkpoint>;
}

export function readState(env: NodeJS.ProcessEnv = process.env): SyncState {
  const text = readPrivate(join(configDir(env), "state.json"));
  if (text === null) return { sources: {}, checkpoints: {} };
  const value = JSON.parse(text) as Partial<SyncState>;
  return { sources: value.sources ?? {}, checkpoints: value.checkpoints ?? {} };
}

export function writeState(state: SyncState, env: NodeJS.ProcessEnv = process.env): void {
  const dir = configDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writePrivate(join(dir, "state.json"), JSON.stringify(state, null, 2) + "\n");
}

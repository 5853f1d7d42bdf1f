/**
 * Git sync's settings, from the environment (read on each use, so an operator's change applies
 * without a restart and tests can set them):
 *
 * - `GIT_ALLOW_LOCAL_REMOTES=true`: `file://` remotes and absolute paths on the server's own disk
 *   are accepted. Off by default: a tenant must never read the server's files.
 * - `GIT_PRIVATE_HOSTS=allow|deny`: remotes on loopback/private addresses (default: allowed
 *   outside production, denied in production), as the data plugin's `DATA_PRIVATE_HOSTS`.
 * - `GIT_SYNC_DIR`: where the per-project working clones live (default `<ATRIUM_DATA_DIR>/git-sync`).
 * - `GIT_SYNC_TIMEOUT_SECONDS`: the longest one git command may run (default 120).
 */
import path from "node:path";

export interface GitSyncSettings {
  allowLocalRemotes: boolean;
  allowPrivateHosts: boolean;
  dir: string;
  timeoutMs: number;
}

export function gitSyncSettings(dataDir: string, env: Record<string, string | undefined> = process.env): GitSyncSettings {
  const seconds = Number(env.GIT_SYNC_TIMEOUT_SECONDS ?? "120");
  return {
    allowLocalRemotes: env.GIT_ALLOW_LOCAL_REMOTES === "true",
    allowPrivateHosts: env.GIT_PRIVATE_HOSTS ? env.GIT_PRIVATE_HOSTS === "allow" : env.NODE_ENV !== "production",
    dir: path.resolve(env.GIT_SYNC_DIR || path.join(dataDir, "git-sync")),
    timeoutMs: Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) * 1000 : 120_000,
  };
}

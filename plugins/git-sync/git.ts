/**
 * The git command line, run safely (see docs/decisions/026-git-sync-uses-the-git-cli.md).
 *
 * Every call is `execFile("git", [...args])`: no shell, arguments as an array. Each call gets a
 * clean environment: no terminal prompts, no system or global config, only the transports we
 * allow (`GIT_ALLOW_PROTOCOL`: https and http, plus file when the operator allows local remotes;
 * never `ext::`, `fd::` or ssh helpers), no redirects to other hosts, a timeout (SIGKILL) and a
 * cap on what it may print. A credential travels only in this call's environment as config
 * (`GIT_CONFIG_COUNT`/`KEY`/`VALUE`: an `http.extraHeader`), so it never reaches the clone's
 * config, the process list, logs or error messages (which are redacted).
 */
import { spawn } from "node:child_process";
import { HostRefused, vetHost } from "../data/host-guard";
import type { GitSyncSettings } from "./settings";

/** A git command that failed; `message` and `stderr` are redacted. */
export class GitError extends Error {
  override name = "GitError";
  constructor(
    message: string,
    readonly stderr: string,
    readonly exitCode: number | null,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

/** How to reach a remote for one call: the URL, and the token to present (if any). */
export interface RemoteAccess {
  url: string;
  token: string | null;
  /** `host:port:address` pins for curl (the address that was vetted), so a second DNS answer cannot move the connection. */
  resolve: string[];
}

export interface GitCall {
  args: string[];
  cwd?: string;
  /** The remote this call talks to (its token becomes an extra header, its pins curl resolves). */
  remote?: RemoteAccess;
  /** Written to the command's standard input. */
  input?: string;
  /** Environment variables for this call only (GIT_INDEX_FILE, author identity). */
  env?: Record<string, string>;
  settings: GitSyncSettings;
  maxBytes?: number;
  /** Exit codes besides 0 that still resolve with the output (`merge-tree` exits 1 on conflicts). */
  allowExit?: number[];
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** The header a token travels in: Basic `x-access-token:<token>` (what GitHub, GitLab and Gitea accept for https). */
export function authorizationHeader(token: string): string {
  return `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;
}

/** `text` with every form of `secrets` (raw, base64, in a header) and any URL userinfo removed. */
export function redact(text: string, secrets: Array<string | null | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    const forms = [secret, Buffer.from(`x-access-token:${secret}`).toString("base64"), encodeURIComponent(secret)];
    for (const form of forms) out = out.split(form).join("[redacted]");
  }
  return out.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, "$1[redacted]@").replace(/(Authorization:\s*\S+\s+)\S+/gi, "$1[redacted]");
}

function gitEnvironment(call: GitCall): NodeJS.ProcessEnv {
  const config: Array<[string, string]> = [
    ["http.followRedirects", "false"],
    ["core.hooksPath", "/dev/null"],
    ["core.fsmonitor", "false"],
    ["credential.helper", ""],
    ["init.defaultBranch", "main"],
  ];
  if (call.remote?.token) config.push(["http.extraHeader", authorizationHeader(call.remote.token)]);
  for (const pin of call.remote?.resolve ?? []) config.push(["http.curloptResolve", pin]);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: call.settings.dir,
    LANG: "C",
    LC_ALL: "C",
    GIT_TERMINAL_PROMPT: "0",
    GIT_ASKPASS: "/bin/false",
    SSH_ASKPASS: "/bin/false",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_ALLOW_PROTOCOL: call.settings.allowLocalRemotes ? "https:http:file" : "https:http",
    GIT_PROTOCOL_FROM_USER: "0",
    GIT_CONFIG_COUNT: String(config.length),
    ...call.env,
  };
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

/** Runs git; resolves with its standard output, or rejects with a redacted `GitError`. */
export function runGit(call: GitCall): Promise<string> {
  const maxBytes = call.maxBytes ?? DEFAULT_MAX_BYTES;
  const secrets = [call.remote?.token];
  return new Promise((resolve, reject) => {
    const child = spawn("git", call.args, { cwd: call.cwd, env: gitEnvironment(call), stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let timedOut = false;
    let overflow = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, call.settings.timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxBytes) {
        overflow = true;
        child.kill("SIGKILL");
      } else out.push(chunk);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      errBytes += chunk.length;
      if (errBytes <= 64 * 1024) err.push(chunk);
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(new GitError(`git could not start: ${e.message}`, "", null, false));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const stderr = redact(Buffer.concat(err).toString("utf8"), secrets);
      if (timedOut) return reject(new GitError(`git ${call.args[0]} took longer than ${call.settings.timeoutMs / 1000} s and was stopped`, stderr, code, true));
      if (overflow) return reject(new GitError(`git ${call.args[0]} printed more than ${maxBytes} bytes and was stopped`, stderr, code, false));
      if (code !== 0 && !(code !== null && call.allowExit?.includes(code))) {
        const first = stderr.split("\n").find((l) => l.trim()) ?? `exit code ${code}`;
        return reject(new GitError(`git ${call.args[0]} failed: ${first.replace(/^(fatal|error):\s*/, "")}`, stderr, code, false));
      }
      resolve(Buffer.concat(out).toString("utf8"));
    });
    child.stdin.on("error", () => {});
    child.stdin.end(call.input ?? "");
  });
}

/* ---------------------------------------------------------------------------------------------
 * Remotes
 * ------------------------------------------------------------------------------------------ */

/** Why a remote address was refused, for the `remoteUrl` field. */
export class RemoteRefused extends Error {
  override name = "RemoteRefused";
}

/**
 * The remote as git will be given it, vetted: https/http with a host that is not forbidden (nor
 * private unless allowed), or — only when the operator allows local remotes — `file://` and
 * absolute paths. Never credentials in the URL (they would be stored and logged).
 */
export async function vetRemote(input: string, settings: GitSyncSettings, resolver?: (host: string) => Promise<string[]>): Promise<{ url: string; resolve: string[] }> {
  const text = input.trim();
  if (text.startsWith("/")) {
    if (!settings.allowLocalRemotes) throw new RemoteRefused("Paths on the server's disk are not allowed on this server. Use an https:// address.");
    return { url: `file://${text}`, resolve: [] };
  }
  if (!URL.canParse(text)) throw new RemoteRefused("Use a repository address such as https://github.com/acme/dashboards.git.");
  const url = new URL(text);
  if (url.protocol === "file:") {
    if (!settings.allowLocalRemotes) throw new RemoteRefused("file:// remotes are not allowed on this server (a repository must be reachable over https://).");
    if (url.host) throw new RemoteRefused("A file:// remote must name a path on this server, e.g. file:///srv/git/dashboards.git.");
    return { url: url.href, resolve: [] };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new RemoteRefused(`The ${url.protocol.replace(/:$/, "")} transport is not supported. Use an https:// address.`);
  }
  if (url.username || url.password) throw new RemoteRefused("Put the token in the token field, not in the address (the address is stored and shown).");
  if (url.search || url.hash) throw new RemoteRefused("A repository address has no query or fragment.");
  let addresses: string[];
  try {
    addresses = await vetHost(url.hostname.replace(/^\[|\]$/g, ""), { allowPrivate: settings.allowPrivateHosts, resolver });
  } catch (err) {
    if (err instanceof HostRefused) throw new RemoteRefused(err.message);
    throw err;
  }
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const isLiteral = /^[\d.]+$/.test(host) || host.includes(":");
  const resolve = isLiteral ? [] : [`${host}:${port}:${addresses.map((a) => (a.includes(":") ? `[${a}]` : a)).join(",")}`];
  return { url: url.href, resolve };
}

/** The address as shown to people and stored: no userinfo, no query. */
export function displayRemote(url: string): string {
  return redact(url, []);
}

/** What went wrong talking to a remote, in words a person can act on. */
export type RemoteProblem = { kind: "auth"; message: string } | { kind: "not-a-repository"; message: string } | { kind: "unreachable"; message: string };

export function classifyRemoteError(err: GitError): RemoteProblem {
  const text = `${err.message}\n${err.stderr}`;
  if (/Authentication failed|could not read Username|could not read Password|terminal prompts disabled|\b401\b|\b403\b|Invalid username or password|access denied|Permission to .* denied/i.test(text)) {
    return { kind: "auth", message: "The repository refused the credentials (authentication failed). Check the token and that it may read and write this repository." };
  }
  if (/does not appear to be a git repository|Repository not found|not found|\b404\b|not a git repository|No such file or directory/i.test(text)) {
    return { kind: "not-a-repository", message: "There is no git repository at that address." };
  }
  if (err.timedOut) return { kind: "unreachable", message: err.message };
  return { kind: "unreachable", message: `Could not reach the repository: ${err.message.replace(/^git \S+ failed: /, "")}` };
}

/**
 * The `atrium` CLI as a client of a remote Atrium (no database here, no kernel):
 *
 *   atrium login --server <url>          sign in in a browser with a code (OAuth device grant);
 *                                        servers without it, or --token: paste a personal access token (stdin)
 *   atrium logout
 *   atrium sync --sqlite <db> --table <t>[,<t>…] [--columns a,b] [--cursor rowid|<column>] [--key id]
 *   atrium sync --file <data.csv|data.jsonl> [--dataset <name>] [--key id]
 *       [--project <local project id>] [--dataset <name>] [--json] [--dry-run] [--watch [minutes]]
 *       [--batch-rows N] [--max-wait seconds]
 *   atrium status [--json]
 *   atrium dashboards pull|push …       a project's dashboards as files (src/cli/dashboards.ts)
 *   atrium export <dashboard> --org <id> --project <id> --out <dir>
 *                                        a dashboard as a folder that opens offline (src/cli/export.ts)
 *
 * Exit codes: 0 done, 2 usage or local input, 3 token refused, 4 server unreachable (after
 * backing off), 5 the server refused rows (schema conflict: table, column and row named).
 */
import { createHash, randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { RemoteClient, messageOf } from "./client";
import { dashboardsCommand } from "./dashboards";
import { exportCommand } from "./export";
import { CliProblem, configDir, readConfig, readState, requireConfig, writeConfig, type RemoteConfig } from "./config";
import { deviceLogin, discoverDeviceGrant, oauthLoginOf, refresherFor, type DeviceEndpoints } from "./oauth";
import { fileSource, sqliteSource, type LocalSource } from "./local-sources";
import { createReporter } from "./progress";
import { knownSource, registerSource, syncOne, type SyncSummary } from "./sync";

export const REMOTE_COMMANDS = new Set(["login", "logout", "sync", "status", "dashboards", "export"]);

/** Commands that take one word before their flags: `dashboards pull`, `export <dashboard>`. */
const WITH_WORD = new Set(["dashboards", "export"]);

type Flags = Record<string, string | boolean>;

export interface RemoteIo {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  isTTY: boolean;
}

function parse(argv: readonly string[]): { command: string; sub?: string; flags: Flags } {
  const flags: Flags = {};
  // `atrium dashboards pull|push`, `atrium export <dashboard>`: a word before the flags.
  const sub = WITH_WORD.has(argv[0] ?? "") && argv[1] !== undefined && !argv[1].startsWith("--") ? argv[1] : undefined;
  for (let i = sub ? 2 : 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new CliProblem(`Unexpected argument "${arg}"`, 2);
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    const next = argv[i + 1];
    if (inline !== undefined) flags[name] = inline;
    else if (next !== undefined && !next.startsWith("--")) {
      flags[name] = next;
      i++;
    } else flags[name] = true;
  }
  return { command: argv[0]!, ...(sub ? { sub } : {}), flags };
}

const str = (flags: Flags, name: string) => (typeof flags[name] === "string" ? (flags[name] as string).trim() : null);
const list = (flags: Flags, name: string) => str(flags, name)?.split(",").map((s) => s.trim()).filter(Boolean) ?? null;

function intFlag(flags: Flags, name: string, fallback: number, min: number, max: number): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliProblem(`--${name} must be a whole number from ${min} to ${max}`, 2);
  return n;
}

async function readToken(io: RemoteIo): Promise<string> {
  if (io.isTTY) io.stderr("Paste a personal access token (Account › Access tokens, scope write), then Enter: ");
  const rl = createInterface({ input: io.stdin, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line.trim();
  }
  return "";
}

async function login(io: RemoteIo, flags: Flags): Promise<number> {
  const server = str(flags, "server");
  if (!server) throw new CliProblem("--server <url> is required (the address of your Atrium, e.g. https://atrium.example.com)", 2);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new CliProblem(`--server: "${server}" is not a URL`, 2);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new CliProblem("--server must be an http(s) URL", 2);
  const base = url.origin;
  if (flags.token !== undefined && flags.token !== true) throw new CliProblem("--token takes no value: paste the token on standard input (it stays out of your shell history)", 2);
  const device = flags.token === true ? null : await discoverDeviceGrant(base);
  if (device) return loginWithDevice(io, base, device);
  const token = await readToken(io);
  if (io.isTTY) io.stderr("\n");
  if (!/^atr_[a-z2-7]{32}$/.test(token)) throw new CliProblem("That is not an Atrium personal access token (they start with atr_).", 2);
  const client = new RemoteClient({ server: base, token, maxWaitMs: 5_000 });
  const res = await client.request<unknown>("GET", "/api/v1/datasets");
  if (res.status === 403) throw new CliProblem(`${base} accepted the token but refused it here: ${messageOf(res.body) ?? "forbidden"}`, 3);
  if (res.status !== 200) throw new CliProblem(`${base} answered ${res.status}: ${messageOf(res.body) ?? "is this an Atrium server?"}`, 1);
  const previous = readConfig(io.env);
  const path = writeConfig({ server: base, token, machineId: previous?.machineId ?? randomUUID() }, io.env);
  io.stdout(`Logged in to ${base}. Saved to ${path} (readable by you only).\n`);
  return 0;
}

async function loginWithDevice(io: RemoteIo, base: string, endpoints: DeviceEndpoints): Promise<number> {
  const { tokens, clientId } = await deviceLogin(endpoints, { show: (text) => io.stderr(text) });
  const previous = readConfig(io.env);
  const config: RemoteConfig = { server: base, token: tokens.access_token, machineId: previous?.machineId ?? randomUUID(), oauth: oauthLoginOf(endpoints, clientId, tokens) };
  const path = writeConfig(config, io.env);
  const scopes = tokens.scope.split(" ");
  io.stdout(`Logged in to ${base} (${scopes.includes("write") ? "read and write" : "read only"}). Saved to ${path} (readable by you only).\n`);
  if (!scopes.includes("write")) io.stdout("`atrium sync` needs write: run `atrium login` again and tick Write to send data.\n");
  return 0;
}

function localSources(flags: Flags): Promise<LocalSource[]> | LocalSource[] {
  const sqlite = str(flags, "sqlite");
  const file = str(flags, "file");
  const key = list(flags, "key");
  const dataset = str(flags, "dataset");
  if (sqlite && file) throw new CliProblem("Give --sqlite or --file, not both", 2);
  if (file) return [fileSource({ path: file, dataset, key })];
  if (!sqlite) throw new CliProblem("Say what to sync: --sqlite <db> --table <name>, or --file <data.csv|data.jsonl>", 2);
  const tables = list(flags, "table");
  if (!tables?.length) throw new CliProblem("--table <name> is required with --sqlite", 2);
  if (dataset && tables.length > 1) throw new CliProblem("--dataset names one dataset: give one --table with it", 2);
  return Promise.all(tables.map((table) => sqliteSource({ path: sqlite, table, columns: list(flags, "columns"), cursor: str(flags, "cursor") ?? "rowid", key, dataset })));
}

function projectKeyOf(flags: Flags): string {
  const given = str(flags, "project");
  if (given) return given;
  const where = resolve(str(flags, "sqlite") ?? str(flags, "file") ?? ".");
  return `path:${createHash("sha256").update(where).digest("hex").slice(0, 24)}`;
}

async function sync(io: RemoteIo, flags: Flags): Promise<number> {
  const config = requireConfig(io.env);
  const json = flags.json === true;
  const mode = json ? "json" : io.isTTY ? "tty" : "plain";
  const reporter = createReporter(mode, io.stderr);
  const dryRun = flags["dry-run"] === true;
  const batchRows = intFlag(flags, "batch-rows", 10_000, 1, 100_000);
  const maxWaitMs = intFlag(flags, "max-wait", 600, 1, 86_400) * 1000;
  const watch = flags.watch === undefined ? null : flags.watch === true ? 15 : intFlag(flags, "watch", 15, 1, 1440);
  const client = new RemoteClient({ server: config.server, token: config.token, refresh: refresherFor(config, io.env), maxWaitMs, onRetry: ({ reason, waitMs }) => reporter.retry(reason, waitMs) });
  for (;;) {
    const locals = await localSources(flags);
    const summaries: SyncSummary[] = [];
    try {
      const project = { projectKey: projectKeyOf(flags), machineId: config.machineId };
      // A dry run registers nothing: it counts from this machine's checkpoints, if any.
      const sourceId = dryRun ? (knownSource(config.server, project, io.env) ?? "not-registered") : await registerSource(client, project, io.env);
      for (const local of locals) {
        summaries.push(await syncOne(client, local, { sourceId, env: io.env, reporter, dryRun, batchRows, batchBytes: 8 * 1024 * 1024 }));
      }
    } finally {
      for (const l of locals) l.close();
    }
    if (json) io.stdout(JSON.stringify({ server: config.server, datasets: summaries }) + "\n");
    else if (!dryRun) {
      for (const s of summaries) io.stdout(`${s.source} → ${s.dataset}: ${s.rows} rows sent (${s.accepted} new or changed, ${s.duplicates} already there)\n`);
    }
    if (watch === null) return 0;
    reporter.note(`Next sync in ${watch} min (Ctrl-C to stop).`);
    await new Promise((r) => setTimeout(r, watch * 60_000));
  }
}

async function status(io: RemoteIo, flags: Flags): Promise<number> {
  const config = requireConfig(io.env);
  const client = new RemoteClient({ server: config.server, token: config.token, refresh: refresherFor(config, io.env), maxWaitMs: 10_000 });
  const [datasets, sources] = await Promise.all([
    client.request<Array<{ name: string; rowCount: number; lastSyncAt: string | null; lastSource: { name: string } | null }>>("GET", "/api/v1/datasets"),
    client.request<Array<{ id: string; name: string; machineId: string; lastSyncAt: string | null; lagSeconds: number | null }>>("GET", "/api/v1/sources"),
  ]);
  if (datasets.status !== 200) throw new CliProblem(`${config.server}: ${messageOf(datasets.body) ?? `HTTP ${datasets.status}`}`);
  const state = readState(io.env);
  const mine = sources.status === 200 ? sources.body.filter((s) => s.machineId === config.machineId) : [];
  if (flags.json === true) {
    io.stdout(JSON.stringify({ server: config.server, machineId: config.machineId, configDir: configDir(io.env), datasets: datasets.body, machine: mine, checkpoints: state.checkpoints }) + "\n");
    return 0;
  }
  io.stdout(`Server: ${config.server} (token saved in ${configDir(io.env)})\nThis machine: ${config.machineId}\n`);
  for (const s of mine) io.stdout(`  project source ${s.id}: last sync ${s.lastSyncAt ?? "never"}${s.lagSeconds !== null ? ` (${s.lagSeconds} s ago)` : ""}\n`);
  io.stdout(datasets.body.length ? "Datasets:\n" : "No dataset yet.\n");
  for (const d of datasets.body) io.stdout(`  ${d.name}\t${d.rowCount} rows\tlast sync ${d.lastSyncAt ?? "never"}${d.lastSource ? ` by ${d.lastSource.name}` : ""}\n`);
  const local = Object.entries(state.checkpoints).filter(([k]) => k.startsWith(`${config.server}|`));
  if (local.length) io.stdout("Local checkpoints:\n");
  for (const [k, c] of local) io.stdout(`  ${k.split("|").slice(2).join(" → ")}\t${c.rowsSent} rows sent, last at ${c.at}\n`);
  return 0;
}

/** RFC 7009: ends the device login's grant on the server (its refresh token); offline is not an error. */
async function revokeLogin(config: RemoteConfig): Promise<void> {
  const revocation = config.oauth!.revocationEndpoint;
  if (!revocation) return;
  await fetch(revocation, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "atrium-cli" },
    body: new URLSearchParams({ client_id: config.oauth!.clientId, token: config.oauth!.refreshToken }).toString(),
  }).catch(() => undefined);
}

/** Runs a remote command; returns the exit code. Never prints the token. */
export async function runRemoteCli(io: RemoteIo): Promise<number> {
  try {
    const { command, sub, flags } = parse(io.argv);
    switch (command) {
      case "login":
        return await login(io, flags);
      case "logout": {
        const config = readConfig(io.env);
        if (config?.oauth) await revokeLogin(config);
        if (config) writeConfig({ server: config.server, token: "", machineId: config.machineId }, io.env);
        io.stdout(
          config?.oauth
            ? "Logged out (this machine's connection is ended on the server and its tokens removed here).\n"
            : "Logged out (the token is removed from this machine; revoke it in Account › Access tokens if it may have leaked).\n",
        );
        return 0;
      }
      case "sync":
        return await sync(io, flags);
      case "status":
        return await status(io, flags);
      case "dashboards":
        return await dashboardsCommand(io, sub, flags);
      case "export":
        return await exportCommand(io, sub, flags);
      default:
        throw new CliProblem(`Unknown command ${command}`, 2);
    }
  } catch (err) {
    if (err instanceof CliProblem) {
      io.stderr(`${err.message}\n`);
      return err.exitCode;
    }
    io.stderr(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

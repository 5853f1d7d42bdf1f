/**
 * `atrium dashboards pull|push`: a project's dashboards as files, through the server's API with
 * the saved token (no app code here).
 *
 *   atrium dashboards pull --org <org id> --project <project id> [--dir <folder>]
 *       writes <slug>.yaml (Atrium's document) or <slug>.yml (a dbt Charts board) per live
 *       dashboard, as stored, and .atrium-dashboards.json (each file's slug, version, hash)
 *   atrium dashboards push [--dir <folder>] [--message <text>]
 *       saves the files changed since the pull as new versions (the version read at the pull is
 *       checked: a dashboard changed on the server since is refused, naming the file) and
 *       creates new files' dashboards (.yml as dbt Charts boards)
 *
 * Exit codes: 0 done, 2 usage or a bad file, 6 a file was changed on the server since the pull.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { codeOf, messageOf, RemoteClient } from "./client";
import { CliProblem, requireConfig } from "./config";
import { refresherFor } from "./oauth";

const MANIFEST = ".atrium-dashboards.json";
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const MAX_FILE_BYTES = 1_000_000;
export const STALE_EXIT = 6;

interface Manifest {
  server: string;
  orgId: string;
  projectId: string;
  files: Record<string, { slug: string; version: number; format: "atrium" | "dbt-charts"; sha256: string }>;
}

type Flags = Record<string, string | boolean>;
interface Io {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const str = (flags: Flags, name: string) => (typeof flags[name] === "string" ? (flags[name] as string).trim() : null);

/** tRPC over HTTP (no transformer): queries as GET with `input`, mutations as POST. */
async function call<T>(client: RemoteClient, kind: "query" | "mutation", path: string, input: unknown): Promise<{ ok: true; data: T } | { ok: false; status: number; code: string | null; message: string }> {
  const res =
    kind === "query"
      ? await client.request<unknown>("GET", `/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`)
      : await client.request<unknown>("POST", `/api/trpc/${path}`, { body: JSON.stringify(input), headers: { "content-type": "application/json" } });
  if (res.status === 200) return { ok: true, data: (res.body as { result: { data: T } }).result.data };
  const data = (res.body as { error?: { data?: { code?: string } } } | null)?.error?.data;
  return { ok: false, status: res.status, code: data?.code ?? codeOf(res.body), message: messageOf(res.body) ?? `HTTP ${res.status}` };
}

function clientOf(io: Io): { client: RemoteClient; server: string } {
  const config = requireConfig(io.env);
  return { client: new RemoteClient({ server: config.server, token: config.token, refresh: refresherFor(config, io.env), maxWaitMs: 30_000 }), server: config.server };
}

async function pull(io: Io, flags: Flags): Promise<number> {
  const orgId = str(flags, "org");
  const projectId = str(flags, "project");
  if (!orgId || !projectId) throw new CliProblem("--org <org id> and --project <project id> are required", 2);
  const dir = resolve(str(flags, "dir") ?? ".");
  const { client, server } = clientOf(io);
  // Every page of the project's dashboards (the list answers 200 at most per call).
  const slugs: string[] = [];
  for (let cursor: string | null | undefined; cursor !== null; ) {
    const listed = await call<{ items: Array<{ slug: string }>; nextCursor?: string | null }>(client, "query", "dashboards.list", { orgId, projectId, limit: 200, ...(cursor ? { cursor } : {}) });
    if (!listed.ok) throw new CliProblem(`${server}: ${listed.message}`, 1);
    slugs.push(...listed.data.items.map((i) => i.slug));
    cursor = listed.data.nextCursor ?? null;
  }
  mkdirSync(dir, { recursive: true });
  const manifest: Manifest = { server, orgId, projectId, files: {} };
  for (const slug of slugs) {
    if (!SLUG.test(slug)) continue;
    const got = await call<{ yaml: string; version: number; format?: "atrium" | "dbt-charts" }>(client, "query", "dashboards.get", { orgId, projectId, slug });
    if (!got.ok) throw new CliProblem(`${slug}: ${got.message}`, 1);
    const format = got.data.format ?? "atrium";
    const file = `${slug}.${format === "dbt-charts" ? "yml" : "yaml"}`;
    writeFileSync(join(dir, file), got.data.yaml);
    manifest.files[file] = { slug, version: got.data.version, format, sha256: sha256(got.data.yaml) };
    io.stdout(`${file}\tversion ${got.data.version}${format === "dbt-charts" ? "\tdbt Charts board" : ""}\n`);
  }
  writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
  io.stdout(`Pulled ${Object.keys(manifest.files).length} dashboards into ${dir}\n`);
  return 0;
}

async function push(io: Io, flags: Flags): Promise<number> {
  const dir = resolve(str(flags, "dir") ?? ".");
  const manifestPath = join(dir, MANIFEST);
  if (!existsSync(manifestPath)) throw new CliProblem(`${dir} has no ${MANIFEST}: run \`atrium dashboards pull\` there first`, 2);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const { client, server } = clientOf(io);
  if (server !== manifest.server) throw new CliProblem(`These files were pulled from ${manifest.server}, but you are logged in to ${server}`, 2);
  const message = (str(flags, "message") ?? "atrium dashboards push").slice(0, 500);
  const scope = { orgId: manifest.orgId, projectId: manifest.projectId };
  let stale = 0;
  let bad = 0;
  let saved = 0;
  const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  for (const file of files) {
    const text = readFileSync(join(dir, file), "utf8");
    if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
      io.stderr(`${file}: larger than ${MAX_FILE_BYTES} bytes, not pushed\n`);
      bad++;
      continue;
    }
    const known = manifest.files[file];
    if (known && known.sha256 === sha256(text)) continue;
    const res = known
      ? await call<{ version: number }>(client, "mutation", "dashboards.update", { ...scope, slug: known.slug, yaml: text, version: known.version, message })
      : await (async () => {
          const slug = file.replace(/\.ya?ml$/, "");
          if (!SLUG.test(slug)) return { ok: false as const, status: 422, code: "UNPROCESSABLE_CONTENT", message: "the file name is not a dashboard slug (lower-case letters, digits and hyphens)" };
          const format = file.endsWith(".yml") ? "dbt-charts" : "atrium";
          return call<{ slug: string; version: number }>(client, "mutation", "dashboards.create", { ...scope, slug, yaml: text, message, ...(format === "dbt-charts" ? { format } : {}) });
        })();
    if (res.ok) {
      const slug = known?.slug ?? file.replace(/\.ya?ml$/, "");
      manifest.files[file] = { slug, version: res.data.version, format: known?.format ?? (file.endsWith(".yml") ? "dbt-charts" : "atrium"), sha256: sha256(text) };
      io.stdout(`${file}\tsaved as version ${res.data.version}\n`);
      saved++;
    } else if (res.status === 409) {
      io.stderr(`${file}: 409 conflict: ${res.message} It changed on the server since your pull (you had version ${known?.version ?? "none"}); pull again and reapply your change.\n`);
      stale++;
    } else {
      io.stderr(`${file}: ${res.status} ${res.message}\n`);
      bad++;
    }
  }
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + "\n");
  io.stdout(`Pushed ${saved} file${saved === 1 ? "" : "s"}${stale ? `, ${stale} refused as stale` : ""}${bad ? `, ${bad} refused` : ""}\n`);
  return stale ? STALE_EXIT : bad ? 2 : 0;
}

export async function dashboardsCommand(io: Io, sub: string | undefined, flags: Flags): Promise<number> {
  if (sub === "pull") return pull(io, flags);
  if (sub === "push") return push(io, flags);
  throw new CliProblem("Use `atrium dashboards pull --org <id> --project <id> [--dir <folder>]` or `atrium dashboards push [--dir <folder>]`", 2);
}

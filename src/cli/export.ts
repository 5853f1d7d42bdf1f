/**
 * `atrium export <dashboard> --org <org id> --project <project id> --out <dir>`: a dashboard as a
 * self-contained folder (index.html, data.json, data.js, viewer.js, viewer.css) that draws the
 * same charts from `file://` with no server: open `<dir>/index.html` in a browser. The server
 * runs the dashboard's queries as you (the saved token) and answers the files; the rows are
 * those of this moment. Exit codes: 0 done, 2 usage, 1 refused (the server's message).
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { messageOf, RemoteClient } from "./client";
import { CliProblem, requireConfig } from "./config";
import { refresherFor } from "./oauth";

type Flags = Record<string, string | boolean>;
interface Io {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
}

const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The only names the server's answer may write (never a path). */
const FILE_NAME = /^[a-z]+\.(?:html|json|js|css)$/;
const str = (flags: Flags, name: string) => (typeof flags[name] === "string" ? (flags[name] as string).trim() : null);

export async function exportCommand(io: Io, dashboard: string | undefined, flags: Flags): Promise<number> {
  const orgId = str(flags, "org");
  const projectId = str(flags, "project");
  const out = str(flags, "out");
  if (!dashboard || !orgId || !projectId || !out) throw new CliProblem("Use `atrium export <dashboard slug> --org <org id> --project <project id> --out <folder>`", 2);
  if (!SLUG.test(dashboard)) throw new CliProblem(`"${dashboard}" is not a dashboard slug (lower-case letters, digits and hyphens)`, 2);
  if (!ID.test(orgId) || !ID.test(projectId)) throw new CliProblem("--org and --project take ids (as `atrium dashboards pull` does)", 2);
  const dir = resolve(out);
  let existing: string[] = [];
  try {
    existing = readdirSync(dir);
  } catch {
    existing = [];
  }
  // Never mix an export into an unrelated folder's files.
  if (existing.some((name) => !FILE_NAME.test(name))) throw new CliProblem(`${dir} has other files in it: give an empty or new folder`, 2);
  const config = requireConfig(io.env);
  const client = new RemoteClient({ server: config.server, token: config.token, refresh: refresherFor(config, io.env), maxWaitMs: 60_000 });
  const path = `/api/v1/export/${encodeURIComponent(orgId)}/${encodeURIComponent(projectId)}/${encodeURIComponent(dashboard)}?format=json`;
  const res = await client.request<{ slug: string; files: Record<string, string> }>("GET", path);
  if (res.status === 404) throw new CliProblem(`${config.server}: no dashboard "${dashboard}" in that project that you may see`, 1);
  if (res.status !== 200) throw new CliProblem(`${config.server} answered ${res.status}: ${messageOf(res.body) ?? "the export failed"}`, 1);
  const files = Object.entries(res.body.files ?? {});
  if (!files.length || files.some(([name, text]) => !FILE_NAME.test(name) || typeof text !== "string")) throw new CliProblem(`${config.server} answered an export this CLI cannot write`, 1);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) {
    // Whole files only: written aside, then renamed into place.
    const tmp = join(dir, `.${name}.partial`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(dir, name));
  }
  io.stdout(`Exported "${dashboard}" to ${dir}: open ${join(dir, "index.html")} in a browser (no server needed).\n`);
  return 0;
}

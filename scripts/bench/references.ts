/**
 * Scenarios against reference servers (scripts/bench/reference-server.mjs) that do less than
 * Atrium for the same answer: tRPC's standalone adapter with the same procedure, and bare
 * node:http + pg running the same SQL as an org-scoped list.
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { capture, type RunningBaseline } from "./baseline";
import type { RequestSpec } from "./load";
import type { Scenario } from "./scenarios";
import { settlesWithin } from "./util";
import { signUp, trpcPost } from "./api";

export async function startReference(label: string, request: RequestSpec, start: Record<string, unknown>): Promise<RunningBaseline> {
  // execArgv: [] so the child is plain `node`, without the tsx loader this process runs under.
  const child = fork(path.join(import.meta.dirname, "reference-server.mjs"), [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if (!(await settlesWithin(exited, 5_000))) child.kill("SIGKILL");
    }
    await exited;
  };
  process.once("exit", () => child.kill("SIGTERM"));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${label} did not start within 15 s`)), 15_000);
      child.on("message", (msg: { type?: string; port?: number; message?: string }) => {
        clearTimeout(timer);
        if (msg.type === "ready" && msg.port) resolve(msg.port);
        else reject(new Error(`${label} failed to start: ${msg.message ?? "?"}`));
      });
      child.send({ type: "start", ...start });
    });
    const url = `http://127.0.0.1:${port}`;
    await capture(url, request);
    return { label, url, request, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The embedded cluster's superuser URL for the `atrium` database, from the server's data dir. */
export function databaseUrlOf(dataDir: string): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const creds = JSON.parse(readFileSync(path.join(dataDir, "db.json"), "utf8")) as { user: string; password: string };
  const port = Number(readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[3]);
  return `postgres://${encodeURIComponent(creds.user)}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}/atrium`;
}

export const referenceScenarios: Scenario[] = [
  {
    id: "trpc-standalone",
    description:
      "The same public query, kernel.info, over HTTP GET. Reference: tRPC's own standalone adapter serving the same procedure path " +
      "and data (no middleware, no context, no guards).",
    async prepare({ atriumUrl }) {
      const request: RequestSpec = { method: "GET", path: "/api/trpc/kernel.info" };
      const captured = await capture(atriumUrl, request);
      const data = (JSON.parse(captured.body.toString("utf8")) as { result: { data: unknown } }).result.data;
      const baseline = await startReference("standalone tRPC", request, { mode: "trpc-standalone", data: JSON.stringify(data) });
      return { target: { label: "Atrium tRPC kernel.info", url: atriumUrl, request }, baseline, cleanup: baseline.close };
    },
  },
  {
    id: "org-scoped-token-list",
    description:
      "GET projects.list with a read token: token check, membership and capability, sign-in policy, a transaction scoped for " +
      "row-level security, the query. Reference: bare node:http + pg running the same SQL (no auth, no scope, no transaction).",
    async prepare({ atriumUrl, dataDir }) {
      const { cookie } = await signUp(atriumUrl, "bench-list");
      const org = await trpcPost(atriumUrl, "orgs.create", { slug: `bench-list-${Date.now().toString(36)}`, name: "Bench list" }, cookie);
      const orgId = org.data.id as string;
      for (const slug of ["sales", "marketing", "finance"]) await trpcPost(atriumUrl, "projects.create", { orgId, slug, name: slug }, cookie);
      const token = await trpcPost(atriumUrl, "auth.tokens.create", { orgId, name: "bench list", scopes: ["read"], expiresInDays: 1 }, cookie);
      const input = encodeURIComponent(JSON.stringify({ orgId }));
      const request: RequestSpec = { method: "GET", path: `/api/trpc/projects.list?input=${input}`, headers: { authorization: `Bearer ${token.data.token as string}` } };
      const atrium = await capture(atriumUrl, request);
      const baseline = await startReference("bare node:http + pg, same SQL", request, { mode: "pg-list", databaseUrl: databaseUrlOf(dataDir), orgId });
      const reference = await capture(baseline.url, request);
      if (atrium.body.toString() !== reference.body.toString()) throw new Error("the pg reference does not answer what Atrium answers");
      return { target: { label: "Atrium projects.list (token)", url: atriumUrl, request }, baseline, cleanup: baseline.close };
    },
  },
];

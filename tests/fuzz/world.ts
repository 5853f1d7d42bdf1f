/**
 * The fuzzing world: a kernel on a fresh database, a member (owner) of an org with a project, a
 * dashboard, a conversation and a token, tRPC served over real HTTP (node:http + the fetch
 * adapter, callers resolved from the session cookie as /api/trpc does), and the checks every
 * answer must pass: no 5xx, no stack trace, no SQL, no V8 internals.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { AnyRouter } from "@trpc/server";
import { sql } from "kysely";
import { createSession, generateSessionToken, SESSION_COOKIE } from "~/kernel/auth/session";
import { originProblem, resolveCaller } from "~/kernel/auth/request";
import type { Kernel } from "~/kernel/kernel";
import { mergeSchemas } from "~/kernel/tools";
import { proceduresOf, type RequestContext } from "~/kernel/trpc";
import { bootDataKernel, createExternalDatabase } from "../../plugins/data/test-helpers";
import { createToken } from "../../plugins/agent/test-helpers";
import { asUser, createOrg, createUser, testRouter, unique } from "../setup/fixtures";
import type { JsonSchema, Seeds } from "./arbitraries";

/** `FUZZ_SEED` (a number, or "random") and `FUZZ_RUNS` (cases per procedure and caller). */
export function fuzzSettings(defaults: { runs: number }): { seed: number; runs: number } {
  const given = process.env.FUZZ_SEED;
  const seed = given === undefined || given === "" ? 20261201 : given === "random" ? Math.floor(Math.random() * 2 ** 31) : Number(given);
  const runs = Number(process.env.FUZZ_RUNS ?? defaults.runs);
  return { seed, runs };
}

export const DASHBOARD_YAML = `title: Fuzz dashboard
description: Seeded for the fuzz run
tags: [fuzz]
variables:
  - name: region
    type: select
    options: [north, south]
    default: north
queries:
  one:
    sql: select 1 as n, {{region}}::text as region
charts:
  - id: n
    type: kpi
    query: one
    value: n
`;

export interface FuzzProcedure {
  path: string;
  type: string;
  schema: JsonSchema;
}

/** Every procedure of the router with its input JSON Schema (walked, so new ones are fuzzed too). */
export function fuzzableProcedures(router: AnyRouter = testRouter): FuzzProcedure[] {
  const defs = router._def.procedures as Record<string, { _def: { inputs?: unknown[] } }>;
  // FUZZ_ONLY=<path prefix> walks one router (e.g. FUZZ_ONLY=gitSync.) while working on it.
  const only = process.env.FUZZ_ONLY ?? "";
  return proceduresOf(router)
    .filter(({ path }) => path.startsWith(only))
    .map(({ path, type }) => ({ path, type, schema: mergeSchemas(defs[path]!._def.inputs ?? []) as JsonSchema }));
}

export async function bootFuzzWorld() {
  const k = await bootDataKernel();
  const kernel = k.kernel;
  const owner = await createUser(kernel, "Fuzz Owner");
  const colleague = await createUser(kernel, "Fuzz Colleague");
  const org = await createOrg(kernel, [
    { userId: owner.id, role: "owner" },
    { userId: colleague.id, role: "editor" },
  ]);
  const caller = asUser(kernel, owner.id);
  const project = await caller.projects.create({ orgId: org.id, slug: "fuzz", name: "Fuzz" });
  const dashboard = await caller.dashboards.create({ orgId: org.id, projectId: project.id, yaml: DASHBOARD_YAML, slug: "fuzz-dash" });
  const token = await createToken(kernel, owner.id, org.id, ["read", "write"], "fuzz");
  // An external source, so data-source procedures have a saved one to find.
  const external = await createExternalDatabase();
  const source = await caller.data.sources.create({ orgId: org.id, name: "external", type: "postgres", config: external.config });
  const seeds: Seeds = {
    orgId: [org.id],
    projectId: [project.id],
    slug: [dashboard.slug, project.slug, org.slug],
    sourceId: ["warehouse", source.id],
    userId: [owner.id, colleague.id],
    tokenId: [token.id],
    version: [1, 2],
    chartId: ["n"],
    yaml: [DASHBOARD_YAML],
    sql: ["select 1 as n", "select * from information_schema.tables limit 3"],
    table: ["fuzz_items"],
    csv: ["id,label\n1,one\n2,two\n"],
    email: [owner.email, "someone@example.test"],
    name: ["Fuzz"],
    title: ["Fuzz"],
    query: ["fuzz"],
  };
  const server = await serveTrpc(kernel, testRouter);
  return {
    kernel,
    owner,
    org,
    project,
    dashboard,
    token,
    seeds,
    server,
    /** A fresh session for the owner (fuzzed calls may sign out or revoke sessions). */
    async sessionCookie(): Promise<string> {
      const value = generateSessionToken();
      await createSession(kernel.ownerDb, value, owner.id);
      return `${SESSION_COOKIE}=${value}`;
    },
    /** Undoes what fuzzed calls may have changed that would stop later calls reaching deep code. */
    async heal(): Promise<void> {
      const db = kernel.ownerDb;
      await db.updateTable("orgs").set({ deleted_at: null }).where("id", "=", org.id).execute();
      await db.updateTable("projects").set({ deleted_at: null, archived_at: null }).where("id", "=", project.id).execute();
      await db.updateTable("memberships").set({ role: "owner" }).where("org_id", "=", org.id).where("user_id", "=", owner.id).execute();
      await db
        .insertInto("memberships")
        .values({ org_id: org.id, user_id: owner.id, role: "owner" })
        .onConflict((c) => c.doNothing())
        .execute();
      await db.deleteFrom("project_roles").where("org_id", "=", org.id).where("user_id", "=", owner.id).execute();
      await db.updateTable("api_tokens").set({ revoked_at: null }).where("id", "=", token.id).execute();
      await sql`delete from org_sign_in_policies where org_id = ${org.id}`.execute(db);
    },
    async close() {
      server.close();
      await k.close();
      await external.drop();
    },
  };
}

export type FuzzWorld = Awaited<ReturnType<typeof bootFuzzWorld>>;

/** tRPC over node:http as /api/trpc serves it: Origin check, callers from the cookie or a bearer token. */
async function serveTrpc(kernel: Kernel, router: AnyRouter) {
  const server = http.createServer(async (req, res) => {
    try {
      const request = new Request(`${kernel.config.publicUrl}${req.url}`, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: req.method === "GET" || req.method === "HEAD" ? undefined : (req as unknown as BodyInit),
        duplex: "half",
      } as RequestInit);
      const problem = originProblem(request, kernel.config.publicUrl);
      const response = problem
        ? Response.json({ error: { message: problem, data: { code: "FORBIDDEN", httpStatus: 403 } } }, { status: 403 })
        : await fetchRequestHandler({
            endpoint: "/api/trpc",
            req: request,
            router,
            allowMethodOverride: true,
            createContext: async ({ resHeaders }): Promise<RequestContext> => {
              const { actor } = await resolveCaller(kernel, request.headers);
              return { kernel, actor, db: kernel.db, requestId: unique("req"), ip: "127.0.0.1", resHeaders, signal: request.signal };
            },
          });
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (!response.body) return void res.end();
      const reader = response.body.getReader();
      req.on("close", () => void reader.cancel().catch(() => {}));
      for (;;) {
        const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
        if (done) break;
        res.write(value);
      }
      res.end();
    } catch (err) {
      // The harness itself failing must show up as a 5xx, not as a hang.
      res.writeHead(599, { "content-type": "text/plain" });
      res.end(`harness error: ${String(err)}`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
  return {
    base,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

export interface Answer {
  status: number;
  body: string;
}

/** One call over HTTP: queries and mutations as POST (method override), subscriptions as SSE (first chunk). */
export async function callOverHttp(
  base: string,
  procedure: { path: string; type: string },
  input: unknown,
  options: { cookie?: string; origin: string; timeoutMs: number; rawBody?: string },
): Promise<Answer> {
  const headers: Record<string, string> = { "content-type": "application/json", origin: options.origin };
  if (options.cookie) headers.cookie = options.cookie;
  const signal = AbortSignal.timeout(options.timeoutMs);
  if (procedure.type === "subscription") {
    const url = `${base}/${procedure.path}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input) ?? "")}`}`;
    const controller = new AbortController();
    const stop = setTimeout(() => controller.abort(), Math.min(1500, options.timeoutMs));
    try {
      const res = await fetch(url, { headers: { ...headers, accept: "text/event-stream" }, signal: AbortSignal.any([signal, controller.signal]) });
      let body = "";
      const reader = res.body?.getReader();
      if (reader) {
        // The first event says whether the subscription started or failed; then let go.
        const first = await reader.read().catch(() => ({ value: undefined }));
        body = first.value ? new TextDecoder().decode(first.value) : "";
        if (!body.includes("error")) {
          const second = await Promise.race([reader.read().catch(() => ({ value: undefined })), new Promise<{ value: undefined }>((r) => setTimeout(() => r({ value: undefined }), 300))]);
          if (second.value) body += new TextDecoder().decode(second.value);
        }
        await reader.cancel().catch(() => {});
      }
      return { status: res.status, body };
    } finally {
      clearTimeout(stop);
      controller.abort();
    }
  }
  const body = options.rawBody ?? (input === undefined ? undefined : JSON.stringify(input));
  const res = await fetch(`${base}/${procedure.path}`, { method: "POST", headers, body, signal });
  return { status: res.status, body: await res.text() };
}

const STACK_TRACE = /\n\s+at |\s{4}at [\w.<>]+ \(|node:internal|\/node_modules\//;
const SQL_TEXT = /\b(from|join|into|update) "[a-z_]+"|\bviolates (foreign key|unique|check|not-null) constraint|invalid byte sequence for encoding|unsupported Unicode escape sequence|invalid input syntax for type (uuid|json)|current transaction is aborted/i;
const V8_MESSAGE =
  /Cannot read propert(y|ies) of|Cannot convert|is not a function|is not iterable|is not defined|Maximum call stack|Invalid string length|Invalid array length|out of memory|Unexpected token|is not valid JSON|Unexpected end of JSON|Converting circular structure|\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/;

/** What is wrong with an answer, or null: 5xx, a stack trace, SQL text, a V8 message. */
export function answerProblem(answer: Answer): string | null {
  if (answer.status >= 500) return `HTTP ${answer.status}`;
  if (STACK_TRACE.test(answer.body)) return "stack trace in the body";
  if (SQL_TEXT.test(answer.body)) return "SQL or database error text in the body";
  if (V8_MESSAGE.test(answer.body)) return "JavaScript engine message in the body";
  return null;
}

/** `value` as short text for a failure report. */
export function preview(value: unknown, max = 160): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? "undefined";
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/**
 * Identity scenarios: password sign-in, and an authorized org-scoped procedure.
 *
 * Set-up goes through the public API like a person would (sign up, create an org, create a
 * project), so the figures include everything a real request pays for.
 */
import { fork } from "node:child_process";
import path from "node:path";
import { hash } from "@node-rs/argon2";
import type { Endpoint, RunningBaseline } from "./baseline";
import type { Scenario } from "./scenarios";
import { settlesWithin } from "./util";

import { BENCH_PASSWORD as PASSWORD, originOf, signUp, trpcPost } from "./api";

async function startArgonBaseline(body: string): Promise<RunningBaseline & { port: number }> {
  const child = fork(path.join(import.meta.dirname, "argon2-server.mjs"), [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if (!(await settlesWithin(exited, 5_000))) child.kill("SIGKILL");
    }
    await exited;
  };
  // The same parameters Atrium hashes with (argon2id, 19 MiB, 2 passes, 1 lane).
  const passwordHash = await hash(PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the argon2 baseline did not start")), 10_000);
    child.once("message", (m: { type?: string; port?: number }) => {
      clearTimeout(timer);
      if (m.type === "ready" && m.port) resolve(m.port);
      else reject(new Error("the argon2 baseline failed to start"));
    });
    child.send({ type: "start", hash: passwordHash, password: PASSWORD, body });
  });
  const request = { method: "POST" as const, path: "/sign-in", headers: { "content-type": "application/json" }, body: JSON.stringify({ password: PASSWORD }) };
  return { label: "node:http + argon2id verify", url: `http://127.0.0.1:${port}`, request, port, close };
}

/** People the sign-in scenario signs in, in turn. */
const SIGN_IN_PEOPLE = 64;

export const identityScenarios: Scenario[] = [
  {
    id: "password-sign-in",
    description:
      "POST authPassword.signIn with a correct password, for 64 people in turn: rate-limit counters, user lookup, argon2id verify, new session, audit, cookie. " +
      "Baseline: bare node:http doing one argon2id verify with the same parameters.",
    async prepare({ atriumUrl }) {
      // Several people, signed in in turn: a person who signs in thousands of times also has
      // their oldest session ended on each sign-in past MAX_LIVE_SESSIONS, which is not what a
      // sign-in usually costs. SIGN_IN_PEOPLE keeps each one under it for a run of about a minute.
      const emails: string[] = [];
      for (let i = 0; i < SIGN_IN_PEOPLE; i++) emails.push((await signUp(atriumUrl)).email);
      const bodies = emails.map((email) => JSON.stringify({ email, password: PASSWORD }));
      const request = {
        method: "POST" as const,
        path: "/api/trpc/authPassword.signIn",
        headers: { "content-type": "application/json", origin: originOf(atriumUrl) },
        body: bodies[0]!,
        bodies,
      };
      const first = await trpcPost(atriumUrl, "authPassword.signIn", { email: emails[0], password: PASSWORD });
      const baseline = await startArgonBaseline(JSON.stringify({ result: { data: first.data } }));
      const target: Endpoint = { label: "Atrium password sign-in", url: atriumUrl, request };
      return { target, baseline, cleanup: baseline.close };
    },
  },
  {
    id: "org-scoped-procedure",
    description:
      "GET projects.list as a signed-in member (session cookie): session check, membership and capability, a transaction scoped for " +
      "row-level security, the query. Baseline: the trivial public procedure kernel.info on the same server.",
    async prepare({ atriumUrl }) {
      const { cookie } = await signUp(atriumUrl);
      const org = await trpcPost(atriumUrl, "orgs.create", { slug: `bench-${Date.now().toString(36)}`, name: "Bench" }, cookie);
      const orgId = org.data.id as string;
      for (const slug of ["sales", "marketing", "finance"]) {
        await trpcPost(atriumUrl, "projects.create", { orgId, slug, name: slug }, cookie);
      }
      const input = encodeURIComponent(JSON.stringify({ orgId }));
      const target: Endpoint = {
        label: "Atrium projects.list (member)",
        url: atriumUrl,
        request: { method: "GET", path: `/api/trpc/projects.list?input=${input}`, headers: { cookie } },
      };
      const baseline: Endpoint = { label: "Atrium kernel.info (public)", url: atriumUrl, request: { method: "GET", path: "/api/trpc/kernel.info" } };
      return { target, baseline };
    },
  },
];

/**
 * Plugin HTTP routes: the boot check (reserved and duplicate paths), and the kernel's
 * dispatcher serving the shipped plugins' routes and the example plugin's, with the caller,
 * params, procedures as the caller, body limits and the Origin rule.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSession, generateSessionToken, SESSION_COOKIE } from "~/kernel/auth/session";
import { createHttpDispatcher, type DispatchEnv } from "~/kernel/http/dispatch";
import { compilePath, type HttpRoute } from "~/kernel/http/routes";
import type { Kernel } from "~/kernel/kernel";
import { validatePlugins } from "~/kernel/kernel";
import { definePlugin } from "~/kernel/plugin";
import { plugins as shippedPlugins } from "~/plugins";
import { bootTestKernel } from "../setup/database";
import { createOrg, createUser, testRouter, unique } from "../setup/fixtures";
import { testPlugins } from "../setup/plugins";

const ok: HttpRoute["handle"] = () => new Response("ok");
const withRoutes = (id: string, http: HttpRoute[]) => definePlugin({ id, http });

describe("the boot check for HTTP routes", () => {
  test("refuses a method and path that two plugins declare, naming both and the fix", () => {
    const one = withRoutes("hooks-one", [{ method: "POST", path: "/api/hooks/:id", handle: ok }]);
    const two = withRoutes("hooks-two", [{ method: ["GET", "POST"], path: "/api/hooks/:name", handle: ok }]);
    expect(() => validatePlugins([one, two])).toThrow(/plugin "hooks-two".*POST \/api\/hooks\/: is also declared by plugin "hooks-one".*under \/api\/hooks-two\//);
    // Another method on the same path is fine.
    const three = withRoutes("hooks-three", [{ method: "GET", path: "/api/hooks/:id", handle: ok }]);
    expect(() => validatePlugins([one, three])).not.toThrow();
  });

  test("refuses the kernel's paths, including through a parameter", () => {
    for (const path of ["/api/trpc", "/api/trpc/x.y", "/api/health", "/metrics", "/auth/github/callback", "/_build/x.js", "/assets/a.css", "/sign-in", "/o/:org", "/", "/:anything"]) {
      expect(() => validatePlugins([withRoutes("squatter", [{ method: "GET", path, handle: ok }])]), path).toThrow(/collides with .* which the kernel serves/);
    }
  });

  test("refuses malformed paths and methods", () => {
    expect(() => validatePlugins([withRoutes("bad", [{ method: "GET", path: "api/x", handle: ok }])])).toThrow(/must start with "\/"/);
    expect(() => validatePlugins([withRoutes("bad", [{ method: "GET", path: "/api/x/", handle: ok }])])).toThrow(/must not end with/);
    expect(() => validatePlugins([withRoutes("bad", [{ method: "GET", path: "/api/:a/:a", handle: ok }])])).toThrow(/appears twice/);
    expect(() => validatePlugins([withRoutes("bad", [{ method: "TRACE" as never, path: "/api/x", handle: ok }])])).toThrow(/method "TRACE"/);
  });

  test("the shipped list and the example plugin are valid; dot paths are allowed", () => {
    expect(() => validatePlugins(testPlugins)).not.toThrow();
    expect(compilePath("/.well-known/oauth-protected-resource/mcp").shape).toBe("/.well-known/oauth-protected-resource/mcp");
  });
});

describe("the dispatcher", () => {
  let kernel: Kernel;
  let close: () => Promise<void>;
  let owner: { id: string; cookie: string };
  let stranger: { id: string; cookie: string };
  let orgId: string;

  async function person(): Promise<{ id: string; cookie: string }> {
    const user = await createUser(kernel);
    const token = generateSessionToken();
    await createSession(kernel.db, token, user.id);
    return { id: user.id, cookie: `${SESSION_COOKIE}=${token}` };
  }

  beforeAll(async () => {
    ({ kernel, close } = await bootTestKernel());
    owner = await person();
    stranger = await person();
    orgId = (await createOrg(kernel, [{ userId: owner.id, role: "owner" }])).id;
  });
  afterAll(async () => close?.());

  const env = (): DispatchEnv => ({ kernel, router: testRouter, requestId: unique("req"), ip: "127.0.0.1" });
  const url = (path: string) => `${kernel.config.publicUrl}${path}`;
  const full = createHttpDispatcher(testPlugins);

  test("serves /mcp and its metadata from the agent plugin; without the plugin neither exists", async () => {
    const mcp = await full.dispatch(new Request(url("/mcp"), { method: "POST", body: "{}" }), env());
    expect(mcp?.status).toBe(401);
    expect(mcp?.headers.get("www-authenticate")).toContain("/.well-known/oauth-protected-resource/mcp");
    const meta = await full.dispatch(new Request(url("/.well-known/oauth-protected-resource/mcp")), env());
    expect(meta?.status).toBe(200);
    expect(await meta?.json()).toMatchObject({ resource: url("/mcp") });

    const withoutAgent = createHttpDispatcher(shippedPlugins.filter((p) => p.id !== "agent"));
    expect(await withoutAgent.dispatch(new Request(url("/mcp"), { method: "POST", body: "{}" }), env())).toBeNull();
    expect(await withoutAgent.dispatch(new Request(url("/.well-known/oauth-protected-resource/mcp")), env())).toBeNull();
    // The assistant's route stays with the assistant.
    expect(withoutAgent.owns("/api/assistant/chat")).toBe(true);
    expect(createHttpDispatcher(shippedPlugins.filter((p) => p.id !== "assistant")).owns("/api/assistant/chat")).toBe(false);
  });

  test("an example route sees the caller, its params, and calls procedures as the caller", async () => {
    const origin = kernel.config.publicUrl;
    const added = await full.dispatch(
      new Request(url(`/api/example/orgs/${orgId}/notes`), { method: "POST", headers: { cookie: owner.cookie, origin }, body: JSON.stringify({ body: "over HTTP" }) }),
      env(),
    );
    expect(added?.status).toBe(201);
    const e = env();
    const listed = await full.dispatch(new Request(url(`/api/example/orgs/${orgId}/notes`), { headers: { cookie: owner.cookie } }), e);
    expect(listed?.status).toBe(200);
    const body = (await listed!.json()) as { caller: string; via: string; orgId: string; requestId: string; notes: Array<{ body: string }> };
    expect(body).toMatchObject({ caller: owner.id, via: "user", orgId, requestId: e.requestId });
    expect(body.notes.map((n) => n.body)).toEqual(["over HTTP"]);
    // The audit entry was written by the procedure, with this request's address.
    const audit = await kernel.ownerDb.selectFrom("audit_events").select(["action", "ip"]).where("org_id", "=", orgId).where("action", "=", "example.note.add").execute();
    expect(audit).toHaveLength(1);

    // The same guards as any surface: a non-member gets 404, nobody 401, a bad token 401.
    const strangers = await full.dispatch(new Request(url(`/api/example/orgs/${orgId}/notes`), { headers: { cookie: stranger.cookie } }), env());
    expect(strangers?.status).toBe(404);
    const nobody = await full.dispatch(new Request(url(`/api/example/orgs/${orgId}/notes`)), env());
    expect(nobody?.status).toBe(401);
    const badToken = await full.dispatch(new Request(url(`/api/example/orgs/${orgId}/notes`), { headers: { authorization: "Bearer nope" } }), env());
    expect(badToken?.status).toBe(401);
    expect(await badToken!.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
  });

  test("a cookie-borne POST from another origin gets no caller", async () => {
    const res = await full.dispatch(
      new Request(url(`/api/example/orgs/${orgId}/notes`), { method: "POST", headers: { cookie: owner.cookie, origin: "https://evil.example" }, body: JSON.stringify({ body: "csrf" }) }),
      env(),
    );
    expect(res?.status).toBe(403);
    const notes = await kernel.ownerDb.withTables<{ example_notes: { org_id: string; body: string } }>().selectFrom("example_notes").select("body").where("org_id", "=", orgId).execute();
    expect(notes.map((n) => n.body)).not.toContain("csrf");
  });

  test("bodies over the route's limit answer 413, declared or streamed", async () => {
    const origin = kernel.config.publicUrl;
    const big = JSON.stringify({ body: "x".repeat(10_000) });
    const declared = await full.dispatch(
      new Request(url(`/api/example/orgs/${orgId}/notes`), { method: "POST", headers: { cookie: owner.cookie, origin, "content-length": String(big.length) }, body: big }),
      env(),
    );
    expect(declared?.status).toBe(413);
    expect(await declared!.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE", message: expect.stringContaining("4096 bytes") } });

    let pulled = 0;
    const chunked = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 1000) controller.close();
        else controller.enqueue(new TextEncoder().encode("x".repeat(1024)));
      },
    });
    const streamed = await full.dispatch(
      new Request(url(`/api/example/orgs/${orgId}/notes`), { method: "POST", headers: { cookie: owner.cookie, origin }, body: chunked, duplex: "half" } as RequestInit),
      env(),
    );
    expect(streamed?.status).toBe(413);
    // Cut off at the limit: not the whole megabyte was read.
    expect(pulled).toBeLessThan(20);
  });

  test("a path a plugin owns answers 405 for other methods; HEAD is served by GET", async () => {
    const put = await full.dispatch(new Request(url(`/api/example/orgs/${orgId}/notes`), { method: "PUT" }), env());
    expect(put?.status).toBe(405);
    expect(put?.headers.get("allow")).toBe("GET, POST, HEAD");
    const head = await full.dispatch(new Request(url("/.well-known/oauth-protected-resource/mcp"), { method: "HEAD" }), env());
    expect(head?.status).toBe(200);
    expect(await head!.text()).toBe("");
    expect(await full.dispatch(new Request(url("/api/example/nothing-here")), env())).toBeNull();
  });

  test("a failing handler answers 500 with the request id and no internals", async () => {
    const boom = createHttpDispatcher([
      withRoutes("boom", [
        {
          method: "GET",
          path: "/api/boom",
          handle: () => {
            throw new Error("relation secret_table does not exist");
          },
        },
      ]),
    ]);
    const e = env();
    const res = await boom.dispatch(new Request(url("/api/boom")), e);
    expect(res?.status).toBe(500);
    const text = await res!.text();
    expect(text).not.toContain("secret_table");
    expect(JSON.parse(text)).toMatchObject({ error: { code: "INTERNAL_SERVER_ERROR", requestId: e.requestId } });
  });

  describe("a route's fast handler (no Request, no Response)", () => {
    const headersOf = (raw: Record<string, string>) => ({ get: (name: string) => raw[name.toLowerCase()] ?? null });
    const plain = (method: string, path: string, raw: Record<string, string> = {}, body = "") => ({ method, url: path, headers: headersOf(raw), body: new TextEncoder().encode(body) });
    const seen: string[] = [];
    const fastRoutes = createHttpDispatcher([
      withRoutes("quick", [
        {
          method: "POST",
          path: "/api/quick/:name",
          maxBodyBytes: 64,
          handle: async (request) => new Response(`slow ${await request.text()}`),
          async fast(request, ctx) {
            const text = new TextDecoder().decode(request.body);
            if (text === "decline") return null;
            if (text === "refuse") throw new TRPCError({ code: "FORBIDDEN", message: "Not you." });
            if (text === "crash") throw new Error("relation secret_table does not exist");
            if (text === "who") return { status: 200, headers: { "content-type": "text/plain" }, body: JSON.stringify(await ctx.caller()) };
            seen.push(ctx.params.name!);
            ctx.resHeaders.set("x-extra", "1");
            return { status: 201, headers: { "content-type": "text/plain" }, body: `fast ${ctx.params.name} ${text} ${ctx.url.pathname}` };
          },
        },
        { method: "GET", path: "/api/quick", handle: ok },
      ]),
    ]);
    const fastEnv = () => ({ ...env(), signal: new AbortController().signal });

    test("answers with the params and the route's headers, the context's headers added", async () => {
      const answer = await fastRoutes.dispatchPlain(plain("POST", "/api/quick/a%20b?x=1", {}, "hi"), fastEnv());
      expect(answer).toEqual({ status: 201, headers: { "content-type": "text/plain", "x-extra": "1" }, body: "fast a b hi /api/quick/a%20b" });
      expect(seen).toContain("a b");
    });

    test("declining, a route without one, another method, HEAD or a body over the limit leave the request to dispatch", async () => {
      expect(await fastRoutes.dispatchPlain(plain("POST", "/api/quick/a", {}, "decline"), fastEnv())).toBeNull();
      expect(await fastRoutes.dispatchPlain(plain("GET", "/api/quick"), fastEnv())).toBeNull();
      expect(await fastRoutes.dispatchPlain(plain("PUT", "/api/quick/a", {}, "hi"), fastEnv())).toBeNull();
      expect(await fastRoutes.dispatchPlain(plain("HEAD", "/api/quick/a"), fastEnv())).toBeNull();
      expect(await fastRoutes.dispatchPlain(plain("POST", "/api/quick/a", {}, "x".repeat(65)), fastEnv())).toBeNull();
      expect(await fastRoutes.dispatchPlain(plain("POST", "/nowhere", {}, "hi"), fastEnv())).toBeNull();
      // What dispatch then answers: the slow handler, 405, 413.
      expect(await (await fastRoutes.dispatch(new Request(url("/api/quick/a"), { method: "POST", body: "decline" }), env()))!.text()).toBe("slow decline");
      expect((await fastRoutes.dispatch(new Request(url("/api/quick/a"), { method: "PUT", body: "x" }), env()))!.status).toBe(405);
      expect((await fastRoutes.dispatch(new Request(url("/api/quick/a"), { method: "POST", body: "x".repeat(65) }), env()))!.status).toBe(413);
    });

    test("errors map as for handle: a TRPCError's status, else 500 with the request id and no internals", async () => {
      const refused = await fastRoutes.dispatchPlain(plain("POST", "/api/quick/a", {}, "refuse"), fastEnv());
      expect(refused?.status).toBe(403);
      expect(JSON.parse(refused!.body)).toMatchObject({ error: { code: "FORBIDDEN", message: "Not you." } });
      const e = fastEnv();
      const crashed = await fastRoutes.dispatchPlain(plain("POST", "/api/quick/a", {}, "crash"), e);
      expect(crashed?.status).toBe(500);
      expect(crashed!.body).not.toContain("secret_table");
      expect(JSON.parse(crashed!.body)).toMatchObject({ error: { code: "INTERNAL_SERVER_ERROR", requestId: e.requestId } });
    });

    test("the caller comes from the headers, with the Origin rule for cookies", async () => {
      const mine = await fastRoutes.dispatchPlain(plain("POST", "/api/quick/a", { cookie: owner.cookie, origin: new URL(kernel.config.publicUrl).origin }, "who"), fastEnv());
      expect(JSON.parse(mine!.body)).toMatchObject({ kind: "user", userId: owner.id });
      const forged = await fastRoutes.dispatchPlain(plain("POST", "/api/quick/a", { cookie: owner.cookie, origin: "https://evil.example" }, "who"), fastEnv());
      expect(forged?.status).toBe(403);
      const nobody = await fastRoutes.dispatchPlain(plain("POST", "/api/quick/a", {}, "who"), fastEnv());
      expect(JSON.parse(nobody!.body)).toMatchObject({ kind: "anonymous" });
    });
  });
});

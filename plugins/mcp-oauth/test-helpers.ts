/**
 * Test set-up for the authorization server: every HTTP request goes through the kernel's
 * dispatcher in this process (real Request/Response objects, the shipped routes), the SDK's own
 * OAuth client provider kept in memory, and the person's consent given through the consent
 * procedures as a signed-in person would (the browser test clicks the real page).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createHttpDispatcher } from "~/kernel/http/dispatch";
import type { Kernel } from "~/kernel/kernel";
import { asUser, testRouter, unique } from "../../tests/setup/fixtures";
import { simpleYaml } from "../dashboards/test-helpers";
import { testPlugins } from "../../tests/setup/plugins";

export { MemoryOAuthProvider, REDIRECT_URI } from "./test-oauth-provider";


/**
 * Projects `alpha` and `beta` in `orgId`, each with one dashboard (`in-alpha`, `in-beta`): what a
 * grant narrowed to one project may reach and what it may not.
 */
export async function twoProjects(kernel: Kernel, ownerId: string, orgId: string): Promise<{ alpha: string; beta: string }> {
  const as = asUser(kernel, ownerId);
  const alpha = (await as.projects.create({ orgId, slug: "alpha", name: "Alpha" })).id;
  const beta = (await as.projects.create({ orgId, slug: "beta", name: "Beta" })).id;
  await as.dashboards.create({ orgId, projectId: alpha, yaml: simpleYaml("One number"), slug: "in-alpha" });
  await as.dashboards.create({ orgId, projectId: beta, yaml: simpleYaml("One number"), slug: "in-beta" });
  return { alpha, beta };
}

export interface OAuthHarness {
  publicUrl: string;
  mcpUrl: string;
  /** One HTTP request to the server (404 for paths no plugin serves). */
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** An SDK client over Streamable HTTP whose auth is `provider`; connects (or rejects with UnauthorizedError). */
  connect: (provider: OAuthClientProvider) => Promise<{ client: Client; transport: StreamableHTTPClientTransport }>;
  /**
   * Follows the authorization URL (the server's checks, then the consent page's address) and
   * approves as `userId` with `decision`; returns the code and state sent back to the client.
   */
  consent: (authorizationUrl: URL, userId: string, decision: { orgId: string; scopes: Array<"read" | "write">; projectIds?: string[] | null }) => Promise<{ code: string; state: string | null }>;
  /** A form POST to an OAuth endpoint. */
  post: (path: string, form: Record<string, string>) => Promise<Response>;
}

export function oauthHarness(kernel: Kernel): OAuthHarness {
  const dispatcher = createHttpDispatcher(testPlugins);
  const publicUrl = kernel.config.publicUrl;
  const fetchImpl = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const response = await dispatcher.dispatch(request, { kernel, router: testRouter, requestId: unique("req"), ip: "127.0.0.1" });
    return response ?? new Response("not found", { status: 404 });
  };
  return {
    publicUrl,
    mcpUrl: `${publicUrl}/mcp`,
    fetch: fetchImpl,
    async connect(provider) {
      const transport = new StreamableHTTPClientTransport(new URL(`${publicUrl}/mcp`), { authProvider: provider, fetch: fetchImpl });
      const client = new Client({ name: "oauth-tests", version: "1.0.0" });
      await client.connect(transport);
      return { client, transport };
    },
    async consent(authorizationUrl, userId, decision) {
      const started = await fetchImpl(authorizationUrl);
      if (started.status !== 302) throw new Error(`authorize answered ${started.status}: ${await started.text()}`);
      const consentPage = new URL(started.headers.get("location")!);
      const requestId = consentPage.searchParams.get("request")!;
      const { redirectTo } = await asUser(kernel, userId).mcpOauth.consent.approve({ requestId, orgId: decision.orgId, scopes: decision.scopes, projectIds: decision.projectIds ?? null });
      const back = new URL(redirectTo);
      return { code: back.searchParams.get("code")!, state: back.searchParams.get("state") };
    },
    post: (p, form) => fetchImpl(`${publicUrl}${p}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() }),
  };
}

/** A self-signed certificate for 127.0.0.1 / localhost (openssl), for an https test server. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "atrium-cimd-"));
  const key = path.join(dir, "key.pem");
  const cert = path.join(dir, "cert.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
    { stdio: "ignore" },
  );
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
}

/** An https server on 127.0.0.1 answering `documents[path]` as JSON (a client's metadata documents). */
export async function metadataServer(documents: Record<string, (origin: string) => unknown>) {
  const tls = selfSignedCertificate();
  let hits = 0;
  const server = https.createServer(tls, (req, res) => {
    hits++;
    const make = documents[req.url ?? ""];
    if (!make) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(make(origin)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, ca: tls.cert, hits: () => hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * A local HTTP server speaking GitHub's OAuth app protocol and the two REST API calls sign-in
 * makes, shaped like GitHub Enterprise Server (the app reaches it through `AUTH_GITHUB_URL`):
 *
 * - `GET /login/oauth/authorize`: a small consent page ("Authorize" / "Cancel") for the person
 *   signed in at this "GitHub" (`signedInAs`, or `?login=` for tests that play the browser);
 * - `POST /login/oauth/authorize`: the person's answer → redirect to the app's callback with
 *   `code` + `state`, or `error=access_denied`;
 * - `POST /login/oauth/access_token`: client credentials (Basic or form), the code (single use,
 *   bound to client and redirect URI), PKCE S256 checked; errors as GitHub answers them (200
 *   with `{ error: "bad_verification_code" }`);
 * - `GET /api/v3/user`, `GET /api/v3/user/emails` with `Authorization: Bearer <token>`.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface GithubTestAccount {
  id: number;
  login: string;
  name?: string | null;
  emails: Array<{ email: string; primary: boolean; verified: boolean; visibility?: string | null }>;
}

export interface GithubTestServer {
  /** `AUTH_GITHUB_URL` for the app. */
  url: string;
  clientId: string;
  clientSecret: string;
  /** People by login. */
  accounts: Map<string, GithubTestAccount>;
  /** Who is "signed in at GitHub" for the consent page (browser tests). */
  signedInAs: string | null;
  /** Every request's method and path (no query), in order. */
  requests: string[];
  /** When set, the API answers this status (e.g. 500) instead. */
  apiFailure: number | null;
  /** Every access token handed out (to prove none reaches a log). */
  issuedTokens: string[];
  /** Plays the browser from the authorization URL to our callback; answers the callback's query. */
  drive(authorizationUrl: URL | string, opts: { login: string; deny?: boolean }): Promise<URLSearchParams>;
  close(): Promise<void>;
}

interface Grant {
  login: string;
  redirectUri: string;
  challenge: string | null;
  method: string | null;
  clientId: string;
  expires: number;
}

const s256 = (verifier: string) => createHash("sha256").update(verifier).digest("base64url");

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startGithubTestServer(opts: { clientId?: string; clientSecret?: string } = {}): Promise<GithubTestServer> {
  const clientId = opts.clientId ?? "Iv1.atrium-test";
  const clientSecret = opts.clientSecret ?? randomBytes(20).toString("hex");
  const grants = new Map<string, Grant>();
  const tokens = new Map<string, string>();

  const state: GithubTestServer = {
    url: "",
    clientId,
    clientSecret,
    accounts: new Map(),
    signedInAs: null,
    requests: [],
    apiFailure: null,
    issuedTokens: [],
    drive: (url, o) => drive(new URL(url), o),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  function redirectBack(res: ServerResponse, redirectUri: string, params: Record<string, string>): void {
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    res.writeHead(302, { location: target.href }).end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", state.url);
    state.requests.push(`${req.method} ${url.pathname}`);

    if (url.pathname === "/login/oauth/authorize" && req.method === "GET") {
      const q = url.searchParams;
      if (q.get("client_id") !== clientId) return void res.writeHead(404).end("Unknown OAuth app");
      const login = q.get("login") ?? state.signedInAs;
      const account = login ? state.accounts.get(login) : undefined;
      if (!account) return void res.writeHead(401, { "content-type": "text/html" }).end("<p>Sign in to GitHub first.</p>");
      const hidden = ["client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method"]
        .map((k) => `<input type="hidden" name="${k}" value="${esc(q.get(k) ?? "")}">`)
        .join("");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html lang="en"><head><title>Authorize application</title></head><body>
<main><h1>Authorize Atrium</h1><p>Signed in as ${esc(account.login)}. Atrium wants to read your profile and email addresses.</p>
<form method="post" action="/login/oauth/authorize">${hidden}<input type="hidden" name="login" value="${esc(account.login)}">
<button type="submit" name="authorize" value="1">Authorize</button> <button type="submit" name="authorize" value="0">Cancel</button></form></main></body></html>`);
      return;
    }

    if (url.pathname === "/login/oauth/authorize" && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      const redirectUri = form.get("redirect_uri") ?? "";
      const st = form.get("state") ?? "";
      if (form.get("authorize") !== "1") {
        return redirectBack(res, redirectUri, { error: "access_denied", error_description: "The user has denied your application access.", state: st });
      }
      const code = randomBytes(10).toString("hex");
      grants.set(code, {
        login: form.get("login") ?? "",
        redirectUri,
        challenge: form.get("code_challenge") || null,
        method: form.get("code_challenge_method") || null,
        clientId: form.get("client_id") ?? "",
        expires: Date.now() + 10 * 60_000,
      });
      return redirectBack(res, redirectUri, { code, state: st });
    }

    if (url.pathname === "/login/oauth/access_token" && req.method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      let id = form.get("client_id");
      let secret = form.get("client_secret");
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
      if (basic) [id, secret] = Buffer.from(basic[1]!, "base64").toString("utf8").split(":") as [string, string];
      if (id !== clientId || secret !== clientSecret) return json(res, 200, { error: "incorrect_client_credentials", error_description: "The client_id and/or client_secret passed are incorrect." });
      const code = form.get("code") ?? "";
      const grant = grants.get(code);
      grants.delete(code);
      const bad = () => json(res, 200, { error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
      if (!grant || grant.expires < Date.now() || grant.clientId !== clientId) return bad();
      if (form.get("redirect_uri") && form.get("redirect_uri") !== grant.redirectUri) return json(res, 200, { error: "redirect_uri_mismatch" });
      if (grant.challenge && (grant.method !== "S256" || s256(form.get("code_verifier") ?? "") !== grant.challenge)) return bad();
      const token = `gho_${randomBytes(18).toString("hex")}`;
      tokens.set(token, grant.login);
      state.issuedTokens.push(token);
      return json(res, 200, { access_token: token, token_type: "bearer", scope: "read:user,user:email" });
    }

    if (url.pathname === "/api/v3/user" || url.pathname === "/api/v3/user/emails") {
      if (state.apiFailure) return json(res, state.apiFailure, { message: "Server Error" });
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      const login = token ? tokens.get(token) : undefined;
      const account = login ? state.accounts.get(login) : undefined;
      if (!account) return json(res, 401, { message: "Bad credentials" });
      if (url.pathname === "/api/v3/user") return json(res, 200, { login: account.login, id: account.id, type: "User", name: account.name ?? null, email: null });
      return json(res, 200, account.emails.map((e) => ({ visibility: null, ...e })));
    }

    if (url.pathname === "/favicon.ico") return void res.writeHead(204).end();
    res.writeHead(404).end("Not Found");
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function drive(authorizationUrl: URL, o: { login: string; deny?: boolean }): Promise<URLSearchParams> {
    const page = new URL(authorizationUrl);
    page.searchParams.set("login", o.login);
    const shown = await fetch(page);
    if (!shown.ok) throw new Error(`authorize page answered ${shown.status}`);
    const form = new URLSearchParams();
    for (const k of ["client_id", "redirect_uri", "state", "scope", "code_challenge", "code_challenge_method"]) form.set(k, authorizationUrl.searchParams.get(k) ?? "");
    form.set("login", o.login);
    form.set("authorize", o.deny ? "0" : "1");
    const answer = await fetch(new URL("/login/oauth/authorize", state.url), { method: "POST", body: form, redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" } });
    const location = answer.headers.get("location");
    if (answer.status !== 302 || !location) throw new Error(`authorize answered ${answer.status}`);
    return new URL(location).searchParams;
  }

  return state;
}

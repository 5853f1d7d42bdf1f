/**
 * A real OpenID Provider (`oidc-provider`) on loopback, for tests: discovery, JWKS, the
 * authorization endpoint with its development login and consent pages, PKCE, the token and
 * userinfo endpoints. `drive()` plays the browser: it follows redirects and submits the
 * provider's forms until the provider redirects back to our callback.
 *
 * `tamperIdToken` rewrites the next ID tokens' claims and re-signs them with the provider's
 * own key, so a test can hand the app a validly signed token with a wrong audience or an
 * expiry in the past.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface TestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** People who can sign in, by subject (the login name on the provider's form). */
  accounts: Map<string, TestAccount>;
  /** When set, every ID token's claims pass through it (then are re-signed). */
  tamperIdToken: ((claims: Record<string, unknown>) => Record<string, unknown>) | null;
  /** Replaces the client's redirect URIs (when the app's address is known only later). */
  setRedirectUris(uris: string[]): void;
  /** Plays the browser from the authorization URL to our callback; answers the callback's query. */
  drive(authorizationUrl: URL | string, opts: { login: string; deny?: boolean }): Promise<URLSearchParams>;
  close(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

export async function startTestProvider(opts: { redirectUris: string[]; clientId?: string; clientSecret?: string }): Promise<TestProvider> {
  const clientId = opts.clientId ?? "atrium-test";
  const clientSecret = opts.clientSecret ?? randomBytes(16).toString("hex");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" };
  const signingKey = createPrivateKey({ key: jwk as never, format: "jwk" });
  const accounts = new Map<string, TestAccount>();
  const cookieKey = randomBytes(16).toString("hex");

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server: Server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let redirectUris = [...opts.redirectUris];
  const state: TestProvider = {
    issuer,
    clientId,
    clientSecret,
    accounts,
    tamperIdToken: null,
    setRedirectUris(uris) {
      redirectUris = [...uris];
      handler = build();
    },
    drive: (url, o) => drive(new URL(url), o, redirectUris),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  // The provider is rebuilt when the redirect URIs change: its clients are fixed at construction.
  function build() {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: redirectUris,
          grant_types: ["authorization_code"],
          response_types: ["code"],
          token_endpoint_auth_method: "client_secret_basic",
        },
      ],
      jwks: { keys: [jwk] },
      cookies: { keys: [cookieKey] },
      claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
      pkce: { required: () => true },
      ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
      features: { devInteractions: { enabled: true } },
      async findAccount(_ctx: unknown, sub: string) {
        const account = accounts.get(sub);
        if (!account) return undefined;
        return { accountId: sub, claims: async () => ({ sub, ...account }) };
      },
    });
    provider.use(async (ctx, next) => {
      await next();
      const body = ctx.body as { id_token?: string } | null;
      if (ctx.path === "/token" && state.tamperIdToken && body && typeof body.id_token === "string") {
        const [header, payload] = body.id_token.split(".");
        const claims = state.tamperIdToken(JSON.parse(Buffer.from(payload!, "base64url").toString("utf8")) as Record<string, unknown>);
        const input = `${header}.${b64url(JSON.stringify(claims))}`;
        ctx.body = { ...body, id_token: `${input}.${b64url(sign("sha256", Buffer.from(input), signingKey))}` };
      }
    });
    provider.on("server_error", (_ctx, err) => {
      if (process.env.OIDC_TEST_DEBUG) console.error(err);
    });
    return provider.callback();
  }
  handler = build();
  return state;
}

/** A minimal browser: cookies per host, redirects followed by hand, the provider's forms submitted. */
async function drive(start: URL, opts: { login: string; deny?: boolean }, redirectUris: string[]): Promise<URLSearchParams> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
  };
  let url = start;
  let init: RequestInit = {};
  for (let step = 0; step < 20; step++) {
    if (redirectUris.some((r) => url.href.startsWith(`${r}?`) || url.href === r)) return url.searchParams;
    const res = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() } });
    remember(res);
    init = {};
    const location = res.headers.get("location");
    if (location) {
      url = new URL(location, url);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`test provider answered ${res.status} at ${url.pathname}: ${html.slice(0, 200)}`);
    if (opts.deny) {
      const abort = /href="([^"]*\/abort)"/.exec(html);
      if (abort) {
        url = new URL(abort[1]!, url);
        continue;
      }
    }
    const form = /<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
    if (!form) throw new Error(`no form at ${url.pathname}`);
    const fields = new URLSearchParams();
    for (const input of form[2]!.matchAll(/<input[^>]*>/g)) {
      const name = /name="([^"]+)"/.exec(input[0]);
      if (name) fields.set(name[1]!, /value="([^"]*)"/.exec(input[0])?.[1] ?? "");
    }
    if (fields.has("login")) {
      fields.set("login", opts.login);
      fields.set("password", "any");
    }
    url = new URL(form[1]!, url);
    init = { method: "POST", body: fields.toString(), headers: { "content-type": "application/x-www-form-urlencoded" } };
  }
  throw new Error("the provider never redirected back");
}

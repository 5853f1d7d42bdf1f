/**
 * `atrium login` without a pasted token: the OAuth device authorization grant (RFC 8628)
 * against the server's authorization server, when its metadata (RFC 8414) advertises one. The
 * CLI registers as the public client "Atrium CLI" (the server de-duplicates it), asks for a
 * token good at `/mcp` and the ingestion API `/api/v1` (RFC 8707), prints where to approve and
 * the code, and polls as the server says (authorization_pending, slow_down). Access tokens last
 * an hour: the client refreshes them with the rotating refresh token and saves the new pair.
 */
import { CliProblem, writeConfig, type OAuthLogin, type RemoteConfig } from "./config";

export const DEVICE_GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";
const CLIENT_NAME = "Atrium CLI";

export interface DeviceEndpoints {
  issuer: string;
  registration: string;
  deviceAuthorization: string;
  token: string;
  revocation: string | null;
}

export interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
}

/** The server's device grant endpoints, or null when it has none (an older Atrium: paste a token). */
export async function discoverDeviceGrant(base: string, fetchImpl: typeof fetch = fetch): Promise<DeviceEndpoints | null> {
  let res: Response;
  try {
    res = await fetchImpl(`${base}/.well-known/oauth-authorization-server`, { headers: { accept: "application/json" } });
  } catch {
    throw new CliProblem(`Cannot reach ${base}: is the address right and the server up?`, 4);
  }
  if (res.status !== 200) return null;
  const meta = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  const ok = (v: unknown): v is string => typeof v === "string" && /^https?:\/\//.test(v);
  if (!meta || !ok(meta.issuer) || !ok(meta.device_authorization_endpoint) || !ok(meta.token_endpoint) || !ok(meta.registration_endpoint)) return null;
  if (!(meta.grant_types_supported as unknown[] | undefined)?.includes(DEVICE_GRANT_TYPE)) return null;
  return { issuer: meta.issuer.replace(/\/$/, ""), registration: meta.registration_endpoint, deviceAuthorization: meta.device_authorization_endpoint, token: meta.token_endpoint, revocation: ok(meta.revocation_endpoint) ? meta.revocation_endpoint : null };
}

async function oauthPost(url: string, form: Record<string, string | string[]>): Promise<{ status: number; body: Record<string, unknown> }> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) for (const v of [value].flat()) params.append(key, v);
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "atrium-cli" }, body: params.toString() });
  return { status: res.status, body: ((await res.json().catch(() => ({}))) ?? {}) as Record<string, unknown> };
}

const described = (body: Record<string, unknown>) => (typeof body.error_description === "string" ? body.error_description : String(body.error ?? "refused"));

export interface DeviceLoginOptions {
  /** Told the URL and code to show the person. */
  show: (text: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Runs the device grant to the end: the person approves in a browser; resolves to the tokens and the client. */
export async function deviceLogin(endpoints: DeviceEndpoints, options: DeviceLoginOptions): Promise<{ tokens: TokenAnswer; clientId: string }> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const registered = await fetch(endpoints.registration, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "atrium-cli" },
    body: JSON.stringify({ client_name: CLIENT_NAME, grant_types: [DEVICE_GRANT_TYPE, "refresh_token"], token_endpoint_auth_method: "none" }),
  });
  const client = (await registered.json().catch(() => ({}))) as { client_id?: string; error_description?: string };
  if (!client.client_id) throw new CliProblem(`The server refused to register the CLI: ${client.error_description ?? `HTTP ${registered.status}`}`, 1);

  const started = await oauthPost(endpoints.deviceAuthorization, {
    client_id: client.client_id,
    scope: "read write",
    resource: [`${endpoints.issuer}/mcp`, `${endpoints.issuer}/api/v1`],
  });
  if (started.status !== 200) throw new CliProblem(`The server refused to start signing in: ${described(started.body)}`, 1);
  const device = started.body as { device_code: string; user_code: string; verification_uri: string; verification_uri_complete?: string; expires_in: number; interval?: number };
  options.show(
    `To sign in, open ${device.verification_uri_complete ?? device.verification_uri}\n` +
      `in a browser where you are signed in to Atrium, and check that it shows the code\n\n    ${device.user_code}\n\n` +
      `Tick "Write" there if you will run \`atrium sync\`. Waiting for approval (the code expires in ${Math.round(device.expires_in / 60)} min)…\n`,
  );

  let interval = Math.max(1, device.interval ?? 5);
  const deadline = Date.now() + device.expires_in * 1000;
  for (;;) {
    await sleep(interval * 1000);
    const polled = await oauthPost(endpoints.token, { grant_type: DEVICE_GRANT_TYPE, client_id: client.client_id, device_code: device.device_code });
    if (polled.status === 200) return { tokens: polled.body as unknown as TokenAnswer, clientId: client.client_id };
    switch (polled.body.error) {
      case "authorization_pending":
        break;
      case "slow_down":
        interval += 5;
        break;
      case "access_denied":
        throw new CliProblem(`Not signed in: ${described(polled.body)}`, 3);
      case "expired_token":
        throw new CliProblem("The code expired before it was approved: run `atrium login` again.", 3);
      default:
        throw new CliProblem(`Signing in failed: ${described(polled.body)}`, 1);
    }
    if (Date.now() > deadline) throw new CliProblem("The code expired before it was approved: run `atrium login` again.", 3);
  }
}

/** What the config keeps of an OAuth login besides the access token. */
export function oauthLoginOf(endpoints: DeviceEndpoints, clientId: string, tokens: TokenAnswer): OAuthLogin {
  return { clientId, tokenEndpoint: endpoints.token, revocationEndpoint: endpoints.revocation, refreshToken: tokens.refresh_token, expiresAt: new Date(Date.now() + tokens.expires_in * 1000).toISOString(), scope: tokens.scope };
}

/**
 * A refresher for the remote client: trades the saved refresh token for a new pair, saves it
 * (0600), and answers the new access token; undefined when the config has no OAuth login.
 * Single-flight: requests refused together share one refresh (a refresh token works once, and
 * presenting it twice would end the login), and a request refused with an older access token
 * simply retries with the current one.
 */
export function refresherFor(config: RemoteConfig, env: NodeJS.ProcessEnv): ((refused: string) => Promise<string>) | undefined {
  if (!config.oauth) return undefined;
  let pending: Promise<string> | null = null;
  const refresh = async (): Promise<string> => {
    const login = config.oauth!;
    const answer = await oauthPost(login.tokenEndpoint, { grant_type: "refresh_token", client_id: login.clientId, refresh_token: login.refreshToken });
    if (answer.status !== 200) throw new CliProblem(`${config.server} ended this login (${described(answer.body)}): run \`atrium login --server ${config.server}\` again.`, 3);
    const tokens = answer.body as unknown as TokenAnswer;
    config.token = tokens.access_token;
    config.oauth = { ...login, refreshToken: tokens.refresh_token, expiresAt: new Date(Date.now() + tokens.expires_in * 1000).toISOString(), scope: tokens.scope };
    writeConfig(config, env);
    return tokens.access_token;
  };
  return async (refused) => {
    if (pending) return pending;
    if (refused !== config.token) return config.token;
    pending = refresh().finally(() => {
      pending = null;
    });
    return pending;
  };
}

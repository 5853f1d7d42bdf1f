/**
 * Bearer credentials for agent surfaces (`/mcp`), beyond personal access tokens: a plugin that
 * issues its own tokens (the MCP authorization server) registers a verifier here, and a plugin
 * that governs agents (an org's "AI agents allowed" setting) registers a gate. The MCP endpoint
 * asks `verifyAgentBearer`, which keeps personal access tokens on their own path
 * (`verifyApiToken`) and hands any other shape to the verifiers, so neither knows the other.
 */
import type { Kernel } from "../kernel";
import type { TokenScope } from "../db/schema";
import { verifyApiToken, TOKEN_PREFIX } from "./tokens";

/** A verified bearer credential: whose it is, its org, its scopes, and what else narrows it. */
export interface AgentBearer {
  userId: string;
  /** The credential's id (a token or a grant), for rate limits and the audit log. */
  tokenId: string;
  orgId: string;
  scopes: TokenScope[];
  /** The projects it may reach; null: every project its person can see. */
  projectIds: string[] | null;
  /** Where it came from, for the audit log and the caller's error messages. */
  kind: "personal" | "oauth";
}

export type AgentBearerCheck =
  | { ok: true; bearer: AgentBearer }
  /** `status` 401 for a credential that is not good here; 403 for one refused by a gate. */
  | { ok: false; status: 401 | 403; reason: string; error: "invalid_token" | "insufficient_scope" | "access_denied" };

/** Recognises and verifies one family of bearer tokens for a resource (the URL it is presented to). */
export interface BearerVerifier {
  /** Whether the token has this verifier's shape (its prefix): the first that claims it decides. */
  claims(token: string): boolean;
  verify(kernel: Kernel, token: string, options: { resource: string }): Promise<AgentBearerCheck>;
}

/** Decides whether an agent may act in an org, and may narrow its scopes (read-only agents). */
export type AgentGate = (kernel: Kernel, bearer: AgentBearer) => Promise<AgentBearerCheck>;

interface Registry {
  verifiers: BearerVerifier[];
  gates: AgentGate[];
  /** The authorization server that issues tokens for this kernel's agent surfaces, if any. */
  authorizationServer: string | null;
}

// Kept on the kernel object itself: the server's routers are bundled separately, so a module's
// own state (a WeakMap here) would not be the one the plugin's init filled.
const REGISTRY = Symbol.for("atrium.kernel.agentBearer");
type WithRegistry = Kernel & { [REGISTRY]?: Registry };

function existingRegistry(kernel: Kernel): Registry | undefined {
  return (kernel as WithRegistry)[REGISTRY];
}

function registryOf(kernel: Kernel): Registry {
  const holder = kernel as WithRegistry;
  return (holder[REGISTRY] ??= { verifiers: [], gates: [], authorizationServer: null });
}

/** Adds a verifier for another family of bearer tokens (call from a plugin's `init`). */
export function registerBearerVerifier(kernel: Kernel, verifier: BearerVerifier, options: { authorizationServer?: string } = {}): void {
  const registry = registryOf(kernel);
  registry.verifiers.push(verifier);
  if (options.authorizationServer) registry.authorizationServer = options.authorizationServer;
}

/** Adds a gate every agent credential passes after it is verified (call from a plugin's `init`). */
export function registerAgentGate(kernel: Kernel, gate: AgentGate): void {
  registryOf(kernel).gates.push(gate);
}

/** The authorization server a protected resource should name in its metadata, if one is installed. */
export function agentAuthorizationServer(kernel: Kernel): string | null {
  return existingRegistry(kernel)?.authorizationServer ?? null;
}

/**
 * Verifies a bearer token presented to an agent surface at `resource`: a personal access token
 * (any resource of this server), or a token a registered verifier claims; then every gate.
 */
export async function verifyAgentBearer(kernel: Kernel, token: string, options: { resource: string }): Promise<AgentBearerCheck> {
  const registry = existingRegistry(kernel);
  let check: AgentBearerCheck;
  const verifier = token.startsWith(TOKEN_PREFIX) ? undefined : registry?.verifiers.find((v) => v.claims(token));
  if (verifier) {
    check = await verifier.verify(kernel, token, options);
  } else {
    const pat = await verifyApiToken(kernel.db, token, kernel.authCache);
    check = pat.ok
      ? { ok: true, bearer: { userId: pat.token.userId, tokenId: pat.token.id, orgId: pat.token.orgId, scopes: pat.token.scopes, projectIds: null, kind: "personal" } }
      : { ok: false, status: 401, reason: `The access token is ${pat.reason}`, error: "invalid_token" };
  }
  for (const gate of registry?.gates ?? []) {
    if (!check.ok) break;
    check = await gate(kernel, check.bearer);
  }
  return check;
}

/**
 * An MCP client's OAuth state kept in memory, as the SDK asks a client to keep it (for tests,
 * in-process and against the built server). No app imports: browser tests load it too.
 */
import { randomUUID } from "node:crypto";
import type { OAuthClientProvider } from "@modelcontextprotocol/sdk/client/auth.js";
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from "@modelcontextprotocol/sdk/shared/auth.js";

export const REDIRECT_URI = "http://127.0.0.1:8976/callback";

/** An MCP client's OAuth state, in memory, as the SDK asks a client to keep it. */
export class MemoryOAuthProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined;
  saved: OAuthTokens | undefined;
  verifier = "";
  lastAuthorizationUrl: URL | null = null;
  readonly stateValue = randomUUID();

  constructor(
    readonly clientMetadata: OAuthClientMetadata = { client_name: "Test agent", redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: "none", grant_types: ["authorization_code", "refresh_token"], response_types: ["code"] },
    readonly clientMetadataUrl?: string,
  ) {}

  get redirectUrl() {
    return this.clientMetadata.redirect_uris[0]!;
  }
  state() {
    return this.stateValue;
  }
  clientInformation() {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.client = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.lastAuthorizationUrl = url;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
}


/**
 * The authorization server's tables, typed for Kysely (`withTables`): clients, pending
 * authorization requests, grants (connected apps), codes, tokens, and the org's agent setting.
 */
import type { Generated, Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";

export type AgentsAllowed = "off" | "read" | "write";
export type GrantScope = "read" | "write";
export type DeviceStatus = "pending" | "approved" | "denied" | "used";

export type McpOauthTables = {
  mcp_oauth_clients: {
    id: Generated<string>;
    client_id: string;
    kind: "registered" | "metadata";
    client_name: string;
    client_uri: string | null;
    redirect_uris: string[];
    registration_key: string | null;
    metadata: Generated<unknown>;
    created_at: Generated<Date>;
    fetched_at: Date | null;
    last_used_at: Date | null;
  };
  mcp_oauth_requests: {
    id: string;
    client_pk: string;
    redirect_uri: string;
    code_challenge: string;
    scopes: string[];
    resource: string;
    state: string | null;
    expires_at: Date;
    created_at: Generated<Date>;
  };
  mcp_oauth_grants: {
    id: Generated<string>;
    org_id: string;
    user_id: string;
    client_pk: string;
    scopes: GrantScope[];
    project_ids: string[] | null;
    resource: string;
    /** Further resources the grant's tokens are good at (the CLI's: the ingestion API). */
    extra_resources: Generated<string[]>;
    created_at: Generated<Date>;
    last_used_at: Date | null;
    calls: Generated<string>;
    revoked_at: Date | null;
    revoked_reason: string | null;
  };
  mcp_oauth_codes: {
    code_hash: string;
    grant_id: string;
    redirect_uri: string;
    code_challenge: string;
    expires_at: Date;
    used_at: Date | null;
  };
  mcp_oauth_tokens: {
    id: Generated<string>;
    grant_id: string;
    kind: "access" | "refresh";
    token_hash: string;
    expires_at: Date;
    rotated_at: Date | null;
    revoked_at: Date | null;
    created_at: Generated<Date>;
  };
  mcp_oauth_device_codes: {
    id: Generated<string>;
    device_code_hash: string;
    user_code_hash: string;
    client_pk: string;
    scopes: string[];
    resources: string[];
    status: Generated<DeviceStatus>;
    grant_id: string | null;
    interval_seconds: number;
    last_polled_at: Date | null;
    expires_at: Date;
    created_at: Generated<Date>;
  };
  mcp_oauth_org_settings: {
    org_id: string;
    agents: AgentsAllowed;
    updated_at: Generated<Date>;
    updated_by: string | null;
  };
};

export type McpOauthDb = Kysely<KernelDatabase & McpOauthTables>;

export function mcpOauthDb(db: Kysely<KernelDatabase>): McpOauthDb {
  return db.withTables<McpOauthTables>();
}

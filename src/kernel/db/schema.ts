/**
 * Row types of the kernel's own tables. Plugins declare their tables in their own folder and
 * reach them with `db.withTables<PluginTables>()`; migrations never import these types.
 */
import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type Role = "owner" | "admin" | "editor" | "viewer";

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  email_verified_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  disabled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface OrgsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  role: Role;
  created_at: Timestamp;
}

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface SessionsTable {
  id: string;
  user_id: string;
  expires_at: Timestamp;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface ProjectsTable {
  id: Generated<string>;
  org_id: string;
  slug: string;
  name: string;
  description: Generated<string>;
  archived_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProjectRolesTable {
  project_id: string;
  org_id: string;
  user_id: string;
  role: Role;
}

export interface InvitationsTable {
  id: Generated<string>;
  org_id: string;
  email: string;
  role: Role;
  token_hash: string;
  invited_by: string | null;
  expires_at: Timestamp;
  accepted_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
}

export type TokenScope = "read" | "write";

export interface ApiTokensTable {
  id: Generated<string>;
  user_id: string;
  org_id: string;
  name: string;
  token_hash: string;
  scopes: TokenScope[];
  expires_at: NullableTimestamp;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
}

export type ActorKind = "user" | "token" | "agent" | "system" | "anonymous";

export interface AuditEventsTable {
  id: Generated<string>;
  org_id: string | null;
  actor_kind: ActorKind;
  actor_user_id: string | null;
  actor_token_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  data: ColumnType<Record<string, unknown>, string | Record<string, unknown> | undefined, string>;
  ip: string | null;
  request_id: string | null;
  created_at: Timestamp;
}

export interface RateLimitsTable {
  key: string;
  window_start: Timestamp;
  count: number;
}

export interface MailOutboxTable {
  id: Generated<string>;
  to_address: string;
  subject: string;
  text_body: string;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
  error: string | null;
}

export interface KernelDatabase {
  users: UsersTable;
  orgs: OrgsTable;
  memberships: MembershipsTable;
  sessions: SessionsTable;
  projects: ProjectsTable;
  project_roles: ProjectRolesTable;
  invitations: InvitationsTable;
  api_tokens: ApiTokensTable;
  audit_events: AuditEventsTable;
  rate_limits: RateLimitsTable;
  mail_outbox: MailOutboxTable;
}

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
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
}

export interface OrgsTable {
  id: Generated<string>;
  slug: string;
  name: string;
  created_at: Generated<Timestamp>;
  updated_at: Generated<Timestamp>;
  deleted_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface MembershipsTable {
  org_id: string;
  user_id: string;
  role: Role;
  created_at: Generated<Timestamp>;
}

export interface KernelDatabase {
  users: UsersTable;
  orgs: OrgsTable;
  memberships: MembershipsTable;
}

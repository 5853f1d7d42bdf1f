/**
 * Kernel migrations, in order. Listed statically (no folder scanning) so the server bundle
 * carries them; names are date-prefixed and never change once released.
 */
import type { Migration } from "kysely";
import * as tenancy from "./2026-11-23-001-tenancy";
import * as identity from "./2026-11-23-002-identity";
import * as signInPolicy from "./2026-11-23-003-sign-in-policy";
import * as authInvalidation from "./2026-12-02-001-auth-invalidation";
import * as projectRoleInvalidation from "./2026-12-02-002-project-role-invalidation";
import * as listIndexes from "./2026-12-02-003-list-indexes";
import * as memberSearch from "./2026-12-09-001-member-search";
import * as auditPeopleIndex from "./2026-12-10-001-audit-people-index";
import * as projectList from "./2026-12-11-001-project-list";
import * as accountLists from "./2026-12-12-001-account-lists";
import * as rateLimitsUnlogged from "./2026-12-12-002-rate-limits-unlogged";

export const kernelMigrations: Record<string, Migration> = {
  "2026-11-23-001-tenancy": tenancy,
  "2026-11-23-002-identity": identity,
  "2026-11-23-003-sign-in-policy": signInPolicy,
  "2026-12-02-001-auth-invalidation": authInvalidation,
  "2026-12-02-002-project-role-invalidation": projectRoleInvalidation,
  "2026-12-02-003-list-indexes": listIndexes,
  "2026-12-09-001-member-search": memberSearch,
  "2026-12-10-001-audit-people-index": auditPeopleIndex,
  "2026-12-11-001-project-list": projectList,
  "2026-12-12-001-account-lists": accountLists,
  "2026-12-12-002-rate-limits-unlogged": rateLimitsUnlogged,
};

/**
 * The git-sync plugin: a project's dashboards kept in a git repository
 * (`dashboards/<slug>.yaml`, `atrium.yaml`), imported from its trunk as dashboard versions noted
 * with their commit, on demand and by an hourly sweep. Uses the git command line (docs/decisions/026-git-sync-uses-the-git-cli.md);
 * see README.md.
 */
import { definePlugin } from "~/kernel/plugin";
import { onStaleSave } from "../dashboards/files";
import { gitSyncCapabilities } from "./capabilities";
import { githubAppFromEnv } from "./github-app";
import { githubOauthFromEnv } from "./github-oauth";
import { gitSyncJobs } from "./jobs";
import * as repositoriesMigration from "./migrations/2026-12-08-001-repositories";
import * as conflictsMigration from "./migrations/2026-12-08-002-conflicts";
import * as branchesMigration from "./migrations/2026-12-09-003-branches";
import * as webhookMigration from "./migrations/2026-12-09-004-webhook";
import * as pullRequestsMigration from "./migrations/2026-12-10-005-pull-requests";
import * as githubAppMigration from "./migrations/2026-12-11-006-github-app";
import * as githubInstallMigration from "./migrations/2026-12-11-007-github-install";
import * as githubGrantRefreshMigration from "./migrations/2026-12-12-008-github-grant-refresh";
import * as githubOauthMigration from "./migrations/2026-12-13-009-github-oauth";
import { gitSyncRouter } from "./router";
import { explainStaleSave } from "./stale";
import { gitSyncHttpRoutes } from "./http";

export const gitSyncPlugin = definePlugin({
  id: "git-sync",
  requires: ["dashboards"],
  capabilities: gitSyncCapabilities,
  migrations: { "2026-12-08-001-repositories": repositoriesMigration, "2026-12-08-002-conflicts": conflictsMigration, "2026-12-09-003-branches": branchesMigration, "2026-12-09-004-webhook": webhookMigration, "2026-12-10-005-pull-requests": pullRequestsMigration, "2026-12-11-006-github-app": githubAppMigration, "2026-12-11-007-github-install": githubInstallMigration, "2026-12-12-008-github-grant-refresh": githubGrantRefreshMigration, "2026-12-13-009-github-oauth": githubOauthMigration },
  router: gitSyncRouter,
  jobs: gitSyncJobs,
  http: gitSyncHttpRoutes,
  init({ kernel }) {
    // A wrong GitHub App (or OAuth App) configuration fails at start, naming the variable (ADR 035).
    githubAppFromEnv();
    githubOauthFromEnv();
    // A save refused because git imported a newer version names the commit (stale.ts).
    onStaleSave(kernel, explainStaleSave);
  },
});

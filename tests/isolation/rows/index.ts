/**
 * Rows of the isolation matrix contributed per plugin. A plugin with procedures adds
 * `./<plugin>.ts` exporting its rows and spreads it here.
 */
import { assistantRows } from "./assistant";
import { authRows } from "./auth";
import { collaborationRows } from "./collaboration";
import { dashboardsRows } from "./dashboards";
import { gitSyncRows } from "./git-sync";
import { onboardingRows } from "./onboarding";
import { mcpOauthRows } from "./mcp-oauth";
import type { Row } from "./helpers";
import { sharingRows } from "./sharing";
import { syncRows } from "./sync";

export const pluginRows: Record<string, Row> = {
  ...assistantRows,
  ...authRows,
  ...collaborationRows,
  ...dashboardsRows,
  ...gitSyncRows,
  ...onboardingRows,
  ...sharingRows,
  ...syncRows,
  ...mcpOauthRows,
};

/**
 * The git-sync plugin's rows: every `gitSync.*` procedure against org A's project, with a real
 * bare repository on disk (one per test process, local remotes allowed for the matrix). Rows
 * that need a connection insert it first, as the world's owner.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRemote } from "../../../plugins/git-sync/test-repos";
import type { World } from "../world";
import { MATRIX_DASHBOARD_YAML } from "./dashboards";
import { P, type Row } from "./helpers";

let remote: ReturnType<typeof createRemote> | null = null;

/** The matrix's repository (dashboards/matrix.yaml on main), created on first use. */
export function matrixRemote(): string {
  process.env.GIT_ALLOW_LOCAL_REMOTES = "true";
  process.env.GIT_SYNC_DIR ??= mkdtempSync(path.join(tmpdir(), "atrium-git-sync-matrix-"));
  if (!remote) {
    remote = createRemote();
    remote.commit({ "dashboards/matrix.yaml": MATRIX_DASHBOARD_YAML });
    process.on("exit", () => remote?.remove());
  }
  return remote.url;
}

type Tables = { git_sync_repositories: { org_id: string; project_id: string; remote_url: string; trunk: string } };

/** Org A's project connected to the matrix repository (never synced yet). */
async function connected(w: World) {
  const remoteUrl = matrixRemote();
  await w.kernel.ownerDb.withTables<Tables>().insertInto("git_sync_repositories").values({ org_id: w.orgA.id, project_id: w.projectA.id, remote_url: remoteUrl, trunk: "main" }).execute();
  return P(w);
}

const connectInput = (w: World) => ({ ...P(w), remoteUrl: matrixRemote(), trunk: "main" });

export const gitSyncRows: Record<string, Row> = {
  "gitSync.status": { input: connected },
  "gitSync.testConnection": { input: connectInput },
  "gitSync.connect": { input: connectInput },
  "gitSync.connectRepository": { input: connectInput },
  "gitSync.disconnect": { input: connected },
  "gitSync.sync": { input: connected },
  "gitSync.dashboardOrigin": { input: async (w) => ({ ...(await connected(w)), slug: "matrix" }) },
};

/**
 * What an exported dashboard folder holds (`data.json`, and the same object in `data.js` as
 * `window.ATRIUM_OFFLINE`: a page opened from `file://` may not fetch a file beside it).
 */
export const OFFLINE_FORMAT = "atrium-offline/1";

export interface OfflineRun {
  ranAt: string;
  variables: Record<string, unknown>;
  /** By query id, as `dashboards.run` answers. */
  results: Record<string, unknown>;
}

export interface OfflineData {
  format: typeof OFFLINE_FORMAT;
  title: string;
  slug: string;
  exportedAt: string;
  version: number;
  /** The dashboard document as stored (YAML), and parsed when the server parsed it (a dbt Charts board). */
  yaml: string;
  document: unknown | null;
  run: OfflineRun;
}

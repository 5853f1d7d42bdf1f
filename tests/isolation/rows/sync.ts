/**
 * The sync plugin's rows: every `sync.*` procedure against org A. Rows themselves arrive over
 * HTTP (plugins/sync/ingest.test.ts covers org isolation there).
 */
import { A, type Row } from "./helpers";

export const syncRows: Record<string, Row> = {
  "sync.datasets.list": { input: A },
  "sync.sources.list": { input: A },
  "sync.sources.register": { input: (w) => ({ ...A(w), projectKey: "matrix-project", machineId: "matrix-machine", name: "Matrix laptop" }) },
};

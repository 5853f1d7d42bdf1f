/**
 * The dashboards plugin's browser face for plugins that show a dashboard outside its project
 * pages (sharing): the read-only canvas and the document helpers it needs. Declared in
 * eslint/boundaries.js (ENTRIES).
 */
export { DashboardCanvas, type DashboardCanvasProps } from "./DashboardCanvas";
export { encodeValue, readDashboard, valuesFromQuery, VAR_PREFIX, type Chart, type Dashboard, type Variable } from "./doc";
export type { QueryResult, RunOutput } from "./api";

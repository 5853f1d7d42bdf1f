/**
 * The dashboards plugin's browser face for plugins that show a dashboard outside its project
 * pages (sharing): the read-only canvas and the document helpers it needs, and the assistant's
 * side column that goes beside a dashboard. Declared in
 * eslint/boundaries.js (ENTRIES).
 */
export { WithAssistant } from "./AssistantColumn";
export { DashboardCanvas, type DashboardCanvasProps } from "./DashboardCanvas";
export { encodeValue, readDashboard, valuesFromQuery, VAR_PREFIX, type Chart, type Dashboard, type Variable } from "./doc";
export type { QueryResult, RunOutput } from "./api";

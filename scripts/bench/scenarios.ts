/**
 * The benchmark scenarios. Each one names a request to measure against Atrium and a baseline to
 * measure it against, under the same load, in the same run.
 *
 * To add a figure (sign-in, org-scoped procedures, dashboards, MCP tools…), append a scenario:
 * `prepare` gets the running server and returns the Atrium endpoint and the baseline endpoint.
 * It may set things up first (create a user and sign in, seed an organization, capture a
 * session cookie into `request.headers`) and returns a `cleanup` for what it started. Keep the
 * baseline honest: it should do the part of the work Atrium cannot avoid (same response bytes,
 * same SQL for a dashboard query…), so the ratio shows what Atrium's layers cost.
 */
import { capture, startReplayBaseline, type Endpoint } from "./baseline";
import type { RequestSpec } from "./load";
import { identityScenarios } from "./identity";

export interface ScenarioContext {
  /** Base URL of the running Atrium server. */
  atriumUrl: string;
  /** The server's ATRIUM_DATA_DIR (its embedded cluster). */
  dataDir: string;
}

export interface PreparedScenario {
  target: Endpoint;
  baseline: Endpoint;
  /** Stops whatever `prepare` started (a baseline server…). */
  cleanup?: () => Promise<void>;
}

export interface Scenario {
  /** Stable id, used by `--scenario` and in the JSON output. */
  id: string;
  /** One line on what is measured. */
  description: string;
  prepare(ctx: ScenarioContext): Promise<PreparedScenario>;
}

/** A request answered by Atrium, compared with a bare node:http server replaying its response. */
function replayScenario(id: string, label: string, description: string, request: RequestSpec): Scenario {
  return {
    id,
    description,
    async prepare({ atriumUrl }) {
      const response = await capture(atriumUrl, request);
      const baseline = await startReplayBaseline("bare node:http", response, request);
      return { target: { label, url: atriumUrl, request }, baseline, cleanup: baseline.close };
    },
  };
}

export const scenarios: Scenario[] = [
  replayScenario(
    "trpc-kernel-info",
    "Atrium tRPC kernel.info",
    "A public tRPC query over HTTP GET: request middleware, tRPC fetch adapter, context, procedure; no database. " +
      "Baseline: bare node:http answering the same bytes.",
    { method: "GET", path: "/api/trpc/kernel.info" },
  ),
  ...identityScenarios,
];

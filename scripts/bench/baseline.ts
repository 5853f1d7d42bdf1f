/**
 * Baselines: what a scenario's Atrium figures are compared with.
 *
 * `startReplayBaseline` runs a bare `node:http` server in a child process (so it gets a core of
 * its own, like Atrium, instead of sharing the load generator's event loop) that answers with
 * the exact bytes and content-type Atrium gave for the same request. The difference between the
 * two is then what Atrium's stack costs per request, not the payload.
 */
import { fork } from "node:child_process";
import path from "node:path";
import type { RequestSpec } from "./load";
import { settlesWithin } from "./util";

/** One HTTP response, as captured from Atrium. */
export interface CapturedResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/** Something the load generator can hit. */
export interface Endpoint {
  /** Shown in the table, e.g. "bare node:http". */
  label: string;
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  request: RequestSpec;
}

export interface RunningBaseline extends Endpoint {
  close(): Promise<void>;
}

/** Sends `request` once to `baseUrl` and captures the response; throws unless it is 2xx. */
export async function capture(baseUrl: string, request: RequestSpec): Promise<CapturedResponse> {
  const res = await fetch(baseUrl + request.path, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(10_000),
  });
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status < 200 || res.status > 299) {
    throw new Error(`${request.method} ${request.path} answered ${res.status}: ${body.toString("utf8").slice(0, 300)}`);
  }
  return { status: res.status, contentType: res.headers.get("content-type") ?? "application/octet-stream", body };
}

/**
 * Starts a bare node:http server replaying `response` to every GET, and checks it answers
 * byte for byte the same.
 */
export async function startReplayBaseline(label: string, response: CapturedResponse, request: RequestSpec): Promise<RunningBaseline> {
  if (request.method !== "GET") throw new Error(`the replay baseline answers GET only (got ${request.method})`);
  const script = path.join(import.meta.dirname, "replay-server.mjs");
  // execArgv: [] so the child is plain `node`, without the tsx loader this process runs under.
  const child = fork(script, [], { execArgv: [], stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if (!(await settlesWithin(exited, 5_000))) child.kill("SIGKILL");
    }
    await exited;
  };
  process.once("exit", () => child.kill("SIGTERM"));

  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the replay baseline did not start within 10 s")), 10_000);
      child.on("message", (msg: { type?: string; port?: number }) => {
        if (msg.type === "ready" && msg.port) {
          clearTimeout(timer);
          resolve(msg.port);
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the replay baseline exited during start (code ${code})`));
      });
      child.send({ type: "start", status: response.status, contentType: response.contentType, body: response.body.toString("base64") });
    });
    const url = `http://127.0.0.1:${port}`;
    const echo = await capture(url, request);
    if (!echo.body.equals(response.body) || echo.contentType !== response.contentType || echo.status !== response.status) {
      throw new Error("the replay baseline does not answer with the captured response");
    }
    return { label, url, request, close };
  } catch (err) {
    await close();
    throw err;
  }
}

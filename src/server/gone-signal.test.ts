/**
 * The going-away signal of an API request (goneSignalOf, ./request.ts) on a real node:http
 * server and real keep-alive connections: it fires when the client leaves mid-answer, and a
 * signal nobody listens to is handed on to the connection's next request, never to two at once.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, test } from "vitest";
import { goneSignalOf } from "./request";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, signal: AbortSignal) => void;

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Handler): Promise<{ url: string; signals: AbortSignal[] }> {
  const signals: AbortSignal[] = [];
  const server = http.createServer((req, res) => {
    const signal = goneSignalOf(res);
    signals.push(signal);
    handler(req, res, signal);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, signals };
}

/** One GET over `agent`; resolves with the body. */
function get(agent: http.Agent, url: string, path = "/"): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url + path, { agent }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve(body));
      })
      .on("error", reject);
  });
}

/** A GET whose connection is destroyed once the server has started on it. */
function getAndLeave(url: string, started: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false });
    req.on("error", () => resolve());
    void started.then(() => {
      req.destroy();
      resolve();
    });
  });
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe("the going-away signal", () => {
  test("fires when the client leaves before the answer is complete, not after a complete one", async () => {
    let begun!: () => void;
    const started = new Promise<void>((r) => (begun = r));
    const { url, signals } = await serve((req, res) => {
      if (req.url === "/slow") begun();
      else res.end("ok");
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get(agent, url)).toBe("ok");
    await getAndLeave(url + "/slow", started);
    await tick();
    agent.destroy();
    await tick();
    expect(signals).toHaveLength(2);
    expect(signals[0]!.aborted).toBe(false); // answered in full: closing the connection later does not fire it
    expect(signals[1]!.aborted).toBe(true);
  });

  test("an unheard signal is handed to the connection's next request, unfired", async () => {
    const { url, signals } = await serve((_req, res) => res.end("ok"));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 3; i++) {
      expect(await get(agent, url)).toBe("ok");
      await tick();
    }
    expect(signals).toHaveLength(3);
    expect(signals[1]).toBe(signals[0]);
    expect(signals[2]).toBe(signals[0]);
    expect(signals[0]!.aborted).toBe(false);
    // Another connection has its own.
    const other = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await get(other, url);
    expect(signals[3]).not.toBe(signals[0]);
    agent.destroy();
    other.destroy();
  });

  test("a signal still listened to after its answer is never handed on", async () => {
    const kept: Array<() => void> = [];
    const { url, signals } = await serve((req, res, signal) => {
      if (req.url === "/listen") {
        const onAbort = () => kept.push(onAbort);
        signal.addEventListener("abort", onAbort);
      }
      if (req.url === "/onabort") signal.onabort = () => {};
      res.end("ok");
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await get(agent, url, "/listen");
    await tick();
    await get(agent, url, "/onabort");
    await tick();
    await get(agent, url);
    await tick();
    expect(new Set(signals).size).toBe(3);
    agent.destroy();
  });

  test("a handed-on signal fires for the request holding it when its client leaves", async () => {
    let begun!: () => void;
    const started = new Promise<void>((r) => (begun = r));
    const heard: string[] = [];
    const { url, signals } = await serve((req, res, signal) => {
      if (req.url !== "/slow") return void res.end("ok");
      signal.addEventListener("abort", () => heard.push("abort"));
      begun();
    });
    // One connection for both requests: the second reuses the first's signal, then leaves.
    const socketPath = new URL(url);
    const { Socket } = await import("node:net");
    const socket = new Socket();
    await new Promise<void>((r) => socket.connect(Number(socketPath.port), "127.0.0.1", r));
    let got = "";
    socket.on("data", (c) => (got += c.toString()));
    socket.write("GET / HTTP/1.1\r\nhost: x\r\n\r\n");
    await expect.poll(() => got).toContain("ok");
    await tick();
    socket.write("GET /slow HTTP/1.1\r\nhost: x\r\n\r\n");
    await started;
    socket.destroy();
    await expect.poll(() => heard).toEqual(["abort"]);
    expect(signals[1]).toBe(signals[0]);
    expect(signals[1]!.aborted).toBe(true);
  });

  test("pipelined requests in flight together never share one", async () => {
    const pending: http.ServerResponse[] = [];
    const { url, signals } = await serve((_req, res) => {
      pending.push(res);
      if (pending.length % 2 === 0) for (const r of pending.slice(-2)) r.end("ok");
    });
    const { Socket } = await import("node:net");
    const socket = new Socket();
    await new Promise<void>((r) => socket.connect(Number(new URL(url).port), "127.0.0.1", r));
    let got = "";
    socket.on("data", (c) => (got += c.toString()));
    // Warm the connection so it holds a spare, then send two at once.
    socket.write("GET /a HTTP/1.1\r\nhost: x\r\n\r\n");
    socket.write("GET /b HTTP/1.1\r\nhost: x\r\n\r\n");
    await expect.poll(() => got.split("ok").length - 1).toBe(2);
    await tick();
    socket.write("GET /c HTTP/1.1\r\nhost: x\r\n\r\nGET /d HTTP/1.1\r\nhost: x\r\n\r\n");
    await expect.poll(() => got.split("ok").length - 1).toBe(4);
    socket.destroy();
    expect(signals).toHaveLength(4);
    expect(signals[0]).not.toBe(signals[1]);
    expect(signals[2]).not.toBe(signals[3]);
    expect(signals.every((s) => !s.aborted)).toBe(true);
  });
});

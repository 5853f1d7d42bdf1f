/**
 * What every server entry point needs to know about a request before it runs anything: its
 * id (set by the middleware, echoed as `x-request-id`), the client's address (honouring
 * ATRIUM_TRUST_PROXY) and a signal that fires when the client goes away. Done once here for the
 * tRPC route, the plugin route dispatcher and the sign-in routes.
 */
import type { FetchEvent } from "@solidjs/start/server";
import { randomUUID } from "node:crypto";
import { getEventListeners } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { getRequestIP } from "vinxi/http";
import type { Kernel } from "~/kernel/kernel";

export interface RequestMeta {
  requestId: string;
  ip: string | null;
  /** Aborted when the socket closes before the response has been sent (the browser's Stop). */
  signal: AbortSignal;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** The request id to use: the caller's `x-request-id` when it is a sane token, else a new UUID. */
export function requestIdFrom(headers: Pick<Headers, "get">): string {
  return requestIdOf(headers.get("x-request-id"));
}

/** The request id for a raw `x-request-id` value (node's header object). */
export function requestIdOf(incoming: string | string[] | null | undefined): string {
  return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The client's address on a node request: the first `X-Forwarded-For` hop only when trusted. */
export function clientAddressOf(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket?.remoteAddress ?? null;
}

/** Where a connection keeps the going-away controller its last finished request left unused. */
const SPARE = Symbol("atrium.spareGoneController");
type WithSpare = Socket & { [SPARE]?: AbortController };

/**
 * A signal that fires when the socket closes before the response has been sent.
 *
 * Making an `AbortSignal` is a sixth of a trivial API call's server time (node builds it as an
 * `EventTarget` and then swaps its prototype), and nearly every call ends with its signal never
 * fired and never listened to. Such a signal is handed on to the next request on the same
 * connection, one request at a time: when a response has been sent in full, its signal did not
 * fire and nothing listens to it any more, the connection keeps it for its next request.
 * A signal is therefore only ever aborted by the going-away of a request that holds it at that
 * moment; code that kept a finished request's signal without listening to it must not read it
 * (nothing in Atrium does: a finished answer has nothing left to stop).
 */
export function goneSignalOf(res: ServerResponse): AbortSignal {
  const socket = res.socket as WithSpare | null;
  let gone = socket?.[SPARE];
  if (gone) socket![SPARE] = undefined;
  else gone = new AbortController();
  const controller = gone;
  res.once("close", () => {
    if (!res.writableFinished) {
      controller.abort();
      return;
    }
    if (socket && !socket.destroyed && !controller.signal.aborted && !listenedTo(controller.signal)) socket[SPARE] = controller;
  });
  return controller.signal;
}

/** Whether anything still listens to the signal (an `abort` listener, or an `onabort` handler). */
function listenedTo(signal: AbortSignal): boolean {
  return signal.onabort !== null || getEventListeners(signal, "abort").length > 0;
}

/** The request's id, address and going-away signal. */
export function requestMetaOf(event: FetchEvent, kernel: Pick<Kernel, "config">): RequestMeta {
  const locals = event.locals as { requestId?: string; requestMeta?: RequestMeta };
  if (locals.requestMeta) return locals.requestMeta;
  const requestId = locals.requestId ?? requestIdFrom(event.request.headers);
  // The request's own signal does not fire when the client disconnects; the socket closing
  // before the answer is complete does (so a model call or a long query stops too).
  const gone = new AbortController();
  const res = event.nativeEvent.node.res;
  if (res) {
    res.once("close", () => {
      if (!res.writableFinished) gone.abort();
    });
  }
  const meta: RequestMeta = {
    requestId,
    ip: getRequestIP(event.nativeEvent, { xForwardedFor: kernel.config.trustProxy }) ?? null,
    signal: gone.signal,
  };
  locals.requestMeta = meta;
  return meta;
}

/**
 * After refusing a body unread (413): close the connection instead of draining what the client
 * is still sending (200 MB read and thrown away is CPU time), but close it gently — a lingering
 * close. Node would destroy the socket the moment the answer is flushed; with the client's bytes
 * still unread, the kernel then sends a reset, and a client that had not yet read the 413 loses
 * it (it sees ECONNRESET instead). So: stop reading, half-close (the answer, then FIN, so the
 * client learns the server is done), and destroy only after a grace period.
 */
const LINGER_MS = 2_000;

export function refuseRestOfBody(event: FetchEvent): void {
  const { req, res } = event.nativeEvent.node;
  if (!res || !req) return;
  refuseRestOfNodeBody(req, res);
}

/** {@link refuseRestOfBody} on node's request and response (the API path, src/server/api.ts). */
export function refuseRestOfNodeBody(req: IncomingMessage, res: ServerResponse): void {
  if (!res.headersSent) res.setHeader("connection", "close");
  const socket = req.socket;
  if (!socket || socket.destroyed) return;
  // Node calls destroySoon() once a `connection: close` response has finished.
  socket.destroySoon = function lingeringClose(this: typeof socket) {
    this.pause();
    if (this.writable) this.end();
    setTimeout(() => this.destroy(), LINGER_MS).unref();
  };
}

/**
 * Request body limits, enforced while the body streams in and before anything parses it.
 *
 * A declared `Content-Length` over the limit is refused unread; a chunked body is counted as
 * it arrives and cut off at the first byte past the limit. Callers that present no credentials
 * (no session cookie, no bearer token) get the small limit without any database work; a
 * presented credential earns the large one, and the tRPC route re-checks against the small
 * one once the credential turns out to be worthless (so a fake cookie buys nothing).
 */
import { readSessionCookie } from "../auth/session";
import type { HeaderReader } from "../auth/request";
import type { AtriumConfig } from "../config";

/** Thrown (or used as a stream's error) when a body exceeds its limit. */
export class PayloadTooLarge extends Error {
  override name = "PayloadTooLarge";
  constructor(readonly limit: number) {
    super(`The request body is too large: at most ${formatBytes(limit)} (${limit} bytes).`);
  }
}

/** True when `err` or any error in its `cause` chain is a {@link PayloadTooLarge}. */
export function isPayloadTooLarge(err: unknown): err is PayloadTooLarge {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof PayloadTooLarge) return true;
  }
  return false;
}

/** The PayloadTooLarge in `err`'s cause chain. */
export function payloadTooLargeOf(err: unknown): PayloadTooLarge | null {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof PayloadTooLarge) return e;
  }
  return null;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${n} bytes`;
}

/** Whether the request carries a credential worth checking (a session cookie or an Authorization header). */
export function presentsCredentials(headers: HeaderReader): boolean {
  return headers.get("authorization") !== null || readSessionCookie(headers.get("cookie")) !== null;
}

/** The limit for a request before its caller is known: from the credentials it presents. */
export function bodyLimitFor(headers: HeaderReader, config: Pick<AtriumConfig, "maxBodyBytes">): number {
  return presentsCredentials(headers) ? config.maxBodyBytes.signedIn : config.maxBodyBytes.anonymous;
}

/** True when a declared Content-Length exceeds `limit` (the body is then refused unread). */
export function declaredTooLarge(headers: HeaderReader, limit: number): boolean {
  const declared = headers.get("content-length");
  if (declared === null) return false;
  const n = Number(declared);
  // A malformed length is not trusted either way: the streaming count decides.
  return Number.isFinite(n) && n > limit;
}

/** True when the request declares a plain Content-Length no larger than `limit` (HTTP framing then bounds its body). */
export function declaredWithin(headers: HeaderReader, limit: number): boolean {
  const value = headers.get("content-length");
  return value !== null && /^\d{1,15}$/.test(value) && Number(value) <= limit;
}

/** The body as bytes, reading no more than `limit`; throws {@link PayloadTooLarge} past it. */
export async function readBodyLimited(request: Request, limit: number): Promise<Uint8Array> {
  if (declaredTooLarge(request.headers, limit)) throw new PayloadTooLarge(limit);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > limit) {
        void reader.cancel().catch(() => {});
        throw new PayloadTooLarge(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * The same request with its body capped at `limit`: reading past it fails with
 * {@link PayloadTooLarge} (whoever reads it, `request.json()` or a library). Use when the handler
 * streams the body itself.
 */
export function withBodyLimit(request: Request, limit: number, signal?: AbortSignal): Request {
  if (!request.body) return signal ? new Request(request, { signal }) : request;
  let received = 0;
  const counted = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > limit) controller.error(new PayloadTooLarge(limit));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: counted,
    signal: signal ?? request.signal,
    // Node's fetch requires this for a streamed request body.
    duplex: "half",
  } as RequestInit);
}

/** The same request with a body already read (so a library can parse it again). */
export function withBufferedBody(request: Request, body: Uint8Array, signal?: AbortSignal): Request {
  const method = request.method.toUpperCase();
  return new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: method === "GET" || method === "HEAD" ? undefined : (body as BodyInit),
    signal: signal ?? request.signal,
  });
}

/** How many calls a tRPC request makes: `<endpoint>/a,b,c?batch=1` makes three. */
export function batchSizeOf(url: Pick<URL, "pathname" | "searchParams">, endpoint: string): number {
  if (!url.searchParams.has("batch")) return 1;
  const paths = url.pathname.slice(endpoint.length + 1);
  return paths ? paths.split(",").length : 0;
}

/**
 * HTTP to a remote Atrium for the CLI: the bearer token on every request (never printed),
 * exponential backoff with jitter while the server is unreachable, answers 5xx, or rate limits
 * (honouring Retry-After), up to a total wait; clear errors for a refused token.
 */
import { CliProblem } from "./config";

export interface ClientOptions {
  server: string;
  token: string;
  /** Give up after waiting this long in total for one request (ms). */
  maxWaitMs: number;
  /** Trades a refused (expired) OAuth access token for a new one; tried once per request. */
  refresh?: (refused: string) => Promise<string>;
  /** Told before each wait (for the progress line). */
  onRetry?: (info: { attempt: number; waitMs: number; reason: string }) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);

export function backoffMs(attempt: number, retryAfterSeconds: number | null): number {
  if (retryAfterSeconds !== null) return Math.min(60_000, retryAfterSeconds * 1000);
  const base = Math.min(30_000, 500 * 2 ** attempt);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

function unreachable(err: unknown): string | null {
  const cause = (err as { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (err as { code?: string }).code;
  if (code && ["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "EPIPE"].includes(code)) return code;
  if ((err as Error).name === "TypeError" && /fetch failed/.test((err as Error).message)) return "fetch failed";
  return null;
}

export class RemoteClient {
  private token: string;

  constructor(private readonly options: ClientOptions) {
    this.token = options.token;
  }

  get server(): string {
    return this.options.server;
  }

  async request<T>(method: string, path: string, init: { body?: Uint8Array | string; headers?: Record<string, string> } = {}): Promise<ApiAnswer<T>> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    let waited = 0;
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      let reason: string;
      let retryAfter: number | null = null;
      try {
        const res = await fetch(new URL(path, this.options.server), {
          method,
          headers: { authorization: `Bearer ${this.token}`, "user-agent": "atrium-cli", ...init.headers },
          body: init.body as BodyInit | undefined,
        });
        const text = await res.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON: kept as text */
        }
        if (res.status === 401 && this.options.refresh && !refreshed) {
          refreshed = true;
          this.token = await this.options.refresh(this.token);
          attempt--;
          continue;
        }
        if (res.status === 401) {
          throw new CliProblem(`${this.options.server} refused the token (${messageOf(body) ?? "unauthorized"}): it may be revoked, expired or mistyped. Run \`atrium login --server ${this.options.server}\` with a new one.`, 3);
        }
        if (!RETRY_STATUS.has(res.status)) return { status: res.status, body: body as T, headers: res.headers };
        reason = `HTTP ${res.status}`;
        const ra = Number(res.headers.get("retry-after"));
        if (Number.isFinite(ra) && ra > 0) retryAfter = ra;
      } catch (err) {
        if (err instanceof CliProblem) throw err;
        const code = unreachable(err);
        if (!code) throw err;
        reason = `unreachable (${code})`;
      }
      const waitMs = backoffMs(attempt, retryAfter);
      if (waited + waitMs > this.options.maxWaitMs) {
        throw new CliProblem(`Cannot reach ${this.options.server}: ${reason}, still after ${Math.round(waited / 1000)} s of retries. Nothing is lost: run the same command again to resume.`, 4);
      }
      this.options.onRetry?.({ attempt: attempt + 1, waitMs, reason });
      await sleep(waitMs);
      waited += waitMs;
    }
  }
}

export function messageOf(body: unknown): string | null {
  const error = (body as { error?: { message?: unknown } } | null)?.error;
  return typeof error?.message === "string" ? error.message : null;
}

export function codeOf(body: unknown): string | null {
  const error = (body as { error?: { code?: unknown } } | null)?.error;
  return typeof error?.code === "string" ? error.code : null;
}

/**
 * Typed events: an in-process bus that rides on PostgreSQL LISTEN/NOTIFY, so every app
 * instance on the same database sees every event, including its own.
 *
 * Emitting inside a transaction (`{ db: trx }`) delivers only if that transaction commits,
 * because NOTIFY is transactional. Payloads stay small (ids, not documents).
 */
import { randomUUID } from "node:crypto";
import { sql, type Kysely } from "kysely";
import type { KernelDatabase } from "./db/schema";
import pg from "pg";
import type { Logger } from "./log";

/**
 * Every event name and its payload. Plugins add theirs by declaration merging:
 * `declare module "~/kernel/events" { interface AtriumEvents { "sharing.link.created": {...} } }`
 */
export interface AtriumEvents {
  /** Emitted by the kernel when an instance starts; useful to see fan-out working. */
  "kernel.instance.started": { instanceId: string };
}

export type EventName = keyof AtriumEvents;

/** What listeners and subscribers receive. */
export interface EventEnvelope<N extends EventName = EventName> {
  id: string;
  name: N;
  payload: AtriumEvents[N];
  /** Tenant the event belongs to; subscribers filter on it. */
  orgId: string | null;
  at: string;
  /** The instance that emitted it. */
  origin: string;
}

export type EventListener<N extends EventName> = (event: EventEnvelope<N>) => void | Promise<void>;

export const EVENT_CHANNEL = "atrium_events";
/** PostgreSQL's NOTIFY payload limit is 8000 bytes; leave room for the envelope. */
export const MAX_EVENT_BYTES = 7500;

export class EventBus {
  readonly instanceId = randomUUID();
  private listeners = new Map<string, Set<EventListener<EventName>>>();
  private client: pg.Client | null = null;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly db: Kysely<KernelDatabase>,
    private readonly log: Logger,
  ) {}

  /** Opens the LISTEN connection. Resolves once it is listening. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: "atrium-events" });
    client.on("notification", (msg) => {
      if (msg.channel !== EVENT_CHANNEL || !msg.payload) return;
      let event: EventEnvelope;
      try {
        event = JSON.parse(msg.payload) as EventEnvelope;
      } catch {
        this.log.warn("dropped a malformed event notification");
        return;
      }
      this.dispatch(event);
    });
    client.on("error", (err) => {
      if (this.stopped) return;
      this.log.warn({ err: err.message }, "event listener connection lost; reconnecting");
      this.scheduleReconnect();
    });
    client.on("end", () => this.scheduleReconnect());
    await client.connect();
    await client.query(`listen ${EVENT_CHANNEL}`);
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.client = null;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch((err: Error) => {
        this.log.warn({ err: err.message }, "event listener reconnect failed");
        this.scheduleReconnect();
      });
    }, 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  /**
   * Publishes an event to every instance. Pass `db: trx` to publish on commit of that
   * transaction only.
   */
  async emit<N extends EventName>(
    name: N,
    payload: AtriumEvents[N],
    options: { orgId?: string | null; db?: Kysely<KernelDatabase> } = {},
  ): Promise<void> {
    const envelope: EventEnvelope<N> = {
      id: randomUUID(),
      name,
      payload,
      orgId: options.orgId ?? null,
      at: new Date().toISOString(),
      origin: this.instanceId,
    };
    const text = JSON.stringify(envelope);
    if (Buffer.byteLength(text) > MAX_EVENT_BYTES) {
      throw new Error(`Event ${name} is ${Buffer.byteLength(text)} bytes; events carry ids, not documents (limit ${MAX_EVENT_BYTES})`);
    }
    await sql`select pg_notify(${EVENT_CHANNEL}, ${text})`.execute(options.db ?? this.db);
  }

  /** Registers a listener; returns a function that removes it. */
  on<N extends EventName>(name: N, listener: EventListener<N>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as unknown as EventListener<EventName>);
    return () => set.delete(listener as unknown as EventListener<EventName>);
  }

  /**
   * Yields events of `name` (optionally of one org) until `signal` aborts: the source for
   * tRPC subscriptions over SSE.
   */
  async *stream<N extends EventName>(
    name: N,
    options: { orgId?: string; signal?: AbortSignal } = {},
  ): AsyncGenerator<EventEnvelope<N>> {
    const queue: EventEnvelope<N>[] = [];
    let wake: (() => void) | null = null;
    const off = this.on(name, (event) => {
      if (options.orgId && event.orgId !== options.orgId) return;
      queue.push(event);
      wake?.();
    });
    const aborted = new Promise<void>((resolve) => {
      if (options.signal?.aborted) resolve();
      options.signal?.addEventListener("abort", () => resolve(), { once: true });
    });
    try {
      while (!options.signal?.aborted) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        await Promise.race([new Promise<void>((r) => (wake = r)), aborted]);
        wake = null;
      }
    } finally {
      off();
    }
  }

  private dispatch(event: EventEnvelope): void {
    const set = this.listeners.get(event.name);
    if (!set) return;
    for (const listener of set) {
      Promise.resolve()
        .then(() => listener(event))
        .catch((err: unknown) => {
          this.log.error({ err, event: event.name }, "event listener failed");
        });
    }
  }
}

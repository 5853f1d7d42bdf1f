/**
 * Audit events for agents' read-only calls, written in batches: a tool call that only reads
 * queues its event and answers; the queue is written within `maxDelayMs` (or at `maxBatch`
 * events), one transaction per (person, org) — the scope row-level security checks — and at
 * once when the plugin stops. Calls that write (and failures) are still recorded before the
 * answer (server.ts). Each event keeps the time of its call.
 *
 * What a crash can lose is bounded: the events of the last `maxDelayMs` of read-only calls on
 * that instance. A batch that cannot be written is logged and retried once with the next one.
 */
import { withScope } from "~/kernel/scope";
import type { Kernel } from "~/kernel/kernel";
import { auditJsonOf, auditRecordOf, writeAuditJson, type AuditActor, type AuditEntry } from "~/kernel/audit";

interface Pending {
  scope: { userId: string; orgId: string };
  /** The event's row as JSON text, written when it is queued: one string waits, not a tree of objects (ADR 041). */
  json: string;
  retried: boolean;
}

export class AuditBatcher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly kernel: Pick<Kernel, "db" | "log">,
    private readonly options: { maxDelayMs: number; maxBatch: number } = { maxDelayMs: 100, maxBatch: 200 },
  ) {}

  /** Queues one event; it is written within `maxDelayMs`. */
  add(scope: { userId: string; orgId: string }, actor: AuditActor, entry: AuditEntry, meta: { ip?: string | null; requestId?: string | null }): void {
    this.queue.push({ scope, json: auditJsonOf(auditRecordOf(actor, entry, { ip: meta.ip, requestId: meta.requestId, at: new Date() })), retried: false });
    if (this.queue.length >= this.options.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.options.maxDelayMs);
  }

  /** Writes everything queued so far; resolves when it is stored (or logged as lost). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.queue;
    this.queue = [];
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  get pending(): number {
    return this.queue.length;
  }

  private async write(batch: Pending[]): Promise<void> {
    if (!batch.length) return;
    const groups = new Map<string, Pending[]>();
    for (const item of batch) {
      const key = `${item.scope.userId}:${item.scope.orgId}`;
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
    for (const group of groups.values()) {
      const scope = group[0]!.scope;
      try {
        await withScope(this.kernel.db, scope, (trx) => writeAuditJson(trx, `[${group.map((p) => p.json).join(",")}]`));
      } catch (err) {
        const again = group.filter((p) => !p.retried);
        this.kernel.log.error({ err, events: group.length, retrying: again.length > 0 }, "could not record agents' read-only calls in the audit log");
        for (const p of again) this.queue.push({ scope: p.scope, json: p.json, retried: true });
        if (again.length) this.timer ??= setTimeout(() => void this.flush(), this.options.maxDelayMs * 10);
      }
    }
  }
}

const batchers = new WeakMap<object, AuditBatcher>();

/** The kernel's batcher (one per kernel: tests boot several in one process). */
export function auditBatcherFor(kernel: Pick<Kernel, "db" | "log">): AuditBatcher {
  let batcher = batchers.get(kernel);
  if (!batcher) {
    batcher = new AuditBatcher(kernel);
    batchers.set(kernel, batcher);
  }
  return batcher;
}

/** Writes what is queued for `kernel`, if anything (plugin stop; tests). */
export async function flushAgentAudit(kernel: object): Promise<void> {
  await batchers.get(kernel)?.flush();
}

/**
 * What `atrium sync` says while it works: on a terminal, one line rewritten in place (rows,
 * rows/s, ETA); piped, one plain line per batch; with `--json`, nothing until the summary.
 */
export interface Reporter {
  start(label: string, total: { rows: number | null; bytes: number | null }): void;
  batch(info: { rows: number; accepted: number; duplicates: number; bytes: number }): void;
  retry(reason: string, waitMs: number): void;
  done(): void;
  note(line: string): void;
}

const fmt = new Intl.NumberFormat("en");

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.ceil(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")}m`;
}

export function createReporter(mode: "tty" | "plain" | "json", write: (text: string) => void): Reporter {
  let label = "";
  let total: { rows: number | null; bytes: number | null } = { rows: null, bytes: null };
  let rows = 0;
  let bytes = 0;
  let started = 0;
  const line = () => {
    const secs = (performance.now() - started) / 1000;
    const rate = secs > 0 ? rows / secs : 0;
    let eta = "";
    if (total.rows) eta = ` ETA ${duration((total.rows - rows) / Math.max(rate, 1e-9))}`;
    else if (total.bytes) eta = ` ETA ${duration((total.bytes - bytes) / Math.max(bytes / Math.max(secs, 1e-9), 1e-9))}`;
    const of = total.rows !== null ? `/${fmt.format(total.rows)}` : "";
    const pct = total.rows ? ` ${Math.min(100, Math.floor((rows / total.rows) * 100))}%` : total.bytes ? ` ${Math.min(100, Math.floor((bytes / total.bytes) * 100))}%` : "";
    return `${label}: ${fmt.format(rows)}${of} rows${pct} ${fmt.format(Math.round(rate))} rows/s${eta}`;
  };
  return {
    start(l, t) {
      label = l;
      total = t;
      rows = 0;
      bytes = 0;
      started = performance.now();
      if (mode === "tty") write(`\r\x1b[2K${line()}`);
    },
    batch(info) {
      rows += info.rows;
      bytes += info.bytes;
      if (mode === "tty") write(`\r\x1b[2K${line()}`);
      else if (mode === "plain") write(`${label}: sent ${fmt.format(info.rows)} rows (${fmt.format(info.accepted)} new or changed, ${fmt.format(info.duplicates)} already there), ${fmt.format(rows)} in all\n`);
    },
    retry(reason, waitMs) {
      const text = `${label}: server ${reason}; retrying in ${(waitMs / 1000).toFixed(1)} s`;
      if (mode === "tty") write(`\r\x1b[2K${text}`);
      else if (mode === "plain") write(`${text}\n`);
    },
    done() {
      if (mode === "tty") write(`\r\x1b[2K${line()}\n`);
    },
    note(text) {
      if (mode !== "json") write(`${text}\n`);
    },
  };
}

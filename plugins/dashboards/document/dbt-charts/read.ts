/**
 * dbt Charts board YAML → Atrium dashboard document, with every problem located at its line and
 * column. The board is refused whole when anything in it cannot be honoured (`errors`); keys that
 * are kept in the source but not drawn are listed as `notices`. Browser-safe, pure.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, type Document, type Node } from "yaml";
import { specError, type PathSegment, type SpecError } from "../errors";
import { issuesToErrors, MAX_DOCUMENT_CHARS, validateDashboardValue } from "../parse";
import type { Dashboard } from "../schema";
import { convertBoard, type ConvertOptions, type LocatedError } from "./convert";
import { dbtBoardSchema, type DbtBoard } from "./schema";

export type DbtChartsResult =
  | { ok: true; doc: Dashboard; board: DbtBoard; notices: SpecError[]; sourceNames: string[]; unmappedSources: string[] }
  | { ok: false; errors: SpecError[]; notices: SpecError[] };

/** Reads a dbt Charts board and converts it to Atrium's document (see ConvertOptions for sources). */
export function readDbtCharts(text: string, options: ConvertOptions = {}): DbtChartsResult {
  if (typeof text !== "string") return { ok: false, errors: [specError("invalid_type", "", "The board must be text", "Send the YAML as a string.")], notices: [] };
  if (text.length > MAX_DOCUMENT_CHARS) {
    return { ok: false, errors: [specError("too_large", "", `The board is ${text.length} characters long`, `Keep it under ${MAX_DOCUMENT_CHARS} characters.`)], notices: [] };
  }
  const lineCounter = new LineCounter();
  const yamlDoc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  if (yamlDoc.errors.length) {
    return {
      ok: false,
      notices: [],
      errors: yamlDoc.errors.map((e) => {
        const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
        return { code: "yaml_syntax", path: "", message: e.message.split("\n")[0]!.trim(), hint: "Check indentation (spaces, not tabs), the colon after each key, and quote values containing `: ` or ` #`.", line: pos.line, column: pos.col };
      }),
    };
  }
  const reserved: SpecError[] = [];
  visit(yamlDoc, {
    Pair(_k, pair) {
      if (isScalar(pair.key) && pair.key.value === "__proto__") reserved.push({ ...specError("invalid_value", "", "`__proto__` cannot be used as a key", "Rename it."), ...position(pair.key, lineCounter) });
    },
  });
  if (reserved.length) return { ok: false, errors: reserved, notices: [] };
  let data: unknown;
  try {
    data = yamlDoc.toJS({ maxAliasCount: 100 });
  } catch {
    return { ok: false, errors: [specError("yaml_syntax", "", "The YAML could not be read", "Remove excessive aliases (*name) from the board.")], notices: [] };
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    return { ok: false, errors: [{ ...specError("invalid_type", "", "A board is a mapping of keys", "Start with `title: My board` on the first line."), line: 1, column: 1 }], notices: [] };
  }
  const where = (e: LocatedError) => locate(e, yamlDoc, lineCounter, text);
  const parsed = dbtBoardSchema.safeParse(data);
  if (!parsed.success) return { ok: false, errors: sorted(issuesToErrors(parsed.error.issues, data, dbtBoardSchema).map(where)), notices: [] };
  const converted = convertBoard(parsed.data, options);
  const notices = sorted(converted.notices.map(where));
  if (converted.errors.length) return { ok: false, errors: sorted(converted.errors.map(where)), notices };
  // The converted document must be a valid Atrium document; anything it is not is a bug to report, not to run.
  const check = validateDashboardValue(converted.doc);
  if (!check.ok) return { ok: false, errors: check.errors.map((e) => ({ ...e, code: "not_convertible", hint: `${e.hint} (in the board as Atrium reads it)` })), notices };
  return { ok: true, doc: check.doc, board: parsed.data, notices, sourceNames: converted.sourceNames, unmappedSources: converted.unmappedSources };
}

function sorted(errors: SpecError[]): SpecError[] {
  return errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function position(node: Node, lineCounter: LineCounter): { line: number; column: number } | Record<string, never> {
  const offset = node.range?.[0];
  if (offset === undefined) return {};
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** The line and column of an error's path (the key for key-level errors, else the value). */
function locate(error: LocatedError, doc: Document, lineCounter: LineCounter, text: string): SpecError {
  const { sqlLine, sqlText, atKey, ...rest } = error;
  const path: PathSegment[] = error.path === "" ? [] : error.path.split(".");
  let node: unknown = doc.contents;
  let keyNode: unknown = null;
  let resolved = 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) break;
      keyNode = null;
      node = item;
    } else break;
    resolved++;
  }
  const complete = resolved === path.length;
  const keyLevel = error.code === "unknown_key" || error.code === "not_drawn" || atKey || node === null || node === undefined;
  const target = complete && keyLevel && keyNode ? keyNode : (node ?? keyNode);
  if (!target || typeof target !== "object" || !("range" in target)) return rest;
  const pos = position(target as Node, lineCounter);
  if (!("line" in pos)) return rest;
  if (sqlLine !== undefined && isScalar(target)) {
    const block = (target as Scalar).type === Scalar.BLOCK_LITERAL || (target as Scalar).type === Scalar.BLOCK_FOLDED;
    const line = pos.line + sqlLine + (block ? 1 : 0);
    const at = sqlText ? (text.split("\n")[line - 1] ?? "").indexOf(sqlText) : -1;
    return { ...rest, line, ...(at >= 0 ? { column: at + 1 } : {}) };
  }
  return { ...rest, ...pos };
}

declare module "pg/lib/utils.js" {
  /** node-postgres' text form of a parameter value (a Buffer for binary, null for SQL NULL). */
  export function prepareValue(value: unknown): string | Buffer | null;
  const utils: { prepareValue: typeof prepareValue };
  export default utils;
}

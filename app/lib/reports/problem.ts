// One problem found in a document: where (a JSON Pointer) and what. Shared by every report reader.

/** A problem in a document. `path` is a JSON Pointer (RFC 6901) to the offending value, or to the
 *  missing property itself (`/gates/2/status`); `''` means the whole document. */
export interface Problem {
  path: string;
  message: string;
}

/** Appends one reference token to a JSON Pointer, escaping `~` and `/` as RFC 6901 requires. */
export function pointerJoin(base: string, token: string | number): string {
  return `${base}/${String(token).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

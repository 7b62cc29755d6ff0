// A minimal zip reader for artifact archives: stored and deflated entries, read through the central
// directory (so data descriptors are fine), CRC-32 checked. Refuses rather than guesses: absolute or
// `..` paths, links, encryption, ZIP64, duplicate names and archives that inflate beyond a limit.
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** The entry's path inside the archive, `/`-separated, never absolute, never with `.` or `..`. */
  name: string;
  data: Uint8Array;
}

export type ZipRead = { ok: true; entries: ZipEntry[] } | { ok: false; problems: string[] };

/** Upper bound on what one artifact may inflate to: reports are kilobytes, so 64 MiB is generous. */
export const MAX_UNZIPPED_BYTES = 64 * 1024 * 1024;

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
/** Upper 16 bits of the external attributes hold the Unix mode when the archive was made on Unix. */
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Reads every file entry of a zip archive; directory entries are skipped. Never throws on bad input:
 *  every problem found is returned. */
export function readZip(bytes: Uint8Array, maxBytes = MAX_UNZIPPED_BYTES): ZipRead {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  if (eocd < 0) return { ok: false, problems: ['not a zip archive: no end-of-central-directory record'] };
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) {
    return { ok: false, problems: ['ZIP64 archives are not supported: expected a small zip of reports'] };
  }
  if (cdOffset + cdSize > eocd) {
    return { ok: false, problems: ['corrupt zip: the central directory lies outside the archive'] };
  }

  const problems: string[] = [];
  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let total = 0;
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL_SIGNATURE) {
      problems.push(`corrupt zip: central directory entry ${i} is malformed`);
      break;
    }
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    const compressedSize = view.getUint32(p + 20, true);
    const size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    const externalAttrs = view.getUint32(p + 38, true);
    const localOffset = view.getUint32(p + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLength));
    p += 46 + nameLength + extraLength + commentLength;

    const unsafe = unsafePathReason(name);
    if (unsafe) {
      problems.push(`entry "${name}": ${unsafe}`);
      continue;
    }
    if (name.endsWith('/')) continue; // a directory: the files under it carry their full paths
    if (((externalAttrs >>> 16) & S_IFMT) === S_IFLNK) {
      problems.push(`entry "${name}": symbolic links are refused: expected regular files`);
      continue;
    }
    if (flags & 0x1) {
      problems.push(`entry "${name}": encrypted entries are refused`);
      continue;
    }
    if (seen.has(name)) {
      problems.push(`entry "${name}": the name appears twice`);
      continue;
    }
    seen.add(name);
    if (method !== METHOD_STORED && method !== METHOD_DEFLATED) {
      problems.push(`entry "${name}": compression method ${method}: expected 0 (stored) or 8 (deflated)`);
      continue;
    }
    total += size;
    if (total > maxBytes) {
      problems.push(`the archive inflates beyond ${maxBytes} bytes: expected a small zip of reports`);
      break;
    }
    if (localOffset + 30 > bytes.length || view.getUint32(localOffset, true) !== LOCAL_SIGNATURE) {
      problems.push(`entry "${name}": its local header is missing`);
      continue;
    }
    const dataStart =
      localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
    if (dataStart + compressedSize > bytes.length) {
      problems.push(`entry "${name}": its data runs past the end of the archive`);
      continue;
    }
    const raw = bytes.subarray(dataStart, dataStart + compressedSize);
    let data: Uint8Array;
    try {
      data =
        method === METHOD_STORED ? raw : new Uint8Array(inflateRawSync(raw, { maxOutputLength: size + 1 }));
    } catch (err) {
      problems.push(`entry "${name}": cannot inflate: ${(err as Error).message}`);
      continue;
    }
    if (data.length !== size) {
      problems.push(`entry "${name}": expected ${size} bytes, got ${data.length}`);
      continue;
    }
    if (crc32(data) >>> 0 !== crc) {
      problems.push(`entry "${name}": CRC-32 mismatch: the data is corrupt`);
      continue;
    }
    entries.push({ name, data });
  }
  return problems.length ? { ok: false, problems } : { ok: true, entries };
}

/** Why a path may not be extracted (absolute, a drive letter, backslashes, `.` or `..`), or null. */
export function unsafePathReason(name: string): string | null {
  if (name === '') return 'empty path';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'absolute paths are refused';
  if (name.includes('\\')) return 'backslashes are refused: expected "/" separators';
  if (name.includes('\0')) return 'NUL in a path is refused';
  const parts = name.replace(/\/$/, '').split('/');
  if (parts.some((s) => s === '..')) return '".." in a path is refused: it could leave the folder';
  if (parts.some((s) => s === '.' || s === '')) return 'empty or "." path segments are refused';
  return null;
}

function findEndOfCentralDirectory(view: DataView): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const min = Math.max(0, view.byteLength - 22 - 0xffff);
  for (let i = view.byteLength - 22; i >= min; i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) return i;
  }
  return -1;
}

// Reproducible .tar.gz: a POSIX ustar writer (512-byte headers, octal fields, checksums, two zero
// blocks at the end), a reader that lists entries without extracting, and a gzip with a fixed header.
// Hard rule: the bytes depend only on the entries given (paths, modes, contents) and the one mtime.
import { gunzipSync, gzipSync } from 'node:zlib';

export const BLOCK = 512;

/** One archive member. Directories end in `/`; paths are relative, ASCII, without `.` or `..`. */
export interface TarEntry {
  path: string;
  type: 'file' | 'directory';
  /** Permission bits, e.g. 0o755; nothing above 0o777 (no setuid, setgid or sticky bit). */
  mode: number;
  /** File contents; absent for directories. */
  data?: Uint8Array;
}

export interface TarWriteOptions {
  /** Modification time of every entry, in seconds since the epoch (the commit time). */
  mtime: number;
}

/** What a header says, as `readTar` found it. */
export interface TarHeader {
  path: string;
  /** The typeflag character: `0` file, `5` directory, `2` symlink, `1` hard link, ... */
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  size: number;
  mtime: number;
  linkname: string;
  /** Byte offset of the header in the archive. */
  offset: number;
}

export interface TarListing {
  entries: TarHeader[];
  /** Every problem found (bad checksum, truncated data, missing end blocks), never thrown. */
  problems: string[];
}

// Field offsets and lengths of the ustar header (POSIX.1-1988, pax "ustar Interchange Format").
const F = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

/** Owner written into every entry: root, numeric 0 (what `tar --owner=0 --group=0` gives). */
const OWNER = { uid: 0, gid: 0, uname: 'root', gname: 'root' };

/**
 * Builds an uncompressed ustar archive of `entries`, sorted by path (bytewise), every entry owned by
 * root (0/0) with the one `mtime`. Throws an Error for a path or mode it cannot represent (a bug in
 * the caller: release paths are fixed).
 */
export function createTar(entries: TarEntry[], opts: TarWriteOptions): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seen = new Set<string>();
  const parts: Buffer[] = [];
  for (const entry of sorted) {
    checkEntry(entry);
    if (seen.has(entry.path)) throw new Error(`tar: duplicate entry ${entry.path}`);
    seen.add(entry.path);
    const data = entry.type === 'file' ? Buffer.from(entry.data ?? new Uint8Array()) : Buffer.alloc(0);
    parts.push(header(entry, data.length, opts.mtime));
    if (data.length) {
      parts.push(data, Buffer.alloc(padding(data.length)));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/**
 * gzip with a fixed header: no file name, mtime 0, OS byte 3 (Unix) whatever the platform, level 9.
 * The deflate stream itself comes from Node's zlib: the same Node (zlib) version gives the same bytes.
 */
export function gzipDeterministic(data: Uint8Array): Buffer {
  const out = gzipSync(data, { level: 9, memLevel: 8, windowBits: 15, strategy: 0 });
  // RFC 1952 header: ID1 ID2 CM FLG MTIME(4) XFL OS. The header is not covered by the CRC.
  if (out[0] !== 0x1f || out[1] !== 0x8b || out[2] !== 8 || out[3] !== 0 || out.readUInt32LE(4) !== 0) {
    throw new Error(`gzip: unexpected header ${out.subarray(0, 10).toString('hex')}`);
  }
  out[9] = 3;
  return out;
}

/** Decompresses a .tar.gz and lists it (see `readTar`). */
export function readTarGz(gz: Uint8Array): TarListing {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz);
  } catch (err) {
    return { entries: [], problems: [`not a gzip stream: ${(err as Error).message}`] };
  }
  return readTar(tar);
}

/** Lists the entries of an uncompressed ustar archive without extracting; never throws on bad data. */
export function readTar(tar: Uint8Array): TarListing {
  const buf = Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength);
  const entries: TarHeader[] = [];
  const problems: string[] = [];
  let offset = 0;
  for (;;) {
    if (offset + BLOCK > buf.length) {
      problems.push(
        `truncated archive: expected two zero blocks at the end, got end of data at byte ${offset}`,
      );
      break;
    }
    const block = buf.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) {
      const next = buf.subarray(offset + BLOCK, offset + 2 * BLOCK);
      if (next.length !== BLOCK || !next.every((b) => b === 0)) {
        problems.push(`one zero block at byte ${offset}: expected two zero blocks at the end`);
      }
      break;
    }
    const stored = octal(block, F.chksum);
    const actual = checksum(block);
    if (stored !== actual) {
      problems.push(`header at byte ${offset}: checksum expected ${actual}, got ${stored}`);
      break;
    }
    const name = text(block, F.name);
    const prefix = text(block, F.prefix);
    const h: TarHeader = {
      path: prefix ? `${prefix}/${name}` : name,
      typeflag: text(block, F.typeflag) || '0',
      mode: octal(block, F.mode) ?? -1,
      uid: octal(block, F.uid) ?? -1,
      gid: octal(block, F.gid) ?? -1,
      uname: text(block, F.uname),
      gname: text(block, F.gname),
      size: octal(block, F.size) ?? -1,
      mtime: octal(block, F.mtime) ?? -1,
      linkname: text(block, F.linkname),
      offset,
    };
    entries.push(h);
    if (h.size < 0) {
      problems.push(`${h.path}: size field is not octal`);
      break;
    }
    offset += BLOCK + h.size + padding(h.size);
    if (offset > buf.length) {
      problems.push(`${h.path}: expected ${h.size} bytes of data, got end of archive`);
      break;
    }
  }
  return { entries, problems };
}

function checkEntry(entry: TarEntry): void {
  const { path, type, mode } = entry;
  const parts = path.replace(/\/$/, '').split('/');
  if (
    !/^[\x21-\x7e]+$/.test(path) ||
    path.startsWith('/') ||
    parts.some((p) => p === '' || p === '.' || p === '..')
  ) {
    throw new Error(`tar: unsafe or non-ASCII path ${JSON.stringify(path)}`);
  }
  if ((type === 'directory') !== path.endsWith('/')) {
    throw new Error(`tar: ${path}: a directory path ends in "/" and only a directory's does`);
  }
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    throw new Error(`tar: ${path}: mode must be 0..0o777, got ${mode.toString(8)}`);
  }
}

function header(entry: TarEntry, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const [prefix, name] = splitPath(entry.path);
  put(block, F.name, name);
  put(block, F.prefix, prefix);
  putOctal(block, F.mode, entry.mode);
  putOctal(block, F.uid, OWNER.uid);
  putOctal(block, F.gid, OWNER.gid);
  putOctal(block, F.size, size);
  putOctal(block, F.mtime, mtime);
  put(block, F.typeflag, entry.type === 'directory' ? '5' : '0');
  put(block, F.magic, 'ustar\0');
  put(block, F.version, '00');
  put(block, F.uname, OWNER.uname);
  put(block, F.gname, OWNER.gname);
  putOctal(block, F.devmajor, 0);
  putOctal(block, F.devminor, 0);
  // The checksum is taken with its own field as eight spaces, then written as 6 digits, NUL, space.
  block.fill(0x20, F.chksum[0], F.chksum[0] + F.chksum[1]);
  const sum = checksum(block);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, F.chksum[0], 'ascii');
  return block;
}

/** ustar keeps paths over 100 bytes as prefix (up to 155) + "/" + name (up to 100). */
function splitPath(path: string): [string, string] {
  if (path.length <= F.name[1]) return ['', path];
  for (let i = path.length - 1; i > 0; i--) {
    if (path[i] !== '/' || i === path.length - 1) continue;
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (prefix.length <= F.prefix[1] && name.length <= F.name[1]) return [prefix, name];
  }
  throw new Error(`tar: path too long for ustar: ${path}`);
}

function put(block: Buffer, [at, len]: readonly [number, number], value: string): void {
  if (value.length > len) throw new Error(`tar: field value too long: ${value}`);
  block.write(value, at, len, 'ascii');
}

/** Numeric fields: zero-padded octal filling the field but its last byte, which is NUL. */
function putOctal(block: Buffer, field: readonly [number, number], value: number): void {
  const digits = field[1] - 1;
  const s = value.toString(8);
  if (!Number.isSafeInteger(value) || value < 0 || s.length > digits) {
    throw new Error(`tar: ${value} does not fit in ${digits} octal digits`);
  }
  put(block, field, `${s.padStart(digits, '0')}\0`);
}

function checksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) {
    const inField = i >= F.chksum[0] && i < F.chksum[0] + F.chksum[1];
    sum += inField ? 0x20 : (block[i] as number);
  }
  return sum;
}

function text(block: Buffer, [at, len]: readonly [number, number]): string {
  const field = block.subarray(at, at + len);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? len : end).toString('latin1');
}

function octal(block: Buffer, field: readonly [number, number]): number | null {
  const s = text(block, field).trim();
  return /^[0-7]+$/.test(s) ? parseInt(s, 8) : null;
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

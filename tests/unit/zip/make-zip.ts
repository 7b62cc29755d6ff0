// Test helper: writes ZIP archives (stored or deflate) byte for byte, with knobs to break them the
// ways the reader must refuse. Deterministic (fixed time), so digests of built zips are stable.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../../../app/lib/zip/crc32.ts';

export interface ZipFileSpec {
  name: string;
  data: Uint8Array | string;
  /** 'deflate' (default) or 'store'. */
  method?: 'deflate' | 'store';
  /** Overrides of what the central directory declares (to make sizes or CRCs lie). */
  declare?: { size?: number; compressedSize?: number; crc32?: number; localOffset?: number };
  /** A UNIX mode in the external attributes (e.g. 0o120777 for a symbolic link). */
  unixMode?: number;
  flags?: number;
  /** A different name in the local header than in the central directory. */
  localName?: string;
  /** Write sizes and CRC after the data (general-purpose flag bit 3), as streaming zippers do. */
  dataDescriptor?: boolean;
}

export interface ZipSpec {
  comment?: string;
  /** Overrides of the end record. */
  end?: { total?: number; cdOffset?: number; cdSize?: number };
}

const enc = new TextEncoder();
// 2026-12-04 16:00:00 in MS-DOS time and date.
const DOS_TIME = (16 << 11) | (0 << 5) | 0;
const DOS_DATE = ((2026 - 1980) << 9) | (12 << 5) | 4;

export function makeZip(files: ZipFileSpec[], spec: ZipSpec = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  const push = (b: Uint8Array) => {
    parts.push(b);
    offset += b.length;
  };
  for (const f of files) {
    const data = typeof f.data === 'string' ? enc.encode(f.data) : f.data;
    const method = f.method === 'store' ? 0 : 8;
    const body = method === 8 ? new Uint8Array(deflateRawSync(data)) : data;
    const name = enc.encode(f.name);
    const localName = enc.encode(f.localName ?? f.name);
    const crc = crc32(data);
    const flags = (f.flags ?? 0) | 0x800 | (f.dataDescriptor ? 0x8 : 0);
    const localOffset = offset;
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(6, flags, true);
    local.setUint16(8, method, true);
    local.setUint16(10, DOS_TIME, true);
    local.setUint16(12, DOS_DATE, true);
    local.setUint32(14, f.dataDescriptor ? 0 : crc, true);
    local.setUint32(18, f.dataDescriptor ? 0 : body.length, true);
    local.setUint32(22, f.dataDescriptor ? 0 : data.length, true);
    local.setUint16(26, localName.length, true);
    local.setUint16(28, 0, true);
    push(new Uint8Array(local.buffer));
    push(localName);
    push(body);
    if (f.dataDescriptor) {
      const dd = new DataView(new ArrayBuffer(16));
      dd.setUint32(0, 0x08074b50, true);
      dd.setUint32(4, crc, true);
      dd.setUint32(8, body.length, true);
      dd.setUint32(12, data.length, true);
      push(new Uint8Array(dd.buffer));
    }
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true);
    c.setUint16(4, (3 << 8) | 20, true);
    c.setUint16(6, 20, true);
    c.setUint16(8, flags, true);
    c.setUint16(10, method, true);
    c.setUint16(12, DOS_TIME, true);
    c.setUint16(14, DOS_DATE, true);
    c.setUint32(16, f.declare?.crc32 ?? crc, true);
    c.setUint32(20, f.declare?.compressedSize ?? body.length, true);
    c.setUint32(24, f.declare?.size ?? data.length, true);
    c.setUint16(28, name.length, true);
    c.setUint32(38, ((f.unixMode ?? 0o100644) << 16) >>> 0, true);
    c.setUint32(42, f.declare?.localOffset ?? localOffset, true);
    central.push(new Uint8Array(c.buffer), name);
  }
  const cdOffset = offset;
  for (const b of central) push(b);
  const cdSize = offset - cdOffset;
  const comment = enc.encode(spec.comment ?? '');
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, spec.end?.total ?? files.length, true);
  end.setUint16(10, spec.end?.total ?? files.length, true);
  end.setUint32(12, spec.end?.cdSize ?? cdSize, true);
  end.setUint32(16, spec.end?.cdOffset ?? cdOffset, true);
  end.setUint16(20, comment.length, true);
  push(new Uint8Array(end.buffer));
  push(comment);
  const out = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every file of a folder on disk, relative to `root`, prefixed with `prefix/`. */
export function folderFiles(root: string, prefix: string): ZipFileSpec[] {
  return readdirSync(root)
    .sort()
    .map((name) => ({ name: `${prefix}/${name}`, data: new Uint8Array(readFileSync(join(root, name))) }));
}

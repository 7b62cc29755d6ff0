// A small ZIP reader for report artifacts, the same in the browser and in Node 20: the central
// directory is the index, entries are stored or deflate (DecompressionStream 'deflate-raw'), and an
// archive is trusted only when every entry checks out. Never throws on user data.
import type { Problem } from '../reports/problem.ts';
import { crc32 } from './crc32.ts';

/** One file or folder of an archive, as its central directory describes it. */
export interface ZipEntry {
  /** The entry's path inside the archive: '/'-separated, no leading './', folders end in '/'. */
  path: string;
  isDirectory: boolean;
  /** 0 = stored, 8 = deflate: the two methods zip tools and upload-artifact write. */
  method: 0 | 8;
  compressedSize: number;
  size: number;
  crc32: number;
  /** Offset of the entry's (compressed) data in the archive, after its local header. */
  dataOffset: number;
}

/** Bounds that keep a hostile archive (a zip bomb, a million entries) from exhausting the tab. */
export interface ZipLimits {
  maxEntries: number;
  /** Largest declared uncompressed size of one entry, in bytes. */
  maxEntryBytes: number;
  /** Largest declared uncompressed size of all entries together, in bytes. */
  maxTotalBytes: number;
}

/** A run folder is a manifest and a handful of reports of a few KB each: these leave a wide margin. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 1000,
  maxEntryBytes: 32 * 1024 * 1024,
  maxTotalBytes: 128 * 1024 * 1024,
};

export type ZipRead = { ok: true; entries: ZipEntry[] } | { ok: false; problems: Problem[] };
export type ZipExtract = { ok: true; bytes: Uint8Array } | { ok: false; problem: Problem };

// Record signatures and fixed sizes (PKWARE APPNOTE.TXT 6.3.10, §4.3).
const EOCD_SIG = 0x06054b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_LOCATOR_SIZE = 20;
const CENTRAL_SIG = 0x02014b50;
const CENTRAL_SIZE = 46;
const LOCAL_SIG = 0x04034b50;
const LOCAL_SIZE = 30;
/** The EOCD's comment is at most 0xffff bytes, so the record starts within this many bytes of the end. */
const EOCD_SEARCH = EOCD_SIZE + 0xffff;
/** General-purpose flag bit 0: the entry is encrypted. */
const FLAG_ENCRYPTED = 0x1;
/** "Version made by" host 3 = UNIX: the high 16 bits of the external attributes are st_mode. */
const HOST_UNIX = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

const problem = (message: string): Problem => ({ path: '', message });

/** Reads an archive's central directory and checks every entry against its local header.
 *  @return the entries in central-directory order, or every problem found (each `path` is '', the
 *  message names the entry). Refuses: no end record, ZIP64 or split archives, encrypted entries,
 *  methods other than stored/deflate, absolute, `..`, backslash or empty paths, symbolic links,
 *  duplicate paths, sizes that do not add up (directory bounds, local headers, overlapping
 *  entries, stored size ≠ compressed size) and sizes beyond `limits`. */
export function readZip(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipRead {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const fail = (message: string): ZipRead => ({ ok: false, problems: [problem(message)] });

  const eocd = findEndRecord(view);
  if (eocd < 0) {
    return fail(
      bytes.length >= 4 && u32(0) === LOCAL_SIG
        ? 'the archive is truncated: its end-of-central-directory record is missing'
        : 'not a ZIP archive: no end-of-central-directory record',
    );
  }
  const [disk, cdDisk, onDisk, total] = [u16(eocd + 4), u16(eocd + 6), u16(eocd + 8), u16(eocd + 10)];
  const [cdSize, cdOffset] = [u32(eocd + 12), u32(eocd + 16)];
  if (
    total === 0xffff ||
    cdSize === 0xffffffff ||
    cdOffset === 0xffffffff ||
    (eocd >= ZIP64_LOCATOR_SIZE && u32(eocd - ZIP64_LOCATOR_SIZE) === ZIP64_LOCATOR_SIG)
  ) {
    return fail('ZIP64 archives are not supported (a report artifact is far below 4 GiB)');
  }
  if (disk !== 0 || cdDisk !== 0 || onDisk !== total) {
    return fail('split (multi-volume) archives are not supported');
  }
  if (cdOffset + cdSize !== eocd) {
    return fail(
      `sizes do not add up: the central directory is declared at offset ${cdOffset} with ${cdSize} bytes, ` +
        `but the end record starts at ${eocd}`,
    );
  }
  if (total > limits.maxEntries) {
    return fail(`too many entries: ${total}, at most ${limits.maxEntries}`);
  }

  const problems: Problem[] = [];
  const entries: (ZipEntry & { localOffset: number })[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pos = cdOffset;
  for (let i = 0; i < total; i++) {
    if (pos + CENTRAL_SIZE > eocd || u32(pos) !== CENTRAL_SIG) {
      return fail(`sizes do not add up: the central directory ends before entry ${i + 1} of ${total}`);
    }
    const madeBy = u16(pos + 4);
    const flags = u16(pos + 8);
    const method = u16(pos + 10);
    const crc = u32(pos + 16);
    const compressedSize = u32(pos + 20);
    const size = u32(pos + 24);
    const nameLength = u16(pos + 28);
    const extraLength = u16(pos + 30);
    const commentLength = u16(pos + 32);
    const externalAttributes = u32(pos + 38);
    const localOffset = u32(pos + 42);
    const rawName = bytes.subarray(pos + CENTRAL_SIZE, pos + CENTRAL_SIZE + nameLength);
    pos += CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (pos > eocd) {
      return fail(`sizes do not add up: entry ${i + 1} of ${total} runs past the central directory`);
    }

    let name: string;
    try {
      name = decoder.decode(rawName);
    } catch {
      problems.push(problem(`entry ${i + 1}: its name is not valid UTF-8`));
      continue;
    }
    const label = JSON.stringify(name);
    const checked = checkEntryPath(name);
    if ('problem' in checked) {
      problems.push(problem(`entry ${label}: ${checked.problem}`));
      continue;
    }
    const entryProblems: string[] = [];
    if (flags & FLAG_ENCRYPTED) entryProblems.push('is encrypted');
    if (method !== 0 && method !== 8) {
      entryProblems.push(`uses compression method ${method}; only stored (0) and deflate (8) are read`);
    }
    if (madeBy >>> 8 === HOST_UNIX && ((externalAttributes >>> 16) & S_IFMT) === S_IFLNK) {
      entryProblems.push('is a symbolic link');
    }
    if (method === 0 && compressedSize !== size) {
      entryProblems.push(`sizes do not add up: stored with ${compressedSize} bytes but declares ${size}`);
    }
    if (checked.isDirectory && size !== 0) entryProblems.push(`is a folder but declares ${size} bytes`);
    if (size > limits.maxEntryBytes) {
      entryProblems.push(`declares ${size} bytes, more than the ${limits.maxEntryBytes} allowed per entry`);
    }
    // The local header must exist, describe the same entry, and its data must end before the directory.
    let dataOffset = -1;
    if (localOffset + LOCAL_SIZE > cdOffset || u32(localOffset) !== LOCAL_SIG) {
      entryProblems.push(`sizes do not add up: no local header at offset ${localOffset}`);
    } else {
      const localNameLength = u16(localOffset + 26);
      const localName = bytes.subarray(localOffset + LOCAL_SIZE, localOffset + LOCAL_SIZE + localNameLength);
      dataOffset = localOffset + LOCAL_SIZE + localNameLength + u16(localOffset + 28);
      if (!sameBytes(localName, rawName) || u16(localOffset + 8) !== method) {
        entryProblems.push('its local header names a different file or method than the central directory');
      }
      if (dataOffset + compressedSize > cdOffset) {
        entryProblems.push(
          `sizes do not add up: its ${compressedSize} compressed bytes at offset ${dataOffset} run into the central directory`,
        );
      }
    }
    if (entryProblems.length) {
      for (const p of entryProblems) problems.push(problem(`entry ${label} ${p}`));
      continue;
    }
    entries.push({
      path: checked.path,
      isDirectory: checked.isDirectory,
      method: method as 0 | 8,
      compressedSize,
      size,
      crc32: crc,
      dataOffset,
      localOffset,
    });
  }
  if (pos !== eocd) {
    problems.push(
      problem(
        `sizes do not add up: the central directory has ${eocd - pos} bytes beyond its ${total} entries`,
      ),
    );
  }

  const seen = new Set<string>();
  let declared = 0;
  for (const e of entries) {
    if (seen.has(e.path)) problems.push(problem(`entry ${JSON.stringify(e.path)} appears more than once`));
    seen.add(e.path);
    declared += e.size;
  }
  if (declared > limits.maxTotalBytes) {
    problems.push(problem(`the entries declare ${declared} bytes in all, more than ${limits.maxTotalBytes}`));
  }
  // Entries that share bytes are how "overlapping" zip bombs multiply a small file: refuse them.
  const byOffset = [...entries].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1]!;
    const next = byOffset[i]!;
    if (next.localOffset < prev.dataOffset + prev.compressedSize) {
      problems.push(
        problem(
          `sizes do not add up: entries ${JSON.stringify(prev.path)} and ${JSON.stringify(next.path)} overlap`,
        ),
      );
    }
  }
  if (problems.length) return { ok: false, problems };
  return { ok: true, entries: entries.map(({ localOffset: _unused, ...e }) => e) };
}

/** Decompresses one entry (from `readZip` on the same bytes) and checks its size and CRC-32.
 *  Inflating stops as soon as the output passes the declared size (a zip bomb costs no more than
 *  that). @throws only the signal's AbortError when cancelled. */
export async function extractEntry(
  archive: Uint8Array,
  entry: ZipEntry,
  signal?: AbortSignal,
): Promise<ZipExtract> {
  signal?.throwIfAborted();
  const label = JSON.stringify(entry.path);
  const raw = archive.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  let out: Uint8Array;
  if (entry.method === 0) {
    out = raw.slice();
  } else {
    const reader = new Blob([raw as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('deflate-raw'))
      .getReader();
    const chunks: Uint8Array[] = [];
    let length = 0;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const { done, value } = await reader.read();
        if (done) break;
        length += value.length;
        if (length > entry.size) {
          await reader.cancel();
          return {
            ok: false,
            problem: problem(`entry ${label} inflates to more than its declared ${entry.size} bytes`),
          };
        }
        chunks.push(value);
      }
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      return {
        ok: false,
        problem: problem(
          `entry ${label} has corrupt deflate data: ${err instanceof Error ? err.message : String(err)}`,
        ),
      };
    }
    out = new Uint8Array(length);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
  }
  if (out.length !== entry.size) {
    return {
      ok: false,
      problem: problem(`entry ${label} holds ${out.length} bytes, its header declares ${entry.size}`),
    };
  }
  const got = crc32(out);
  if (got !== entry.crc32) {
    return {
      ok: false,
      problem: problem(
        `entry ${label} fails its CRC-32 check (${hex32(got)}, expected ${hex32(entry.crc32)})`,
      ),
    };
  }
  return { ok: true, bytes: out };
}

/** Normalises an entry name to a relative '/'-path, or says why it is unsafe. */
export function checkEntryPath(name: string): { path: string; isDirectory: boolean } | { problem: string } {
  if (name === '') return { problem: 'has an empty name' };
  if (name.includes('\0')) return { problem: 'has a NUL character in its name' };
  if (name.includes('\\')) return { problem: 'uses "\\" in its path (ambiguous separator)' };
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return { problem: 'has an absolute path' };
  const isDirectory = name.endsWith('/');
  const kept: string[] = [];
  for (const segment of (isDirectory ? name.slice(0, -1) : name).split('/')) {
    if (segment === '..') return { problem: 'has a ".." segment that leaves the archive' };
    if (segment === '') return { problem: 'has an empty path segment ("//")' };
    if (segment !== '.') kept.push(segment);
  }
  if (kept.length === 0) return { problem: 'names no file' };
  return { path: kept.join('/') + (isDirectory ? '/' : ''), isDirectory };
}

/** The end-of-central-directory record's offset: the last signature whose comment reaches exactly
 *  to the end of the archive, or -1. */
function findEndRecord(view: DataView): number {
  const stop = Math.max(0, view.byteLength - EOCD_SEARCH);
  for (let at = view.byteLength - EOCD_SIZE; at >= stop; at--) {
    if (view.getUint32(at, true) !== EOCD_SIG) continue;
    if (at + EOCD_SIZE + view.getUint16(at + 20, true) === view.byteLength) return at;
  }
  return -1;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const hex32 = (n: number) => n.toString(16).padStart(8, '0');

// CRC-32 (IEEE 802.3, the polynomial ZIP uses), table-driven; incremental so a stream can be
// checked chunk by chunk without holding it whole.

/** The reflected polynomial 0xEDB88320 (IEEE 802.3), as APPNOTE.TXT §4.4.7 specifies. */
const POLY = 0xedb88320;

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Continues a CRC-32 over `bytes`. Start with `crc = 0`; the result is the unsigned CRC so far. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

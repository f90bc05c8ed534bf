// A small tar reader (and writer, for tests and the bench): the gate only needs the regular files of
// a runner's .tar.gz, read in memory, so nothing is unpacked on disk and nothing is left in /tmp.
// Reads ustar and GNU tar: 512-byte headers, the ustar prefix, GNU long names ('L') and pax paths ('x').

export interface TarFile {
  name: string;
  data: Uint8Array;
}

const BLOCK = 512;

export class TarError extends Error {}

const ascii = (b: Uint8Array, start: number, len: number): string => {
  const field = b.subarray(start, start + len);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end === -1 ? field : field.subarray(0, end));
};

// Sizes are octal text, or base-256 (high bit set) for large files.
function numberField(b: Uint8Array, start: number, len: number): number {
  if (b[start]! & 0x80) {
    let n = b[start]! & 0x7f;
    for (let i = start + 1; i < start + len; i++) n = n * 256 + b[i]!;
    return n;
  }
  const s = ascii(b, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new TarError(`bad number field ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

// The checksum: the header's bytes summed with the checksum field read as spaces.
function checksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return numberField(h, 148, 8) === sum;
}

// The path records of a pax header ("27 path=some/long/name\n").
function paxPath(data: Uint8Array): string | undefined {
  const s = new TextDecoder().decode(data);
  let path: string | undefined;
  let i = 0;
  while (i < s.length) {
    const sp = s.indexOf(' ', i);
    const len = Number(s.slice(i, sp));
    if (sp === -1 || !Number.isInteger(len) || len <= 0) throw new TarError('bad pax header');
    const rec = s.slice(sp + 1, i + len - 1);
    if (rec.startsWith('path=')) path = rec.slice(5);
    i += len;
  }
  return path;
}

// Every regular file of a tar archive, with its path; `want` picks which to copy out.
export function readTar(buf: Uint8Array, want: (name: string) => boolean = () => true): TarFile[] {
  const files: TarFile[] = [];
  let off = 0;
  let longName: string | undefined;
  while (off + BLOCK <= buf.length) {
    const h = buf.subarray(off, off + BLOCK);
    if (h.every((x) => x === 0)) return files; // the end: zero blocks
    if (!checksumOk(h)) throw new TarError(`bad header checksum at byte ${off}`);
    const size = numberField(h, 124, 12);
    const type = String.fromCharCode(h[156]!);
    const start = off + BLOCK;
    if (start + size > buf.length) throw new TarError(`truncated: an entry of ${size} bytes at byte ${off} runs past the end`);
    const data = buf.subarray(start, start + size);
    off = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = ascii(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    const prefix = ascii(h, 257, 6).startsWith('ustar') ? ascii(h, 345, 155) : '';
    const name = longName ?? (prefix ? `${prefix}/${ascii(h, 0, 100)}` : ascii(h, 0, 100));
    longName = undefined;
    if ((type === '0' || type === '\0' || type === '7') && want(name)) files.push({ name, data: data.slice() });
  }
  throw new TarError('truncated: no end-of-archive blocks');
}

// A ustar archive of regular files (names up to 100 bytes, or 255 split at a slash).
export function writeTar(files: TarFile[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  for (const f of files) {
    const h = new Uint8Array(BLOCK);
    const put = (s: string, at: number) => h.set(enc.encode(s), at);
    let name = f.name;
    let prefix = '';
    if (enc.encode(name).length > 100) {
      const cut = name.indexOf('/', name.length - 101); // the name after it fits in 100 bytes (ASCII names)
      if (cut <= 0 || cut > 155) throw new TarError(`name too long for ustar: ${name}`);
      prefix = name.slice(0, cut);
      name = name.slice(cut + 1);
    }
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${f.data.length.toString(8).padStart(11, '0')}\0`, 124);
    put(
      `${Math.floor(Date.now() / 1000)
        .toString(8)
        .padStart(11, '0')}\0`,
      136,
    );
    put('        ', 148);
    put('0', 156);
    put('ustar\0', 257);
    put('00', 263);
    put(prefix, 345);
    let sum = 0;
    for (const x of h) sum += x;
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    parts.push(h, f.data, new Uint8Array((BLOCK - (f.data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

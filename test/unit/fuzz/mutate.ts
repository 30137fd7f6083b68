/**
 * Deterministic mutations of valid inputs: input `index` of a run with seed `seed` is always the same bytes,
 * so a finding is reproduced by its index. The operations aim at what breaks binary and text parsers: flipped
 * and boundary bytes, huge lengths and counts, truncation, repeated structure (deep nesting, many records),
 * and splices from other seeds.
 */

/** xorshift32: fast, seedable, good enough to spread mutations. */
export function random(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const INTERESTING = [0x00, 0x01, 0x02, 0x08, 0x09, 0x0a, 0x12, 0x22, 0x3c, 0x3e, 0x5b, 0x7b, 0x7f, 0x80, 0xfe, 0xff];
/** Structure openers to repeat: JSON/XML nesting, protobuf empty LEN fields, GGUF array-of-array headers. */
const RUNS = [
  '[',
  '{"a":',
  '<a>',
  '<!--',
  '\x0a\x00',
  '\x0a\x80\x01',
  '\x09\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00',
];

export function mutate(seed: Uint8Array, others: readonly Uint8Array[], next: () => number): Uint8Array {
  let bytes = Buffer.from(seed);
  const pick = (limit: number): number => Math.floor(next() * limit);
  const steps = 1 + pick(6);
  for (let step = 0; step < steps; step++) {
    const at = pick(bytes.length + 1);
    switch (pick(10)) {
      case 0: // flip a bit
        if (bytes.length) bytes[Math.min(at, bytes.length - 1)]! ^= 1 << pick(8);
        break;
      case 1: // a boundary byte
        if (bytes.length) bytes[Math.min(at, bytes.length - 1)] = INTERESTING[pick(INTERESTING.length)]!;
        break;
      case 2: // delete a range
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + pick(64))]);
        break;
      case 3: // insert random bytes
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from(Array.from({ length: 1 + pick(32) }, () => pick(256))),
          bytes.subarray(at),
        ]);
        break;
      case 4: {
        // duplicate a range elsewhere (repeated records)
        const from = pick(bytes.length + 1);
        const slice = bytes.subarray(from, from + 1 + pick(256));
        bytes = Buffer.concat([bytes.subarray(0, at), slice, bytes.subarray(at)]);
        break;
      }
      case 5: // truncate
        bytes = bytes.subarray(0, at);
        break;
      case 6: {
        // splice from another seed
        const other = others[pick(others.length)]!;
        const from = pick(other.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, at), other.subarray(from, from + 1 + pick(512)), bytes.subarray(at)]);
        break;
      }
      case 7: {
        // a huge length or count: all-ones little-endian u64, or a 10-byte varint
        const huge = pick(2)
          ? Buffer.alloc(8, 0xff)
          : Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        huge.copy(bytes, Math.min(at, Math.max(0, bytes.length - huge.length)));
        break;
      }
      case 8: {
        // a long run of one structure opener (deep nesting, many empty records)
        const run = RUNS[pick(RUNS.length)]!;
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from(run.repeat(1 + pick(20_000)), 'latin1'),
          bytes.subarray(at),
        ]);
        break;
      }
      default: {
        // a small integer overwrite (lengths, types, counts just off by a little)
        if (bytes.length)
          bytes[Math.min(at, bytes.length - 1)] = (bytes[Math.min(at, bytes.length - 1)]! + 1 + pick(4)) & 0xff;
      }
    }
  }
  return bytes;
}

/**
 * Decoded text with a map back to the original document, so spans found in a Python string or a
 * notebook's JSON string land on the exact characters the user wrote (escapes included).
 */
import type { Span } from '../types';

export interface Mapper {
  /** Maps a half-open range of the decoded text onto the original text. */
  span(start: number, end: number): Span;
}

export function offsetMapper(base: number): Mapper {
  return base === 0 ? IDENTITY : { span: (start, end) => ({ start: base + start, end: base + end }) };
}

const IDENTITY: Mapper = { span: (start, end) => ({ start, end }) };

/** Builder of decoded text: append characters with the original range each came from. */
export class MappedTextBuilder {
  private readonly parts: string[] = [];
  private starts: Int32Array;
  private ends: Int32Array;
  private count = 0;

  constructor(capacity = 64) {
    this.starts = new Int32Array(Math.max(16, capacity));
    this.ends = new Int32Array(Math.max(16, capacity));
  }

  private reserve(extra: number): void {
    if (this.count + extra <= this.starts.length) return;
    const size = Math.max(this.starts.length * 2, this.count + extra);
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    starts.set(this.starts.subarray(0, this.count));
    ends.set(this.ends.subarray(0, this.count));
    this.starts = starts;
    this.ends = ends;
  }

  /** Appends one decoded character (a UTF-16 code unit) that came from `source[start, end)`. */
  push(char: string, start: number, end: number): void {
    this.reserve(char.length);
    this.parts.push(char);
    for (let i = 0; i < char.length; i++) {
      this.starts[this.count] = start;
      this.ends[this.count++] = end;
    }
  }

  /** Copies `source[start, end)` verbatim, one original character per decoded character. */
  pushVerbatim(source: string, start: number, end: number): void {
    if (end <= start) return;
    this.reserve(end - start);
    this.parts.push(source.slice(start, end));
    for (let i = start; i < end; i++) {
      this.starts[this.count] = i;
      this.ends[this.count++] = i + 1;
    }
  }

  get length(): number {
    return this.count;
  }

  build(fallback: number): MappedText {
    return new MappedText(
      this.parts.join(''),
      this.starts.slice(0, this.count),
      this.ends.slice(0, this.count),
      fallback,
    );
  }
}

export class MappedText implements Mapper {
  constructor(
    readonly text: string,
    private readonly starts: Int32Array,
    private readonly ends: Int32Array,
    /** Original offset used for an empty decoded text. */
    private readonly fallback: number,
  ) {}

  private endOf(index: number): number {
    if (index <= 0) return this.starts.length ? this.starts[0] : this.fallback;
    return this.ends[Math.min(index, this.ends.length) - 1];
  }

  span(start: number, end: number): Span {
    if (end <= start) {
      const at = this.endOf(start);
      return { start: at, end: at };
    }
    const s = start < this.starts.length ? this.starts[start] : this.endOf(start);
    return { start: s, end: this.endOf(end) };
  }

  /** The decoded index of the character that came from original offset `offset` (or -1). */
  indexOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = this.starts[mid];
      if (start < offset) lo = mid + 1;
      else if (start > offset) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** A mapper for text that was itself decoded from this text (composition). */
  compose(inner: Mapper): Mapper {
    return {
      span: (start, end) => {
        const mid = inner.span(start, end);
        return this.span(mid.start, mid.end);
      },
    };
  }
}

/** Escapes text inserted into a JSON string (a notebook cell). */
export function escapeJsonText(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

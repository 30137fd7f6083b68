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
  return { span: (start, end) => ({ start: base + start, end: base + end }) };
}

/** Builder of decoded text: append characters with the original range each came from. */
export class MappedTextBuilder {
  private readonly chars: string[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  push(text: string, start: number, end: number): void {
    for (const char of text) {
      this.chars.push(char);
      this.starts.push(start);
      this.ends.push(end);
    }
  }

  /** Copies `source[start, end)` verbatim, one original character per decoded character. */
  pushVerbatim(source: string, start: number, end: number): void {
    for (let i = start; i < end; i++) {
      this.chars.push(source[i]!);
      this.starts.push(i);
      this.ends.push(i + 1);
    }
  }

  get length(): number {
    return this.chars.length;
  }

  build(fallback: number): MappedText {
    return new MappedText(this.chars.join(''), Int32Array.from(this.starts), Int32Array.from(this.ends), fallback);
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
    if (index <= 0) return this.starts.length ? this.starts[0]! : this.fallback;
    return this.ends[Math.min(index, this.ends.length) - 1]!;
  }

  span(start: number, end: number): Span {
    if (end <= start) {
      const at = this.endOf(start);
      return { start: at, end: at };
    }
    const s = start < this.starts.length ? this.starts[start]! : this.endOf(start);
    return { start: s, end: this.endOf(end) };
  }

  /** The decoded index of the character that came from original offset `offset` (or -1). */
  indexOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const start = this.starts[mid]!;
      if (start < offset) lo = mid + 1;
      else if (start > offset) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  /** A mapper for text that was itself decoded from this text (composition). */
  compose(inner: Mapper): Mapper {
    return { span: (start, end) => {
      const mid = inner.span(start, end);
      return this.span(mid.start, mid.end);
    } };
  }
}

/** Escapes text inserted into a JSON string (a notebook cell). */
export function escapeJsonText(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/**
 * Decoded text with a map back to the original document, so spans found in a Python string or a
 * notebook's JSON string land on the exact characters the user wrote (escapes included).
 */
import type { Recipe, RecipeSetting, Span } from '../types';

export interface Mapper {
  /** Maps a half-open range of the decoded text onto the original text. */
  span(start: number, end: number): Span;
}

export function offsetMapper(base: number): Mapper {
  return base === 0 ? IDENTITY : { span: (start, end) => ({ start: base + start, end: base + end }) };
}

const IDENTITY: Mapper = { span: (start, end) => ({ start, end }) };

/**
 * Builder of decoded text: append characters with the original range each came from. The map is a list of
 * runs, not one entry per character: a verbatim run maps decoded index `decodedStart + k` to original
 * `[originalStart + k, originalStart + k + 1)`; an escape's run maps each of its decoded characters to the
 * whole escape `[originalStart, originalEnd)`. Decoding goes left to right, so both sides of the runs ascend.
 */
export class MappedTextBuilder {
  private readonly parts: string[] = [];
  private readonly runs: Run[] = [];
  private decoded = 0;

  /** Appends decoded text (one character, or two UTF-16 units) that came from `source[start, end)`. */
  push(char: string, start: number, end: number): void {
    if (!char.length) return;
    this.parts.push(char);
    this.runs.push({ decodedStart: this.decoded, originalStart: start, originalEnd: end, verbatim: false });
    this.decoded += char.length;
  }

  /** Copies `source[start, end)` verbatim, one original character per decoded character. */
  pushVerbatim(source: string, start: number, end: number): void {
    if (end <= start) return;
    this.parts.push(source.slice(start, end));
    const last = this.runs[this.runs.length - 1];
    if (last?.verbatim && last.originalEnd === start) {
      // Adjacent verbatim text (a literal continued after an escape-free split) extends the same run.
      last.originalEnd = end;
    } else {
      this.runs.push({ decodedStart: this.decoded, originalStart: start, originalEnd: end, verbatim: true });
    }
    this.decoded += end - start;
  }

  get length(): number {
    return this.decoded;
  }

  build(fallback: number): MappedText {
    return new MappedText(this.parts.join(''), this.runs, fallback);
  }
}

interface Run {
  readonly decodedStart: number;
  readonly originalStart: number;
  /** Grows while verbatim text is appended right after the run. */
  originalEnd: number;
  readonly verbatim: boolean;
}

export class MappedText implements Mapper {
  constructor(
    readonly text: string,
    private readonly runs: readonly Run[],
    /** Original offset used for an empty decoded text. */
    private readonly fallback: number,
  ) {}

  /** The run holding decoded index `index` (0 <= index < text.length). */
  private runAt(index: number): Run {
    const runs = this.runs;
    let lo = 0;
    let hi = runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[mid].decodedStart <= index) lo = mid;
      else hi = mid - 1;
    }
    return runs[lo];
  }

  /** Original start of decoded character `index`. */
  private startOf(index: number): number {
    const run = this.runAt(index);
    return run.verbatim ? run.originalStart + (index - run.decodedStart) : run.originalStart;
  }

  /** Original end of the decoded text up to (not including) `index`. */
  private endOf(index: number): number {
    if (index <= 0 || this.text.length === 0) return this.runs.length ? this.runs[0].originalStart : this.fallback;
    const last = Math.min(index, this.text.length) - 1;
    const run = this.runAt(last);
    return run.verbatim ? run.originalStart + (last - run.decodedStart) + 1 : run.originalEnd;
  }

  span(start: number, end: number): Span {
    if (end <= start) {
      const at = this.endOf(start);
      return { start: at, end: at };
    }
    const s = start < this.text.length ? this.startOf(start) : this.endOf(start);
    return { start: s, end: this.endOf(end) };
  }

  /** The decoded index of the character that came from original offset `offset` (or -1). */
  indexOf(offset: number): number {
    const runs = this.runs;
    let lo = 0;
    let hi = runs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const run = runs[mid];
      const originalLast = run.verbatim ? run.originalEnd - 1 : run.originalStart;
      if (offset < run.originalStart) hi = mid - 1;
      else if (offset > originalLast) lo = mid + 1;
      else return run.decodedStart + (run.verbatim ? offset - run.originalStart : 0);
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

function mapSpan(mapper: Mapper, span: Span): Span {
  return mapper.span(span.start, span.end);
}

function mapSetting(mapper: Mapper, setting: RecipeSetting): RecipeSetting {
  return {
    ...setting,
    span: mapSpan(mapper, setting.span),
    ...(setting.valueSpan ? { valueSpan: mapSpan(mapper, setting.valueSpan) } : {}),
    ...(setting.keySpan ? { keySpan: mapSpan(mapper, setting.keySpan) } : {}),
    ...(setting.removeSpan ? { removeSpan: mapSpan(mapper, setting.removeSpan) } : {}),
  };
}

/** Moves a recipe found in decoded text (a fence, a notebook cell) onto the document's offsets. */
export function mapRecipe(recipe: Recipe, mapper: Mapper | MappedText, escape?: 'json'): Recipe {
  return {
    ...recipe,
    span: mapSpan(mapper, recipe.span),
    settings: recipe.settings.map((setting) => mapSetting(mapper, setting)),
    unknown: recipe.unknown.map((setting) => mapSetting(mapper, setting)),
    ...(recipe.style
      ? {
          style: {
            ...recipe.style,
            insertAt: mapper.span(recipe.style.insertAt, recipe.style.insertAt).start,
            ...(escape ? { escape } : recipe.style.escape ? { escape: recipe.style.escape } : {}),
          },
        }
      : {}),
    ...(recipe.notes ? { notes: recipe.notes.map((note) => ({ ...note, span: mapSpan(mapper, note.span) })) } : {}),
  };
}

/** MappedText keeps runs, not one entry per character: it must map exactly like a per-character table. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MappedTextBuilder } from '../../../src/core/recipe/commands/mapped';
import type { Span } from '../../../src/core/recipe/types';

type Op =
  { verbatim: true; length: number; gap: number } | { verbatim: false; text: string; width: number; gap: number };

/** The per-character reference: decoded character i came from original [starts[i], ends[i]). */
class Reference {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  constructor(private readonly fallback: number) {}

  private endOf(index: number): number {
    if (index <= 0 || this.starts.length === 0) return this.starts.length ? this.starts[0] : this.fallback;
    return this.ends[Math.min(index, this.ends.length) - 1];
  }

  span(start: number, end: number): Span {
    if (end <= start) {
      const at = this.endOf(start);
      return { start: at, end: at };
    }
    return { start: start < this.starts.length ? this.starts[start] : this.endOf(start), end: this.endOf(end) };
  }
}

const ops = fc.array(
  fc.oneof(
    fc.record({ verbatim: fc.constant(true as const), length: fc.integer({ min: 0, max: 6 }), gap: fc.nat(3) }),
    fc.record({
      verbatim: fc.constant(false as const),
      text: fc.constantFrom('\n', '"', '\u00e9', '\ud83d\ude00'),
      width: fc.integer({ min: 2, max: 6 }),
      gap: fc.nat(3),
    }),
  ),
  { maxLength: 20 },
);

test('MappedText maps every span and offset like a per-character table', () => {
  fc.assert(
    fc.property(ops, fc.nat(5), (list: Op[], base) => {
      const source = 'x'.repeat(400);
      const builder = new MappedTextBuilder();
      const reference = new Reference(base);
      let at = base;
      for (const op of list) {
        at += op.gap;
        if (op.verbatim) {
          builder.pushVerbatim(source, at, at + op.length);
          for (let i = at; i < at + op.length; i++) {
            reference.starts.push(i);
            reference.ends.push(i + 1);
          }
          at += op.length;
        } else {
          builder.push(op.text, at, at + op.width);
          for (let i = 0; i < op.text.length; i++) {
            reference.starts.push(at);
            reference.ends.push(at + op.width);
          }
          at += op.width;
        }
      }
      const mapped = builder.build(base);
      assert.equal(mapped.text.length, reference.starts.length);
      for (let start = 0; start <= mapped.text.length + 1; start++) {
        for (let end = start; end <= mapped.text.length + 1; end++) {
          assert.deepEqual(mapped.span(start, end), reference.span(start, end), `span(${start}, ${end})`);
        }
      }
      for (let offset = 0; offset < at + 2; offset++) {
        const index = mapped.indexOf(offset);
        const expected = reference.starts.indexOf(offset);
        if (expected < 0) assert.equal(index, -1, `indexOf(${offset})`);
        else assert.equal(reference.starts[index], offset, `indexOf(${offset})`);
      }
    }),
    { numRuns: 300 },
  );
});

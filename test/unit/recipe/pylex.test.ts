/** The one binary search over Python regions answers like a linear scan, for every offset of fuzzed text. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { lexPython, regionAt, regionIndexAfter } from '../../../src/core/recipe/commands/pylex';

const pieces = fc.array(
  fc.constantFrom('x = ', '"a"', "'b'", 'f"{c}"', '"""d\ne"""', '# note\n', '!ls\n', '\n', ' ', "'open", 'y', ','),
  { maxLength: 30 },
);

test('regionAt and regionIndexAfter agree with a linear scan over the lexed regions', () => {
  fc.assert(
    fc.property(pieces, (parts) => {
      const text = parts.join('');
      const regions = lexPython(text);
      for (let offset = 0; offset <= text.length; offset++) {
        const linear = regions.find((region) => region.start <= offset && offset < region.end) ?? null;
        assert.equal(regionAt(regions, offset), linear, `regionAt(${offset}) in ${JSON.stringify(text)}`);
        const firstAfter = regions.findIndex((region) => region.end > offset);
        assert.equal(regionIndexAfter(regions, offset), firstAfter < 0 ? regions.length : firstAfter);
      }
      regions.forEach((region, index) => assert.equal(regionIndexAfter(regions, region.start), index));
    }),
    { numRuns: 300 },
  );
});

// jsonPlain(x) is what JSON gives back for x (JSON.parse of JSON.stringify), for any value JSON can
// print: the intake stores and returns the engine's decision through it (issue 10).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { say } from '../policy/messages.ts';
import { jsonPlain } from './json.ts';

const texts = fc.record({ code: fc.constantFrom('base-term', 'status-active', 'voided', 'no-such-code'), end: fc.constantFrom('2027-01-24', 'x', ''), term: fc.string() }).map(({ code, ...p }) => say(code, p));
// Values as JSON meets them: plain data, Dates, lazy texts, undefined, functions, NaN, -0, boxed values, "__proto__" keys.
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.anything({ withBoxedValues: true, withDate: true, withNullPrototype: true, withSparseArray: true, withObjectString: true, withMap: true, withSet: true, maxDepth: 2 }),
    texts,
    fc.constantFrom(undefined, () => 1, NaN, -0, Infinity, new Date(Date.UTC(2026, 11, 2, 19, 0)), { __proto__: null, a: 1 }, JSON.parse('{"__proto__": {"x": 1}}')),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constant('__proto__'), fc.constant('toString')), tie('value'), { maxKeys: 4 }),
  ),
}));

describe('a plain copy as JSON makes it', () => {
  it('deep-equals JSON.parse(JSON.stringify(x)) and prints the same text, for any value', () => {
    fc.assert(
      fc.property(value, (x) => {
        const text = JSON.stringify(x);
        const copy = jsonPlain(x);
        if (text === undefined) expect(copy).toBeUndefined();
        else {
          expect(copy).toStrictEqual(JSON.parse(text));
          expect(JSON.stringify(copy)).toBe(text);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses a BigInt as JSON does", () => {
    expect(() => JSON.stringify({ n: 1n })).toThrow(TypeError);
    expect(() => jsonPlain({ n: 1n })).toThrow(TypeError);
  });
});

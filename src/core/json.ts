// The plain value JSON would give back: `jsonPlain(x)` deep-equals `JSON.parse(JSON.stringify(x))`
// (toJSON called, Dates as their ISO text, undefined and functions dropped from objects and null in
// arrays, NaN and ±Infinity null, -0 as 0), without printing the text and reading it again. The
// intake stores the engine's decision as JSON text and returns it as plain data: its lazy texts
// (src/policy/messages.ts) keep JSON.stringify off its fast path, and the print-and-read round trip
// was the largest piece of the intake's own JavaScript (issue 10). The plain copy is made once and
// printed once; src/core/json.property.test.ts holds it to JSON's answer.

/** What JSON makes of one value: `undefined` when JSON leaves it out (in an object) or writes null (in an array). */
function plainOf(value: unknown, key: string): unknown {
  let v = value;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON(k: string): unknown }).toJSON(key);
  else if (typeof v === 'bigint' && typeof (v as unknown as { toJSON?: unknown }).toJSON === 'function') v = (v as unknown as { toJSON(k: string): unknown }).toJSON(key);
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
    case 'bigint':
      throw new TypeError('Do not know how to serialize a BigInt');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (v === null) return null;
  // Boxed primitives are written as their value.
  if (v instanceof Number) return plainOf(Number(v), key);
  if (v instanceof String) return String(v);
  if (v instanceof Boolean) return v.valueOf();
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = plainOf(v[i], String(i));
      out[i] = x === undefined ? null : x;
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as object)) {
    const x = plainOf((v as Record<string, unknown>)[k], k);
    if (x === undefined) continue;
    // JSON.parse makes "__proto__" an own property; an assignment would set the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
    else out[k] = x;
  }
  return out;
}

/** `JSON.parse(JSON.stringify(x))` without the text in between (undefined when JSON.stringify gives undefined). */
export function jsonPlain<T>(x: T): T {
  return plainOf(x, '') as T;
}

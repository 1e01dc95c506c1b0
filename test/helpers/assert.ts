/**
 * The assertions tests use, with @std/assert's names (JSR is unreachable
 * here), built on node:assert.
 *
 * @module
 */

import assert from "node:assert/strict";

export function assertEquals<T>(actual: T, expected: T, msg?: string): void {
  assert.deepStrictEqual(actual, expected, msg);
}

export function assertNotEquals<T>(actual: T, expected: T, msg?: string): void {
  assert.notDeepStrictEqual(actual, expected, msg);
}

export function assert_(cond: unknown, msg?: string): asserts cond {
  assert.ok(cond, msg);
}
export { assert_ as assert };

export function assertMatch(actual: string, re: RegExp, msg?: string): void {
  assert.match(actual, re, msg);
}

export function assertStringIncludes(actual: string, part: string, msg?: string): void {
  assert.ok(
    actual.includes(part),
    msg ?? `expected ${JSON.stringify(actual)} to include ${JSON.stringify(part)}`,
  );
}

export function assertThrows(
  fn: () => unknown,
  check?: (e: unknown) => boolean,
  msg?: string,
): void {
  assert.throws(fn, (e: unknown) => (check ? check(e) : true), msg);
}

export async function assertRejects(
  fn: () => Promise<unknown>,
  check?: (e: unknown) => boolean,
  msg?: string,
): Promise<void> {
  await assert.rejects(fn, (e: unknown) => (check ? check(e) : true), msg);
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { looseEquals, lessThan, greaterThan, numberToString, parseNumber, toBoolean, toNumber, toStringValue } from './values.ts';

void test('truthiness: null, false, 0, NaN and empty string are false', () => {
  for (const v of [null, undefined, false, 0, -0, Number.NaN, '']) assert.equal(toBoolean(v), false, String(v));
  for (const v of [true, 1, -1, 'false', '0', ' ', [], {}, Number.POSITIVE_INFINITY]) assert.equal(toBoolean(v), true, String(v));
});

void test('string to number follows the runner', () => {
  assert.equal(parseNumber(''), 0);
  assert.equal(parseNumber('  '), 0);
  assert.equal(parseNumber(' 12 '), 12);
  assert.equal(parseNumber('-1.5e3'), -1500);
  assert.equal(parseNumber('.5'), 0.5);
  assert.equal(parseNumber('5.'), 5);
  assert.equal(parseNumber('+7'), 7);
  assert.equal(parseNumber('0xff'), 255);
  assert.equal(parseNumber('0xffffffff'), -1, 'hex is read as Int32');
  assert.ok(Number.isNaN(parseNumber('0x100000000')), 'wider than 32 bits');
  assert.ok(Number.isNaN(parseNumber('0XFF')), 'only a lower-case x');
  assert.equal(parseNumber('0o17'), 15);
  assert.equal(parseNumber('Infinity'), Number.POSITIVE_INFINITY);
  assert.equal(parseNumber('-Infinity'), Number.NEGATIVE_INFINITY);
  for (const s of ['abc', '1a', '0b11', '1_000', '1e', '--1']) assert.ok(Number.isNaN(parseNumber(s)), s);
  assert.equal(toNumber(null), 0);
  assert.equal(toNumber(true), 1);
  assert.equal(toNumber(false), 0);
  assert.ok(Number.isNaN(toNumber([])));
  assert.ok(Number.isNaN(toNumber({})));
});

void test('numbers print as .NET G15', () => {
  const cases: [number, string][] = [
    [0, '0'], [1, '1'], [-1, '-1'], [1.5, '1.5'], [0.1 + 0.2, '0.3'], [1 / 3, '0.333333333333333'],
    [123456789012345, '123456789012345'], [1e15, '1E+15'], [1.5e20, '1.5E+20'], [0.0001, '0.0001'],
    [0.00001, '1E-05'], [-2.5e-7, '-2.5E-07'], [100, '100'], [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'], [Number.NEGATIVE_INFINITY, '-Infinity'],
  ];
  for (const [n, s] of cases) assert.equal(numberToString(n), s, String(n));
});

void test('string conversion', () => {
  assert.equal(toStringValue(null), '');
  assert.equal(toStringValue(true), 'true');
  assert.equal(toStringValue(2.50), '2.5');
  assert.equal(toStringValue([1]), 'Array');
  assert.equal(toStringValue({ a: 1 }), 'Object');
});

void test('loose equality coerces null, booleans and strings to numbers', () => {
  assert.equal(looseEquals(null, 0), true);
  assert.equal(looseEquals(null, ''), true);
  assert.equal(looseEquals(null, false), true);
  assert.equal(looseEquals(null, null), true);
  assert.equal(looseEquals(true, 1), true);
  assert.equal(looseEquals(true, '1'), true);
  assert.equal(looseEquals(false, '0'), true);
  assert.equal(looseEquals(true, 'true'), false, "'true' is NaN as a number");
  assert.equal(looseEquals('1.0', 1), true);
  assert.equal(looseEquals('0x10', 16), true);
  assert.equal(looseEquals('abc', 'ABC'), true);
  assert.equal(looseEquals('1', '1.0'), false, 'two strings compare as strings');
  assert.equal(looseEquals(Number.NaN, Number.NaN), false);
  assert.equal(looseEquals('abc', Number.NaN), false);
  const obj = {};
  assert.equal(looseEquals(obj, obj), true);
  assert.equal(looseEquals({}, {}), false);
  assert.equal(looseEquals([], []), false);
  assert.equal(looseEquals([], 0), false);
  assert.equal(looseEquals({}, null), false);
});

void test('ordering: numbers, case-insensitive strings, booleans; NaN and objects unordered', () => {
  assert.equal(lessThan(1, 2), true);
  assert.equal(lessThan('a', 'B'), true);
  assert.equal(greaterThan('b', 'A'), true);
  assert.equal(lessThan('10', '9'), true, 'strings compare as strings');
  assert.equal(lessThan('10', 9), false, 'a string against a number compares as numbers');
  assert.equal(greaterThan(true, false), true);
  assert.equal(lessThan(null, 1), true);
  assert.equal(lessThan(Number.NaN, 1), false);
  assert.equal(greaterThan(Number.NaN, 1), false);
  assert.equal(lessThan([], {}), false);
  assert.equal(greaterThan({}, 1), false);
});

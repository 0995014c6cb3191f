import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError, TransientError, errorCodeOf, isRetriable } from '../../../src/errors.ts';
import { backoffMs } from '../../../src/runtime/backoff.ts';

describe('isRetriable', () => {
  const cases: [string, unknown, boolean][] = [
    ['a TransientError', new TransientError('pg down'), true],
    ['an InputError', new InputError('STW_DECODE_FAILED', 'bad bytes'), false],
    ['a TypeError (a bug)', new TypeError('x is undefined'), false],
    ['ECONNREFUSED', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), true],
    ['PostgreSQL admin shutdown 57P01', Object.assign(new Error('terminating'), { code: '57P01' }), true],
    ['PostgreSQL unique violation 23505', Object.assign(new Error('duplicate'), { code: '23505' }), false],
    [
      'a kafkajs retriable error',
      Object.assign(new Error('leader not available'), { retriable: true }),
      true,
    ],
    ['Elasticsearch 503', Object.assign(new Error('unavailable'), { meta: { statusCode: 503 } }), true],
    [
      'Elasticsearch 400',
      Object.assign(new Error('mapper_parsing_exception'), { meta: { statusCode: 400 } }),
      false,
    ],
    [
      'a wrapped network error',
      new Error('query failed', { cause: Object.assign(new Error('reset'), { code: 'ECONNRESET' }) }),
      true,
    ],
    ['a string', 'nope', false],
  ];
  for (const [name, error, expected] of cases) {
    it(`should be ${expected} for ${name}`, () => assert.equal(isRetriable(error), expected));
  }

  it('should map unknown non-retriable errors to STW_INTERNAL and network errors to STW_DEPENDENCY_UNAVAILABLE', () => {
    assert.equal(errorCodeOf(new Error('?')), 'STW_INTERNAL');
    assert.equal(
      errorCodeOf(Object.assign(new Error('t'), { code: 'ETIMEDOUT' })),
      'STW_DEPENDENCY_UNAVAILABLE',
    );
    assert.equal(errorCodeOf(new InputError('STW_SCHEMA_UNKNOWN', 'id 9')), 'STW_SCHEMA_UNKNOWN');
  });
});

describe('backoffMs', () => {
  it('should grow exponentially, stay within [half, full] of the step, and cap at max', () => {
    assert.equal(
      backoffMs(1, 100, 10_000, () => 0),
      50,
    );
    assert.equal(
      backoffMs(1, 100, 10_000, () => 1),
      100,
    );
    assert.equal(
      backoffMs(4, 100, 10_000, () => 1),
      800,
    );
    assert.equal(
      backoffMs(20, 100, 10_000, () => 1),
      10_000,
    );
    assert.equal(
      backoffMs(20, 100, 10_000, () => 0),
      5000,
    );
  });
});

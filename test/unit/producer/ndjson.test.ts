import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeEvent } from '../../../src/domain/change-event.ts';
import { formatProblem, parseNdjson } from '../../../src/producer/ndjson.ts';
import { deleteEvent, fullUpsertEvent, profileEvent } from '../../fixtures/change-events.ts';

const line = (value: unknown): string => JSON.stringify(value);
const withoutOccurredAt = (): unknown => {
  const event: Partial<ChangeEvent> = deleteEvent();
  delete event.occurredAt;
  return event;
};

interface Case {
  readonly title: string;
  readonly text: string;
  readonly ids: readonly string[];
  readonly lines: readonly number[];
  /** Expected problems: line, path, and a pattern the message matches. */
  readonly problems: readonly [number, string, RegExp][];
}

const cases: Case[] = [
  {
    title: 'every line is a valid event',
    text: [fullUpsertEvent(), profileEvent(), deleteEvent()].map(line).join('\n') + '\n',
    ids: [fullUpsertEvent().id, profileEvent().id, deleteEvent().id],
    lines: [1, 2, 3],
    problems: [],
  },
  {
    title: 'line 3 is not JSON',
    text: [line(fullUpsertEvent()), line(deleteEvent()), '{"id": "oops",', line(profileEvent())].join('\n'),
    ids: [fullUpsertEvent().id, deleteEvent().id, profileEvent().id],
    lines: [1, 2, 4],
    problems: [[3, '', /^invalid JSON: /]],
  },
  {
    title: 'line 2 lacks a required field',
    text: [line(fullUpsertEvent()), line(withoutOccurredAt()), line(profileEvent())].join('\n'),
    ids: [fullUpsertEvent().id, profileEvent().id],
    lines: [1, 3],
    problems: [[2, '/occurredAt', /^required property$/]],
  },
  {
    title: 'blank and whitespace-only lines separate the events',
    text: ['', line(fullUpsertEvent()), '   ', '\t', line(deleteEvent()), '', ''].join('\n'),
    ids: [fullUpsertEvent().id, deleteEvent().id],
    lines: [2, 5],
    problems: [],
  },
  {
    title: 'lines end with CRLF',
    text: [line(fullUpsertEvent()), '', line(withoutOccurredAt()), line(deleteEvent())].join('\r\n') + '\r\n',
    ids: [fullUpsertEvent().id, deleteEvent().id],
    lines: [1, 4],
    problems: [[3, '/occurredAt', /^required property$/]],
  },
  {
    title: 'the file starts with a UTF-8 BOM',
    text: '\uFEFF' + line(deleteEvent()),
    ids: [deleteEvent().id],
    lines: [1],
    problems: [],
  },
  {
    title: 'a line is JSON but not an object',
    text: ['42', line(deleteEvent())].join('\n'),
    ids: [deleteEvent().id],
    lines: [2],
    problems: [[1, '/', /object/]],
  },
  { title: 'the file is empty', text: '', ids: [], lines: [], problems: [] },
];

describe('parseNdjson', () => {
  for (const c of cases) {
    it(`should return the valid events and name each problem's line when ${c.title}`, () => {
      const parsed = parseNdjson(c.text);
      assert.deepEqual(
        parsed.events.map((e) => e.id),
        c.ids,
      );
      assert.deepEqual(parsed.lines, c.lines);
      assert.equal(parsed.problems.length, c.problems.length, JSON.stringify(parsed.problems));
      for (const [i, [expectedLine, path, message]] of c.problems.entries()) {
        const problem = parsed.problems[i]!;
        assert.equal(problem.line, expectedLine);
        assert.equal(problem.path, path);
        assert.match(problem.message, message);
      }
    });
  }

  it('should keep the event values as parsed when the line is valid', () => {
    const event = fullUpsertEvent();
    assert.deepEqual(parseNdjson(line(event)).events, [event]);
  });
});

describe('formatProblem', () => {
  it('should name the line and the field when the problem has a path', () => {
    assert.equal(
      formatProblem({ line: 2, path: '/occurredAt', message: 'required property' }),
      'line 2: /occurredAt: required property',
    );
  });

  it('should name only the line when the problem has no path', () => {
    assert.equal(formatProblem({ line: 3, path: '', message: 'invalid JSON: x' }), 'line 3: invalid JSON: x');
  });
});

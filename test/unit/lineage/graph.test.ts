import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineageGraph, type GraphEdge } from '../../../src/lineage/graph.ts';

const edge = (upstream: string, downstream: string, jobs = ['j']): GraphEdge => ({
  upstream,
  downstream,
  jobs,
  lastSeen: '2026-11-01T00:00:00.000Z',
});

// a → b → c → d, a → c (a shortcut), d → b (a cycle), x → c (another input), e alone with itself.
const graph = new LineageGraph([
  edge('a', 'b'),
  edge('b', 'c'),
  edge('c', 'd'),
  edge('a', 'c'),
  edge('d', 'b'),
  edge('x', 'c'),
  edge('e', 'e'),
]);

describe('LineageGraph', () => {
  it('should reach each asset once, at its shortest distance, nearest first then by URN', () => {
    assert.deepEqual(graph.walk('a', 'downstream', 5, 100), {
      reached: [
        { urn: 'b', depth: 1 },
        { urn: 'c', depth: 1 },
        { urn: 'd', depth: 2 },
      ],
      truncated: false,
    });
    assert.deepEqual(graph.walk('c', 'upstream', 5, 100).reached, [
      { urn: 'a', depth: 1 },
      { urn: 'b', depth: 1 },
      { urn: 'x', depth: 1 },
      { urn: 'd', depth: 2 },
    ]);
  });

  it('should stop at the depth and flag truncation past the limit, keeping the nearest', () => {
    assert.deepEqual(
      graph.walk('a', 'downstream', 1, 100).reached.map((r) => r.urn),
      ['b', 'c'],
    );
    assert.deepEqual(graph.walk('a', 'downstream', 5, 2), {
      reached: [
        { urn: 'b', depth: 1 },
        { urn: 'c', depth: 1 },
      ],
      truncated: true,
    });
    assert.equal(graph.walk('a', 'downstream', 5, 3).truncated, false);
  });

  it('should ignore self-loops and know which assets have edges', () => {
    assert.equal(graph.size, 6);
    assert.equal(graph.has('e'), false);
    assert.equal(graph.has('x'), true);
    assert.deepEqual(graph.walk('nowhere', 'upstream', 3, 10), { reached: [], truncated: false });
  });

  it('should give the edges among a set of assets, every one and only those', () => {
    assert.deepEqual(
      graph.edgesAmong(new Set(['a', 'b', 'c'])).map((e) => `${e.upstream}>${e.downstream}`),
      ['a>b', 'a>c', 'b>c'],
    );
  });
});

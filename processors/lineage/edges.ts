/**
 * What one OpenLineage RunEvent says about the graph, in Steward URNs. Pure.
 *
 * Dataset edges: every input to every output of the run (the job read the inputs and wrote the outputs).
 * Column edges: each output's columnLineage facet, output column ← input column; an input dataset named
 * only there is an input of the run too. Datasets whose namespace Steward cannot map are reported, not
 * guessed.
 */
import { identityOf, type NamespaceInstances } from '../../src/lineage/identity.ts';
import type { LineageDataset, RunEvent } from '../../src/lineage/openlineage.ts';

export interface Dataset {
  readonly urn: string;
  /** The OpenLineage name, e.g. `shop.public.orders`. */
  readonly name: string;
  /** The columns the schema facet lists, when it does. */
  readonly columns?: readonly string[];
}

export interface ColumnEdge {
  readonly upstream: string;
  readonly upstreamColumn: string;
  readonly downstream: string;
  readonly downstreamColumn: string;
}

export interface RunGraph {
  readonly inputs: readonly Dataset[];
  readonly outputs: readonly Dataset[];
  readonly edges: readonly { readonly upstream: string; readonly downstream: string }[];
  readonly columnEdges: readonly ColumnEdge[];
  /** Datasets with no URN: namespace, name and why. */
  readonly unmapped: readonly {
    readonly namespace: string;
    readonly name: string;
    readonly reason: string;
  }[];
}

export function runGraph(event: RunEvent, instances: NamespaceInstances): RunGraph {
  const unmapped: { namespace: string; name: string; reason: string }[] = [];
  const resolve = (dataset: Pick<LineageDataset, 'namespace' | 'name'>): string | undefined => {
    const identity = identityOf(dataset, instances);
    if (identity.ok) return identity.urn;
    if (!unmapped.some((u) => u.namespace === dataset.namespace && u.name === dataset.name))
      unmapped.push({ namespace: dataset.namespace, name: dataset.name, reason: identity.reason });
    return undefined;
  };
  const datasets = (list: readonly LineageDataset[] | undefined): Dataset[] => {
    const found = new Map<string, Dataset>();
    for (const dataset of list ?? []) {
      const urn = resolve(dataset);
      if (!urn || found.has(urn)) continue;
      const fields = dataset.facets?.schema?.fields;
      found.set(urn, { urn, name: dataset.name, ...(fields && { columns: fields.map((f) => f.name) }) });
    }
    return [...found.values()];
  };
  const outputs = datasets(event.outputs);
  const inputs = datasets(event.inputs);
  const columnEdges: ColumnEdge[] = [];
  const seen = new Set<string>();
  for (const output of event.outputs ?? []) {
    const downstream = resolve(output);
    const lineage = output.facets?.columnLineage?.fields;
    if (!downstream || !lineage) continue;
    for (const [downstreamColumn, { inputFields }] of Object.entries(lineage)) {
      for (const field of inputFields) {
        const upstream = resolve(field);
        if (!upstream) continue;
        if (!inputs.some((d) => d.urn === upstream)) inputs.push({ urn: upstream, name: field.name });
        const key = [upstream, field.field, downstream, downstreamColumn].join('\u0000');
        if (seen.has(key)) continue;
        seen.add(key);
        columnEdges.push({ upstream, upstreamColumn: field.field, downstream, downstreamColumn });
      }
    }
  }
  const edges = inputs.flatMap((input) =>
    outputs
      .filter((o) => o.urn !== input.urn)
      .map((output) => ({ upstream: input.urn, downstream: output.urn })),
  );
  return { inputs, outputs, edges, columnEdges, unmapped };
}

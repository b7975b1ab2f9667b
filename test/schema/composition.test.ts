import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { schemaPath } from '../../subgraphs/kit/src';
import { composeSupergraph } from '../../scripts/composeSupergraph';

describe('composition', () => {
  const outcome = composeSupergraph();

  it('composes the five subgraphs without errors', () => {
    expect(outcome.errors).toEqual([]);
    expect(outcome.supergraphSdl).toBeDefined();
  });

  it('reports no hint that has not been accepted in schema/accepted-hints.json', () => {
    expect(outcome.unacceptedHints).toEqual([]);
  });

  it('matches the checked-in schema/supergraph.graphql (run `npm run compose` when this fails)', () => {
    expect(readFileSync(schemaPath('supergraph.graphql'), 'utf8')).toBe(outcome.supergraphSdl);
  });

  it('keeps the shared Channel enum identical in every subgraph', () => {
    const channelOf = (name: string) => /enum Channel \{[\s\S]*?\n\}/.exec(readFileSync(schemaPath(`${name}.graphql`), 'utf8'))?.[0];
    const reference = channelOf('customers');
    expect(reference).toContain('WEB');
    for (const name of ['inventory', 'orders', 'loyalty', 'messaging']) expect(channelOf(name)).toBe(reference);
  });
});

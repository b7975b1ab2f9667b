/**
 * The README's "First queries" stay true: every example in that section (the POS `curl` and each
 * channel's ```graphql block) runs against the demo dataset `npm start` seeds, with the token its
 * heading names, and answers with data and no errors. A README edit that breaks an example, or a schema
 * change that breaks the README, fails here rather than in front of a newcomer.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, print } from 'graphql';
import type { Role } from '../../subgraphs/kit/src';
import { startEstate, type RunningEstate } from '../support/estate';
import { execute, tokenFor } from '../support/testkit';

interface ReadmeExample {
  heading: string;
  document: string;
  variables: Record<string, unknown>;
}

interface Caller {
  role: Role;
  sub?: string;
  storeId?: string;
}

/** The caller each channel's heading names (the README says which token each example needs). */
const CALLERS: Array<{ heading: RegExp; caller: Caller | null }> = [
  { heading: /^Store till/, caller: { role: 'ASSOCIATE', storeId: 'MX-CDMX-CENTRO' } },
  { heading: /^Web shop \(anonymous\)/, caller: null },
  { heading: /^App \(CUSTOMER token\)/, caller: { role: 'CUSTOMER', sub: 'cus_000005' } },
  { heading: /^Call centre \(AGENT token\)/, caller: { role: 'AGENT' } },
  { heading: /^WhatsApp bot \(SERVICE or AGENT token\)/, caller: { role: 'SERVICE' } },
  { heading: /^Analyst \(ANALYST token\)/, caller: { role: 'ANALYST' } },
];

function firstQueriesSection(): string {
  const readme = readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const start = readme.indexOf('## First queries');
  const end = readme.indexOf('\n## ', start + 1);
  if (start < 0 || end < 0) throw new Error('README.md has no "## First queries" section');
  return readme.slice(start, end);
}

/** Each operation of each example block, under the bold heading before it. */
function readmeExamples(): ReadmeExample[] {
  const examples: ReadmeExample[] = [];
  let heading = '';
  const blockPattern = /\*\*([^*]+)\*\*|```(graphql|bash)\n([\s\S]*?)```/g;
  for (const match of firstQueriesSection().matchAll(blockPattern)) {
    if (match[1]) {
      heading = match[1].trim();
      continue;
    }
    const text = match[3] ?? '';
    if (!heading) continue;
    if (match[2] === 'bash') {
      const payload = /-d '(\{[\s\S]*\})'/.exec(text);
      if (!payload) continue; // token minting, not a query
      const body = JSON.parse(payload[1] ?? '') as { query: string; variables?: Record<string, unknown> };
      examples.push({ heading, document: body.query, variables: body.variables ?? {} });
      continue;
    }
    for (const definition of parse(text).definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) throw new Error(`README example under "${heading}" holds a ${definition.kind}`);
      examples.push({ heading, document: print(definition), variables: {} });
    }
  }
  return examples;
}

function callerFor(heading: string): Caller | null {
  const entry = CALLERS.find((candidate) => candidate.heading.test(heading));
  if (!entry) throw new Error(`No caller known for the README heading "${heading}": add it to CALLERS`);
  return entry.caller;
}

/** True when some leaf of the tree is a non-empty value: the answer carries data, not only nulls. */
function holdsData(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.some(holdsData);
  if (typeof value === 'object') return Object.values(value).some(holdsData);
  return value !== '';
}

const examples = readmeExamples();

describe('README "First queries"', () => {
  let estate: RunningEstate;

  beforeAll(async () => {
    estate = await startEstate({ databasePrefix: 'readme', seed: { customers: 1000, orders: 5000, products: 200 } });
  }, 300_000);

  afterAll(async () => {
    await estate?.stop();
  });

  it('has an example for every channel', () => {
    const headings = new Set(examples.map((example) => callerFor(example.heading)?.role ?? 'ANONYMOUS'));
    expect([...headings].sort()).toEqual(['AGENT', 'ANALYST', 'ANONYMOUS', 'ASSOCIATE', 'CUSTOMER', 'SERVICE']);
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  it('shows, for the POS demo customer, every channel\'s data: orders, points and conversations', async () => {
    const pos = examples.find((example) => example.heading.startsWith('Store till'));
    expect(pos).toBeDefined();
    const { document, variables } = pos as ReadmeExample;
    const response = await execute<{ findCustomer: { orders: { nodes: unknown[] }; loyalty: { points: number } | null; conversations: unknown[] } }>(
      estate.url, document, variables, tokenFor('ASSOCIATE', undefined, 'MX-CDMX-CENTRO'));
    expect(response.data?.findCustomer.orders.nodes.length).toBeGreaterThan(0);
    expect(response.data?.findCustomer.loyalty?.points).toEqual(expect.any(Number));
    expect(response.data?.findCustomer.conversations.length).toBeGreaterThan(0);
  });

  it.each(examples.map((example) => [`${example.heading}: ${example.document.replace(/\s+/g, ' ').slice(0, 70)}`, example] as const))(
    '%s',
    async (_title, example) => {
      const caller = callerFor(example.heading);
      const token = caller ? tokenFor(caller.role, caller.sub, caller.storeId) : undefined;
      const response = await execute(estate.url, example.document, example.variables, token);
      expect(response.errors).toBeUndefined();
      expect(response.status).toBe(200);
      expect(holdsData(response.data)).toBe(true);
    },
  );
});

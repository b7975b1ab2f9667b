/**
 * The documents in docs/ must not rot: every relative link reaches a file (and heading) that exists,
 * every `npm run <script>` is a script of package.json, every repository path in backticks exists
 * (`<name>`-style placeholders match at least one path), every metric name is one the code registers,
 * and every constant-looking name (environment variable, error code, enum value) appears in the code
 * or the README. The one thing docs may name before it exists is the example subgraph of
 * adding-a-subgraph.md, `promotions` — and its SDL example is composed with the five real SDLs,
 * linted and checked for authorization rules, so the walk-through stays one a team can follow.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { isObjectType, parse } from 'graphql';
import { composeSdls, readAcceptedHints } from '../../scripts/schema/estateComposition';
import { lintSdls } from '../../scripts/schema/schemaLint';
import { SUBGRAPH_NAMES, databaseNameOf, enforceAuthorization, fieldRuleOf, isResolvableEntity, repositoryRoot, schemaPath, typeRuleOf } from '../../subgraphs/kit/src';

const root = repositoryRoot();
const docsDir = join(root, 'docs');
const DOCS = readdirSync(docsDir).filter((file) => file.endsWith('.md')).sort();
const read = (path: string) => readFileSync(path, 'utf8');
const packageScripts = Object.keys((JSON.parse(read(join(root, 'package.json'))) as { scripts: Record<string, string> }).scripts);

/** The example subgraph adding-a-subgraph.md walks through: named before it exists. */
const EXAMPLE_SUBGRAPH = 'promotions';

/** Top-level entries a backticked path may start with to count as a repository path. */
const REPOSITORY_PATH = /^(?:(?:gateway|subgraphs|schema|scripts|test|operations|docs|bench|generated)\/[^\s`]*|CODEOWNERS|docker-compose\.yml|Dockerfile|package\.json|README\.md|tsconfig\.json)$/;

/** The text without fenced code blocks (their backticks are not inline code). */
function prose(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '');
}

/** Inline code spans of the prose. */
function inlineCode(markdown: string): string[] {
  return [...prose(markdown).matchAll(/`([^`\n]+)`/g)].map((match) => match[1] as string);
}

/** GitHub's heading anchors of a markdown file: lower case, punctuation dropped, spaces to dashes. */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of prose(markdown).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    anchors.add((match[1] as string).trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return anchors;
}

/** A name with `<placeholder>` parts as a regular expression: each placeholder matches any non-empty text without `/`. */
function placeholderPattern(name: string): RegExp {
  return new RegExp(`^${name.split(/<[^>]+>/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`);
}

/** True when some path matches `pattern`, whose `<placeholder>` segments match any name. */
function existsWithPlaceholders(pattern: string): boolean {
  const segments = pattern.replace(/\/$/, '').split('/');
  const walk = (dir: string, index: number): boolean => {
    if (index === segments.length) return true;
    const segment = segments[index] as string;
    if (!segment.includes('<')) return existsSync(join(dir, segment)) && walk(join(dir, segment), index + 1);
    const matcher = placeholderPattern(segment);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return false;
    return readdirSync(dir).some((entry) => matcher.test(entry) && walk(join(dir, entry), index + 1));
  };
  return walk(root, 0);
}

/** Every `.ts` file under `dir`, concatenated: where names the docs quote must appear. */
function sourceText(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') text += sourceText(path);
    else if (/\.(?:ts|graphql)$/.test(entry.name)) text += `${read(path)}\n`;
  }
  return text;
}

const code = ['gateway/src', 'subgraphs', 'scripts', 'schema', 'test', 'bench'].map((dir) => sourceText(join(root, dir))).join('\n');
const readme = read(join(root, 'README.md'));

/** A metric is registered literally, or as `${prefix}_<rest>` by a helper given the prefix (load shedding). */
function isRegisteredMetric(name: string): boolean {
  if (code.includes(`'${name}'`)) return true;
  const prefix = /^(zocalo_gateway|zocalo_subgraph)_(.+)$/.exec(name);
  return prefix !== null && code.includes(`'${prefix[1]}'`) && code.includes(`\${prefix}_${prefix[2]}\``);
}

describe('docs/', () => {
  it('has the architecture, the journeys, the runbook and the new-subgraph walk-through, linked from the README', () => {
    expect(DOCS).toEqual(expect.arrayContaining(['architecture.md', 'journeys.md', 'runbook.md', 'adding-a-subgraph.md']));
    for (const file of DOCS) expect(readme).toContain(`(docs/${file})`);
  });

  it('draws the architecture as a mermaid diagram', () => {
    expect(read(join(docsDir, 'architecture.md'))).toMatch(/```mermaid\n(?:flowchart|graph) /);
  });

  describe.each(DOCS)('%s', (file) => {
    const markdown = read(join(docsDir, file));

    it('links only to files and headings that exist', () => {
      const broken: string[] = [];
      for (const match of prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] as string;
        if (/^[a-z]+:/i.test(target)) continue;
        const [path = '', anchor] = target.split('#');
        const resolved = path ? resolve(docsDir, path) : join(docsDir, file);
        if (!existsSync(resolved)) broken.push(target);
        else if (anchor && resolved.endsWith('.md') && !anchorsOf(read(resolved)).has(anchor)) broken.push(target);
      }
      expect(broken).toEqual([]);
    });

    it('names only npm scripts that package.json has', () => {
      const named = [...markdown.matchAll(/npm run (?:-s )?([a-z][\w:.<>-]*)/g)].map((match) => match[1] as string);
      expect(named.filter((script) => !packageScripts.some((existing) => placeholderPattern(script).test(existing)))).toEqual([]);
    });

    it('names only repository paths that exist', () => {
      const missing = inlineCode(markdown)
        .filter((span) => REPOSITORY_PATH.test(span) && !span.includes(EXAMPLE_SUBGRAPH))
        .filter((path) => !existsWithPlaceholders(path));
      expect(missing).toEqual([]);
    });

    it('names only metrics the code registers', () => {
      const databases = new Set<string>(SUBGRAPH_NAMES.map((name) => databaseNameOf(name)));
      const metrics = inlineCode(markdown).filter((span) => /^zocalo_[a-z0-9_]+$/.test(span) && !databases.has(span) && !span.includes(EXAMPLE_SUBGRAPH));
      expect(metrics.filter((name) => !isRegisteredMetric(name))).toEqual([]);
    });

    it('names only settings, error codes and enum values that the code or the README has', () => {
      const constants = inlineCode(markdown).filter((span) => /^[A-Z][A-Z0-9_]{2,}$/.test(span) && !span.includes(EXAMPLE_SUBGRAPH.toUpperCase()));
      expect(constants.filter((name) => !new RegExp(`\\b${name}\\b`).test(code) && !readme.includes(`\`${name}\``))).toEqual([]);
    });
  });
});

describe('the SDL example of adding-a-subgraph.md', () => {
  const markdown = read(join(docsDir, 'adding-a-subgraph.md'));
  const example = /```graphql\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
  // The example says to copy these verbatim; the test does what it says.
  const channelEnum = /"[^"\n]*"\nenum Channel \{[\s\S]*?\n\}/.exec(read(schemaPath('customers.graphql')))?.[0] ?? '';
  const sdl = `${example}\n${channelEnum}\n${read(schemaPath('authorization.graphql'))}`;
  const estate = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, read(schemaPath(`${name}.graphql`))]));

  it('composes with the five subgraphs, with no error and no unaccepted hint', () => {
    expect(example).toContain(`type Promotion @key(fields: "id")`);
    expect(channelEnum).toContain('WHATSAPP');
    const outcome = composeSdls({ ...estate, [EXAMPLE_SUBGRAPH]: sdl }, readAcceptedHints(schemaPath('accepted-hints.json')));
    expect(outcome.errors).toEqual([]);
    expect(outcome.unacceptedHints).toEqual([]);
    expect(outcome.supergraphSdl).toContain('join__Graph');
  });

  it('passes the schema lint', () => {
    const issues = lintSdls({ ...estate, [EXAMPLE_SUBGRAPH]: sdl }).filter((issue) => issue.subgraph === EXAMPLE_SUBGRAPH);
    expect(issues.map((issue) => `${issue.coordinate}: ${issue.message}`)).toEqual([]);
  });

  it('declares who may use each root field and entity, in rules the kit accepts', () => {
    const schema = buildSubgraphSchema([{ typeDefs: parse(sdl) }]);
    expect(() => enforceAuthorization(schema)).not.toThrow();
    const undeclared: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('_')) continue;
      const isRoot = type.name === 'Query' || type.name === 'Mutation';
      if (!isRoot && (!isResolvableEntity(type) || typeRuleOf(type))) continue;
      for (const field of Object.values(type.getFields())) {
        if (!field.name.startsWith('_') && !fieldRuleOf(type, field)) undeclared.push(`${type.name}.${field.name}`);
      }
    }
    expect(undeclared).toEqual([]);
  });
});

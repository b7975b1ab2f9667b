/**
 * The schema lint: every type, field, argument, enum value and input field of every subgraph SDL has a
 * description a frontend developer can act on, and names follow GraphQL's conventions (types
 * PascalCase, fields and arguments camelCase, enum values UPPER_SNAKE_CASE).
 *
 * It reads the SDL as written (the AST, not a built schema) so it sees exactly what a team wrote.
 * Exempt by design:
 * - the description of an entity type another subgraph also declares, when some subgraph describes it
 *   (a second, different description would be a composition hint), and the key fields of such a
 *   re-declaration (the describing declaration, the owner's, documents them);
 * - the description of the root types `Query`, `Mutation` and `Subscription`.
 *
 * Existing gaps are listed in `schema/lint-baseline.json`; a new gap fails, and a fixed one must leave
 * the baseline (`npm run schema:lint -- --update-baseline`), so the list only shrinks.
 */
import { existsSync, readFileSync } from 'node:fs';
import {
  Kind,
  parse,
  type DirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  type StringValueNode,
} from 'graphql';
import { SUBGRAPH_NAMES, schemaPath } from '../../subgraphs/kit/src';

/** What a lint issue is about. */
export type LintRule =
  | 'description-missing'
  | 'description-too-short'
  | 'description-repeats-name'
  | 'name-type-pascal-case'
  | 'name-field-camel-case'
  | 'name-argument-camel-case'
  | 'name-enum-value-upper-snake-case';

/** One finding. */
export interface LintIssue {
  subgraph: string;
  rule: LintRule;
  /** Schema coordinate: `Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `Input.field`. */
  coordinate: string;
  message: string;
}

/** The file that lists accepted gaps. */
export const LINT_BASELINE_FILE = schemaPath('lint-baseline.json');

/** Fewest words of a type, field, argument or input field description. */
export const MIN_WORDS = 3;

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;
const UPPER_SNAKE_CASE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** The baseline key of an issue: `subgraph: rule: coordinate`. */
export function issueKey(issue: Pick<LintIssue, 'subgraph' | 'rule' | 'coordinate'>): string {
  return `${issue.subgraph}: ${issue.rule}: ${issue.coordinate}`;
}

function words(text: string): string[] {
  return text
    .replace(/`[^`]*`/g, ' code ')
    .split(/[\s/]+/)
    .filter((word) => /[\p{L}\p{N}]/u.test(word));
}

const normalise = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Named definitions of a document that the lint looks at, with their kind. */
type NamedDefinition = Extract<DefinitionNode, { name: { value: string } }>;

function isTypeDefinition(definition: DefinitionNode): definition is NamedDefinition {
  switch (definition.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
    case Kind.OBJECT_TYPE_EXTENSION:
    case Kind.INTERFACE_TYPE_DEFINITION:
    case Kind.INTERFACE_TYPE_EXTENSION:
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
    case Kind.ENUM_TYPE_DEFINITION:
    case Kind.SCALAR_TYPE_DEFINITION:
    case Kind.UNION_TYPE_DEFINITION:
      return true;
    default:
      return false;
  }
}

function keyDirectives(definition: NamedDefinition): DirectiveNode[] {
  return ('directives' in definition ? (definition.directives ?? []) : []).filter((directive) => directive.name.value === 'key');
}

/** Top-level field names of every `@key(fields: "…")` of a type (nested selections are the key's own business). */
function keyFieldNames(definition: NamedDefinition): Set<string> {
  const names = new Set<string>();
  for (const directive of keyDirectives(definition)) {
    const fields = directive.arguments?.find((argument) => argument.name.value === 'fields')?.value;
    if (fields?.kind !== Kind.STRING) continue;
    let depth = 0;
    for (const token of fields.value.match(/[{}]|[_A-Za-z][_0-9A-Za-z]*/g) ?? []) {
      if (token === '{') depth += 1;
      else if (token === '}') depth -= 1;
      else if (depth === 0) names.add(token);
    }
  }
  return names;
}

/** What the lint knows about the whole estate while it checks one subgraph. */
export interface EstateView {
  /** Entity type name → subgraphs declaring it. */
  entityDeclarations: Map<string, string[]>;
  /** Entity type names that at least one subgraph describes. */
  describedEntities: Set<string>;
}

/** Builds the estate view from every subgraph's parsed SDL. */
export function viewEstate(documents: Record<string, DocumentNode>): EstateView {
  const entityDeclarations = new Map<string, string[]>();
  const describedEntities = new Set<string>();
  for (const [subgraph, document] of Object.entries(documents)) {
    for (const definition of document.definitions) {
      if (!isTypeDefinition(definition) || keyDirectives(definition).length === 0) continue;
      const name = definition.name.value;
      entityDeclarations.set(name, [...(entityDeclarations.get(name) ?? []), subgraph]);
      if ('description' in definition && definition.description?.value.trim()) describedEntities.add(name);
    }
  }
  return { entityDeclarations, describedEntities };
}

/** Lints one subgraph's SDL (see module comment). */
export function lintSubgraphSdl(subgraph: string, document: DocumentNode, estate: EstateView): LintIssue[] {
  const issues: LintIssue[] = [];
  const add = (rule: LintRule, coordinate: string, message: string) => issues.push({ subgraph, rule, coordinate, message });

  const checkDescription = (coordinate: string, name: string, description: StringValueNode | undefined, minWords: number, what: string) => {
    const text = description?.value.trim() ?? '';
    if (text === '') {
      add('description-missing', coordinate, `${what} ${coordinate} has no description: say what it is, its unit or format, and who may read it`);
      return;
    }
    if (normalise(text) === normalise(name)) {
      add('description-repeats-name', coordinate, `the description of ${coordinate} only repeats its name`);
      return;
    }
    if (words(text).length < minWords) add('description-too-short', coordinate, `the description of ${coordinate} ("${text}") is shorter than ${minWords} words`);
  };

  const checkArguments = (typeName: string, field: FieldDefinitionNode) => {
    for (const argument of field.arguments ?? []) {
      const coordinate = `${typeName}.${field.name.value}(${argument.name.value}:)`;
      if (!CAMEL_CASE.test(argument.name.value)) add('name-argument-camel-case', coordinate, `argument ${coordinate} should be camelCase`);
      checkDescription(coordinate, argument.name.value, argument.description, MIN_WORDS, 'argument');
    }
  };

  for (const definition of document.definitions) {
    if (!isTypeDefinition(definition)) continue;
    const typeName = definition.name.value;
    if (!PASCAL_CASE.test(typeName)) add('name-type-pascal-case', typeName, `type ${typeName} should be PascalCase`);

    const declarations = estate.entityDeclarations.get(typeName) ?? [];
    const sharedEntity = declarations.length > 1;
    const typeDescriptionExempt =
      ROOT_TYPES.has(typeName) ||
      definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
      definition.kind === Kind.INTERFACE_TYPE_EXTENSION ||
      // Another subgraph describes this entity, or (none does) the first declaring one is told to.
      (sharedEntity && (estate.describedEntities.has(typeName) || declarations[0] !== subgraph));
    if (!typeDescriptionExempt) checkDescription(typeName, typeName, 'description' in definition ? definition.description : undefined, MIN_WORDS, 'type');
    // The declaration that describes the entity is its owner's: its key fields are documented there.
    const ownDescription = 'description' in definition && Boolean(definition.description?.value.trim());
    const exemptKeys = sharedEntity && !ownDescription ? keyFieldNames(definition) : new Set<string>();

    if (definition.kind === Kind.ENUM_TYPE_DEFINITION) {
      for (const value of definition.values ?? []) {
        const coordinate = `${typeName}.${value.name.value}`;
        if (!UPPER_SNAKE_CASE.test(value.name.value)) add('name-enum-value-upper-snake-case', coordinate, `enum value ${coordinate} should be UPPER_SNAKE_CASE`);
        // One word can be enough for an enum value ("SMS."), as long as it says more than the name.
        checkDescription(coordinate, value.name.value, value.description, 1, 'enum value');
      }
      continue;
    }
    if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
      for (const field of definition.fields ?? []) {
        const coordinate = `${typeName}.${field.name.value}`;
        if (!CAMEL_CASE.test(field.name.value)) add('name-field-camel-case', coordinate, `input field ${coordinate} should be camelCase`);
        checkDescription(coordinate, field.name.value, (field as InputValueDefinitionNode).description, MIN_WORDS, 'input field');
      }
      continue;
    }
    if ('fields' in definition) {
      for (const field of (definition.fields ?? []) as readonly FieldDefinitionNode[]) {
        const coordinate = `${typeName}.${field.name.value}`;
        if (!CAMEL_CASE.test(field.name.value)) add('name-field-camel-case', coordinate, `field ${coordinate} should be camelCase`);
        if (!exemptKeys.has(field.name.value)) checkDescription(coordinate, field.name.value, field.description, MIN_WORDS, 'field');
        checkArguments(typeName, field);
      }
    }
  }
  return issues;
}

/** Lints SDL texts by subgraph name (tests pass strings; the CLI passes the files). */
export function lintSdls(sdls: Record<string, string>): LintIssue[] {
  const documents = Object.fromEntries(Object.entries(sdls).map(([name, sdl]) => [name, parse(sdl)]));
  const estate = viewEstate(documents);
  return Object.entries(documents).flatMap(([name, document]) => lintSubgraphSdl(name, document, estate));
}

/** Lints the five `schema/<name>.graphql` files. */
export function lintEstateSchemas(): LintIssue[] {
  return lintSdls(Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, readFileSync(schemaPath(`${name}.graphql`), 'utf8')])));
}

/** The baseline file's shape. */
export interface LintBaseline {
  about: string;
  /** Issue keys (see {@link issueKey}), sorted. */
  accepted: string[];
}

/** Reads the baseline (empty when the file does not exist). */
export function readLintBaseline(path: string = LINT_BASELINE_FILE): Set<string> {
  if (!existsSync(path)) return new Set();
  return new Set((JSON.parse(readFileSync(path, 'utf8')) as LintBaseline).accepted);
}

/** The baseline's text for a set of keys. */
export function formatLintBaseline(keys: Iterable<string>): string {
  const baseline: LintBaseline = {
    about:
      'Schema lint gaps that existed when the lint was introduced. It may only shrink: a new gap fails `npm run schema:lint` and its test; after fixing gaps, run `npm run schema:lint -- --update-baseline` to drop them from this list.',
    accepted: [...new Set(keys)].sort(),
  };
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

/** Issues compared with the baseline. */
export interface LintVerdict {
  /** Issues not in the baseline: they fail. */
  fresh: LintIssue[];
  /** Baseline entries that no longer occur: they must leave the baseline. */
  fixed: string[];
  /** Issues the baseline accepts. */
  accepted: LintIssue[];
}

/** Compares issues with the baseline. */
export function judgeLint(issues: LintIssue[], baseline: Set<string>): LintVerdict {
  const current = new Set(issues.map(issueKey));
  return {
    fresh: issues.filter((issue) => !baseline.has(issueKey(issue))),
    accepted: issues.filter((issue) => baseline.has(issueKey(issue))),
    fixed: [...baseline].filter((key) => !current.has(key)).sort(),
  };
}

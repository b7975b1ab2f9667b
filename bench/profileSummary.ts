/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. from `npm run bench -- --profile <dir>`): self
 * time by package (a `node_modules` package, a Node built-in, the project's own files, or V8's
 * `(garbage collector)`, `(idle)`, `(program)`) and by function, as shares of the profile.
 *
 * `npx tsx bench/profileSummary.ts <file.cpuprofile> [--top 25]`; `--stacks <function name>` prints the
 * call stacks that spend the most self time in that function instead.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** The parts of a `.cpuprofile` this reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by package and by function, in microseconds. */
export interface ProfileSummary {
  totalMicros: number;
  byPackage: [string, number][];
  byFunction: [string, number][];
}

/** Who a script URL belongs to: `@apollo/gateway`, `node:internal/…`, `zocalo gateway/src/…`. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const project = /\/(gateway|subgraphs|bench|scripts)\/(.*)$/.exec(url);
  if (project) return `zocalo ${project[1]}/${(project[2] ?? '').split('/').slice(0, -1).join('/')}`;
  return url;
}

/** Summarises `profile` (see module comment). */
export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMicros = 0;
  profile.samples.forEach((id, index) => {
    const micros = profile.timeDeltas[index] ?? 0;
    const node = nodeById.get(id);
    if (!node || micros <= 0) return;
    totalMicros += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
    const file = url ? `${url.split('/').slice(-1)[0]}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${file} [${pkg}]`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  });
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { totalMicros, byPackage: sorted(byPackage), byFunction: sorted(byFunction) };
}

/** Markdown tables of a summary's top entries. */
export function formatSummary(summary: ProfileSummary, top: number): string {
  const share = (micros: number) => `${((100 * micros) / summary.totalMicros).toFixed(1)}%`;
  const lines = [`profile: ${(summary.totalMicros / 1e6).toFixed(1)} s sampled`, '', '| self time | package |', '| ---: | --- |'];
  for (const [name, micros] of summary.byPackage.slice(0, top)) lines.push(`| ${share(micros)} | ${name} |`);
  lines.push('', '| self time | function |', '| ---: | --- |');
  for (const [name, micros] of summary.byFunction.slice(0, top)) lines.push(`| ${share(micros)} | ${name.replace(/\|/g, '\\|')} |`);
  return lines.join('\n');
}

/** The most frequent call stacks (self time) ending in a function whose name contains `name`. */
export function stacksOf(profile: CpuProfile & { nodes: { id: number; children?: number[] }[] }, name: string, top: number): [string, number][] {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  const stacks = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const node = nodeById.get(id);
    if (!node || !node.callFrame.functionName.includes(name)) return;
    const frames: string[] = [];
    for (let current: number | undefined = id; current !== undefined && frames.length < 12; current = parent.get(current)) {
      const frame = nodeById.get(current)?.callFrame;
      if (frame) frames.push(`${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`);
    }
    const key = frames.join('\n    ← ');
    stacks.set(key, (stacks.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return [...stacks].sort((a, b) => b[1] - a[1]).slice(0, top);
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '25' }, stacks: { type: 'string' } }, allowPositionals: true });
  const file = positionals[0];
  if (!file) {
    process.stderr.write('usage: npx tsx bench/profileSummary.ts <file.cpuprofile> [--top 25]\n');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  if (values.stacks) {
    for (const [stack, micros] of stacksOf(profile, values.stacks, 5)) process.stdout.write(`${(micros / 1000).toFixed(0)} ms  ${stack}\n\n`);
    return;
  }
  process.stdout.write(`${formatSummary(summariseProfile(profile), Number(values.top))}\n`);
}

if (require.main === module) main();

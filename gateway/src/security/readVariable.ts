/**
 * Reading one environment variable of a security feature, validated, with an error that names the
 * variable and shows the value it got — so a typo stops the gateway at start, not on the first attack.
 */

/** Options for {@link readIntegerVariable}. */
export interface IntegerVariableOptions {
  /** @default 0 */
  min?: number;
  /** @default Number.MAX_SAFE_INTEGER */
  max?: number;
}

/** A whole number from `env[variable]`, or `fallback` when unset or empty. */
export function readIntegerVariable(env: NodeJS.ProcessEnv, variable: string, fallback: number, options: IntegerVariableOptions = {}): number {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const min = options.min ?? 0;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${variable} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** `true`/`1` or `false`/`0` from `env[variable]`, or `fallback` when unset or empty. */
export function readBooleanVariable(env: NodeJS.ProcessEnv, variable: string, fallback: boolean): boolean {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${variable} must be true or false, got ${JSON.stringify(raw)}`);
}

/** One of `choices` from `env[variable]`, or `fallback` when unset or empty. */
export function readChoiceVariable<T extends string>(env: NodeJS.ProcessEnv, variable: string, choices: readonly T[], fallback: T): T {
  const raw = env[variable];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (!(choices as readonly string[]).includes(value)) throw new Error(`${variable} must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  return value as T;
}

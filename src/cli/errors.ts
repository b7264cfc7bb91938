/** Exit code 2: the command line itself is wrong. */
export class UsageError extends Error {}
/** Exit code 1: an input (model, dataset, experiment) is invalid; the message says what and where. */
export class InputError extends Error {}

export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

/**
 * Spellings that mean the same flag in every command: the experiments folder was `--experiments` in train and eval but
 * `--dir` in bench, flash, export and experiments; both are accepted wherever either is.
 */
const ALIASES: Record<string, string> = { dir: 'experiments' };

/** Minimal flag parser: `--flag value`, `--flag=value`, boolean `--flag`; unknown flags are a usage error. */
export function parseArgs(args: string[], spec: { flags?: string[]; booleans?: string[] }): { positional: string[]; flags: Record<string, string>; bools: Set<string> } {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  const bools = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) { positional.push(a); continue; }
    const eq = a.indexOf('=');
    const given = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    const name = ALIASES[given] && spec.flags?.includes(ALIASES[given]) ? ALIASES[given] : given;
    if (spec.booleans?.includes(name)) { bools.add(name); continue; }
    if (!spec.flags?.includes(name)) throw new UsageError(`unknown option --${given}`);
    const value = eq >= 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`--${given} needs a value`);
    flags[name] = value;
  }
  return { positional, flags, bools };
}

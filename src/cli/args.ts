// Command-line parsing shared by the entry points. Bad input exits with code 2 and one line on stderr.

export class CliError extends Error {}

export interface FlagSpec {
  value: boolean; // takes a value
  repeat?: boolean; // may be given more than once
  help: string;
}

export type Parsed = { flags: Record<string, string[]>; positional: string[] };

export function parseArgs(argv: readonly string[], specs: Record<string, FlagSpec>, maxPositional = 0): Parsed {
  const flags: Record<string, string[]> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (positional.length >= maxPositional) throw new CliError(`unexpected argument ${JSON.stringify(arg)}; see --help`);
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const spec = specs[name];
    if (!spec) throw new CliError(`unknown flag --${name}; accepted: ${Object.keys(specs).map((k) => `--${k}`).join(', ')}`);
    let value = 'true';
    if (spec.value) {
      if (eq > 0) value = arg.slice(eq + 1);
      else {
        if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new CliError(`--${name} needs a value`);
        value = argv[++i];
      }
    } else if (eq > 0) throw new CliError(`--${name} takes no value`);
    if (flags[name] && !spec.repeat) throw new CliError(`--${name} given more than once`);
    (flags[name] ??= []).push(value);
  }
  return { flags, positional };
}

export function intFlag(p: Parsed, name: string, min: number, max: number): number | undefined {
  const raw = p.flags[name]?.[0];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new CliError(`--${name}: got ${JSON.stringify(raw)}, expected an integer in [${min}, ${max}]`);
  return v;
}

/** `--set key=value` pairs as a record (later ones win only if the key differs: repeats are an error). */
export function setFlags(p: Parsed): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of p.flags.set ?? []) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new CliError(`--set: expected key=value, got ${JSON.stringify(kv)}`);
    const key = kv.slice(0, eq);
    if (key in out) throw new CliError(`--set ${key} given more than once`);
    out[key] = kv.slice(eq + 1);
  }
  return out;
}

export function helpText(usage: string, specs: Record<string, FlagSpec>): string {
  const rows = Object.entries(specs).map(([k, s]) => `  --${k}${s.value ? ' VALUE' : ''}`.padEnd(26) + s.help);
  return `${usage}\n\n${rows.join('\n')}\n`;
}

/** Runs a CLI main: CliError / ConfigError → exit 2 with one line; anything else → exit 1. */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    const err = e as Error;
    const isInput = err instanceof CliError || err?.name === 'ConfigError' || err?.name === 'InputError';
    process.stderr.write(`error: ${String(err?.message ?? err).split('\n')[0]}\n`);
    process.exit(isInput ? 2 : 1);
  }
}

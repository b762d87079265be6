import { Command, CommanderError, Option } from 'commander';
import { redactUrl, redactUrlsIn } from './urls.js';

/** One configuration value: an environment variable, its command-line flag, and how to parse it. */
export interface Setting<T> {
  env: string;
  /** Long flag, e.g. `--kafka-uri`. */
  flag: string;
  /** Optional short flag, e.g. `-k`. */
  short?: string;
  description: string;
  /** Absent means the setting is required. */
  default?: T;
  /** Throws an Error with a one-line message when `raw` is invalid. */
  parse(raw: string): T;
  /** Never echo the value (help shows `(secret)`, logs and errors show `***`). */
  secret?: boolean;
}

export type Settings = Record<string, Setting<unknown>>;
export type ConfigValues<S extends Settings> = { [K in keyof S]: ReturnType<S[K]['parse']> };

/** Bad command line or environment: the message is one line naming the setting by variable and flag. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

// --- parsers -------------------------------------------------------------------------------------------

export const parseString = (raw: string): string => raw;

export const parseInteger = (range: Range = {}) => boundedNumber('an integer', Number.isSafeInteger, range);

export const parseNumber = (range: Range = {}) => boundedNumber('a number', Number.isFinite, range);

interface Range {
  min?: number;
  max?: number;
}

function boundedNumber(
  what: string,
  valid: (value: number) => boolean,
  { min, max }: Range,
): (raw: string) => number {
  return (raw) => {
    const value = Number(raw.trim());
    if (raw.trim() === '' || !valid(value) || (min ?? -Infinity) > value || value > (max ?? Infinity)) {
      throw new Error(`${JSON.stringify(raw)} is not ${what}${describeRange(min, max)}`);
    }
    return value;
  };
}

function describeRange(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

/** A TCP port; 0 asks the OS for a free one. */
export const parsePort = (raw: string): number => {
  try {
    return parseInteger({ min: 0, max: 65535 })(raw);
  } catch {
    throw new Error(`${JSON.stringify(raw)} is not a port (0-65535)`);
  }
};

export function parseEnum<const V extends readonly string[]>(values: V): (raw: string) => V[number] {
  return (raw) => {
    const value = raw.trim().toLowerCase();
    const match = values.find((v) => v.toLowerCase() === value);
    if (match === undefined) throw new Error(`${JSON.stringify(raw)} is not one of ${values.join(', ')}`);
    return match;
  };
}

const booleans: Record<string, boolean> = {
  true: true,
  yes: true,
  on: true,
  1: true,
  false: false,
  no: false,
  off: false,
  0: false,
};

export const parseBoolean = (raw: string): boolean => {
  const value = booleans[raw.trim().toLowerCase()];
  if (value === undefined)
    throw new Error(`${JSON.stringify(raw)} is not a boolean (true/false, yes/no, on/off, 1/0)`);
  return value;
};

/** A URL with one of the given schemes, e.g. `parseUrl(['http', 'https'])`; returned as written (no normalising). */
export function parseUrl(protocols: readonly string[]): (raw: string) => string {
  return (raw) => {
    const value = raw.trim();
    const scheme = URL.canParse(value) ? new URL(value).protocol.replace(/:$/, '') : undefined;
    if (scheme === undefined || !protocols.includes(scheme)) {
      throw new Error(`${JSON.stringify(raw)} is not a ${protocols.join(' or ')} URL`);
    }
    return value;
  };
}

const hostPort = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:,[\]]+):(\d{1,5})$/;

/** `host:port[,host:port...]`, returned with the spaces around entries removed. */
export const parseHostPortList = (raw: string): string => {
  const entries = raw.split(',').map((entry) => entry.trim());
  const valid = entries.every((entry) => {
    const port = hostPort.exec(entry)?.[1];
    return port !== undefined && Number(port) >= 1 && Number(port) <= 65535;
  });
  if (!valid) throw new Error(`${JSON.stringify(raw)} is not host:port[,host:port]`);
  return entries.join(',');
};

// --- settings ------------------------------------------------------------------------------------------

/** Identity helper so that a setting's value type is inferred from its parser (not widened by the default). */
export const setting = <T>(s: Omit<Setting<T>, 'default'> & { default?: NoInfer<T> }): Setting<T> => s;

/** The same setting with another default, e.g. a service's own HTTP port. */
export const withDefault = <T>(s: Setting<T>, value: T): Setting<T> => ({ ...s, default: value });

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Settings every chippy process with a probe server has. `httpPort` has no default: each sets its own. */
export const runtimeSettings = {
  httpPort: setting<number>({
    env: 'HTTP_PORT',
    flag: '--http-port',
    description: 'port for /metrics, /healthz and /readyz; 0 = any free port',
    parse: parsePort,
  }),
  logLevel: setting({
    env: 'LOG_LEVEL',
    flag: '--log-level',
    description: 'log level',
    default: 'info',
    parse: parseEnum(logLevels),
  }),
};

/**
 * Where a process with a page listens (the summary): an address or host name. Not one of
 * `runtimeSettings`, as the probe servers of the other services listen on every interface for the kubelet
 * and Prometheus.
 */
export const httpHostSetting = setting({
  env: 'HTTP_HOST',
  flag: '--http-host',
  description:
    'address the page and API listen on: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface, as in a container)',
  default: '127.0.0.1',
  parse: (raw: string) => {
    const host = raw.trim();
    if (!/^(?:[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+)$/.test(host))
      throw new Error(`${JSON.stringify(raw)} is not an address`);
    return host;
  },
});

// --- loading -------------------------------------------------------------------------------------------

export interface LoadConfigOptions<S extends Settings> {
  name: string;
  description: string;
  settings: S;
  /** The arguments after the script name; defaults to process.argv.slice(2). */
  argv?: string[];
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where `--help` goes; defaults to process.stdout. */
  stdout?: (text: string) => void;
  /** Called with 0 after `--help`; defaults to process.exit. */
  exit?: (code: number) => never;
  /** Checks settings that are each valid but may not fit together: a one-line message naming one, or undefined. */
  check?: (values: ConfigValues<S>) => string | undefined;
}

const settingName = (s: Setting<unknown>) => `${s.env} (${s.flag})`;

/** Parses the command line and environment: flag, then environment variable, then default. */
export function loadConfig<S extends Settings>(opts: LoadConfigOptions<S>): ConfigValues<S> {
  const { settings, env = process.env, argv = process.argv.slice(2) } = opts;
  const stdout = opts.stdout ?? ((text: string) => void process.stdout.write(text));
  const exit = opts.exit ?? ((code: number) => process.exit(code));

  const command = new Command(opts.name)
    .description(opts.description)
    .exitOverride()
    .configureOutput({ writeOut: stdout, writeErr: () => undefined })
    .addHelpText('after', '\nA flag overrides its environment variable, which overrides the default.');
  const options = Object.entries(settings).map(([key, s]) => {
    // A boolean flag may stand alone (`--plaice` means true) or take a value (`--plaice false`).
    const value = s.parse === parseBoolean ? '[value]' : '<value>';
    const option = new Option(`${s.short ? `${s.short}, ` : ''}${s.flag} ${value}`, describeSetting(s));
    if (s.parse === parseBoolean) option.preset('true');
    command.addOption(option);
    return { key, s, attribute: option.attributeName() };
  });

  try {
    command.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && error.code === 'commander.helpDisplayed') exit(0);
    const message = error instanceof Error ? error.message.replace(/^error: /, '') : String(error);
    throw new ConfigError(`${oneLine(message)} (see --help)`);
  }

  const flags = command.opts<Record<string, string | undefined>>();
  const values: Record<string, unknown> = {};
  for (const { key, s, attribute } of options) {
    // An empty environment variable counts as unset, as compose files often pass `VAR=` for "not given".
    const raw = flags[attribute] ?? (env[s.env] || undefined);
    if (raw === undefined) {
      if (s.default === undefined) throw new ConfigError(`missing ${settingName(s)}: ${s.description}`);
      values[key] = s.default;
      continue;
    }
    try {
      values[key] = s.parse(raw);
    } catch (error) {
      // Parsers may quote the raw value; mask it here so no parser can leak a secret.
      const message = error instanceof Error ? error.message : String(error);
      const shown = s.secret ? '***' : redactUrl(raw);
      const quoted = JSON.stringify(raw).slice(1, -1);
      const masked = raw ? message.split(raw).join(shown).split(quoted).join(shown) : message;
      throw new ConfigError(`invalid ${settingName(s)}: ${oneLine(redactUrlsIn(masked))}`);
    }
  }
  const problem = opts.check?.(values as ConfigValues<S>);
  if (problem) throw new ConfigError(oneLine(problem));
  return values as ConfigValues<S>;
}

function describeSetting(s: Setting<unknown>): string {
  const shown =
    s.default === undefined ? 'required' : `default: ${s.secret ? '(secret)' : formatValue(s.default)}`;
  return `${s.description} [env ${s.env}] (${shown})`;
}

function formatValue(value: unknown): string {
  if (value === '') return '""';
  return typeof value === 'string' ? redactUrl(value) : String(value);
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/** `loadConfig`, but a ConfigError ends the process with one line on stderr and exit code 2. */
export function loadConfigOrExit<S extends Settings>(
  opts: LoadConfigOptions<S> & { stderr?: (text: string) => void },
): ConfigValues<S> {
  try {
    return loadConfig(opts);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    (opts.stderr ?? ((text: string) => void process.stderr.write(text)))(`${opts.name}: ${error.message}\n`);
    return (opts.exit ?? ((code: number) => process.exit(code)))(2);
  }
}

/** The values as an object safe to log: secrets and URL passwords replaced by `***`. */
export function describeConfig<S extends Settings>(
  settings: S,
  values: ConfigValues<S>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, s]) => {
      const value: unknown = values[key];
      if (s.secret) return [key, value === '' || value === undefined ? value : '***'];
      return [key, typeof value === 'string' ? redactUrl(value) : value];
    }),
  );
}

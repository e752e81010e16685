/** A tiny structured logger: one JSON object per line, fixed message, variables in fields. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(opts: { level?: LogLevel; write?: (line: string) => void; fields?: LogFields } = {}): Logger {
  const min = ORDER[opts.level ?? ((process.env.LAB_AGENT_LOG_LEVEL as LogLevel | undefined) ?? 'info')] ?? 20;
  const write = opts.write ?? ((l: string) => process.stderr.write(`${l}\n`));
  const base = opts.fields ?? {};
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...fields }, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v)));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger({ level: opts.level, write, fields: { ...base, ...f } }),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LogLine } from '../../preload/api';

type Level = LogLine['level'];
type Sink = (line: LogLine) => void;

/** A namespaced logger, e.g. `log.child('serial')` writes lines tagged `siteflash:serial`. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(namespace: string): Logger;
}

/**
 * The one logger of the core. Lines go to a file (one line each, ISO time first) and to listeners
 * (the renderer's log stream). Every message passes through `redact` first so that no secret value
 * the core knows of ever reaches a log.
 */
export class LogHub {
  private readonly sinks = new Set<Sink>();
  private redactors: Array<(text: string) => string> = [];

  constructor(
    private readonly file: string | null,
    private readonly now: () => Date = () => new Date(),
    private readonly minLevel: Level = 'info',
  ) {
    if (file) mkdirSync(dirname(file), { recursive: true });
  }

  /** Adds a function that scrubs secrets from every message. */
  addRedactor(redact: (text: string) => string): void {
    this.redactors.push(redact);
  }

  onLine(sink: Sink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  logger(namespace = 'siteflash'): Logger {
    const write = (level: Level, message: string) => this.write(level, namespace, message);
    return {
      debug: (m) => write('debug', m),
      info: (m) => write('info', m),
      warn: (m) => write('warn', m),
      error: (m) => write('error', m),
      child: (ns) => this.logger(`${namespace}:${ns}`),
    };
  }

  private write(level: Level, namespace: string, raw: string): void {
    if (LEVELS[level] < LEVELS[this.minLevel]) return;
    const message = this.redactors.reduce((text, redact) => redact(text), raw);
    const line: LogLine = { time: this.now().toISOString(), level, namespace, message };
    if (this.file) {
      try {
        appendFileSync(this.file, `${line.time} ${level.toUpperCase()} ${namespace} ${message.replace(/\n/g, '\\n')}\n`);
      } catch {
        // A full disk must not stop a device update; the line still reaches the listeners.
      }
    }
    for (const sink of this.sinks) sink(line);
  }
}

const LEVELS: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * One trainer process: spawned with pipes, one JSON-lines request in flight at a time, its progress events
 * passed on, the last lines of its stderr kept for error messages. It knows nothing of models or restarts
 * (trainer.ts); it only says how a request ended.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';
import { type TrainerLine, trainerLine, type Verb } from './messages.js';

const STDERR_LINES = 20;
/** A stdout line longer than this is not a protocol message (bulk data goes through files). */
const MAX_LINE = 1 << 20;

/** How a request failed: `lost` (crash, hang) may be retried in a new process; `protocol` and `refused` may not. */
export class RequestFailure extends Error {
  constructor(
    readonly kind: 'lost' | 'protocol' | 'refused',
    message: string,
  ) {
    super(message);
  }
}

export interface ProgressInfo {
  readonly phase?: string;
  readonly fraction: number;
  readonly tokensPerSecond?: number;
  readonly message?: string;
}

interface Pending {
  readonly id: number;
  readonly verb: Verb;
  readonly resolve: (line: Record<string, unknown>) => void;
  readonly reject: (failure: RequestFailure) => void;
  readonly onProgress?: (p: ProgressInfo) => void;
  readonly timeoutMs: number;
  timer?: NodeJS.Timeout;
}

export interface SpawnSpec {
  readonly command: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export class TrainerProcess {
  private readonly child: ChildProcess;
  private readonly stderr: string[] = [];
  private partialStderr = '';
  private pending: Pending | undefined;
  private nextId = 1;
  /** Set once the process is gone (or unusable): every later request fails at once. */
  private dead: string | undefined;
  private readonly closing: Promise<void>;

  constructor(spec: SpawnSpec) {
    const [program, ...args] = spec.command;
    this.child = spawn(program, args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.on('error', (error) => this.die(`it could not be started: ${error.message}`));
    // 'close', not 'exit': by then stderr is read to its end, so the message shows the whole traceback.
    this.closing = new Promise((resolve) =>
      this.child.on('close', (code, signal) => {
        this.die(signal ? `the process was killed by ${signal}` : `the process exited with code ${code}`);
        resolve();
      }),
    );
    this.child.stdin?.on('error', () => {}); // EPIPE after a crash: the exit event says what happened
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => this.keepStderr(chunk));
    const lines = readline.createInterface({ input: this.child.stdout as NodeJS.ReadableStream, crlfDelay: Infinity });
    lines.on('line', (line) => this.onLine(line));
  }

  /** The last lines the trainer wrote on stderr (its traceback, its log). */
  stderrTail(): string[] {
    return this.partialStderr ? [...this.stderr, this.partialStderr] : [...this.stderr];
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /**
   * Sends one request and waits for its answer. The timeout is for silence: any line from the trainer (a
   * progress event) restarts it, so a long fit that reports progress never times out.
   */
  request(
    verb: Verb,
    body: Record<string, unknown>,
    timeoutMs: number,
    onProgress?: (p: ProgressInfo) => void,
  ): Promise<Record<string, unknown>> {
    if (this.dead) return Promise.reject(new RequestFailure('lost', this.dead));
    if (this.pending) throw new Error(`trainer request '${verb}' while '${this.pending.verb}' is in flight`);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending = { id, verb, resolve, reject, onProgress, timeoutMs };
      this.arm();
      this.child.stdin?.write(`${JSON.stringify({ id, verb, ...body })}\n`);
    });
  }

  /** Stops the process: SIGKILL, since a trainer that still runs is one we no longer trust to listen. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.dead ??= 'the process was stopped';
  }

  /** Resolves once the process has exited and its output is read to the end (so stderrTail is complete). */
  closed(): Promise<void> {
    return this.closing;
  }

  private arm(): void {
    const p = this.pending;
    if (!p) return;
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      this.fail(new RequestFailure('lost', `no answer and no progress for ${p.timeoutMs / 1000} s (timeoutSeconds)`));
      this.kill();
    }, p.timeoutMs);
  }

  private onLine(text: string): void {
    const p = this.pending;
    if (text.trim() === '') return;
    if (text.length > MAX_LINE) {
      this.unusable(`it wrote a line of ${text.length} characters on stdout`);
      return;
    }
    let parsed: TrainerLine;
    try {
      parsed = trainerLine.parse(JSON.parse(text));
    } catch {
      this.unusable(`it wrote a line that is not a protocol message on stdout: ${quote(text)}`);
      return;
    }
    if (!p || parsed.id !== p.id) {
      this.unusable(`it answered request ${parsed.id}, but ${p ? `${p.id} (${p.verb})` : 'none'} is in flight`);
      return;
    }
    this.arm();
    if ((parsed as { event?: unknown }).event === 'progress') {
      p.onProgress?.(parsed as ProgressInfo);
      return;
    }
    this.pending = undefined;
    clearTimeout(p.timer);
    if ((parsed as { ok?: unknown }).ok === true) p.resolve(parsed as Record<string, unknown>);
    else p.reject(new RequestFailure('refused', `it reported an error: ${(parsed as { error: string }).error}`));
  }

  /** A line outside the protocol: the stream can no longer be trusted, so the process goes too. */
  private unusable(problem: string): void {
    this.fail(new RequestFailure('protocol', `${problem} (logs belong on stderr; stdout carries protocol lines only)`));
    this.kill();
  }

  private die(reason: string): void {
    this.dead ??= reason;
    this.fail(new RequestFailure('lost', `${this.dead} before answering`));
  }

  private fail(failure: RequestFailure): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.reject(failure);
  }

  private keepStderr(chunk: string): void {
    const parts = (this.partialStderr + chunk).split('\n');
    this.partialStderr = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      this.stderr.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
      if (this.stderr.length > STDERR_LINES) this.stderr.shift();
    }
  }
}

function quote(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}

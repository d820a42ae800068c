/**
 * A session with the user's trainer for one run: it starts the process (hello, version and capability checks),
 * names models, and runs each request — restarting a crashed or hung process up to `restarts` times, reloading
 * in the new process only the models a request needs, from the folders they were saved to. A failure that
 * cannot be retried becomes a TrainerError naming the verb and the trainer's last stderr lines.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Metrics, ModelState } from '../../core/family.js';
import { TrainerError } from './errors.js';
import { type HelloReply, PROTOCOL_VERSION, type Reply, replies, type Verb } from './messages.js';
import type { TrainerOptions } from './options.js';
import { type ProgressInfo, RequestFailure, TrainerProcess } from './trainer-process.js';

export type DataKind = 'text' | 'vectors' | 'images';

/** A model living in the trainer: its name there, and the folder its saved state is in (scratch/models/<id>). */
export interface ExternalModel {
  readonly id: string;
  readonly dir: string;
  /** What the trainer reported about its fit. */
  readonly metrics: Metrics;
}

/** The request in progress, for error messages: verbs a single unit of work sends one after another. */
type Send = <V extends Verb>(
  verb: V,
  body: Record<string, unknown>,
  progress?: (p: ProgressInfo) => void,
) => Promise<Reply<V>>;

const SHUTDOWN_MS = 10_000;
const FILE_NAME = /^[A-Za-z0-9._-]+$/;

export class Trainer {
  private process: TrainerProcess | undefined;
  private readonly loaded = new Set<string>();
  private counter = 0;
  private scratch = '';
  private runDir: string | undefined;
  private helloBody: Record<string, unknown> = {};
  private signal: AbortSignal | undefined;
  hello: HelloReply | undefined;

  constructor(
    private readonly options: TrainerOptions,
    private readonly kind: DataKind,
    /** The decoding a text run asks for, checked against the trainer's list. */
    private readonly decoding?: string,
  ) {}

  private get command(): string {
    return this.options.command.join(' ');
  }

  /**
   * Starts the trainer for a run; `extra` joins the hello request (the vocabulary, the item shape). An abort of
   * `signal` (a cancelled sweep trial) stops the process at once rather than after its request.
   */
  async open(
    scratch: string,
    runDir: string | undefined,
    extra: () => Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<void> {
    this.scratch = scratch;
    this.runDir = runDir;
    this.signal = signal;
    signal?.addEventListener('abort', () => this.process?.kill(), { once: true });
    fs.mkdirSync(path.join(scratch, 'models'), { recursive: true });
    fs.mkdirSync(path.join(scratch, 'io'), { recursive: true });
    this.helloBody = {
      protocol: PROTOCOL_VERSION,
      kind: this.kind,
      scratch,
      options: this.options.trainer,
      ...extra(),
    };
    await this.run([], async () => undefined);
  }

  /** Asks the trainer to stop, then makes sure it has. */
  async close(): Promise<void> {
    const p = this.process;
    this.process = undefined;
    if (!p) return;
    if (p.alive) await p.request('shutdown', {}, SHUTDOWN_MS).catch(() => undefined);
    p.kill();
    await p.closed();
  }

  /** A new model's name and its (empty) folder. */
  newModel(label: string): { id: string; dir: string } {
    const id = `m${++this.counter}-${label}`;
    const dir = path.join(this.scratch, 'models', id);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    return { id, dir };
  }

  /** A fresh path for one bulk file of one request. */
  ioFile(name: string): string {
    return path.join(this.scratch, 'io', name);
  }

  /**
   * Runs one unit of work (one or more requests) with `needs` loaded. If the process is lost on the way, a new
   * one is started and the whole unit is done again, so a unit must be safe to repeat (it writes only its own
   * files). Anything else, or running out of restarts, is a TrainerError.
   */
  async run<T>(needs: readonly ExternalModel[], work: (send: Send) => Promise<T>): Promise<T> {
    let verb: Verb = 'hello';
    for (let attempt = 0; ; attempt++) {
      try {
        this.signal?.throwIfAborted();
        if (!this.process?.alive) await this.start((v) => (verb = v));
        const send: Send = async (v, body, progress) => {
          verb = v;
          const p = this.process as TrainerProcess;
          const answer = await p.request(v, body, this.options.timeoutSeconds * 1000, progress);
          const parsed = replies[v].safeParse(answer);
          if (!parsed.success)
            throw new RequestFailure(
              'protocol',
              `its answer ${JSON.stringify(answer).slice(0, 200)} does not fit the protocol: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'answer'}: ${i.message}`).join('; ')}`,
            );
          return parsed.data as Reply<typeof v>;
        };
        for (const model of needs) {
          if (this.loaded.has(model.id)) continue;
          await send('load', { model: model.id, dir: model.dir });
          this.loaded.add(model.id);
        }
        return await work(send);
      } catch (error) {
        if (!(error instanceof RequestFailure)) throw error;
        this.signal?.throwIfAborted();
        const lost = this.process;
        this.process = undefined;
        if (error.kind === 'lost' && attempt < this.options.restarts) {
          lost?.kill();
          continue;
        }
        // Stopped and read to the end first, so the message has the last thing it wrote on stderr.
        lost?.kill();
        await lost?.closed();
        const tail = lost?.stderrTail() ?? [];
        const retried = attempt > 0 ? ` (after ${attempt} restart${attempt > 1 ? 's' : ''})` : '';
        throw new TrainerError(verb, `${error.message}${retried}`, tail, {
          command: this.command,
          runDir: this.runDir,
        });
      }
    }
  }

  /** Marks a model as present in the current process (it was just fitted or loaded there). */
  markLoaded(model: { readonly id: string }): void {
    this.loaded.add(model.id);
  }

  /** Frees a model in the trainer (if the process has it) and its folder. */
  async release(model: ExternalModel): Promise<void> {
    if (this.loaded.delete(model.id) && this.process?.alive)
      await this.run([], (send) => send('release', { model: model.id }));
    fs.rmSync(model.dir, { recursive: true, force: true });
  }

  /** The model's saved folder as a ModelState: its files are copied into the checkpoint. */
  state(model: ExternalModel): ModelState {
    const files: Record<string, string> = {};
    for (const entry of fs.readdirSync(model.dir, { withFileTypes: true })) {
      if (!entry.isFile() || !FILE_NAME.test(entry.name))
        throw new TrainerError(
          'save',
          `it saved '${entry.name}' in ${model.dir}; a saved model must be a flat folder of files named with letters, digits, '.', '_' and '-'`,
          this.process?.stderrTail() ?? [],
          { command: this.command, runDir: this.runDir },
        );
      files[entry.name] = path.join(model.dir, entry.name);
    }
    return { json: { family: 'external', kind: this.kind, metrics: model.metrics }, files };
  }

  /** A model from a checkpoint: its files copied into a fresh folder, loaded into the trainer when first needed. */
  restore(state: ModelState, label: string): ExternalModel {
    const { id, dir } = this.newModel(label);
    for (const [name, file] of Object.entries(state.files ?? {})) fs.copyFileSync(file, path.join(dir, name));
    const json = state.json as { metrics?: Metrics };
    return { id, dir, metrics: json.metrics ?? {} };
  }

  private async start(onVerb: (verb: Verb) => void): Promise<void> {
    onVerb('hello');
    this.loaded.clear();
    const [program] = this.options.command;
    this.process = new TrainerProcess({ command: this.options.command, cwd: this.options.cwd, env: this.options.env });
    const answer = await this.process.request('hello', this.helloBody, this.options.timeoutSeconds * 1000);
    const version = (answer as { protocol?: unknown }).protocol;
    if (version !== PROTOCOL_VERSION)
      throw new RequestFailure(
        'protocol',
        `it speaks protocol version ${JSON.stringify(version)}; this lab speaks version ${PROTOCOL_VERSION} (docs/external-protocol.md)`,
      );
    const hello = replies.hello.safeParse(answer);
    if (!hello.success)
      throw new RequestFailure(
        'protocol',
        `its hello answer does not fit the protocol: ${hello.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const { kinds, inits } = hello.data.capabilities;
    if (!kinds.includes(this.kind))
      throw new RequestFailure('protocol', `it learns ${kinds.join(', ')}, not ${this.kind} (${program})`);
    const asked = this.options.init === 'previous' ? ['previous', this.options.firstInit] : [this.options.init];
    for (const init of asked)
      if (!inits.includes(init as (typeof inits)[number]))
        throw new RequestFailure(
          'protocol',
          `family.init asks for '${init}', which it does not offer (it offers ${inits.join(', ')}); set family.init (and family.firstInit) to one of those`,
        );
    const { decodings } = hello.data.capabilities;
    if (this.decoding && decodings && !decodings.includes(this.decoding as (typeof decodings)[number]))
      throw new RequestFailure(
        'protocol',
        `family.decoding.type is '${this.decoding}', which it does not offer (it offers ${decodings.join(', ')}); set family.decoding to one of those`,
      );
    this.hello = hello.data;
  }
}

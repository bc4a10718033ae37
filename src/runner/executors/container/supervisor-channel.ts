// The host's end of the supervisor's FIFOs (see supervisor.ts). FIFOs are opened
// non-blocking so a container that never starts cannot hang a thread of Node's pool; the
// status FIFO is opened read-write so it never reads as ended between two writers.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Socket } from 'node:net';
import { SlipwayError } from '../../../core/errors.ts';
import { runOrThrow } from '../../../exec/run.ts';

/** FIFOs made per `mkfifo` call: one spawn covers this many steps. */
const fifoBatch = 32;

interface Waiter {
  resolve: (value: number) => void;
  reject: (err: Error) => void;
}

export class SupervisorChannel {
  readonly #dir: string;
  readonly #status: Socket;
  #ctl: number | undefined;
  #ready: Waiter | undefined;
  readonly #readyPromise: Promise<number>;
  readonly #exits = new Map<number, Waiter>();
  readonly #alive = new Map<number, Waiter[]>();
  #fifos = 0;
  #dead: Error | undefined;
  #buffer = '';
  /** Whether the image has bash (the supervisor looked). */
  hasBash = false;

  private constructor(dir: string, status: Socket) {
    this.#dir = dir;
    this.#status = status;
    this.#readyPromise = new Promise((resolve, reject) => (this.#ready = { resolve, reject }));
    // ready() answers with the error; a job torn down before it asks still has it in #dead
    // (what every later call fails with), and no unhandled rejection ends the server.
    this.#readyPromise.catch((err: unknown) => {
      this.#dead ??= err as Error;
    });
    status.setEncoding('utf8');
    status.on('data', (chunk: string) => this.#receive(chunk));
    status.on('error', (err) => this.fail(err));
  }

  /** Makes the ctl and status FIFOs in `dir` (before the container starts) and listens. */
  static async create(dir: string): Promise<SupervisorChannel> {
    await runOrThrow(['mkfifo', '-m', '0600', join(dir, 'ctl'), join(dir, 'status')]);
    const fd = openSync(join(dir, 'status'), constants.O_RDWR | constants.O_NONBLOCK);
    return new SupervisorChannel(dir, new Socket({ fd, readable: true, writable: false }));
  }

  /** Resolves once the supervisor runs; rejects if the container ends first. */
  async ready(): Promise<void> {
    await this.#readyPromise;
    this.#ctl = openSync(join(this.#dir, 'ctl'), constants.O_RDWR | constants.O_NONBLOCK);
  }

  /** Makes out-N (in batches) so a step's output FIFO exists before the step starts. */
  async outputFifo(n: number): Promise<string> {
    if (n > this.#fifos) {
      const names = Array.from({ length: fifoBatch }, (_, i) => join(this.#dir, `out-${this.#fifos + i + 1}`));
      await runOrThrow(['mkfifo', '-m', '0600', ...names]);
      this.#fifos += fifoBatch;
    }
    return join(this.#dir, `out-${n}`);
  }

  /** Starts step N; resolves with its exit code. */
  run(n: number): Promise<number> {
    const exit = new Promise<number>((resolve, reject) => this.#exits.set(n, { resolve, reject }));
    this.#send(`run ${n}`);
    return exit;
  }

  kill(n: number, signal: 'TERM' | 'KILL'): void {
    this.#send(`kill ${n} ${signal}`);
  }

  /** Whether anything of step N's session is still running. */
  async alive(n: number): Promise<boolean> {
    const answer = new Promise<number>((resolve, reject) => {
      const list = this.#alive.get(n) ?? [];
      list.push({ resolve, reject });
      this.#alive.set(n, list);
    });
    this.#send(`alive ${n}`);
    return (await answer) === 1;
  }

  /** The container ended (or teardown began): every pending answer fails with `err`. */
  fail(err: Error): void {
    this.#dead ??= err;
    this.#ready?.reject(err);
    for (const waiter of this.#exits.values()) waiter.reject(err);
    for (const list of this.#alive.values()) for (const waiter of list) waiter.reject(err);
    this.#exits.clear();
    this.#alive.clear();
  }

  close(): void {
    this.fail(new SlipwayError('EXEC_FAILED', 'the job container was removed'));
    this.#status.destroy();
    if (this.#ctl !== undefined) closeSync(this.#ctl);
    this.#ctl = undefined;
  }

  #send(line: string): void {
    if (this.#dead) throw this.#dead;
    if (this.#ctl === undefined) throw new SlipwayError('INTERNAL', 'the step supervisor is not ready');
    // One line is far below PIPE_BUF, so the write is atomic and never partial.
    writeSync(this.#ctl, `${line}\n`);
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    let newline: number;
    while ((newline = this.#buffer.indexOf('\n')) >= 0) {
      const [kind, a, b] = this.#buffer.slice(0, newline).split(' ');
      this.#buffer = this.#buffer.slice(newline + 1);
      if (kind === 'ready') {
        this.hasBash = a === 'bash';
        this.#ready?.resolve(0);
      } else if (kind === 'exit') {
        const n = Number(a);
        this.#exits.get(n)?.resolve(Number(b));
        this.#exits.delete(n);
      } else if (kind === 'alive') {
        const list = this.#alive.get(Number(a));
        list?.shift()?.resolve(Number(b));
      }
    }
  }
}

// Events across servers on one PostgreSQL (issue 13, "several servers"): what this process
// emits on its EventBus is sent to the others with NOTIFY, and what they send is re-emitted
// here with `emitRelayed`, so a log follower, an `/api/events` stream or a runner's long-poll
// on any server hears what happened on any other. Payloads carry ids, never rows (NOTIFY
// allows 8000 bytes): a log chunk's text rides along only when it fits, otherwise the
// receiver reads it from the store, where it was written before it was emitted.
//
// One dedicated connection (outside the store's pool) both listens and notifies; a
// notification from this process comes back to it and is skipped by its origin id. When the
// connection drops it is opened again with backoff, and once listening again the bridge
// emits 'jobs-available' so runners' waits re-check: news sent meanwhile is lost to this
// process, claims are not (they read the store).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { relayedEventNames, type EventBus, type SlipwayEventName, type SlipwayEvents } from '../../core/events.ts';

export const eventChannel = 'slipway_events';
/** Below NOTIFY's 8000-byte limit, with room for the envelope. */
const maxPayloadBytes = 7000;
/** Events sent in one NOTIFY query at most. */
const maxBatch = 100;
/** Events someone on another server waits for (a runner's long-poll, a job's kill), or that end what it kept (a revoked runner): never held back. */
const urgent = new Set<SlipwayEventName>(['jobs-available', 'job-cancel', 'runner-changed']);
/** How long other events wait for more to share their NOTIFY (browsers' views and log tails: not noticeable). */
const gatherMs = 50;

interface BridgeOptions {
  url: string;
  events: EventBus;
  /** A stored log chunk's text, for chunks too big to travel in a notification. */
  readLog: (stream: string, seq: number) => Promise<string | undefined>;
  log: (message: string) => void;
  /** The longest wait between reconnection attempts (default 5 s). */
  maxBackoffMs?: number;
}

export interface EventBridge {
  /** This process's origin id (its own notifications carry it and are skipped). */
  readonly origin: string;
  /** Resolves once the connection is listening (again). */
  listening(): Promise<void>;
  close(): Promise<void>;
}

interface Envelope {
  o: string;
  e: SlipwayEventName;
  a: unknown[];
}

export async function bridgeEvents(o: BridgeOptions): Promise<EventBridge> {
  const origin = randomUUID();
  let client: pg.Client | undefined;
  let closed = false;
  let backoff = 100;
  let ready: Promise<void> = Promise.resolve();
  let dropped = 0;
  // Received events are handled one after another: a big log chunk read from the store must
  // not be overtaken by the next one.
  let received: Promise<void> = Promise.resolve();
  let sending: Promise<void> = Promise.resolve();

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: o.url, application_name: 'slipway-events', keepAlive: true });
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, new Error('connection ended')));
    c.on('notification', (n) => {
      if (n.channel !== eventChannel || !n.payload) return;
      received = received.then(() => relay(n.payload!)).catch((err: unknown) => o.log(`events: relaying ${n.payload!.slice(0, 200)}: ${(err as Error).message}`));
    });
    await c.connect();
    await c.query(`LISTEN ${eventChannel}`);
    client = c;
    backoff = 100;
  };

  const lost = (c: pg.Client, err: Error) => {
    if (client !== c || closed) return;
    client = undefined;
    o.log(`events: the listening connection to PostgreSQL dropped (${err.message}); reconnecting`);
    c.end().catch((e: Error) => o.log(`events: closing the dropped connection: ${e.message}`));
    ready = reconnect();
  };

  const reconnect = async (): Promise<void> => {
    while (!closed) {
      await new Promise((r) => setTimeout(r, backoff));
      backoff = Math.min(backoff * 2, o.maxBackoffMs ?? 5000);
      try {
        await connect();
        if (dropped > 0) o.log(`events: ${dropped} event(s) emitted while disconnected were not sent to other servers`);
        dropped = 0;
        // Work may have been queued elsewhere while this process heard nothing.
        o.events.emitRelayed('jobs-available');
        return;
      } catch (err) {
        o.log(`events: reconnecting to PostgreSQL: ${(err as Error).message}`);
      }
    }
  };

  const relay = async (payload: string) => {
    const env = JSON.parse(payload) as Envelope;
    if (env.o === origin || !relayedEventNames.includes(env.e)) return;
    let args = env.a;
    if (env.e === 'log' && args.length === 2) {
      const text = await o.readLog(String(args[0]), Number(args[1]));
      if (text === undefined) return;
      args = [...args, text];
    }
    o.events.emitRelayed(env.e, ...(args as SlipwayEvents[typeof env.e]));
  };

  // Sending, with as few NOTIFY statements as keeps the news timely, in the order emitted:
  // - an event that wakes a waiter on another server (`urgent`: a runner's long-poll, a job
  //   to kill) is sent at once (after the NOTIFY in flight, if any), and everything queued
  //   before it goes with it;
  // - the others (what browsers and log followers show) wait up to `gatherMs` for company:
  //   under load, a job's claim, step, log and end share one statement instead of several;
  // - an event identical (name and arguments) to one still queued adds nothing: the
  //   receivers read the store when they hear it, after everything queued was emitted.
  let queued: string[] = [];
  const inQueue = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** What is queued must go now (an urgent event, or the oldest waited `gatherMs`). */
  let due = false;
  let flushing = false;
  const flush = async (): Promise<void> => {
    while (due && queued.length > 0) {
      due = queued.length > maxBatch;
      const batch = queued.splice(0, maxBatch);
      for (const payload of batch) inQueue.delete(payload);
      if (queued.length === 0) {
        clearTimeout(timer);
        timer = undefined;
      }
      const c = client;
      if (!c) {
        dropped += batch.length + queued.length;
        queued = [];
        inQueue.clear();
        break;
      }
      try {
        await c.query(`SELECT ${batch.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ')}`, [eventChannel, ...batch]);
      } catch (err) {
        dropped += batch.length;
        o.log(`events: NOTIFY of ${batch.length} event(s): ${(err as Error).message}`);
      }
      // Events queued during the query wait for their own timer, unless one of them was urgent.
    }
    flushing = false;
  };
  const sendNow = () => {
    clearTimeout(timer);
    timer = undefined;
    due = true;
    // One query at a time on the connection (pg queues them, but deprecates that).
    if (!flushing) {
      flushing = true;
      sending = sending.then(flush);
    }
  };
  const publish = (name: SlipwayEventName, args: unknown[]) => {
    let payload = JSON.stringify({ o: origin, e: name, a: args } satisfies Envelope);
    if (Buffer.byteLength(payload) > maxPayloadBytes && name === 'log') payload = JSON.stringify({ o: origin, e: name, a: args.slice(0, 2) } satisfies Envelope);
    if (!client || Buffer.byteLength(payload) > maxPayloadBytes) {
      dropped++;
      return;
    }
    if (!inQueue.has(payload)) {
      queued.push(payload);
      inQueue.add(payload);
    }
    if (urgent.has(name) || queued.length >= maxBatch) sendNow();
    else timer ??= setTimeout(sendNow, gatherMs);
  };

  await connect();
  const offs = relayedEventNames.map((name) => o.events.onLocal(name, (...args: unknown[]) => publish(name, args)));

  return {
    origin,
    listening: () => ready,
    async close() {
      closed = true;
      offs.forEach((off) => off());
      if (queued.length > 0) sendNow();
      await sending;
      const c = client;
      client = undefined;
      await c?.end();
    },
  };
}

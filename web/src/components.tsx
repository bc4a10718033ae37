// Small pieces every page uses.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { statusWord } from './format.ts';

export function Status({ status }: { status: string }) {
  return <span class={`status s-${status}`} data-status={status}>{statusWord(status)}</span>;
}

export function ErrorBox({ error }: { error: Error | undefined }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error.message}
    </p>
  );
}

export function Loading() {
  return <p class="muted">Loading…</p>;
}

/**
 * A button for an action that changes something: asks for confirmation when `confirm` says
 * what will happen, shows the server's refusal beside it, and is disabled while it runs.
 */
export function ActionButton(props: { label: string; confirm?: string; danger?: boolean; run: () => Promise<unknown>; name?: string }) {
  const [busy, setBusy] = useState(false);
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  const go = async () => {
    setAsking(false);
    setBusy(true);
    setError(undefined);
    try {
      await props.run();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button class={props.danger ? 'danger' : ''} disabled={busy} name={props.name} onClick={() => (props.confirm ? setAsking(true) : void go())}>
        {props.label}
      </button>
      {asking && (
        <div class="confirm" role="dialog" aria-label={`Confirm: ${props.label}`}>
          <p>{props.confirm}</p>
          <button class={props.danger ? 'danger' : 'primary'} onClick={() => void go()}>
            Yes, {props.label.toLowerCase()}
          </button>
          <button onClick={() => setAsking(false)}>Cancel</button>
        </div>
      )}
      {error && (
        <span class="error" role="alert">
          {error.message}
        </span>
      )}
    </span>
  );
}

export function Section({ title, children, id }: { title: string; children: ComponentChildren; id?: string }) {
  return (
    <section class="card" id={id}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

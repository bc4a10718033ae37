// A run attempt's logs, one model per job stream, fed by one follow of the run's log stream.
// Lasts as long as the page shows the attempt; `version` bumps at most once a frame.
import { useEffect, useRef, useState } from 'preact/hooks';
import { followLog } from '../log/stream.ts';
import { LogModel } from '../log/model.ts';

export interface RunLogs {
  model: (stream: string) => LogModel;
  version: number;
  ended: boolean;
  error: string | undefined;
}

export function useRunLogs(runId: string | undefined, attempt: number | undefined): RunLogs {
  const models = useRef(new Map<string, LogModel>());
  const [version, setVersion] = useState(0);
  const [ended, setEnded] = useState(false);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    if (!runId || !attempt) return;
    models.current = new Map();
    setEnded(false);
    setError(undefined);
    const abort = new AbortController();
    let frame = 0;
    const bump = () => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setVersion((v) => v + 1);
      });
    };
    const get = (stream: string) => {
      let m = models.current.get(stream);
      if (!m) models.current.set(stream, (m = new LogModel()));
      return m;
    };
    followLog(
      `/api/runs/${runId}/logs?follow&attempt=${attempt}`,
      (chunks) => {
        for (const c of chunks) get(c.stream).append(c.text);
        bump();
      },
      abort.signal,
    )
      .then(() => {
        for (const m of models.current.values()) m.end();
        setEnded(true);
        bump();
      })
      .catch((e: Error) => {
        if (!abort.signal.aborted) setError(e.message);
      });
    return () => {
      abort.abort();
      cancelAnimationFrame(frame);
    };
  }, [runId, attempt]);
  return {
    model: (stream) => {
      let m = models.current.get(stream);
      if (!m) models.current.set(stream, (m = new LogModel()));
      return m;
    },
    version,
    ended,
    error,
  };
}

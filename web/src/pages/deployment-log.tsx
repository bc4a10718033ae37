// A deployment's log, live while it runs.
import { useEffect, useRef, useState } from 'preact/hooks';
import { followLog } from '../log/stream.ts';
import { LogModel } from '../log/model.ts';
import { LogView } from '../log/log-view.tsx';

export function DeploymentLog({ id, live }: { id: string; live: boolean }) {
  const model = useRef(new LogModel());
  const [version, setVersion] = useState(0);
  useEffect(() => {
    model.current = new LogModel();
    setVersion((v) => v + 1);
    const abort = new AbortController();
    followLog(`/api/deployments/${id}/logs?follow`, (chunks) => {
      for (const c of chunks) model.current.append(c.text);
      setVersion((v) => v + 1);
    }, abort.signal)
      .then(() => {
        model.current.end();
        setVersion((v) => v + 1);
      })
      .catch(() => {});
    return () => abort.abort();
  }, [id]);
  return <LogView model={model.current} version={version} follow={live} />;
}

// Big request bodies arrive as off-heap buffers (a socket read each, 64 KiB) whose small
// on-heap handles die young, but V8 frees the bytes only when a collection finds the handles
// dead, and it waits for ~64 MB of such external memory before it starts one: the RSS of a
// 512 MiB push stood ~65 MB above idle for that alone (issue 14 asks for under 60). A
// young-generation collection after every `everyBytes` written frees them early; with
// bin/slipway's 8 MB semi-spaces one takes about a millisecond. It needs `--expose-gc`
// (bin/slipway passes it); without it this does nothing.
type Gc = (options?: { type: 'minor' | 'major' }) => void;
const gc = (globalThis as { gc?: Gc }).gc;

/** Counts bytes moved and, past each `everyBytes`, runs a young-generation collection. */
export function youngGcEvery(everyBytes: number): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    if (!gc) return;
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    gc({ type: 'minor' });
  };
}

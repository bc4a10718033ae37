// Built-in actions by `uses:` name (the part before `@`). Registered explicitly.
import type { BuiltInAction } from './action.ts';
import { checkout } from './checkout.ts';
import { buildImage } from './build-image.ts';
import { cache } from './cache.ts';
import { uploadArtifact } from './upload-artifact.ts';
import { downloadArtifact } from './download-artifact.ts';
import { setupNode } from './setup-node.ts';

const builtInActions: ReadonlyMap<string, BuiltInAction> = new Map([
  ['actions/checkout', checkout],
  ['actions/cache', cache],
  ['actions/upload-artifact', uploadArtifact],
  ['actions/download-artifact', downloadArtifact],
  ['actions/setup-node', setupNode],
  ['slipway/build-image', buildImage],
]);

export function findAction(uses: string): BuiltInAction | undefined {
  return builtInActions.get(uses.split('@')[0]!.toLowerCase());
}

import { runHostShellContract } from '../host-shell.contract.ts';
import { LocalShell } from './local-shell.ts';

runHostShellContract({ name: 'local', create: () => Promise.resolve({ shell: new LocalShell(), close: () => Promise.resolve() }) });

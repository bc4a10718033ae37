// The data dir holds every credential the platform has (the admin's and the runner's
// tokens, the key that decrypts the secrets, the database, the SSH key production trusts),
// so at every start it is made private to the user Slipway runs as, whatever the modes
// were before (an old install, a copy, a restore from backup, a umask of 0). A job on the
// host executor runs as another user and so cannot read, list or traverse any of it.
import { chmodSync, existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Files that are credentials or hold them (config.yml: the S3 keys, the database URL); SQLite gives -wal and -shm the db's mode. */
const privateFiles = ['slipway.db', 'slipway.db-wal', 'slipway.db-shm', 'admin.token', 'secrets.key', 'runner.token', 'config.yml'];
/** Directories whose whole content is private. */
const privateDirs = ['ssh'];

/** Sets the modes; returns the paths whose mode changed, for the start-up log. */
export function restrictDataDir(dataDir: string): string[] {
  const changed: string[] = [];
  const set = (path: string, mode: number) => {
    // lstat: never follow a symlink out of the data dir to chmod something else.
    const stat = lstatSync(path);
    if (stat.isSymbolicLink() || (stat.mode & 0o777) === mode) return;
    chmodSync(path, mode);
    changed.push(path);
  };
  set(dataDir, 0o700);
  for (const name of privateFiles) {
    const path = join(dataDir, name);
    if (existsSync(path)) set(path, 0o600);
  }
  for (const name of privateDirs) {
    const path = join(dataDir, name);
    if (existsSync(path)) restrictTree(path, set);
  }
  return changed;
}

function restrictTree(dir: string, set: (path: string, mode: number) => void): void {
  set(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) restrictTree(path, set);
    else if (entry.isFile()) set(path, 0o600);
  }
}

// Runs the official OCI distribution-spec conformance suite (a test binary built by
// bench/oci-conformance.sh) against a started Slipway: all four categories (pull, push,
// content discovery, content management), once deleting manifests before blobs and once
// after, as the admin over Basic auth. Prints passed/failed/skipped per run and the names
// of failures; exits 1 if any test failed. Optional: not part of `npm test`.
// Usage: node bench/oci-conformance.ts PATH/TO/conformance.test
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, removeDir } from '../test/support/harness.ts';
import { startServerProcess } from '../test/support/server-process.ts';

const exec = promisify(execFile);

interface Result {
  tests: number;
  failures: string[];
  skipped: number;
}

/** Counts from the suite's JUnit report: one <testcase> per spec, plus its own reporter's. */
function readJunit(xml: string): Result {
  const cases = xml.split('<testcase').slice(1).filter((c) => c.startsWith(' name="OCI Distribution Conformance Tests '));
  const failures = cases.filter((c) => /<failure|<error/.test(c.split('</testcase>')[0] ?? '')).map((c) => /name="([^"]*)"/.exec(c)?.[1] ?? '?');
  const skipped = cases.filter((c) => /<skipped/.test(c.split('</testcase>')[0] ?? '')).length;
  return { tests: cases.length, failures, skipped };
}

async function main(): Promise<void> {
  const binary = process.argv[2];
  if (binary === undefined) throw new Error('usage: node bench/oci-conformance.ts PATH/TO/conformance.test (bench/oci-conformance.sh builds it)');
  const dataDir = await mkdtemp(join(tmpdir(), 'slipway-oci-conformance-'));
  const server = await startServerProcess({ dataDir, port: await freePort(), env: { SLIPWAY_RUNNER_ENABLED: 'false' } });
  let failed = 0;
  try {
    for (const deleteManifestFirst of ['true', 'false']) {
      const reportDir = await mkdtemp(join(tmpdir(), 'slipway-oci-report-'));
      const env = {
        PATH: process.env.PATH,
        OCI_ROOT_URL: server.url,
        OCI_NAMESPACE: `conformance/first-${deleteManifestFirst}`,
        OCI_CROSSMOUNT_NAMESPACE: `conformance/mount-${deleteManifestFirst}`,
        OCI_USERNAME: 'admin',
        OCI_PASSWORD: server.token,
        OCI_TEST_PULL: '1',
        OCI_TEST_PUSH: '1',
        OCI_TEST_CONTENT_DISCOVERY: '1',
        OCI_TEST_CONTENT_MANAGEMENT: '1',
        // Slipway mounts only with `from` (automatic mounting would cross project lines).
        OCI_AUTOMATIC_CROSSMOUNT: 'false',
        OCI_DELETE_MANIFEST_BEFORE_BLOBS: deleteManifestFirst,
        OCI_REPORT_DIR: reportDir,
      };
      await exec(binary, [], { env, cwd: reportDir, maxBuffer: 64 << 20 }).catch((err: { code?: unknown }) => {
        if (typeof err.code !== 'number') throw err; // a failing suite exits 1; anything else is ours
      });
      const r = readJunit(await readFile(join(reportDir, 'junit.xml'), 'utf8'));
      failed += r.failures.length;
      const passed = r.tests - r.failures.length - r.skipped;
      console.log(`OCI_DELETE_MANIFEST_BEFORE_BLOBS=${deleteManifestFirst}: ${passed} passed, ${r.failures.length} failed, ${r.skipped} skipped (of ${r.tests})`);
      for (const name of r.failures) console.log(`  FAIL ${name}`);
      await removeDir(reportDir);
    }
  } finally {
    await server.stop();
    await removeDir(dataDir);
  }
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();

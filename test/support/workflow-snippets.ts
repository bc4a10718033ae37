// Workflow YAML pieces more than one end-to-end test runs.
import { busyboxImage } from '../../src/build/base-image.ts';

/**
 * The body of a `services.<name>:` entry (8 spaces in, no trailing newline): busybox httpd
 * on port 80 serving /etc, so `http://<name>/hostname` answers `websvc`; healthy once it
 * serves (the runner waits for that before the steps).
 */
export const webService = `        image: ${busyboxImage}
        ports: ['80']
        options: >-
          --hostname websvc --entrypoint '["httpd","-f","-p","80","-h","/etc"]'
          --health-cmd "wget -q -O /dev/null http://127.0.0.1/hostname || exit 1" --health-interval 1s`;

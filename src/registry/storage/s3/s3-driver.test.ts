// The contract against a real S3 protocol endpoint: s3rver (the S3-compatible server this
// machine has; see test/support/s3rver.ts), started per run on a free port and removed after.
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startTestS3 } from '../../../../test/support/s3rver.ts';
import { runDriverContract } from '../driver.contract.ts';
import { createS3Driver } from './s3-driver.ts';

runDriverContract('s3 (s3rver)', {
  create: async () => {
    const s3 = await startTestS3();
    const options = { ...s3.options, prefix: 'reg/' };
    const client = new S3Client({ endpoint: options.endpoint, region: options.region, forcePathStyle: true, credentials: options });
    return {
      driver: createS3Driver(options),
      reopen: () => createS3Driver(options),
      // Every object in the bucket outside reg/objects/: upload parts, session markers, strays.
      leftovers: async () => {
        const out = await client.send(new ListObjectsV2Command({ Bucket: options.bucket }));
        return (out.Contents ?? []).map((o) => o.Key ?? '').filter((key) => !key.startsWith('reg/objects/'));
      },
      cleanup: async () => {
        client.destroy();
        await s3.close();
      },
    };
  },
});

// The whole files suite (files.test.mjs: uploads, downloads with Range/ETag/HEAD, access rules,
// deletion, profile images) a second time on `--blob-store s3`, against a real s3rver started
// here on 127.0.0.1 (a free port) and stopped by PID at the end.
import { after } from 'node:test';
import { startS3rver, S3RVER_KEY } from '../lib/s3rver.mjs';

const s3 = await startS3rver();
after(async () => { await s3.stop(); });

process.env.AWS_ACCESS_KEY_ID = S3RVER_KEY;
process.env.AWS_SECRET_ACCESS_KEY = S3RVER_KEY;
process.env.PARLEY_SERVER_ARGS = [process.env.PARLEY_SERVER_ARGS, ...s3.serverArgs].filter(Boolean).join(' ');
process.env.PARLEY_TEST_S3_DIR = s3.dir;
process.env.PARLEY_TEST_S3_BUCKET = s3.bucket;

await import('./files.test.mjs');

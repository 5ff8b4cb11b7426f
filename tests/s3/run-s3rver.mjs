// Starts s3rver (the S3-compatible test server) on 127.0.0.1 for the files tests and
// bench/files. Its package has no working CLI, so this is the CLI:
//   node tests/s3/run-s3rver.mjs --dir DIR --bucket NAME [--port N (0: any free port)]
// Prints `S3RVER_READY port=<port>` once it listens; stops on SIGTERM / SIGINT.
import S3rver from '@20minutes/s3rver';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const directory = opt('dir');
const bucket = opt('bucket', 'parley');
const port = Number(opt('port', '0'));
if (!directory) {
  console.error('usage: run-s3rver.mjs --dir DIR --bucket NAME [--port N]');
  process.exit(2);
}

const server = new S3rver({
  port, address: '127.0.0.1', directory, silent: true, configureBuckets: [{ name: bucket }],
});
const address = await server.run();
console.log(`S3RVER_READY port=${address.port}`);
const stop = async () => { await server.close(); process.exit(0); };
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

/** The parse-only floor of the policy bench: read and parse a manifest file (`<file> <threads>`), nothing else. */
import { loadManifests } from '../../manifests/load';

const [file, threads] = process.argv.slice(2);
const { items, problems } = loadManifests([file], { threads: Number(threads) });
if (problems.length > 0 || items.length === 0) {
  console.error(`${file}: ${problems.length} problems, ${items.length} objects`);
  process.exitCode = 2;
}

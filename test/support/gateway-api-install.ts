import * as fs from 'fs';
import * as path from 'path';

const FILES = path.resolve(__dirname, '../../schemas/files');

/**
 * Gateway API v1.6.1's standard-install.yaml as its release script (hack/build-install-yaml.sh) assembles it, from the
 * upstream standard-channel CRD files committed in schemas/files/ (the eight perfstack validates against; the release
 * file also has TCPRoute, UDPRoute and the safe-upgrades policy).
 */
export function standardInstallYaml(): string {
  const files = fs
    .readdirSync(FILES)
    .filter((f) => f.startsWith('gateway-api-v1.6.1_'))
    .sort();
  return (
    '# Gateway API Standard channel install\n' +
    files
      .map(
        (f) => `---\n#\n# config/crd/standard/${f.replace('gateway-api-v1.6.1_', '')}\n#\n${fs.readFileSync(path.join(FILES, f), 'utf8')}`,
      )
      .join('')
  );
}

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { reconcileShardIds } from './redis-harness';

describe('reconcileShardIds', () => {
  it("gives every replica its primary's shard id and leaves the rest of nodes.conf as it was", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'perfstack-shard-ids-'));
    const file = path.join(dir, 'nodes.conf');
    const conf = [
      'aaa 127.0.0.1:22111@32111,,tls-port=0,shard-id=bbbb slave ccc 0 1796689836387 5 connected',
      'ccc 127.0.0.1:22115@32115,localhost,tls-port=0,shard-id=dddd myself,master - 0 1796689836387 5 connected 5461-10921',
      'eee 127.0.0.1:22112@32112,,tls-port=0,shard-id=ffff master - 0 1796689836387 6 connected 0-5460',
      'vars currentEpoch 6 lastVoteEpoch 0',
      '',
    ].join('\n');
    fs.writeFileSync(file, conf);
    reconcileShardIds(file);
    expect(fs.readFileSync(file, 'utf8')).toBe(conf.replace('shard-id=bbbb', 'shard-id=dddd'));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

import { KeyValueEngine } from '../../../constructs/data/redis-engine';

describe('KeyValueEngine', () => {
  it('names Valkey’s programs and its BSD licence', () => {
    const v = KeyValueEngine.valkey();
    expect([v.name, v.server, v.cli, v.licence]).toEqual(['valkey', 'valkey-server', 'valkey-cli', 'BSD-3-Clause']);
  });

  it('names Redis’s programs and says which of its versions are BSD-licensed', () => {
    const r = KeyValueEngine.redis();
    expect([r.name, r.server, r.cli]).toEqual(['redis', 'redis-server', 'redis-cli']);
    expect(r.licence).toBe('BSD-3-Clause up to 7.2.x; RSALv2/SSPLv1 from 7.4, plus AGPLv3 from 8.0');
  });

  it('maps an environment’s engine name to the engine', () => {
    expect(KeyValueEngine.of('redis').server).toBe('redis-server');
    expect(KeyValueEngine.of('valkey').server).toBe('valkey-server');
  });
});

import Redis from 'ioredis';
import { clearPrefix, parseSeeds } from '../../remediation/cache-clear';

describe('cache clear', () => {
  it('reads the seeds the services get, with the default port where none is given', () => {
    expect(parseSeeds('redis.web.svc:6379')).toEqual([{ host: 'redis.web.svc', port: 6379 }]);
    expect(parseSeeds('a:7000, b ,')).toEqual([
      { host: 'a', port: 7000 },
      { host: 'b', port: 6379 },
    ]);
  });

  it('refuses a wildcard, an empty prefix or a batch below one before it sends a command', async () => {
    // A client that never connects: any command sent would reject with a connection error, not the refusal.
    const client = new Redis({ lazyConnect: true, enableOfflineQueue: false });
    await expect(clearPrefix(client, '*', 100)).rejects.toThrow('refused: cache prefix "*" is not a named prefix');
    await expect(clearPrefix(client, '', 100)).rejects.toThrow('refused: cache prefix "" is not a named prefix');
    await expect(clearPrefix(client, 'session:', 0)).rejects.toThrow('refused: batch 0 is not a whole number above 0');
    client.disconnect();
  });
});

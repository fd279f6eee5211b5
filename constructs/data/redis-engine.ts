/**
 * The key-value server a RedisCluster runs: Valkey by default, Redis where an environment chooses it. Both speak the
 * same protocol and cluster bus and accept the same redis.conf; they differ in program names and licence.
 *
 * @see https://valkey.io/topics/migration/
 */
export class KeyValueEngine {
  /**
   * Valkey (BSD-3-Clause, Linux Foundation), the default: the fork of Redis 7.2.4, maintained in the open.
   * @see https://valkey.io/
   */
  public static valkey(): KeyValueEngine {
    return new KeyValueEngine('valkey', 'valkey-server', 'valkey-cli', 'BSD-3-Clause');
  }

  /**
   * Redis. BSD-3-Clause up to 7.2.x; 7.4 is RSALv2 or SSPLv1, and 8.0 onwards adds AGPLv3 as a third option. Pin a
   * 7.2.x image to stay on the BSD licence.
   * @see https://redis.io/legal/licenses/
   */
  public static redis(): KeyValueEngine {
    return new KeyValueEngine(
      'redis',
      'redis-server',
      'redis-cli',
      'BSD-3-Clause up to 7.2.x; RSALv2/SSPLv1 from 7.4, plus AGPLv3 from 8.0',
    );
  }

  /** By the name an Environment uses. */
  public static of(name: 'valkey' | 'redis'): KeyValueEngine {
    return name === 'redis' ? KeyValueEngine.redis() : KeyValueEngine.valkey();
  }

  private constructor(
    /** `valkey` or `redis`. */
    public readonly name: 'valkey' | 'redis',
    /** The server program in the image and in Debian's package. */
    public readonly server: string,
    /** The command-line client in the image: probes and the preStop hook use it. */
    public readonly cli: string,
    /** Licence of the releases this engine's images are pinned to. */
    public readonly licence: string,
  ) {}
}

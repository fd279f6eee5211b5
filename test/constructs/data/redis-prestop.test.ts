import { spawnSync } from 'child_process';
import { renderPreStopScript } from '../../../constructs/data/redis-prestop';

describe('renderPreStopScript', () => {
  const script = renderPreStopScript('valkey-cli');

  it('is valid POSIX sh', () => {
    const r = spawnSync('sh', ['-n'], { input: script, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('talks to its own node and the chosen replica with the engine’s client only', () => {
    expect(script).toContain('self() { valkey-cli -h 127.0.0.1 -p "$port" "$@"; }');
    expect(script).toContain('valkey-cli -h "$ip" -p "$rport" cluster failover');
    expect(renderPreStopScript('redis-cli')).not.toContain('valkey-cli');
  });

  it('hands over with a planned failover (never FORCE or TAKEOVER, which may drop acknowledged writes), bounded in time', () => {
    expect(script).not.toMatch(/failover (force|takeover)/i);
    expect(script).toContain('wait_seconds=${PRESTOP_FAILOVER_SECONDS:-20}');
    // A master that no replica relieves still stops: the unplanned failover follows, as without the hook.
    expect(script.trim().split('\n').pop()).toBe('exit 0');
  });

  it('stops at once, handing nothing over, on a node whose ROLE is not master', () => {
    // A stand-in client: ROLE says slave; CLUSTER NODES and anything else fail, so no failover can be sent.
    const r = spawnSync(
      'sh',
      [
        '-c',
        `cli() { case "$*" in *role*) echo slave ;; *) echo "unexpected: $*" >&2; return 1 ;; esac; }; ${script.replace(/valkey-cli/g, 'cli')}`,
        'prestop',
        '6379',
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stdout).toMatch(/^prestop: slave with 0 slot ranges: nothing to hand over$/m);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

/**
 * The preStop hook of every cluster node: a master hands its slots to its most up-to-date in-sync replica with a
 * planned `CLUSTER FAILOVER` before the pod stops. The replica waits until it has every write the master accepted,
 * then takes over; clients pause for well under a second instead of the cluster-node-timeout plus an election, and
 * no acknowledged write is lost. A replica or an empty node has nothing to hand over and stops at once. Each of a
 * master's replicas is in another zone (the bootstrap places them so and checks it); the zone the promoted replica
 * is in may now hold two masters until the restarted pod is back, and the rebalancer moves one back
 * (topology.py `rebalance`).
 *
 * Usage: `sh prestop.sh PORT`; auth from `REDISCLI_AUTH`. Bounded by `PRESTOP_FAILOVER_SECONDS` (20) per replica
 * tried, inside the pod's termination grace period. The integration tests run this very script.
 *
 * @see https://valkey.io/commands/cluster-failover/
 */
export function renderPreStopScript(cli: string): string {
  return `#!/bin/sh
# Rendered by perfstack (constructs/data/redis-prestop.ts).
set -u
port=\${1:-6379}
wait_seconds=\${PRESTOP_FAILOVER_SECONDS:-20}
self() { ${cli} -h 127.0.0.1 -p "$port" "$@"; }

role=$(self role 2>/dev/null | head -n 1 | tr -d '\\r')
slots=$(self cluster nodes 2>/dev/null | awk '$3 ~ /myself/ { print NF - 8 }')
if [ "$role" != master ] || [ "\${slots:-0}" -le 0 ]; then
  echo "prestop: $role with \${slots:-0} slot ranges: nothing to hand over"
  exit 0
fi
# In-sync replicas, most up to date first: "offset ip port".
candidates=$(self info replication | tr -d '\\r' | awk '/^slave[0-9]+:/ {
  sub(/^slave[0-9]+:/, ""); n = split($0, kv, ","); delete v
  for (i = 1; i <= n; i++) { split(kv[i], p, "="); v[p[1]] = p[2] }
  if (v["state"] == "online") print v["offset"], v["ip"], v["port"] }' | sort -rn)
echo "$candidates" | while read -r offset ip rport; do
  [ -n "$ip" ] || continue
  echo "prestop: CLUSTER FAILOVER on replica $ip:$rport (offset $offset)"
  ${cli} -h "$ip" -p "$rport" cluster failover || continue
  deadline=$(( $(date +%s) + wait_seconds ))
  while [ "$(date +%s)" -le "$deadline" ]; do
    if [ "$(self role | head -n 1 | tr -d '\\r')" = slave ]; then
      echo "prestop: handed over to $ip:$rport"
      exit 10
    fi
    sleep 0.2
  done
done
[ $? -eq 10 ] && exit 0
echo "prestop: no replica took over within \${wait_seconds}s each; stopping as master (an unplanned failover follows)" >&2
exit 0
`;
}

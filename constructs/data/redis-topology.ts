import { PYTHON_SERVE_METRICS } from '../core/python-metrics';

/**
 * topology.py: the cluster's intended topology as code, shared by the bootstrap Job and the rebalancer, run with
 * python3 (standard library only) in the CloudNativePG operand image the stack already pins, like placement.py.
 *
 * - `plan SHARDS REPLICAS < placement`: masters one per zone round-robin, replica r of a master in zone i in zone
 *   i+r, then the zones after it. Prints `M <addr>` per master and `R <addr> <master addr>` per replica.
 * - `bootstrap PLACEMENT SHARDS REPLICAS`: idempotent. Every pass reads every node's own view, takes the next missing
 *   step (slots, CLUSTER MEET, CLUSTER REPLICATE) and checks the whole intended topology: every node joined and
 *   seen by every other, `SHARDS` masters covering the 16384 slots, `REPLICAS` replicas each, no replica in its
 *   master's zone and a shard's nodes in distinct zones where zones allow. Exits 0 only when all of that holds;
 *   exits 1 with every mismatch listed when the deadline (`BOOTSTRAP_TIMEOUT_SECONDS`, 600) passes.
 * - `rebalance NAMESPACE SELECTOR` (`--once` for one pass): moves a master out of a zone holding more masters than
 *   another zone by one or more, with `CLUSTER FAILOVER` on its replica in the emptier zone (a planned failover:
 *   the master pauses writes until the replica has caught up, so no acknowledged write is lost). Bounded: one move
 *   per pass, `REBALANCE_MAX_MOVES_PER_HOUR` (6), no move while a node is unreachable or a slot unserved. Each move
 *   becomes a Kubernetes Event on the promoted pod and counts in `perfstack_redis_rebalance_moves_total`.
 *
 * Auth comes from `REDISCLI_AUTH`. The integration tests run this very script against real valkey-server and
 * redis-server processes (the rebalancer against a loopback stand-in for the Kubernetes API).
 *
 * @see https://valkey.io/commands/cluster-failover/
 * @see https://valkey.io/topics/cluster-spec/
 */
export function renderTopologyScript(): string {
  return TOPOLOGY_PY;
}

/** The script's text: Python, kept verbatim (a template literal is data, not a long function). */
const TOPOLOGY_PY = String.raw`# Rendered by perfstack (constructs/data/redis-topology.ts).
import collections, datetime, http.server, json, os, socket, sys, threading, time

SLOTS = 16384
PASSWORD = os.environ.get("REDISCLI_AUTH") or None


def log(*parts):
    print(*parts, flush=True)


class CommandError(Exception):
    pass


class Conn:
    """One RESP2 connection: enough protocol for CLUSTER, INFO, ROLE and AUTH."""

    def __init__(self, addr, timeout=3.0):
        host, port = addr.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.reader = self.sock.makefile("rb")
        if PASSWORD:
            self.call("AUTH", PASSWORD)

    def call(self, *args):
        parts = [str(a).encode() for a in args]
        self.sock.sendall(b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts))
        return self._read()

    def _read(self):
        line = self.reader.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("connection closed")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise CommandError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.reader.read(n + 2)[:-2].decode()
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise ConnectionError("unexpected reply %r" % line)

    def close(self):
        self.sock.close()


def parse_nodes(text):
    """CLUSTER NODES as {id: {addr, flags, master, slots}}; slots are (first, last) pairs, migrations ignored."""
    nodes = {}
    for line in text.strip().splitlines():
        f = line.split(" ")
        slots = []
        for s in f[8:]:
            if not s.startswith("["):
                first, _, last = s.partition("-")
                slots.append((int(first), int(last or first)))
        nodes[f[0]] = {"addr": f[1].split("@")[0], "flags": set(f[2].split(",")), "master": f[3], "slots": slots}
    return nodes


def slot_count(ranges):
    return sum(b - a + 1 for a, b in ranges)


def plan(entries, shards, replicas):
    """entries: [(pod, zone, addr)] in ordinal order. Returns (master indexes, {replica index: master index})."""
    if len(entries) != shards * (1 + replicas):
        raise ValueError("%d pods listed, %d expected" % (len(entries), shards * (1 + replicas)))
    zones = list(dict.fromkeys(e[1] for e in entries))
    used, masters, replica_of = set(), [], {}

    def take(zone):
        for i, e in enumerate(entries):
            if i not in used and e[1] == zone:
                used.add(i)
                return i
        return None

    z = 0
    while len(masters) < shards:
        picked = take(zones[z % len(zones)])
        z += 1
        if picked is not None:
            masters.append(picked)
    for r in range(1, replicas + 1):
        for m in masters:
            home = zones.index(entries[m][1])
            pick = None
            for s in range(len(zones) - 1):
                pick = take(zones[(home + 1 + (r - 1 + s) % (len(zones) - 1)) % len(zones)])
                if pick is not None:
                    break
            # One zone, or pods not balanced: any free pod rather than a shard short of a replica.
            if pick is None:
                pick = next(i for i in range(len(entries)) if i not in used)
                used.add(pick)
            replica_of[pick] = m
    return masters, replica_of


def slot_range(k, shards):
    return (k * SLOTS // shards, (k + 1) * SLOTS // shards - 1)


def shard_problems(nodes, zone_of, shards, replicas):
    """Mismatches of one node's view against the intended shape; zone_of maps node id to zone."""
    problems = []
    masters = {i: n for i, n in nodes.items() if "master" in n["flags"] and n["slots"] and "fail" not in n["flags"]}
    covered = slot_count([r for n in masters.values() for r in n["slots"]])
    if len(masters) != shards:
        problems.append("%d masters serve slots, %d intended" % (len(masters), shards))
    if covered != SLOTS:
        problems.append("%d of %d slots served" % (covered, SLOTS))
    zones = set(zone_of.values())
    for i, n in nodes.items():
        if "master" in n["flags"] and not n["slots"] and i in zone_of:
            problems.append("%s is an empty master (not yet a replica)" % n["addr"])
    for mid, m in masters.items():
        reps = [i for i, n in nodes.items() if n["master"] == mid and "fail" not in n["flags"]]
        if len(reps) != replicas:
            problems.append("master %s has %d replicas, %d intended" % (m["addr"], len(reps), replicas))
        shard_zones = [zone_of.get(mid)] + [zone_of.get(i) for i in reps]
        if len(zones) > 1 and zone_of.get(mid) in shard_zones[1:]:
            problems.append("master %s has a replica in its own zone %s" % (m["addr"], zone_of.get(mid)))
        elif len(shard_zones) <= len(zones) and len(set(shard_zones)) != len(shard_zones):
            problems.append("shard of %s has two nodes in one zone: %s" % (m["addr"], ",".join(map(str, shard_zones))))
    return problems


def read_placement(path):
    with open(path) as f:
        return [tuple(line.split()[:3]) for line in f if line.strip()]


class Node:
    """A node as this pass sees it: its id and its own view of the cluster."""

    def __init__(self, addr):
        self.addr = addr
        c = Conn(addr)
        try:
            self.id = c.call("CLUSTER", "MYID")
            self.view = parse_nodes(c.call("CLUSTER", "NODES"))
            self.state = dict(l.split(":", 1) for l in c.call("CLUSTER", "INFO").splitlines() if ":" in l).get("cluster_state")
        finally:
            c.close()
        self.me = self.view[self.id]

    def call(self, *args):
        c = Conn(self.addr)
        try:
            return c.call(*args)
        finally:
            c.close()


def bootstrap_step(entries, found, masters, replica_of, shards):
    """Takes the next missing steps; returns what it did."""
    done = []
    ids = {i: n.id for i, n in found.items()}
    owned = [r for n in found.values() for r in n.me["slots"]]
    for k, m in enumerate(masters):
        first, last = slot_range(k, shards)
        node = found[m]
        if node.me["slots"] or "master" not in node.me["flags"]:
            continue
        if any(a <= last and b >= first for a, b in owned):
            continue
        node.call("CLUSTER", "ADDSLOTSRANGE", first, last)
        done.append("slots %d-%d to %s" % (first, last, entries[m][0]))
    anchor = next((found[m] for m in masters if found[m].me["slots"]), found[masters[0]])
    for i, node in found.items():
        if node.id not in anchor.view:
            host, port = entries[i][2].rsplit(":", 1)
            anchor.call("CLUSTER", "MEET", socket.gethostbyname(host), port)
            done.append("meet %s" % entries[i][0])
    if done:
        return done
    for r, m in replica_of.items():
        node = found[r]
        if node.me["slots"] or "master" not in node.me["flags"]:
            continue
        # The shard's master now: the planned master, or the replica promoted in its place since.
        target = found[m].me if "master" in found[m].me["flags"] else found[m].view.get(found[m].me["master"])
        target_id = ids[m] if "master" in found[m].me["flags"] else found[m].me["master"]
        if target is None or target_id not in node.view:
            continue
        node.call("CLUSTER", "REPLICATE", target_id)
        done.append("%s replicates %s" % (entries[r][0], target_id[:8]))
    return done


def topology_problems(entries, found, shards, replicas):
    zone_of = {n.id: entries[i][1] for i, n in found.items()}
    problems = []
    for i, node in found.items():
        unknown = [found[j].addr for j in found if found[j].id not in node.view]
        if unknown:
            problems.append("%s does not know %s" % (entries[i][0], ", ".join(unknown)))
        strangers = [n["addr"] for nid, n in node.view.items() if nid not in zone_of]
        if strangers:
            problems.append("%s knows nodes outside the placement: %s" % (entries[i][0], ", ".join(strangers)))
        flagged = [n["addr"] for n in node.view.values() if n["flags"] & {"fail", "fail?", "handshake", "noaddr"}]
        if flagged:
            problems.append("%s sees failing or unconnected nodes: %s" % (entries[i][0], ", ".join(flagged)))
        if node.state != "ok":
            problems.append("%s reports cluster_state %s" % (entries[i][0], node.state))
    # Roles from each node itself (authoritative), knowledge from the others; pods by name in the messages.
    own = {n.id: dict(n.me, addr=entries[i][0]) for i, n in found.items()}
    problems += shard_problems(own, zone_of, shards, replicas)
    return problems


def bootstrap(path, shards, replicas):
    entries = read_placement(path)
    masters, replica_of = plan(entries, shards, replicas)
    log("bootstrap: plan: masters %s" % " ".join(entries[m][0] for m in masters))
    deadline = time.time() + float(os.environ.get("BOOTSTRAP_TIMEOUT_SECONDS", "600"))
    problems = []
    while True:
        found, missing = {}, []
        for i, e in enumerate(entries):
            try:
                found[i] = Node(e[2])
            except (OSError, CommandError) as err:
                missing.append("%s (%s: %s)" % (e[0], e[2], err))
        if missing:
            problems = ["no answer from " + m for m in missing]
        else:
            done = bootstrap_step(entries, found, masters, replica_of, shards)
            for d in done:
                log("bootstrap: " + d)
            problems = [] if done else topology_problems(entries, found, shards, replicas)
            if not done and not problems:
                log("bootstrap: cluster complete: %d masters, %d replica(s) each, every node joined, zones as planned" % (shards, replicas))
                return 0
        if time.time() > deadline:
            sys.stderr.write("bootstrap: FAILED, the cluster does not match the intended topology:\n" + "".join("  - %s\n" % p for p in problems))
            return 1
        time.sleep(0.5)


# ---- rebalancer ----------------------------------------------------------------------------------------------


def choose_move(nodes):
    """nodes: [{id, pod, zone, role, master, link_up}]. The (master, replica) to swap, or None.

    A master moves from the zone with the most masters to a zone holding at least two fewer, onto one of its own
    in-sync replicas there: each move lowers the highest count, so repeated passes converge and never oscillate."""
    count = collections.Counter(n["zone"] for n in nodes if n["role"] == "master")
    for z in {n["zone"] for n in nodes}:
        count.setdefault(z, 0)
    for src in sorted(count, key=lambda z: (-count[z], z)):
        for m in sorted((n for n in nodes if n["role"] == "master" and n["zone"] == src), key=lambda n: n["pod"]):
            reps = [n for n in nodes if n["master"] == m["id"] and n["link_up"] and count[n["zone"]] < count[src] - 1]
            if reps:
                return m, min(reps, key=lambda n: (count[n["zone"]], n["pod"]))
    return None


class Metrics:
    def __init__(self):
        self.lock = threading.Lock()
        self.masters = {}
        self.moves = collections.Counter()
        self.passes = collections.Counter()
        self.last = 0.0

    def render(self):
        with self.lock:
            out = ["# HELP perfstack_redis_masters Masters serving slots per zone, as the last pass saw them.",
                   "# TYPE perfstack_redis_masters gauge"]
            out += ['perfstack_redis_masters{zone="%s"} %d' % z for z in sorted(self.masters.items())]
            out += ["# HELP perfstack_redis_rebalance_moves_total Planned failovers the rebalancer started, by result.",
                    "# TYPE perfstack_redis_rebalance_moves_total counter"]
            out += ['perfstack_redis_rebalance_moves_total{result="%s"} %d' % (r, self.moves[r]) for r in ("ok", "failed")]
            out += ["# HELP perfstack_redis_rebalance_passes_total Rebalancer passes, by outcome.",
                    "# TYPE perfstack_redis_rebalance_passes_total counter"]
            out += ['perfstack_redis_rebalance_passes_total{outcome="%s"} %d' % o for o in sorted(self.passes.items())]
            out += ["# TYPE perfstack_redis_rebalance_last_pass_timestamp_seconds gauge",
                    "perfstack_redis_rebalance_last_pass_timestamp_seconds %.3f" % self.last]
            return "\n".join(out) + "\n"


${PYTHON_SERVE_METRICS}


def record_event(api, namespace, pod, kind, reason, message):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"generateName": "redis-rebalancer-", "namespace": namespace},
        "involvedObject": {"apiVersion": "v1", "kind": "Pod", "name": pod["name"], "namespace": namespace, "uid": pod["uid"]},
        "reason": reason, "message": message, "type": kind, "count": 1,
        "firstTimestamp": now, "lastTimestamp": now,
        "source": {"component": "redis-rebalancer"}, "reportingComponent": "perfstack.io/redis-rebalancer",
        "reportingInstance": socket.gethostname(),
    }
    try:
        api("/api/v1/namespaces/%s/events" % namespace, body)
    except OSError as err:
        sys.stderr.write("rebalance: could not record the event (%s): %s\n" % (err, message))


def rebalance_pass(api, namespace, selector, metrics, history, max_per_hour):
    import placement  # placement.py beside this script: the Kubernetes API reader.

    pods = placement.pods_with_zones(api, namespace, selector)
    nodes, unreachable = [], []
    for p in pods:
        try:
            n = Node("%s:%d" % (p["ip"], p["port"]))
            info = n.call("INFO", "replication")
            nodes.append({"id": n.id, "pod": p["name"], "zone": p["zone"], "ref": p, "node": n,
                          "role": "master" if "master" in n.me["flags"] and n.me["slots"] else ("replica" if "slave" in n.me["flags"] else "empty"),
                          "master": n.me["master"], "link_up": "master_link_status:up" in info, "state": n.state})
        except (OSError, CommandError) as err:
            unreachable.append("%s (%s)" % (p["name"], err))
    with metrics.lock:
        metrics.masters = dict(collections.Counter(n["zone"] for n in nodes if n["role"] == "master"))
        for z in {p["zone"] for p in pods}:
            metrics.masters.setdefault(z, 0)
        metrics.last = time.time()
    served = slot_count([r for n in nodes if n["role"] == "master" for r in n["node"].me["slots"]])
    if unreachable or served != SLOTS or any(n["state"] != "ok" for n in nodes):
        log("rebalance: skipped: %s" % ("unreachable " + ", ".join(unreachable) if unreachable else "%d of %d slots served" % (served, SLOTS)))
        return "skipped"
    move = choose_move(nodes)
    if move is None:
        return "balanced"
    m, r = move
    while history and history[0] < time.time() - 3600:
        history.popleft()
    if len(history) >= max_per_hour:
        msg = "master %s in %s should move to %s, but %d moves in the last hour reached the limit" % (m["pod"], m["zone"], r["zone"], len(history))
        log("rebalance: " + msg)
        record_event(api, namespace, m["ref"], "Warning", "MasterMoveLimited", msg)
        return "limited"
    history.append(time.time())
    msg = "moved the master of %s from %s (%s) to %s (%s) with CLUSTER FAILOVER: %s held more masters" % (
        m["pod"], m["zone"], m["pod"], r["zone"], r["pod"], m["zone"])
    try:
        r["node"].call("CLUSTER", "FAILOVER")
        deadline = time.time() + 15
        while r["node"].call("ROLE")[0] != "master":
            if time.time() > deadline:
                raise CommandError("%s was not master within 15 s" % r["pod"])
            time.sleep(0.1)
    except (OSError, CommandError) as err:
        with metrics.lock:
            metrics.moves["failed"] += 1
        msg = "failed to move the master of %s from %s to %s (%s): %s" % (m["pod"], m["zone"], r["zone"], r["pod"], err)
        log("rebalance: " + msg)
        record_event(api, namespace, r["ref"], "Warning", "MasterMoveFailed", msg)
        return "failed"
    with metrics.lock:
        metrics.moves["ok"] += 1
    log("rebalance: " + msg)
    record_event(api, namespace, r["ref"], "Normal", "MasterMoved", msg)
    return "moved"


def rebalance(namespace, selector, once):
    import placement

    api = placement.api_client()
    metrics = Metrics()
    interval = float(os.environ.get("REBALANCE_INTERVAL_SECONDS", "30"))
    max_per_hour = int(os.environ.get("REBALANCE_MAX_MOVES_PER_HOUR", "6"))
    history = collections.deque()
    if not once:
        serve_metrics(metrics, int(os.environ.get("METRICS_PORT", "9122")))
    while True:
        try:
            outcome = rebalance_pass(api, namespace, selector, metrics, history, max_per_hour)
        except OSError as err:
            sys.stderr.write("rebalance: Kubernetes API not reachable: %s\n" % err)
            outcome = "error"
        with metrics.lock:
            metrics.passes[outcome] += 1
        if once:
            log("rebalance: " + outcome)
            # Moved: the next pass, after the cluster settles, may find another move to make.
            return 0 if outcome in ("balanced", "moved") else 1
        time.sleep(interval)


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "plan":
        entries = [tuple(l.split()[:3]) for l in sys.stdin if l.strip()]
        try:
            masters, replica_of = plan(entries, int(argv[2]), int(argv[3]))
        except ValueError as err:
            sys.stderr.write("placement: %s\n" % err)
            return 2
        for m in masters:
            print("M", entries[m][2])
        for r, m in replica_of.items():
            print("R", entries[r][2], entries[m][2])
        return 0
    if command == "bootstrap":
        return bootstrap(argv[2], int(argv[3]), int(argv[4]))
    if command == "rebalance":
        return rebalance(argv[2], argv[3], "--once" in argv[4:])
    sys.stderr.write("usage: topology.py plan|bootstrap|rebalance ...\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
`;

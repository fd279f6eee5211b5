/**
 * The bootstrap Job's zone lookup: a Python script (standard library only) that reads the Redis pods and their
 * nodes' zones from the Kubernetes API with the pod's projected service-account token and writes the placement file
 * `topology.py bootstrap` reads: `<pod> <zone> <host:port>` per Redis pod, sorted by ordinal. topology.py's
 * rebalancer imports its API client and `pods_with_zones` (pod IP and port as well).
 *
 * Why Python and not kubectl: the bootstrap used `bitnami/kubectl` for its shell, and Bitnami removed its versioned
 * images in 2025; the official `registry.k8s.io/kubectl` is distroless (no shell, no pipe, no file to hand over).
 * The CloudNativePG operand image the stack already pins and mirrors has python3 with TLS (barman-cloud runs on
 * it), so the lookup needs no image of its own, and air-gapped sites mirror nothing more.
 *
 * Usage: `python3 -B placement.py NAMESPACE LABEL_SELECTOR NODES HEADLESS_SERVICE OUTPUT_FILE`.
 * `KUBE_API` (default: the in-cluster `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`) and `SA_DIR`
 * (default: the service-account mount) exist for the integration test, which serves the API on loopback.
 *
 * @see https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/#without-using-a-proxy
 */
export function renderPlacementScript(): string {
  return `# Rendered by perfstack (constructs/data/redis-placement.ts).
import json, os, ssl, sys, time, urllib.parse, urllib.request


def api_client():
    """A function (path, body=None) -> JSON that GETs, or POSTs body, with the pod's service-account token."""
    sa = os.environ.get("SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
    api = os.environ.get("KUBE_API") or "https://%s:%s" % (os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"])
    context = ssl.create_default_context(cafile=os.path.join(sa, "ca.crt")) if api.startswith("https:") else None

    def call(path, body=None):
        # The projected token rotates: read it for every request.
        with open(os.path.join(sa, "token")) as f:
            token = f.read().strip()
        headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(api + path, data=data, headers=headers)
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return json.load(response)

    return call


def ordinal(name):
    return int(name.rsplit("-", 1)[1])


def scheduled_pods(api, namespace, selector):
    path = "/api/v1/namespaces/%s/pods?labelSelector=%s" % (namespace, urllib.parse.quote(selector))
    return api(path)["items"]


def pods_with_zones(api, namespace, selector, zones=None):
    """Every scheduled pod in ordinal order: name, uid, zone (its node's label), pod IP and the redis port."""
    zones = {} if zones is None else zones
    out = []
    for p in scheduled_pods(api, namespace, selector):
        node = p["spec"].get("nodeName")
        if not node:
            continue
        if node not in zones:
            labels = api("/api/v1/nodes/%s" % urllib.parse.quote(node))["metadata"].get("labels", {})
            zones[node] = labels.get("topology.kubernetes.io/zone") or "none"
        ports = [q["containerPort"] for k in p["spec"].get("containers", []) for q in k.get("ports", []) if q.get("name") == "redis"]
        out.append({
            "name": p["metadata"]["name"], "uid": p["metadata"].get("uid", ""), "zone": zones[node],
            "ip": p.get("status", {}).get("podIP"), "port": ports[0] if ports else 6379,
        })
    return sorted(out, key=lambda p: ordinal(p["name"]))


def main(argv):
    namespace, selector, expected, headless, output = argv[1], argv[2], int(argv[3]), argv[4], argv[5]
    api = api_client()
    # Wait until every Redis pod exists and is scheduled (its node, hence its zone, is known).
    while True:
        try:
            pods = scheduled_pods(api, namespace, selector)
            scheduled = sum(1 for p in pods if p["spec"].get("nodeName"))
            if len(pods) >= expected and scheduled == len(pods):
                break
            print("placement: %d of %d pods scheduled" % (scheduled, expected), flush=True)
        except OSError as e:
            print("placement: API not reachable yet: %s" % e, file=sys.stderr, flush=True)
        time.sleep(2)
    lines = [
        "%s %s %s.%s.%s.svc.cluster.local:6379" % (p["name"], p["zone"], p["name"], headless, namespace)
        for p in pods_with_zones(api, namespace, selector)
    ]
    with open(output, "w") as f:
        f.write("\\n".join(lines) + "\\n")
    print("\\n".join(lines))


if __name__ == "__main__":
    main(sys.argv)
`;
}

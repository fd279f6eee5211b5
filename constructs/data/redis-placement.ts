/**
 * The bootstrap Job's zone lookup: a Python script (standard library only) that reads the Redis pods and their
 * nodes' zones from the Kubernetes API with the pod's projected service-account token and writes the placement file
 * bootstrap.sh reads: `<pod> <zone> <host:port>` per Redis pod, sorted by ordinal.
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

namespace, selector, expected, headless, output = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
sa = os.environ.get("SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
api = os.environ.get("KUBE_API") or "https://%s:%s" % (os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"])
context = ssl.create_default_context(cafile=os.path.join(sa, "ca.crt")) if api.startswith("https:") else None


def get(path):
    # The projected token rotates: read it for every request.
    with open(os.path.join(sa, "token")) as f:
        token = f.read().strip()
    request = urllib.request.Request(api + path, headers={"Authorization": "Bearer " + token, "Accept": "application/json"})
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        return json.load(response)


def ordinal(name):
    return int(name.rsplit("-", 1)[1])


# Wait until every Redis pod exists and is scheduled (its node, hence its zone, is known).
path = "/api/v1/namespaces/%s/pods?labelSelector=%s" % (namespace, urllib.parse.quote(selector))
while True:
    try:
        pods = get(path)["items"]
        scheduled = {p["metadata"]["name"]: p["spec"].get("nodeName") for p in pods}
        if len(scheduled) >= expected and all(scheduled.values()):
            break
        print("placement: %d of %d pods scheduled" % (sum(1 for n in scheduled.values() if n), expected), flush=True)
    except OSError as e:
        print("placement: API not reachable yet: %s" % e, file=sys.stderr, flush=True)
    time.sleep(2)

zones = {}
for node in sorted(set(scheduled.values())):
    labels = get("/api/v1/nodes/%s" % urllib.parse.quote(node))["metadata"].get("labels", {})
    zones[node] = labels.get("topology.kubernetes.io/zone") or "none"

lines = [
    "%s %s %s.%s.%s.svc.cluster.local:6379" % (pod, zones[node], pod, headless, namespace)
    for pod, node in sorted(scheduled.items(), key=lambda item: ordinal(item[0]))
]
with open(output, "w") as f:
    f.write("\\n".join(lines) + "\\n")
print("\\n".join(lines))
`;
}

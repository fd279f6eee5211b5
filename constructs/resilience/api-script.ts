/**
 * The Python prelude of the resilience Jobs (chaos trigger, restore drill): a Kubernetes API client in the standard
 * library, authenticated with the pod's projected service-account token. They run in the CloudNativePG operand
 * image the stack already pins (python3 with TLS), like the Redis bootstrap's zone lookup: no kubectl image, none
 * more to mirror for an air-gapped site. `KUBE_API` and `SA_DIR` let the integration tests serve the API on loopback.
 */
export const PYTHON_API_PRELUDE = `import json, os, ssl, sys, time, urllib.error, urllib.parse, urllib.request

SA = os.environ.get("SA_DIR", "/var/run/secrets/kubernetes.io/serviceaccount")
API = os.environ.get("KUBE_API") or "https://%s:%s" % (os.environ["KUBERNETES_SERVICE_HOST"], os.environ["KUBERNETES_SERVICE_PORT"])
CONTEXT = ssl.create_default_context(cafile=os.path.join(SA, "ca.crt")) if API.startswith("https:") else None


def api(method, path, body=None):
    """One API call; returns (status, parsed JSON or None). The projected token rotates: read it every time."""
    with open(os.path.join(SA, "token")) as f:
        token = f.read().strip()
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": "Bearer " + token, "Accept": "application/json", "Content-Type": "application/json"}
    request = urllib.request.Request(API + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, context=CONTEXT, timeout=30) as response:
            raw = response.read()
            return response.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, None


def must(method, path, body=None, ok=(200, 201, 202)):
    status, result = api(method, path, body)
    if status not in ok:
        raise SystemExit("%s %s: HTTP %s %s" % (method, path, status, (result or {}).get("message", "")))
    return result


def recreate(path, obj, timeout=120):
    """Deletes the object named like obj under path if it exists, waits until it is gone, then creates obj."""
    name = obj["metadata"]["name"]
    api("DELETE", "%s/%s" % (path, name))
    deadline = time.time() + timeout
    while api("GET", "%s/%s" % (path, name))[0] != 404:
        if time.time() > deadline:
            raise SystemExit("%s/%s still exists after %ss" % (path, name, timeout))
        time.sleep(2)
    return must("POST", path, obj)
`;

/**
 * `serve_metrics(metrics, port)`: the Prometheus endpoint of the Python scripts perfstack ships (the Redis
 * rebalancer's topology.py, the restore drill), in the standard library. `metrics.render()` is served as the text
 * exposition format on `/metrics` and `ok` on any other path (the probes' `/healthz`), from a daemon thread so the
 * script's own work goes on. The script imports `http.server` and `threading` itself.
 *
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
export const PYTHON_SERVE_METRICS = String.raw`def serve_metrics(metrics, port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = metrics.render().encode() if self.path == "/metrics" else b"ok\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()`;

/**
 * trace-tail: a Zipkin v2 receiver for a laptop without Zipkin or Jaeger. Listens on
 * 127.0.0.1:<port> (default 9411) for POST /api/v2/spans, the format the hub exports when
 * TRACING_ZIPKIN_URL is set, and prints each trace as an indented tree once it has been quiet for
 * two seconds:
 *
 *   npm run traces                      # then, in another shell:
 *   TRACING_ZIPKIN_URL=http://127.0.0.1:9411 npm start
 *
 * For production use a real collector (deploy/monitoring: Jaeger takes Zipkin spans on 9411).
 */
import http from "node:http";

interface Span {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  duration?: number;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

const port = Number(process.argv[2] ?? process.env.PORT ?? 9411);
const traces = new Map<string, { spans: Span[]; timer: NodeJS.Timeout }>();
/** Traces printed before: a later part (an officer decided, the next steps ran) says it continues one. */
const printed = new Set<string>();

/** Prints one trace: each span under its parent, with its service, node and duration. */
function print(traceId: string, spans: Span[]): void {
  const ids = new Set(spans.map((s) => s.id));
  const children = new Map<string, Span[]>();
  for (const s of spans) {
    const parent = s.parentId && ids.has(s.parentId) ? s.parentId : "";
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  const lines = [`trace ${traceId} (${printed.has(traceId) ? "continued, " : ""}${spans.length} spans)`];
  printed.add(traceId);
  const walk = (parent: string, depth: number) => {
    for (const s of children.get(parent) ?? []) {
      const ms = ((s.duration ?? 0) / 1000).toFixed(1);
      lines.push(`${"  ".repeat(depth + 1)}${s.name}  [${s.localEndpoint?.serviceName ?? "?"}${s.tags?.nodeID ? ` @ ${s.tags.nodeID}` : ""}]  ${ms} ms`);
      walk(s.id, depth + 1);
    }
  };
  walk("", 0);
  process.stdout.write(`${lines.join("\n")}\n\n`);
}

const server = http.createServer((req, res) => {
  if (req.method !== "POST" || req.url !== "/api/v2/spans") {
    res.writeHead(404).end();
    return;
  }
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
  req.on("end", () => {
    let spans: Span[];
    try {
      spans = JSON.parse(body) as Span[];
      if (!Array.isArray(spans)) throw new Error("not a list");
    } catch (err) {
      res.writeHead(400).end(`spans: ${(err as Error).message}`);
      return;
    }
    for (const s of spans) {
      const entry = traces.get(s.traceId) ?? { spans: [], timer: setTimeout(() => undefined, 0) };
      entry.spans.push(s);
      clearTimeout(entry.timer);
      entry.timer = setTimeout(() => {
        traces.delete(s.traceId);
        print(s.traceId, entry.spans);
      }, 2000);
      traces.set(s.traceId, entry);
    }
    res.writeHead(202).end();
  });
});

server.listen(port, "127.0.0.1", () => process.stdout.write(`trace-tail: receiving Zipkin spans on http://127.0.0.1:${port}/api/v2/spans\n`));

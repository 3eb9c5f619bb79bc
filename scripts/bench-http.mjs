#!/usr/bin/env node
// The load generator of scripts/bench-http.sh: one Node process, the same code for every server.
// Usage: node scripts/bench-http.mjs PHASE NAME URL [options]   (loopback URLs only)
// Phases print one JSON line each ({"name","phase",...figures}); bench-http.sh tabulates them.
//   append   --concurrency C --streams S --seconds T --size B : C workers POST B-byte bodies to S
//            Durable Streams streams (worker i -> stream i % S) over keep-alive connections
//   delivery --mode raw-sse|raw-long-poll|ts-sse|ts-long-poll --count N : N sequential
//            append -> delivery round trips on a fresh stream, read by raw HTTP or by the
//            Durable Streams TypeScript client (@durable-streams/client, DS_CLIENT_DIR)
//   rest     --concurrency C --batch K --seconds T --size B : Tributary REST attempt-stream
//            appends, one frame per request (K=1) or K frames per POST …/stream/batch
//   producer --seconds T --size B --warmup W : the TS client's IdempotentProducer (batching,
//            pipelined), after W unmeasured seconds (default 1)
//   probe    --concurrency C --path P : GETs of a path that touches no storage (/livez)
import http from "node:http"
import { performance } from "node:perf_hooks"
import { createRequire } from "node:module"
import path from "node:path"

const [phase, name, baseArg, ...rest] = process.argv.slice(2)
const opt = (k, d) => {
  const i = rest.indexOf(`--${k}`)
  return i >= 0 ? rest[i + 1] : d
}
const base = (baseArg ?? "").replace(/\/+$/, "")
if (!phase || !base) {
  console.error("usage: node bench-http.mjs PHASE NAME URL [--option value ...]")
  process.exit(2)
}
const target = new URL(base)
if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(target.hostname)) {
  console.error(`refusing non-loopback target ${target.hostname}`)
  process.exit(2)
}
const seconds = Number(opt("seconds", 5))
const size = Number(opt("size", 100))
const id = `${Date.now()}-${process.pid}`
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })

/** One HTTP exchange on the keep-alive agent: {status, headers, body: Buffer}. */
function request(method, url, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers }, (res) => {
      const parts = []
      res.on("data", (c) => parts.push(c))
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }))
      res.on("error", reject)
    })
    req.on("error", reject)
    req.end(body)
  })
}

const pct = (xs, p) => {
  if (xs.length === 0) return null
  const s = Float64Array.from(xs).sort()
  return +s[Math.min(s.length - 1, Math.floor(s.length * p))].toFixed(3)
}
const emit = (o) => console.log(JSON.stringify({ name, phase, ...o }))

async function createStream(p, contentType) {
  const r = await request("PUT", `${base}${p}`, { "Content-Type": contentType })
  if (r.status !== 201 && r.status !== 200) throw new Error(`PUT ${p} -> ${r.status}`)
  return r.headers["stream-next-offset"]
}

/**
 * c workers, each sending its next request when its last one is answered: a short unmeasured
 * warm-up (JIT, connections), then the measured window. Returns latencies and answer counts.
 */
async function closedLoop(c, send, isOk) {
  const lat = []
  let ok = 0
  let bad = 0
  const warmUntil = performance.now() + 1000
  const stopAt = warmUntil + seconds * 1000
  await Promise.all(
    Array.from({ length: c }, async (_, w) => {
      while (performance.now() < stopAt) {
        const t0 = performance.now()
        const r = await send(w)
        if (t0 < warmUntil) continue
        lat.push(performance.now() - t0)
        if (isOk(r)) ok++
        else bad++
      }
    }),
  )
  return { lat, ok, bad }
}

async function appendPhase() {
  const c = Number(opt("concurrency", 16))
  const streams = Number(opt("streams", 1))
  const paths = []
  for (let s = 0; s < streams; s++) {
    paths.push(`/v1/stream/bench-append-${id}-${s}`)
    await createStream(paths[s], "application/octet-stream")
  }
  const body = Buffer.alloc(size, 120)
  const headers = { "Content-Type": "application/octet-stream", "Content-Length": String(size) }
  const { lat, ok, bad } = await closedLoop(c,
    (w) => request("POST", `${base}${paths[w % streams]}`, headers, body),
    (r) => r.status === 204 || r.status === 200)
  emit({ concurrency: c, streams, appends_per_s: Math.round(ok / seconds), non_2xx: bad, p50_ms: pct(lat, 0.5), p99_ms: pct(lat, 0.99) })
}

/** GET of a path that touches no storage (Tributary: /livez): the HTTP stack's own cost. */
async function probePhase() {
  const c = Number(opt("concurrency", 1))
  const url = `${base}${opt("path", "/livez")}`
  const { lat, ok, bad } = await closedLoop(c, () => request("GET", url), (r) => r.status < 300)
  emit({ concurrency: c, requests_per_s: Math.round(ok / seconds), non_2xx: bad, p50_ms: pct(lat, 0.5), p99_ms: pct(lat, 0.99) })
}

async function deliveryPhase() {
  const mode = opt("mode", "raw-long-poll")
  const count = Number(opt("count", 200))
  const json = mode.startsWith("ts-")
  const p = `/v1/stream/bench-delivery-${mode}-${id}`
  let offset = await createStream(p, json ? "application/json" : "text/plain")
  const url = `${base}${p}`
  const rtt = []
  const afterAck = [] // delivery time after the append's own answer (negative: delivered first)
  const post = (i) =>
    request("POST", url, { "Content-Type": json ? "application/json" : "text/plain" },
      json ? JSON.stringify({ i, pad: "x".repeat(Math.max(0, size - 20)) }) : `m${i};`.padEnd(size, "x"))
  if (mode === "raw-long-poll") {
    await timeDeliveries(count, post, rtt, afterAck, 0, async () => {
      const seen = request("GET", `${url}?offset=${encodeURIComponent(offset)}&live=long-poll`).then((r) => {
        const seenAt = performance.now()
        if (r.status !== 200) throw new Error(`long-poll -> ${r.status}`)
        offset = r.headers["stream-next-offset"]
        return seenAt
      })
      await new Promise((r) => setTimeout(r, 3)) // let the poll park on the server
      return { seen }
    })
  } else if (mode === "raw-sse") {
    let waiting = null
    let buf = ""
    const req = http.get(`${url}?offset=${encodeURIComponent(offset)}&live=sse`, { agent: false }, (res) => {
      res.setEncoding("utf8")
      res.on("data", (chunk) => {
        buf += chunk
        let k
        while ((k = buf.indexOf("\n\n")) >= 0) {
          const ev = buf.slice(0, k)
          buf = buf.slice(k + 2)
          if (/^event: ?data/m.test(ev) && waiting) {
            const w = waiting
            waiting = null
            w(performance.now())
          }
        }
      })
    })
    req.on("error", () => {})
    await new Promise((r) => setTimeout(r, 300))
    await timeDeliveries(count, post, rtt, afterAck, 2, async () => ({ seen: new Promise((r) => (waiting = r)) }))
    req.destroy()
  } else {
    const client = await loadClient()
    const live = mode === "ts-sse" ? "sse" : "long-poll"
    let waiting = null
    const ctl = new AbortController()
    const res = await client.stream({ url, offset, live, signal: ctl.signal, warnOnHttp: false })
    res.subscribeJson(async (batch) => {
      if (batch.items.length > 0 && waiting) {
        const w = waiting
        waiting = null
        w(performance.now())
      }
    })
    await new Promise((r) => setTimeout(r, 300))
    await timeDeliveries(count, post, rtt, afterAck, 2, async () => ({ seen: new Promise((r) => (waiting = r)) }))
    ctl.abort()
    res.cancel?.()
  }
  emit({ mode, n: rtt.length, p50_ms: pct(rtt, 0.5), p99_ms: pct(rtt, 0.99),
    after_ack_p50_ms: pct(afterAck, 0.5), after_ack_p99_ms: pct(afterAck, 0.99) })
}

// Appends `count` messages one at a time. Before each, `watch()` arms the reader and gives
// { seen }: a promise of the time the reader saw the message. Pushes the delivery time from the
// append's start to `rtt` and from its answer to `afterAck`; pauses `pauseMs` between messages.
async function timeDeliveries(count, post, rtt, afterAck, pauseMs, watch) {
  for (let i = 0; i < count; i++) {
    const { seen } = await watch()
    const t0 = performance.now()
    await post(i)
    const acked = performance.now()
    const seenAt = await seen
    rtt.push(seenAt - t0)
    afterAck.push(seenAt - acked)
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs))
  }
}

async function loadClient() {
  const dir = process.env.DS_CLIENT_DIR
  if (!dir) throw new Error("DS_CLIENT_DIR must name a folder whose node_modules has @durable-streams/client")
  const require = createRequire(path.join(dir, "package.json"))
  const entry = require.resolve("@durable-streams/client").replace(/index\.cjs$/, "index.js")
  return import(entry)
}

async function restPhase() {
  const c = Number(opt("concurrency", 1))
  const k = Number(opt("batch", 1))
  const mint = await request("POST", `${base}/v1/executions`)
  const eid = encodeURIComponent(JSON.parse(mint.body).execution_id)
  const start = await request("POST", `${base}/v1/executions/${eid}/attempts`, { "Content-Type": "application/json" }, "{}")
  const handle = JSON.parse(start.body).handle
  const payload = "x".repeat(size)
  const single = Buffer.from(payload)
  const batch = Buffer.from(Array.from({ length: k }, () => JSON.stringify({ frame_type: "log", payload })).join("\n"))
  const url = k === 1 ? `${base}/v1/executions/${eid}/attempts/0/stream?frame_type=log` : `${base}/v1/executions/${eid}/attempts/0/stream/batch`
  const headers = { "Tributary-Handle": handle, "Content-Type": k === 1 ? "application/octet-stream" : "application/x-ndjson" }
  const body = k === 1 ? single : batch
  let frames = 0
  let bad = 0
  const lat = []
  const warmUntil = performance.now() + 1000
  const stopAt = warmUntil + seconds * 1000
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (performance.now() < stopAt) {
        const t0 = performance.now()
        const r = await request("POST", url, headers, body)
        if (t0 < warmUntil) continue
        lat.push(performance.now() - t0)
        if (r.status === 200 || r.status === 201) frames += k
        else if (bad++ === 0) console.error(`rest: ${r.status} ${r.body.toString().slice(0, 200)}`)
      }
    }),
  )
  emit({ concurrency: c, batch: k, frames_per_s: Math.round(frames / seconds), non_2xx: bad, p50_ms: pct(lat, 0.5), p99_ms: pct(lat, 0.99) })
}

async function producerPhase() {
  const client = await loadClient()
  const p = `/v1/stream/bench-producer-${id}`
  await createStream(p, "application/octet-stream")
  const ds = new client.DurableStream({ url: `${base}${p}`, contentType: "application/octet-stream", warnOnHttp: false })
  let errors = 0
  const producer = new client.IdempotentProducer(ds, `bench-${id}`, { epoch: 0, onError: () => errors++ })
  const body = new Uint8Array(size).fill(121)
  // keep a bounded backlog: append while fewer than `window` appends wait, as a pipelined writer would
  const window = Number(opt("window", 1024))
  const appendFor = async (secs) => {
    let n = 0
    const stopAt = performance.now() + secs * 1000
    while (performance.now() < stopAt) {
      for (let i = 0; i < window; i++) producer.append(body)
      n += window
      await producer.flush()
    }
    return n
  }
  await appendFor(Number(opt("warmup", 1))) // unmeasured warm-up, as long as the SDK side has
  const t0 = performance.now()
  const seq0 = producer.nextSeq
  const sent = await appendFor(seconds)
  const elapsed = (performance.now() - t0) / 1000
  const requests = producer.nextSeq - seq0
  await producer.detach?.()
  const head = await request("HEAD", `${base}${p}`)
  emit({ appends_per_s: Math.round(sent / elapsed), appended: sent, requests, errors, tail: head.headers["stream-next-offset"] })
}

/** Tabulates a results file: medians [min-max] over repeats, ratios to each reference. */
async function reportPhase() {
  const fs = await import("node:fs")
  const rows = fs.readFileSync(opt("results"), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l))
  const errors = rows.filter((r) => r.error)
  const groups = new Map()
  const keyOf = (r) => {
    switch (r.phase) {
      case "append": return r.streams === 1 ? `appends/s, c=${r.concurrency}, one stream` : `appends/s, c=${r.concurrency}, ${r.streams} streams`
      case "delivery": return `append -> delivery, ${r.mode}`
      case "rest": return r.batch === 1 ? `REST attempt-stream frames/s, c=${r.concurrency}, single frames` : `REST attempt-stream frames/s, c=${r.concurrency}, batches of ${r.batch}`
      case "producer": case "sdk": return "pipelined producer appends/s on Tributary (SDK vs TS IdempotentProducer)"
      case "fsync": return "calibration: fdatasync of 8 kB (pg_test_fsync)"
      case "commit": return `calibration: PostgreSQL one-row INSERT commits, c=${r.concurrency} (pgbench)`
      case "probe": return `calibration: GET without storage (Tributary /livez), c=${r.concurrency}`
      case "append_fn": return `calibration: Tributary's append function tb_ds_append_batch, one append per call, c=${r.concurrency} (pgbench)`
      case "notify_floor": return "calibration: durable delivery floor, one-row INSERT + pg_notify commit -> LISTEN arrival (+ one read), no HTTP (NotifyFloor); ref column: the reference's fastest delivery mode"
      default: return r.phase
    }
  }
  for (const r of rows.filter((r) => !r.error)) {
    const k = keyOf(r)
    if (!groups.has(k)) groups.set(k, new Map())
    const g = groups.get(k)
    if (!g.has(r.name)) g.set(r.name, [])
    g.get(r.name).push(r)
  }
  const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)] }
  const fmtN = (x) => x == null ? "-" : x >= 100 ? Math.round(x).toLocaleString("en-US").replace(/,/g, " ") : (+x.toFixed(2)).toString()
  const stat = (rs, f) => {
    const xs = rs.map((r) => r[f]).filter((x) => x != null)
    if (xs.length === 0) return { m: null, s: "-" }
    const m = med(xs)
    return { m, s: xs.length > 1 ? `${fmtN(m)} [${fmtN(Math.min(...xs))}-${fmtN(Math.max(...xs))}]` : fmtN(m) }
  }
  const ratio = (a, b, lowerIsBetter) => a == null || b == null || b === 0 ? "-" : lowerIsBetter ? `${(a / b).toFixed(2)}x` : `${(a / b).toFixed(2)}x`
  // the in-memory reference's lowest delivery time over the four modes (median over repeats): what
  // the floor is held against
  const bestRefDelivery = (f) => {
    const ms = [...groups].filter(([k]) => k.startsWith("append -> delivery"))
      .map(([, g]) => stat(g.get("ref-mem") ?? [], f)).filter((x) => x.m != null)
    if (ms.length === 0) return { m: null, s: "-" }
    const best = ms.reduce((a, b) => (b.m < a.m ? b : a))
    return best
  }
  const out = []
  const line = (...c) => out.push("| " + c.join(" | ") + " |")
  line("figure", "tributary (or calibration)", "ref in memory", "ref file-backed", "tributary / in memory", "tributary / file-backed", "null server (generator ceiling)")
  line("---", "--:", "--:", "--:", "--:", "--:", "--:")
  for (const [k, g] of groups) {
    const fields = k.startsWith("appends/s") ? [["appends_per_s", false], ["p50_ms", true], ["p99_ms", true]]
      : k.startsWith("append -> delivery") ? [["p50_ms", true], ["p99_ms", true], ["after_ack_p50_ms", true], ["after_ack_p99_ms", true]]
      : k.startsWith("REST") ? [["frames_per_s", false], ["p50_ms", true], ["p99_ms", true]]
      : k.includes("fdatasync") ? [["fsync_per_s", false], ["fsync_ms", true]]
      : k.includes("pgbench") ? [["tps", false], ["latency_ms", true]]
      : k.includes("without storage") ? [["requests_per_s", false], ["p50_ms", true]]
      : k.includes("delivery floor") ? [["commit_p50_ms", true], ["commit_p99_ms", true], ["commit_read_p50_ms", true], ["commit_read_p99_ms", true], ["notify_p50_ms", true], ["notify_p99_ms", true], ["notify_read_p50_ms", true], ["notify_read_p99_ms", true]]
      : [["appends_per_s", false]]
    for (const [f, low] of fields) {
      if (k.startsWith("pipelined")) {
        const sdk = stat(g.get("sdk-producer") ?? [], f)
        const ts = stat(g.get("ts-producer") ?? [], f)
        line(`${k}`, `SDK ${sdk.s}`, `TS ${ts.s}`, "", `SDK / TS ${ratio(sdk.m, ts.m)}`, "", "")
        continue
      }
      const name = g.has("tributary") ? "tributary" : [...g.keys()][0]
      const t = stat(g.get(name) ?? [], f)
      const m = k.includes("delivery floor") ? bestRefDelivery(f.endsWith("p99_ms") ? "p99_ms" : "p50_ms") : stat(g.get("ref-mem") ?? [], f)
      const fb = stat(g.get("ref-file") ?? [], f)
      const n = stat(g.get("null") ?? [], f)
      line(`${k}: ${f}${low ? " (lower is better)" : ""}`, t.s, m.s, fb.s, ratio(t.m, m.m, low), ratio(t.m, fb.m, low), n.s)
    }
  }
  console.log(out.join("\n"))
  for (const e of errors) console.log(`error: ${e.name} ${e.phase}: ${e.error}`)
}

const phases = { probe: probePhase, append: appendPhase, delivery: deliveryPhase, rest: restPhase, producer: producerPhase, report: reportPhase }
if (!phases[phase]) {
  console.error(`unknown phase ${phase}`)
  process.exit(2)
}
try {
  await phases[phase]()
} catch (e) {
  emit({ error: String(e?.message ?? e) })
  process.exitCode = 1
} finally {
  agent.destroy()
}

package io.tributary.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The server's meters, scraped in Prometheus text format at {@code /metrics}: one timer per
 * (route family, method, status) plus JVM and process basics. For streamed responses (SSE) the
 * timer measures the time to the response headers' decision, not the life of the stream.
 */
final class ServerMetrics {
  /** Prometheus text exposition format, as scrapers expect it. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Set<String> KNOWN_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH");

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  /** Bounded: routes, methods and statuses are each a small fixed set. */
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();

  ServerMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /** Registers a gauge read at scrape time. */
  void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  /** Records one answered request; unknown methods are folded into {@code OTHER}. */
  void record(String route, String method, int status, long nanos) {
    String m = KNOWN_METHODS.contains(method) ? method : "OTHER";
    // registering looks the meter up by its sorted tags, a cost per request this map avoids
    timers
        .computeIfAbsent(
            route + ' ' + m + ' ' + status,
            key ->
                Timer.builder("tributary.http.requests")
                    .description("HTTP requests by route family, method and status")
                    .tags("route", route, "method", m, "status", Integer.toString(status))
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  String scrape() {
    return registry.scrape();
  }
}

package io.tributary.protocol.rest;

import io.tributary.api.ExecutionId;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.postgres.PostgresStreamStore;
import io.tributary.postgres.StoreConfig;
import io.tributary.protocol.HttpResponse;
import io.tributary.testing.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Request records for the handler, and its answers parsed as JSON. */
final class RestCalls implements AutoCloseable {
  private final FlowFabricRestHandler handler;
  private final AutoCloseable store;

  RestCalls(FlowFabricRestHandler handler) {
    this(handler, () -> {});
  }

  private RestCalls(FlowFabricRestHandler handler, AutoCloseable store) {
    this.handler = handler;
    this.store = store;
  }

  /** Calls to a handler with default settings over a store on a new database; close closes the store. */
  static RestCalls onNewDatabase(String name) {
    var url = EmbeddedPostgres.createDatabase(name);
    var store = PostgresStreamStore.open(StoreConfig.builder(url).user("postgres").build());
    return new RestCalls(new FlowFabricRestHandler(store, RestConfig.defaults()), store);
  }

  @Override
  public void close() throws Exception {
    store.close();
  }

  /** A started attempt as the REST client sees it. */
  record Started(String executionId, String handle, String path) {}

  /** Mints an execution and starts its first attempt with a 60 s lease. */
  Started start() {
    String id = post("/v1/executions", "", (String) null).json().get("execution_id").asString();
    var started = post("/v1/executions/" + id + "/attempts", "", "{\"lease_ttl_ms\":60000}");
    if (started.status() != 201) {
      throw new AssertionError("starting an attempt answered " + started.status() + ": " + started.json());
    }
    return new Started(id, started.json().get("handle").asString(), attemptPath(ExecutionId.parse(id), 0));
  }

  record Reply(int status, HttpHeaders headers, JsonNode json) {
    String error() {
      return json.get("error").asString();
    }

    String kind() {
      return json.get("kind").asString();
    }
  }

  static String attemptPath(ExecutionId id, long index) {
    return "/v1/executions/" + id + "/attempts/" + index;
  }

  Reply get(String path, String query) {
    return call(new HttpRequest("GET", path, query, new HttpHeaders(), null));
  }

  Reply post(String path, String query, String body, String... headers) {
    return post(path, query, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
  }

  Reply post(String path, String query, byte[] body, String... headers) {
    return call(new HttpRequest("POST", path, query, HttpHeaders.of(headers), body));
  }

  Reply call(HttpRequest request) {
    var response = (HttpResponse.Full) handler.handle(request);
    var json = JsonMapper.shared().readTree(response.body());
    return new Reply(response.status(), response.headers(), json);
  }
}

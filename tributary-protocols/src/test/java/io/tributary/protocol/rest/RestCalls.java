package io.tributary.protocol.rest;

import io.tributary.api.ExecutionId;
import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Request records for the handler, and its answers parsed as JSON. */
final class RestCalls {
  private final FlowFabricRestHandler handler;

  RestCalls(FlowFabricRestHandler handler) {
    this.handler = handler;
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

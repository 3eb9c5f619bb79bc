package io.tributary.server;

import io.tributary.api.ExecutionId;
import io.tributary.api.ValidationException;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.rest.DiscoveryHandler;
import java.util.Optional;

/**
 * What a read token may see of discovery: the execution its attempt stream belongs to ({@code GET
 * /v1/executions/{id}} and {@code …/attempts}), nothing else. The lists show every execution or
 * stream, so they need the admin token.
 */
final class DiscoveryAccess {
  private DiscoveryAccess() {}

  /**
   * Why {@code token} may not make the discovery request {@code request} (403), empty when it may,
   * or null when the request is not a discovery route.
   */
  static Optional<String> refusal(ReadToken token, HttpRequest request) {
    var route = DiscoveryHandler.route(request.method(), request.path());
    if (route == null) {
      return null;
    }
    return switch (route) {
      case EXECUTIONS, STREAMS ->
          Optional.of("a read token cannot list executions or streams (it may only read " + token.stream()
              + "); listing needs the admin token");
      case EXECUTION, ATTEMPTS -> {
        if (token.stream() instanceof StreamScope.Attempt attempt
            && attempt.executionId().equals(idOf(request.path()))) {
          yield Optional.empty();
        }
        yield Optional.of("this token may only read " + token.stream());
      }
    };
  }

  private static ExecutionId idOf(String path) {
    try {
      return ExecutionId.parse(DiscoveryHandler.executionIdOf(path));
    } catch (ValidationException e) {
      return null;
    }
  }
}

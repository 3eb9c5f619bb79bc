package io.tributary.protocol.ds.subscription;

import io.tributary.protocol.HttpHeaders;
import io.tributary.protocol.HttpRequest;
import io.tributary.protocol.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The reserved control routes under {@code /v1/stream/__ds/}:
 *
 * <pre>
 * GET    __ds/jwks.json                              the webhook signing keys (JWKS)
 * PUT    __ds/subscriptions/{id}                     create (201) or re-confirm (200)
 * GET    __ds/subscriptions/{id}                     the subscription and its streams
 * DELETE __ds/subscriptions/{id}                     delete (204)
 * POST   __ds/subscriptions/{id}/streams             link explicit streams (204)
 * DELETE __ds/subscriptions/{id}/streams/{name}      unlink one (204)
 * POST   __ds/subscriptions/{id}/callback            webhook receiver: ack / done (Bearer token)
 * POST   __ds/subscriptions/{id}/claim               pull-wake: claim the wake
 * POST   __ds/subscriptions/{id}/ack                 pull-wake: ack / done (Bearer token)
 * POST   __ds/subscriptions/{id}/release             pull-wake: give the wake back (Bearer token)
 * </pre>
 *
 * <p>Everything else under {@code __ds} is 404: no stream can be created there. Errors are {@code
 * {"error":{"code","message",...}}} with the protocol's codes.
 */
public final class SubscriptionRoutes {
  private static final JsonMapper JSON = JsonMapper.shared();
  private static final String CONTROL_ROOT = StreamNames.ROOT + StreamNames.CONTROL;
  private static final Set<String> TOKEN_ACTIONS = Set.of("callback", "ack", "release");

  private final Subscriptions subscriptions;

  /** @param subscriptions the service, or null when this server does not offer subscriptions */
  public SubscriptionRoutes(Subscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  /** True for {@code /v1/stream/__ds} and every path under it. */
  public static boolean owns(String path) {
    return path.equals(CONTROL_ROOT) || path.startsWith(CONTROL_ROOT + "/");
  }

  /**
   * True for the routes that authenticate their caller themselves (a subscription's bearer token)
   * or need none (the public JWKS), so a server-wide admin credential must not be demanded there.
   */
  public static boolean selfAuthenticating(String path) {
    if (path.equals(SubscriptionJson.JWKS_PATH)) {
      return true;
    }
    if (!path.startsWith(SubscriptionJson.SUBSCRIPTIONS_PATH)) {
      return false;
    }
    var parts = path.substring(SubscriptionJson.SUBSCRIPTIONS_PATH.length()).split("/");
    return parts.length == 2 && !parts[0].isEmpty() && TOKEN_ACTIONS.contains(parts[1]);
  }

  /** Answers a request for a path {@link #owns owned} here; never throws for bad input. */
  public HttpResponse handle(HttpRequest req) {
    try {
      return route(req);
    } catch (SubscriptionFault f) {
      return error(f);
    }
  }

  private HttpResponse route(HttpRequest req) {
    var path = req.path();
    if (subscriptions == null) {
      throw reserved(path, "this server does not offer subscriptions");
    }
    if (path.equals(SubscriptionJson.JWKS_PATH)) {
      requireMethod(req, "GET");
      var headers = headers("application/jwk-set+json").set("Cache-Control", "public, max-age=300");
      return new HttpResponse.Full(200, headers, JSON.writeValueAsBytes(subscriptions.jwks()));
    }
    if (!path.startsWith(SubscriptionJson.SUBSCRIPTIONS_PATH)) {
      throw reserved(path, "no such control route");
    }
    var parts = Arrays.asList(path.substring(SubscriptionJson.SUBSCRIPTIONS_PATH.length()).split("/", -1));
    var id = parts.getFirst();
    if (id.isEmpty()) {
      throw reserved(path, "name the subscription: " + SubscriptionJson.SUBSCRIPTIONS_PATH + "{id}");
    }
    if (parts.size() == 1) {
      return resource(req, id);
    }
    var action = parts.get(1);
    if (action.equals("streams")) {
      if (parts.size() == 2) {
        requireMethod(req, "POST");
        subscriptions.addStreams(id, SubscriptionSpec.parseStreams(req.body()));
        return empty(204);
      }
      requireMethod(req, "DELETE");
      var name = StreamNames.normalize(String.join("/", parts.subList(2, parts.size())));
      if (name.isEmpty()) {
        throw SubscriptionFault.invalid("name the stream to unlink");
      }
      subscriptions.removeStream(id, name);
      return empty(204);
    }
    if (parts.size() != 2) {
      throw reserved(path, "no such control route");
    }
    return switch (action) {
      case "callback" -> {
        requireMethod(req, "POST");
        yield json(200, subscriptions.callback(id, bearer(req), progress(req.body())));
      }
      case "claim" -> {
        requireMethod(req, "POST");
        var worker = SubscriptionSpec.text(SubscriptionSpec.object(req.body()), "worker");
        if (worker == null || worker.isEmpty()) {
          throw SubscriptionFault.invalid("worker must be a non-empty string");
        }
        yield json(200, subscriptions.claim(id, worker));
      }
      case "ack" -> {
        requireMethod(req, "POST");
        yield json(200, subscriptions.ack(id, bearer(req), progress(req.body())));
      }
      case "release" -> {
        requireMethod(req, "POST");
        subscriptions.release(id, bearer(req), progress(req.body()));
        yield empty(204);
      }
      default -> throw reserved(path, "no such control route");
    };
  }

  private HttpResponse resource(HttpRequest req, String id) {
    return switch (req.method()) {
      case "PUT" -> {
        var spec = SubscriptionSpec.parse(req.body());
        var creation = subscriptions.create(id, spec, baseUrl(req));
        yield json(
            creation.created() ? 201 : 200, subscriptions.describe(creation.subscription(), baseUrl(req)));
      }
      case "GET", "HEAD" -> json(200, subscriptions.describe(subscriptions.get(id), baseUrl(req)));
      case "DELETE" -> {
        subscriptions.delete(id);
        yield empty(204);
      }
      default -> throw methodNotAllowed(req, "GET, PUT, DELETE");
    };
  }

  private static Subscriptions.Progress progress(byte[] body) {
    var root = SubscriptionSpec.object(body);
    var wakeId = SubscriptionSpec.text(root, "wake_id");
    Long generation = null;
    var g = root.get("generation");
    if (g != null && !g.isNull()) {
      if (!g.isIntegralNumber()) {
        throw SubscriptionFault.invalid("generation must be an integer");
      }
      generation = g.asLong();
    }
    var acks = new ArrayList<Wakes.Ack>();
    var list = root.get("acks");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw SubscriptionFault.invalid("acks must be an array of {stream, offset}");
      }
      for (var item : list) {
        if (!item.isObject()) {
          throw SubscriptionFault.invalid("acks must be an array of {stream, offset}");
        }
        var o = (ObjectNode) item;
        var stream = SubscriptionSpec.text(o, "stream");
        if (stream == null) {
          stream = SubscriptionSpec.text(o, "path");
        }
        var name = stream == null ? "" : StreamNames.normalize(stream);
        if (name.isEmpty()) {
          throw SubscriptionFault.invalid("every ack needs a stream");
        }
        acks.add(new Wakes.Ack(StreamNames.full(name), name, StreamNames.ackPosition(SubscriptionSpec.text(o, "offset"))));
      }
    }
    var done = root.get("done");
    if (done != null && !done.isNull() && !done.isBoolean()) {
      throw SubscriptionFault.invalid("done must be a boolean");
    }
    return new Subscriptions.Progress(wakeId, generation, List.copyOf(acks), done != null && done.asBoolean(false));
  }

  private static String bearer(HttpRequest req) {
    var auth = req.headers().first("Authorization");
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.length() == 7) {
      throw new SubscriptionFault(401, "TOKEN_INVALID", "send the wake's token as Authorization: Bearer <token>");
    }
    return auth.substring(7).strip();
  }

  /** {@code scheme://host} of the request, on which the callback and JWKS URLs are built. */
  private static String baseUrl(HttpRequest req) {
    var host = req.headers().first("Host");
    var proto = req.headers().first("X-Forwarded-Proto");
    var scheme = proto != null && proto.strip().equalsIgnoreCase("https") ? "https" : "http";
    return scheme + "://" + (host == null || host.isBlank() ? "localhost" : host.strip());
  }

  private static void requireMethod(HttpRequest req, String method) {
    if (!req.method().equals(method) && !(method.equals("GET") && req.method().equals("HEAD"))) {
      throw methodNotAllowed(req, method);
    }
  }

  private static SubscriptionFault methodNotAllowed(HttpRequest req, String allowed) {
    return new SubscriptionFault(
        405, "METHOD_NOT_ALLOWED", req.method() + " is not allowed here; use " + allowed);
  }

  private static SubscriptionFault reserved(String path, String why) {
    return new SubscriptionFault(
        404,
        "RESERVED_PATH",
        why + ": " + CONTROL_ROOT + "/ is reserved for control routes, and no stream can live under it"
            + " (" + path + ")");
  }

  private static HttpResponse.Full error(SubscriptionFault f) {
    var body = JSON.createObjectNode();
    var e = body.putObject("error").put("code", f.code()).put("message", f.getMessage());
    f.extra().forEach((k, v) -> e.set(k, JSON.valueToTree(v)));
    return new HttpResponse.Full(f.status(), headers("application/json"), JSON.writeValueAsBytes(body));
  }

  private static HttpResponse.Full json(int status, Object body) {
    return new HttpResponse.Full(status, headers("application/json"), JSON.writeValueAsBytes(body));
  }

  private static HttpResponse.Full empty(int status) {
    var h = headers(null);
    return new HttpResponse.Full(status, h, new byte[0]);
  }

  private static HttpHeaders headers(String contentType) {
    var h =
        HttpHeaders.of(
            "X-Content-Type-Options", "nosniff",
            "Cross-Origin-Resource-Policy", "cross-origin",
            "Access-Control-Allow-Origin", "*",
            "Cache-Control", "no-store");
    if (contentType != null) {
      h.set("Content-Type", contentType);
    }
    return h;
  }
}

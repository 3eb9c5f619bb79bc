package io.tributary.server;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Answers what Jetty rejects before any route runs (malformed request line or headers, heads over
 * the limit, bad chunk framing, unsupported versions) with the API's JSON envelope instead of an
 * HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    fields.put(HttpHeader.CACHE_CONTROL, "no-store");
    return ByteBuffer.wrap(ErrorEnvelope.body(describe(status, reason), ErrorEnvelope.kindOf(status), false));
  }

  @Override
  protected void generateResponse(
      Request request, Response response, int code, String message, Throwable cause, Callback callback) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    byte[] body = ErrorEnvelope.body(describe(code, message), ErrorEnvelope.kindOf(code), code == 503);
    response.write(true, ByteBuffer.wrap(body), callback);
  }

  private static String describe(int status, String reason) {
    String phrase = HttpStatus.getMessage(status);
    return reason == null || reason.isBlank() || reason.equals(phrase)
        ? phrase.toLowerCase(java.util.Locale.ROOT)
        : reason;
  }
}

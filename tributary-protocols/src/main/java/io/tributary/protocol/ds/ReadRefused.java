package io.tributary.protocol.ds;

import io.tributary.protocol.HttpResponse;

/** A read that cannot be answered with data, carrying the answer to give instead (404, 410, 400). */
final class ReadRefused extends RuntimeException {
  private final transient HttpResponse.Full response;

  ReadRefused(HttpResponse.Full response) {
    super(null, null, false, false);
    this.response = response;
  }

  HttpResponse.Full response() {
    return response;
  }
}

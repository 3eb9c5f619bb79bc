package io.tributary.protocol.ds;

import io.tributary.api.NamedStreamProducer;
import io.tributary.protocol.HttpHeaders;

/**
 * The headers of an append ({@code POST}).
 *
 * @param contentType the request's content type, or null
 * @param close {@code Stream-Closed: true}
 * @param streamSeq {@code Stream-Seq}, or null
 * @param producer the idempotent-producer headers, or null when none are given
 */
record AppendParams(String contentType, boolean close, String streamSeq, NamedStreamProducer producer) {
  /** Producer ids are keys of the producer table; an index entry must fit. */
  static final int MAX_PRODUCER_ID_LENGTH = 1024;

  /** Producer headers come all together or not at all; epoch and seq are canonical integers. */
  static AppendParams parse(HttpHeaders h) {
    var id = h.first(DsHeaders.PRODUCER_ID);
    boolean hasEpoch = h.has(DsHeaders.PRODUCER_EPOCH);
    boolean hasSeq = h.has(DsHeaders.PRODUCER_SEQ);
    NamedStreamProducer producer = null;
    if (id != null || hasEpoch || hasSeq) {
      if (id == null || !hasEpoch || !hasSeq) {
        throw DsException.badRequest(
            "send Producer-Id, Producer-Epoch and Producer-Seq together, or none of them");
      }
      if (id.isBlank()) {
        throw DsException.badRequest("Producer-Id must not be empty");
      }
      if (id.length() > MAX_PRODUCER_ID_LENGTH) {
        throw DsException.badRequest("Producer-Id is longer than " + MAX_PRODUCER_ID_LENGTH + " characters");
      }
      long epoch = HeaderValues.canonicalInteger(h, DsHeaders.PRODUCER_EPOCH, HeaderValues.MAX_SAFE_INTEGER);
      long seq = HeaderValues.canonicalInteger(h, DsHeaders.PRODUCER_SEQ, HeaderValues.MAX_SAFE_INTEGER);
      producer = new NamedStreamProducer(id, epoch, seq);
    }
    var seq = h.first(DsHeaders.SEQ);
    return new AppendParams(
        HeaderValues.value(h, "Content-Type"),
        HeaderValues.flag(h, DsHeaders.CLOSED),
        seq == null || seq.isEmpty() ? null : seq,
        producer);
  }
}

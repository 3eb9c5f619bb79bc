package io.tributary.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Wire format of {@link Handle}: magic {@code 0x02}, wire version, backend tag, then
 * little-endian fields (strings are a u32 length plus UTF-8). Version 1 is FlowFabric's v2
 * layout; version 2 appends the lease expiry. A leading {@code 0x01} is FlowFabric's legacy v1
 * layout, which always means tag 1.
 *
 * <p>The layout is shared by every backend; the tag says which backend minted a handle. Each
 * store has a codec for its own tag ({@link StreamStore#handles()}) and rejects handles carrying
 * another with {@link ValidationKind#HANDLE_FROM_OTHER_BACKEND}. Tags 1 to 3 are FlowFabric's
 * registry (named in error messages only); any other tag is a corrupt handle. Immutable.
 */
public final class HandleCodec {
  static final byte MAGIC = 0x02;
  static final byte LEGACY_MAGIC = 0x01;
  static final byte WIRE_V1 = 0x01;
  static final byte WIRE_V2 = 0x02;
  /** FlowFabric's backend tags, by tag: index 1, 2, 3. */
  private static final String[] TAG_NAMES = {null, "valkey", "postgres", "sqlite"};

  private final byte tag;

  private HandleCodec(byte tag) {
    this.tag = tag;
  }

  /**
   * The codec of the backend with FlowFabric tag {@code tag}.
   *
   * @throws IllegalArgumentException when the tag is not one of FlowFabric's (1 to 3)
   */
  public static HandleCodec forBackendTag(int tag) {
    if (tag < 1 || tag >= TAG_NAMES.length) {
      throw new IllegalArgumentException("backend tag must be 1..3, got " + tag);
    }
    return new HandleCodec((byte) tag);
  }

  /** URL-safe base64 (no padding) of {@link #encode}: the form of a handle in HTTP headers. */
  public String toToken(Handle h) {
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(encode(h));
  }

  /**
   * Inverse of {@link #toToken}.
   *
   * @throws ValidationException of kind {@link ValidationKind#CORRUPTION} for an empty, garbled or
   *     truncated token, {@link ValidationKind#HANDLE_FROM_OTHER_BACKEND} for another backend's
   */
  public Handle fromToken(String token) {
    if (token == null || token.isBlank()) {
      throw new ValidationException(ValidationKind.CORRUPTION, "handle is empty");
    }
    byte[] bytes;
    try {
      bytes = java.util.Base64.getUrlDecoder().decode(token.strip());
    } catch (IllegalArgumentException e) {
      throw new ValidationException(ValidationKind.CORRUPTION, "handle is not base64url");
    }
    return decode(bytes);
  }

  /** The opaque, versioned bytes of {@code h} (wire version 2, this codec's tag). */
  public byte[] encode(Handle h) {
    var out = new ByteArrayOutputStream(160);
    out.write(MAGIC);
    out.write(WIRE_V2);
    out.write(tag);
    writeString(out, h.executionId().toString());
    writeLong(out, h.attemptIndex(), 4);
    writeString(out, h.attemptId().toString());
    writeString(out, h.leaseId().toString());
    writeLong(out, h.leaseEpoch(), 8);
    writeLong(out, h.leaseTtlMs(), 8);
    writeString(out, h.laneId());
    writeString(out, h.workerInstanceId());
    writeLong(out, h.leaseExpiresAtMs(), 8);
    return out.toByteArray();
  }

  /**
   * Inverse of {@link #encode}; also reads FlowFabric's wire version 1 (no expiry: 0).
   *
   * @throws ValidationException as {@link #fromToken}
   */
  public Handle decode(byte[] bytes) {
    if (bytes == null || bytes.length == 0) {
      throw corrupt("handle is empty");
    }
    var buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    byte lead = buf.get();
    byte tag;
    boolean withExpiry = false;
    if (lead == LEGACY_MAGIC) {
      tag = 1;
    } else if (lead == MAGIC) {
      if (buf.remaining() < 2) {
        throw corrupt("handle truncated");
      }
      byte version = buf.get();
      if (version != WIRE_V1 && version != WIRE_V2) {
        throw corrupt("unknown handle wire version " + version);
      }
      withExpiry = version == WIRE_V2;
      tag = buf.get();
      if (tag < 1 || tag >= TAG_NAMES.length) {
        throw corrupt("unknown backend tag " + tag);
      }
    } else {
      throw corrupt("unknown handle leading byte " + lead);
    }
    if (tag != this.tag) {
      throw new ValidationException(
          ValidationKind.HANDLE_FROM_OTHER_BACKEND,
          "expected=" + TAG_NAMES[this.tag] + " actual=" + TAG_NAMES[tag]);
    }
    try {
      ExecutionId eid = ExecutionId.parse(readString(buf));
      long attemptIndex = Integer.toUnsignedLong(buf.getInt());
      UUID attemptId = UUID.fromString(readString(buf));
      UUID leaseId = UUID.fromString(readString(buf));
      long epoch = buf.getLong();
      long ttl = buf.getLong();
      String lane = readString(buf);
      String worker = readString(buf);
      long expiresAt = withExpiry ? buf.getLong() : 0;
      if (buf.hasRemaining()) {
        throw corrupt("trailing bytes after handle");
      }
      return new Handle(eid, attemptIndex, attemptId, leaseId, epoch, ttl, expiresAt, lane, worker);
    } catch (java.nio.BufferUnderflowException e) {
      throw corrupt("handle truncated");
    } catch (IllegalArgumentException e) {
      throw corrupt("handle holds an unparseable id");
    } catch (ValidationException e) {
      if (e.kind() == ValidationKind.CORRUPTION) {
        throw e;
      }
      throw corrupt("handle holds an invalid field: " + e.detail());
    }
  }

  private static String readString(ByteBuffer buf) {
    long len = Integer.toUnsignedLong(buf.getInt());
    if (len > buf.remaining()) {
      throw new java.nio.BufferUnderflowException();
    }
    var slice = buf.slice(buf.position(), (int) len);
    buf.position(buf.position() + (int) len);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(slice)
          .toString();
    } catch (CharacterCodingException e) {
      throw corrupt("handle holds invalid UTF-8");
    }
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeLong(out, b.length, 4);
    out.writeBytes(b);
  }

  private static void writeLong(ByteArrayOutputStream out, long v, int bytes) {
    for (int i = 0; i < bytes; i++) {
      out.write((int) (v >>> (8 * i)) & 0xFF);
    }
  }

  private static ValidationException corrupt(String detail) {
    return new ValidationException(ValidationKind.CORRUPTION, detail);
  }
}

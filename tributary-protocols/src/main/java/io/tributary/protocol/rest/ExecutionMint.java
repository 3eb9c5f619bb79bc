package io.tributary.protocol.rest;

import io.tributary.api.ExecutionId;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Mints execution ids the way FlowFabric does for solo executions: the partition is {@code
 * crc16(lane_id) mod 256} (CRC-16/XMODEM, Redis Cluster's slot hash), so all executions of a lane
 * share a partition. Without a lane the partition is random.
 */
final class ExecutionMint {
  static final int NUM_FLOW_PARTITIONS = 256;

  private ExecutionMint() {}

  static ExecutionId mint(String laneId) {
    int partition =
        laneId == null
            ? ThreadLocalRandom.current().nextInt(NUM_FLOW_PARTITIONS)
            : crc16(laneId.getBytes(StandardCharsets.UTF_8)) % NUM_FLOW_PARTITIONS;
    return ExecutionId.random(partition);
  }

  /** CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection. */
  static int crc16(byte[] bytes) {
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xFF) << 8;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
    }
    return crc & 0xFFFF;
  }
}

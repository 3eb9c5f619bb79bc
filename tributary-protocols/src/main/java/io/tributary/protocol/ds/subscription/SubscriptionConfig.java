package io.tributary.protocol.ds.subscription;

import java.time.Duration;
import java.util.Objects;

/**
 * Frozen settings of the subscription APIs and their webhook delivery.
 *
 * @param allowedTargets where webhooks may be sent (see {@link WebhookTargets})
 * @param maxAttempts deliveries of one wake before the subscription is marked failed and the wake
 *     dropped (the next append to a linked stream tries again)
 * @param retryBase the delay before the first retry; each further retry doubles it, up to {@link
 *     #MAX_RETRY_DELAY}, with ±20 % jitter
 * @param requestTimeout how long one delivery may take (connect and response)
 * @param pollInterval how often the delivery worker looks for due deliveries, expired leases and
 *     missed work, besides being woken by this server's own appends
 */
public record SubscriptionConfig(
    WebhookTargets allowedTargets,
    int maxAttempts,
    Duration retryBase,
    Duration requestTimeout,
    Duration pollInterval) {
  public static final int DEFAULT_MAX_ATTEMPTS = 10;
  public static final Duration DEFAULT_RETRY_BASE = Duration.ofSeconds(1);
  /** The longest pause between two delivery attempts. */
  public static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(60);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);

  public SubscriptionConfig {
    Objects.requireNonNull(allowedTargets, "allowedTargets");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("webhook max attempts must be >= 1, got " + maxAttempts);
    }
    if (retryBase == null || retryBase.toMillis() < 1 || retryBase.compareTo(MAX_RETRY_DELAY) > 0) {
      throw new IllegalArgumentException("webhook retry base must be between 1 ms and " + MAX_RETRY_DELAY);
    }
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(pollInterval, "pollInterval");
  }

  /** The defaults: loopback targets only. */
  public static SubscriptionConfig defaults() {
    return new SubscriptionConfig(
        WebhookTargets.parse(WebhookTargets.DEFAULT_ALLOWED),
        DEFAULT_MAX_ATTEMPTS,
        DEFAULT_RETRY_BASE,
        DEFAULT_REQUEST_TIMEOUT,
        DEFAULT_POLL_INTERVAL);
  }

  /** The same settings with other allowed targets, attempts and retry base. */
  public SubscriptionConfig with(WebhookTargets targets, int attempts, Duration base) {
    return new SubscriptionConfig(targets, attempts, base, requestTimeout, pollInterval);
  }

  /** The delay before retry number {@code attempt} (1 = the first retry), without jitter. */
  long retryDelayMs(int attempt) {
    long base = retryBase.toMillis();
    int doublings = Math.min(attempt - 1, 30);
    return Math.min(base << doublings, MAX_RETRY_DELAY.toMillis());
  }
}

package io.tributary.client;

import java.time.Duration;

/**
 * How followers behave, frozen in the client.
 *
 * @param giveUpAfter how long a follower keeps reconnecting through failures before it throws
 * @param longPollTimeout the longest one long-poll request may take (above the server's own)
 */
record FollowSettings(Duration giveUpAfter, Duration longPollTimeout) {}

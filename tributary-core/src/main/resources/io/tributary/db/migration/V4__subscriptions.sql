-- Durable Streams subscriptions (the reserved {stream-root}/__ds/subscriptions/... routes).
--
-- A subscription watches streams, by glob pattern and/or an explicit list, and keeps one acked
-- position per linked stream. When a linked stream's tail passes its acked position and no wake is
-- open, a wake opens: the generation goes up, a new wake id is minted and the tails of that moment
-- are the wake's snapshot (wake_pos). A webhook subscription then owes one signed POST to its URL
-- (delivery_due_ms says when to try next; retries back off); a pull-wake subscription appends a
-- wake event to its wake stream and waits for a worker to claim it. Callbacks, acks and releases
-- must name the open wake id and generation, so a stale holder is fenced.
--
-- Every change to one subscription runs in a transaction holding its row lock, so any number of
-- servers on this database may serve the routes and run the delivery worker; deliveries are
-- claimed with FOR UPDATE SKIP LOCKED. Times are epoch milliseconds of the servers' clocks.
CREATE TABLE tb_ds_subscription (
    id                text    PRIMARY KEY,
    type              text    NOT NULL CHECK (type IN ('webhook', 'pull-wake')),
    pattern           text,
    webhook_url       text,
    wake_stream       text,
    lease_ttl_ms      bigint  NOT NULL,
    description       text,
    config            text    NOT NULL,   -- canonical JSON of the creation request, for re-confirms
    base_url          text    NOT NULL,   -- scheme://host the callback and JWKS URLs are built on
    created_at_ms     bigint  NOT NULL,
    status            text    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failed')),
    generation        bigint  NOT NULL DEFAULT 0,
    wake_id           text,               -- the open wake, or null
    holder            text,               -- pull-wake: the worker holding the open wake
    lease_expires_ms  bigint,             -- the holder's (or the webhook receiver's) lease
    delivery_due_ms   bigint,             -- webhook: the open wake's notification is owed from then
    delivery_attempts integer NOT NULL DEFAULT 0,
    last_error        text
);
CREATE INDEX tb_ds_subscription_due_idx ON tb_ds_subscription (delivery_due_ms)
    WHERE delivery_due_ms IS NOT NULL;
CREATE INDEX tb_ds_subscription_lease_idx ON tb_ds_subscription (lease_expires_ms)
    WHERE lease_expires_ms IS NOT NULL;

-- The streams a subscription watches. ds_path is the stream's full path (tb_stream.ds_path), so
-- tails join by index. acked_pos -1 means "nothing acked": a stream first seen by a pattern
-- match after the subscription was made is pending from its start.
CREATE TABLE tb_ds_subscription_stream (
    subscription_id text    NOT NULL REFERENCES tb_ds_subscription (id) ON DELETE CASCADE,
    ds_path         text    NOT NULL,
    explicit        boolean NOT NULL,
    glob            boolean NOT NULL,
    acked_pos       bigint  NOT NULL,
    wake_pos        bigint,              -- the tail in the open wake's snapshot
    PRIMARY KEY (subscription_id, ds_path)
);
CREATE INDEX tb_ds_subscription_stream_path_idx ON tb_ds_subscription_stream (ds_path);

-- The server's keys: the Ed25519 pair that signs webhook deliveries (its public half is served
-- as the JWKS) and the HMAC secret of callback tokens. One row, inserted by the first server to
-- start (ON CONFLICT DO NOTHING) and read by all, so tokens and signatures stay valid across
-- restarts and between servers.
CREATE TABLE tb_ds_subscription_key (
    id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    private_key bytea    NOT NULL,   -- PKCS#8
    public_key  bytea    NOT NULL,   -- X.509 SubjectPublicKeyInfo
    token_key   bytea    NOT NULL CHECK (octet_length(token_key) >= 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);

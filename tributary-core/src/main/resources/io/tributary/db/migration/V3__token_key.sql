-- The key that signs the read tokens minted by POST /v1/tokens, for servers given no key in their
-- configuration. One row: the first server to start inserts a random key
-- (INSERT ... ON CONFLICT DO NOTHING), every server then reads the same row, so all servers on
-- this database accept each other's tokens without a lookup per request. Replacing the key
-- invalidates every token already minted.
CREATE TABLE tb_token_key (
    id          smallint    PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    key         bytea       NOT NULL CHECK (octet_length(key) >= 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);

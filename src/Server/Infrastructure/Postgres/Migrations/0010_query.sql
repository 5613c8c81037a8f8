-- SQL queries over datasets (issue 6): the login each tenant's queries run under, the history of
-- runs, and saved queries.

-- Queries run on a connection that logs in as tq_<tenant>: a role with no privileges of its own
-- (NOINHERIT) whose only membership is the tenant's reader role tr_<tenant>. The server creates the
-- role on the tenant's first query with a random password that only lives here, so operators have
-- no second secret to manage; whoever can read this table is already the application role.
CREATE TABLE app.query_logins (
    tenant_id       uuid PRIMARY KEY REFERENCES app.tenants (id) ON DELETE CASCADE,
    role_name       text NOT NULL UNIQUE,
    password        text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- One row per RunSql (and, later, per question answered with SQL), successful or not.
CREATE TABLE app.queries (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    actor_id            uuid NOT NULL,                  -- user or API key; no foreign key: runs outlive both
    actor_label         text NOT NULL,
    source              text NOT NULL CHECK (source IN ('sql', 'ask')),
    sql                 text NOT NULL,                  -- as the caller wrote it
    canonical_sql       text,                           -- as validated and re-emitted (logical names); null when refused
    tables              text[] NOT NULL DEFAULT '{}',   -- logical names read
    dataset_version_ids uuid[] NOT NULL DEFAULT '{}',
    state               text NOT NULL CHECK (state IN ('succeeded', 'invalid', 'failed', 'timed_out', 'cancelled')),
    error               text,
    row_count           bigint NOT NULL DEFAULT 0,
    truncated           boolean NOT NULL DEFAULT false,
    cached              boolean NOT NULL DEFAULT false,
    duration_ms         double precision NOT NULL DEFAULT 0,
    result_key          text,                           -- where the rows are kept for a while (Redis), when they are
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX queries_tenant_time ON app.queries (tenant_id, created_at DESC, id DESC);
CREATE INDEX queries_actor_time ON app.queries (tenant_id, actor_id, created_at DESC, id DESC);

CREATE TABLE app.saved_queries (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    owner_id        uuid NOT NULL,
    owner_label     text NOT NULL,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description     text NOT NULL DEFAULT '',
    sql             text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX saved_queries_name ON app.saved_queries (tenant_id, lower(name));
CREATE INDEX saved_queries_tenant ON app.saved_queries (tenant_id, created_at DESC, id DESC);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['query_logins', 'queries', 'saved_queries']
    LOOP
        EXECUTE format('ALTER TABLE app.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE app.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY tenant_isolation ON app.%I
            USING (current_setting('app.system', true) = 'on'
                   OR tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (current_setting('app.system', true) = 'on'
                   OR tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
    END LOOP;
END
$$;

-- The dataset catalog (shared by ingestion, queries, questions, ML and dashboards).
-- A dataset is a name users see and a sql_name they write in SQL; each published version is a
-- real typed table in the tenant's schema t_<tenant>. A version row exists only once its table is
-- complete: staging, loading and profiling happen before it is inserted (no half datasets).

CREATE TABLE app.datasets (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    sql_name            text NOT NULL CHECK (sql_name ~ '^[a-z_][a-z0-9_]{0,62}$'),
    description         text NOT NULL DEFAULT '',
    current_version_id  uuid,
    created_by          uuid,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz
);
CREATE UNIQUE INDEX datasets_sql_name ON app.datasets (tenant_id, sql_name) WHERE deleted_at IS NULL;
CREATE INDEX datasets_tenant ON app.datasets (tenant_id, created_at, id);

CREATE TABLE app.dataset_versions (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    dataset_id          uuid NOT NULL REFERENCES app.datasets (id) ON DELETE CASCADE,
    version             integer NOT NULL CHECK (version >= 1),
    physical_table      text NOT NULL CHECK (physical_table ~ '^[a-z_][a-z0-9_]{0,62}$'),
    row_count           bigint NOT NULL,
    size_bytes          bigint NOT NULL,
    parent_version_id   uuid REFERENCES app.dataset_versions (id),
    source              jsonb NOT NULL DEFAULT '{}'::jsonb,   -- upload facts: file name, format, encoding...
    transformation      jsonb,                                -- how it was derived from its parent
    created_by          uuid,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (dataset_id, version)
);
CREATE INDEX dataset_versions_tenant ON app.dataset_versions (tenant_id);

ALTER TABLE app.datasets ADD CONSTRAINT datasets_current_version
    FOREIGN KEY (current_version_id) REFERENCES app.dataset_versions (id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE app.dataset_columns (
    version_id          uuid NOT NULL REFERENCES app.dataset_versions (id) ON DELETE CASCADE,
    tenant_id           uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    ordinal             integer NOT NULL,
    name                text NOT NULL CHECK (name ~ '^[a-z_][a-z0-9_]{0,62}$'),   -- the SQL identifier
    label               text NOT NULL,                                          -- the original header
    data_type           text NOT NULL CHECK (data_type IN ('boolean', 'integer', 'bigint', 'numeric', 'double precision', 'date', 'timestamp', 'timestamptz', 'text')),
    PRIMARY KEY (version_id, ordinal),
    UNIQUE (version_id, name)
);

CREATE TABLE app.dataset_profiles (
    version_id          uuid PRIMARY KEY REFERENCES app.dataset_versions (id) ON DELETE CASCADE,
    tenant_id           uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    profile             jsonb NOT NULL,
    computed_at         timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['datasets', 'dataset_versions', 'dataset_columns', 'dataset_profiles']
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

-- Tenants, users, sessions, API keys, audit and usage (issue 4).
-- Every tenant-owned row carries tenant_id. Row Level Security is defence in depth behind the
-- stores' own WHERE clauses: a transaction sees only the tenant named by app.tenant_id, unless it
-- declared itself a system transaction (app.system = 'on') for cross-tenant work such as login.

CREATE TABLE app.tenants (
    id              uuid PRIMARY KEY,
    slug            text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    plan            text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'premium', 'enterprise')),
    settings        jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app.users (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    email           text NOT NULL,
    email_key       text NOT NULL,                -- lower-cased email: unique across the platform
    display_name    text NOT NULL,
    password_hash   text,                         -- null after GDPR erasure
    role            text NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    tier            text NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'premium')),
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated', 'erased')),
    token_version   integer NOT NULL DEFAULT 1,   -- bumped to invalidate every token of the user at once
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_login_at   timestamptz
);
CREATE UNIQUE INDEX users_email_key ON app.users (email_key);
CREATE INDEX users_tenant ON app.users (tenant_id, created_at, id);

CREATE TABLE app.refresh_tokens (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
    family_id       uuid NOT NULL,                -- one login; reuse of a rotated token revokes the family
    token_hash      bytea NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz,
    revoked_at      timestamptz,
    client_address  text,
    user_agent      text
);
CREATE INDEX refresh_tokens_user ON app.refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family ON app.refresh_tokens (family_id);

CREATE TABLE app.password_resets (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
    token_hash      bytea NOT NULL UNIQUE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    used_at         timestamptz
);

-- Mail the platform would send. There is no mail server: a relay (or an operator reading the log)
-- delivers these.
CREATE TABLE app.outbox (
    id              bigserial PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    recipient       text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);

CREATE TABLE app.api_keys (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    name            text NOT NULL,
    prefix          text NOT NULL UNIQUE,         -- shown in lists; the secret part is only hashed
    key_hash        bytea NOT NULL,
    role            text NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    created_by      uuid REFERENCES app.users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz,
    revoked_at      timestamptz
);
CREATE INDEX api_keys_tenant ON app.api_keys (tenant_id, created_at, id);

CREATE TABLE app.audit_log (
    id              bigserial PRIMARY KEY,
    tenant_id       uuid REFERENCES app.tenants (id) ON DELETE CASCADE,
    actor_id        uuid,                         -- no foreign key: entries outlive erased users
    actor_label     text NOT NULL,                -- email at the time, or a pseudonym after erasure
    action          text NOT NULL,
    target_type     text,
    target_id       text,
    details         jsonb NOT NULL DEFAULT '{}'::jsonb,
    outcome         text NOT NULL DEFAULT 'success' CHECK (outcome IN ('success', 'failure')),
    client_address  text,
    user_agent      text,
    occurred_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_time ON app.audit_log (tenant_id, occurred_at DESC, id DESC);
CREATE INDEX audit_log_actor ON app.audit_log (actor_id);

CREATE TABLE app.usage (
    tenant_id       uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    metric          text NOT NULL,
    day             date NOT NULL,
    amount          bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, metric, day)
);

-- Row Level Security on every tenant-owned table (the owner is subject to it too: FORCE).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['users', 'refresh_tokens', 'password_resets', 'outbox', 'api_keys', 'audit_log', 'usage']
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

ALTER TABLE app.tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.tenants
    USING (current_setting('app.system', true) = 'on' OR id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (current_setting('app.system', true) = 'on' OR id = nullif(current_setting('app.tenant_id', true), '')::uuid);

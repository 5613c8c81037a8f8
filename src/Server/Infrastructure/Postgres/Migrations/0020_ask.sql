-- Questions in plain English (issue 7): conversations and their turns, and the synonyms analysts
-- give each dataset. The workspace's question settings (may result rows be sent to a language
-- model?) live in app.tenants.settings under "ask"; absent means no.

CREATE TABLE app.ask_conversations (
    id              uuid PRIMARY KEY,
    tenant_id       uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    user_id         uuid NOT NULL,                      -- user or API key that asked; no foreign key: conversations outlive both
    title           text NOT NULL,                      -- the first question
    turn_count      integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ask_conversations_user ON app.ask_conversations (tenant_id, user_id, updated_at DESC, id DESC);

CREATE TABLE app.ask_turns (
    id              uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES app.ask_conversations (id) ON DELETE CASCADE,
    tenant_id       uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    ordinal         integer NOT NULL,
    question        text NOT NULL,
    canonical_sql   text,                               -- null when the question was refused
    query_sql       text,                               -- the translator's query before the policy's rewriting: what a follow-up refines
    interpretation  text NOT NULL DEFAULT '',
    translator      text NOT NULL,
    confidence      double precision NOT NULL DEFAULT 0,
    dataset_id      uuid,
    dataset         text,                               -- the dataset's SQL name when asked
    follow_up       boolean NOT NULL DEFAULT false,
    refusal         text,
    row_count       bigint NOT NULL DEFAULT 0,
    query_run_id    uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, ordinal)
);
CREATE INDEX ask_turns_tenant_time ON app.ask_turns (tenant_id, created_at DESC);

-- One row per dataset with synonyms: the whole list is replaced at once, and the revision tells
-- servers that cached the dataset's vocabulary that it changed.
CREATE TABLE app.ask_synonyms (
    dataset_id      uuid PRIMARY KEY REFERENCES app.datasets (id) ON DELETE CASCADE,
    tenant_id       uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    synonyms        jsonb NOT NULL DEFAULT '[]'::jsonb,  -- [{"phrase": "...", "column": "...", "value": "..." | null}]
    revision        bigint NOT NULL DEFAULT 1,
    updated_by      uuid,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ask_synonyms_tenant ON app.ask_synonyms (tenant_id);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ask_conversations', 'ask_turns', 'ask_synonyms']
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

-- Background jobs (issue 5; reused by model training). Workers on any server instance claim queued
-- jobs with FOR UPDATE SKIP LOCKED and hold them by a lease they renew (heartbeat). A job whose
-- lease ran out (its server died) goes back to the queue until max_attempts, then it is dead.
-- Progress and state changes are announced with NOTIFY astq_jobs so any instance can stream them.

CREATE TABLE app.jobs (
    id                  uuid PRIMARY KEY,
    tenant_id           uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
    kind                text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{0,62}$'),
    title               text NOT NULL DEFAULT '',
    state               text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'dead')),
    payload             jsonb NOT NULL DEFAULT '{}'::jsonb,   -- the handler's input
    result              jsonb,                                -- the handler's output
    phase               text NOT NULL DEFAULT 'queued',
    progress            double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    rows_processed      bigint NOT NULL DEFAULT 0,
    error               text,
    attempts            integer NOT NULL DEFAULT 0,
    max_attempts        integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
    run_after           timestamptz NOT NULL DEFAULT now(),   -- retry back-off
    lease_owner         text,                                 -- worker instance holding it
    lease_expires_at    timestamptz,
    heartbeat_at        timestamptz,
    cancel_requested_at timestamptz,
    dataset_id          uuid,                                 -- for listing a dataset's jobs
    created_by          uuid,
    created_at          timestamptz NOT NULL DEFAULT now(),
    started_at          timestamptz,
    finished_at         timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_claimable ON app.jobs (created_at) WHERE state = 'queued';
CREATE INDEX jobs_leases ON app.jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_tenant ON app.jobs (tenant_id, created_at DESC, id DESC);
CREATE INDEX jobs_dataset ON app.jobs (tenant_id, dataset_id, created_at DESC) WHERE dataset_id IS NOT NULL;

ALTER TABLE app.jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.jobs
    USING (current_setting('app.system', true) = 'on'
           OR tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (current_setting('app.system', true) = 'on'
           OR tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);

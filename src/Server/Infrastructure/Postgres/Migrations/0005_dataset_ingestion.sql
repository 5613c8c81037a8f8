-- Ingestion (issue 5). Jobs load into tables of the `staging` schema, which no tenant role can
-- reach; publishing moves the table into the tenant's schema in the same transaction that inserts
-- the version row, so a half-loaded table is never visible. A sweeper drops staging tables whose
-- job is no longer running them (a dead, failed or cancelled job, or an older attempt).
CREATE SCHEMA IF NOT EXISTS staging;
REVOKE ALL ON SCHEMA staging FROM PUBLIC;

-- Which job published a version; bad rows stay on the job.
ALTER TABLE app.dataset_versions ADD COLUMN job_id uuid;

CREATE INDEX dataset_versions_dataset ON app.dataset_versions (dataset_id, version DESC);
CREATE INDEX dataset_versions_parent ON app.dataset_versions (parent_version_id) WHERE parent_version_id IS NOT NULL;
CREATE INDEX datasets_tenant_name ON app.datasets (tenant_id, lower(name)) WHERE deleted_at IS NULL;

-- The application's own schema. Tenant data lives in one schema per tenant (t_<tenant>);
-- everything the platform itself keeps lives here.
CREATE SCHEMA IF NOT EXISTS app;

COMMENT ON SCHEMA app IS 'AstralytiQ platform tables (tenants, users, datasets, jobs, ...). Managed by migrations.';

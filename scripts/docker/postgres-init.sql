-- Run once by the postgres:15 image when it initialises an empty data volume
-- (docker-compose.yml mounts it into /docker-entrypoint-initdb.d), as the
-- superuser astq_admin. Same roles as ./astq up creates: the application role
-- owns the application database and may create the per-tenant roles.
\getenv app_password ASTQ_APP_PASSWORD
CREATE ROLE astq_app LOGIN CREATEROLE PASSWORD :'app_password';
CREATE DATABASE astq OWNER astq_app;

-- shelfwatch users for current ClickHouse (SQL-driven access control, 22.x and later): the equivalent of the
-- users.xml that `shelfwatch infra up` writes for the local 18.16 server (infra/local/clickhouse.ts).
-- Run as a user with access_management (e.g. `default` with CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT=1 in Docker).
--
-- Password placeholders: __WRITER_PASSWORD_SHA256__ and __READER_PASSWORD_SHA256__ are the hex SHA-256 of the
-- passwords, e.g. `printf %s "$SHELFWATCH_CLICKHOUSE_READER_PASSWORD" | sha256sum | cut -d' ' -f1`.
-- infra/clickhouse/initdb/10-shelfwatch-users.sh fills them in from the environment for docker compose.
-- The database name is `shelfwatch` (config clickhouse.database); change it here if yours differs.

CREATE DATABASE IF NOT EXISTS shelfwatch;

-- Grafana and analysts: read only. readonly = 1 also forbids changing settings, except max_execution_time,
-- which the Grafana ClickHouse plugin (clickhouse-go) sets on every query
-- (https://github.com/grafana/clickhouse-datasource/issues/325). CHANGEABLE_IN_READONLY needs the server
-- setting access_control_improvements.settings_constraints_replace_previous = true
-- (infra/clickhouse/compose/config.d/shelfwatch.xml).
CREATE SETTINGS PROFILE IF NOT EXISTS shelfwatch_reader_profile
    SETTINGS readonly = 1, max_execution_time = 300 MIN 1 MAX 600 CHANGEABLE_IN_READONLY;

CREATE USER IF NOT EXISTS shelfwatch_reader
    IDENTIFIED WITH sha256_hash BY '__READER_PASSWORD_SHA256__'
    SETTINGS PROFILE 'shelfwatch_reader_profile';
GRANT SELECT ON shelfwatch.* TO shelfwatch_reader;

-- The pipeline's rights on its own database: write, read, and the DDL of migrations.
CREATE SETTINGS PROFILE IF NOT EXISTS shelfwatch_writer_profile SETTINGS readonly = 0;

CREATE USER IF NOT EXISTS shelfwatch_writer
    IDENTIFIED WITH sha256_hash BY '__WRITER_PASSWORD_SHA256__'
    SETTINGS PROFILE 'shelfwatch_writer_profile';
GRANT INSERT, SELECT, CREATE TABLE, CREATE VIEW, CREATE DICTIONARY, ALTER, DROP TABLE, DROP VIEW, TRUNCATE, OPTIMIZE
    ON shelfwatch.* TO shelfwatch_writer;

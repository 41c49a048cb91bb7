# docker compose only. Sourced (not executed: keep this file non-executable) by the clickhouse/clickhouse-server
# entrypoint on first start, when the data volume is empty, so "${clickhouseclient[@]}" (the entrypoint's client
# for the default user, which has access management) is available. Fills the password-hash placeholders of
# /shelfwatch/users.sql from the environment and runs it. Only hashes pass through; passwords are never printed.
# No `set -u` here: being sourced, it would change the entrypoint's own shell options.
shelfwatch_sha256() { printf %s "${1:-}" | sha256sum | cut -d' ' -f1; }
sed -e "s/__READER_PASSWORD_SHA256__/$(shelfwatch_sha256 "${SHELFWATCH_CLICKHOUSE_READER_PASSWORD:-}")/g" \
    -e "s/__WRITER_PASSWORD_SHA256__/$(shelfwatch_sha256 "${SHELFWATCH_CLICKHOUSE_WRITER_PASSWORD:-}")/g" \
    /shelfwatch/users.sql | "${clickhouseclient[@]}"
echo "shelfwatch: created users shelfwatch_reader and shelfwatch_writer"

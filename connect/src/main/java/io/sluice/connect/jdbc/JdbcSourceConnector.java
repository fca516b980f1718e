package io.sluice.connect.jdbc;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.SingleTaskConnector;
import io.sluice.connect.SourceConnector;
import io.sluice.connect.Task;

import java.util.List;

/**
 * Polls a table for new rows, by a strictly increasing column ({@code mode=incrementing}), a timestamp column
 * ({@code timestamp}) or both ({@code timestamp+incrementing}, for rows updated later), and writes each row to a
 * topic as a map of column to value (use {@code value.converter=json}). One task per table.
 */
public final class JdbcSourceConnector extends SingleTaskConnector implements SourceConnector
{
    static final String TABLE = "table";
    static final String MODE = "mode";
    static final String INCREMENTING_COLUMN = "incrementing.column.name";
    static final String TIMESTAMP_COLUMN = "timestamp.column.name";
    static final String TOPIC = "topic";
    static final String POLL_INTERVAL_MS = "poll.interval.ms";
    static final String BATCH_MAX_ROWS = "batch.max.rows";

    static final ConfigDef CONFIG = new ConfigDef()
        .with(JdbcConfig.CONNECTION)
        .define(TABLE, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, JdbcConfig::identifier,
            "an identifier (letters, digits, _)", "the table to read")
        .define(MODE, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT,
            (v) -> List.of("incrementing", "timestamp", "timestamp+incrementing").contains(v),
            "incrementing, timestamp or timestamp+incrementing", "how new rows are found")
        .define(INCREMENTING_COLUMN, ConfigDef.Type.STRING, "id", JdbcConfig::identifier, "an identifier",
            "a strictly increasing whole-number column (incrementing modes)")
        .define(TIMESTAMP_COLUMN, ConfigDef.Type.STRING, "updated_at", JdbcConfig::identifier, "an identifier",
            "a timestamp column set when a row is written (timestamp modes)")
        .define(TOPIC, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, "the topic to write rows to")
        .define(POLL_INTERVAL_MS, ConfigDef.Type.LONG, 1000L, (v) -> (Long)v >= 1, "at least 1",
            "the wait between polls that found nothing")
        .define(BATCH_MAX_ROWS, ConfigDef.Type.INT, 1000, (v) -> (Integer)v >= 1, "at least 1",
            "the most rows one poll returns");

    public ConfigDef config()
    {
        return CONFIG;
    }

    public Class<? extends Task> taskClass()
    {
        return JdbcSourceTask.class;
    }
}

package io.sluice.connect.jdbc;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.SingleTaskConnector;
import io.sluice.connect.SinkConnector;
import io.sluice.connect.Task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes records whose values are maps of column to value (use {@code value.converter=json}) into a table: plain
 * inserts, or upserts by primary key (PostgreSQL's {@code INSERT ... ON CONFLICT ... DO UPDATE}); with
 * {@code auto.create}, the table is created from the first record's columns when it is missing. Batched: one
 * prepared statement batch per task batch, committed in the task's flush.
 */
public final class JdbcSinkConnector extends SingleTaskConnector implements SinkConnector
{
    static final String TABLE = "table";
    static final String INSERT_MODE = "insert.mode";
    static final String PK_FIELDS = "pk.fields";
    static final String AUTO_CREATE = "auto.create";

    static final ConfigDef CONFIG = new ConfigDef()
        .with(JdbcConfig.CONNECTION)
        .define(TABLE, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, JdbcConfig::identifier,
            "an identifier (letters, digits, _)", "the table to write")
        .define(INSERT_MODE, ConfigDef.Type.STRING, "insert", (v) -> "insert".equals(v) || "upsert".equals(v),
            "insert or upsert", "insert every record, or insert or update by the primary key")
        .define(PK_FIELDS, ConfigDef.Type.LIST, List.of(),
            (v) -> ((List<?>)v).stream().allMatch(JdbcConfig::identifier), "identifiers",
            "the primary key's columns (required for upsert)")
        .define(AUTO_CREATE, ConfigDef.Type.BOOLEAN, false, "create the table from the first record when missing");

    public ConfigDef config()
    {
        return CONFIG;
    }

    public void start(final Map<String, String> config)
    {
        final Map<String, Object> values = CONFIG.parse(config);
        if ("upsert".equals(values.get(INSERT_MODE)) && ((List<?>)values.get(PK_FIELDS)).isEmpty())
        {
            throw new io.sluice.connect.ConfigException(PK_FIELDS, null, "upsert needs the primary key's columns");
        }
        super.start(config);
    }

    public Class<? extends Task> taskClass()
    {
        return JdbcSinkTask.class;
    }

    public List<Map<String, String>> taskConfigs(final int maxTasks)
    {
        final List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++)
        {
            configs.add(properties()); // each task writes the partitions the group gives it
        }
        return configs;
    }
}

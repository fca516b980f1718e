package io.sluice.connect.jdbc;

import io.sluice.connect.DataException;
import io.sluice.connect.RetriableException;
import io.sluice.connect.SinkRecord;
import io.sluice.connect.SinkTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes one batch per {@link #put} in a transaction that {@link #flush} commits, so the runtime's offsets follow the
 * database. The columns are those of the first record written (every record of a table must have them; a missing
 * one is written NULL, an extra one refused as a {@link DataException}). A failed statement rolls back and is a
 * {@link RetriableException}: the runtime retries the whole batch, which upserts make harmless and plain inserts may
 * repeat only if the failure came after the commit.
 */
public final class JdbcSinkTask extends SinkTask
{
    private static final Logger LOG = LoggerFactory.getLogger(JdbcSinkTask.class);

    private Map<String, Object> values;
    private String table;
    private boolean upsert;
    private List<String> keys;
    private boolean autoCreate;
    private Connection connection;
    private List<String> columns;
    private PreparedStatement statement;

    @SuppressWarnings("unchecked")
    public void start(final Map<String, String> config)
    {
        values = JdbcSinkConnector.CONFIG.parse(config);
        table = (String)values.get(JdbcSinkConnector.TABLE);
        upsert = "upsert".equals(values.get(JdbcSinkConnector.INSERT_MODE));
        keys = (List<String>)values.get(JdbcSinkConnector.PK_FIELDS);
        autoCreate = (Boolean)values.get(JdbcSinkConnector.AUTO_CREATE);
    }

    public void put(final Collection<SinkRecord> records)
    {
        if (records.isEmpty())
        {
            return;
        }
        try
        {
            if (null == connection)
            {
                connection = JdbcConfig.connect(values);
                connection.setAutoCommit(false);
            }
            if (null == statement)
            {
                prepare(row(records.iterator().next()));
            }
            for (final SinkRecord record : records)
            {
                final Map<String, Object> row = row(record);
                for (final String column : row.keySet())
                {
                    if (!columns.contains(column))
                    {
                        throw new DataException("column " + column + " of " + record.topic() + "-" +
                            record.partition() + "@" + record.offset() + " is not one of " + columns);
                    }
                }
                for (int i = 0; i < columns.size(); i++)
                {
                    statement.setObject(i + 1, row.get(columns.get(i)));
                }
                statement.addBatch();
            }
            statement.executeBatch();
        }
        catch (final SQLException ex)
        {
            rollbackAndClose();
            throw new RetriableException("writing " + records.size() + " rows to " + table + " failed: " +
                ex.getMessage(), ex);
        }
    }

    public void flush()
    {
        if (null == connection)
        {
            return;
        }
        try
        {
            connection.commit();
        }
        catch (final SQLException ex)
        {
            rollbackAndClose();
            throw new RetriableException("committing to " + table + " failed: " + ex.getMessage(), ex);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> row(final SinkRecord record)
    {
        if (!(record.value() instanceof Map<?, ?> map))
        {
            throw new DataException("the value of " + record.topic() + "-" + record.partition() + "@" +
                record.offset() + " is not a map of columns (use value.converter=json): " + record.value());
        }
        return (Map<String, Object>)map;
    }

    private void prepare(final Map<String, Object> first) throws SQLException
    {
        columns = new ArrayList<>(first.keySet());
        for (final String column : columns)
        {
            if (!JdbcConfig.identifier(column))
            {
                throw new DataException("column name '" + column + "' is not an identifier");
            }
        }
        if (autoCreate && !exists())
        {
            final String ddl = "CREATE TABLE IF NOT EXISTS " + JdbcConfig.quote(table) + " (" +
                columns.stream().map((c) -> JdbcConfig.quote(c) + " " + sqlType(first.get(c)))
                    .collect(Collectors.joining(", ")) +
                (keys.isEmpty() ? "" : ", PRIMARY KEY (" +
                    keys.stream().map(JdbcConfig::quote).collect(Collectors.joining(", ")) + ")") + ")";
            try (Statement create = connection.createStatement())
            {
                create.execute(ddl);
            }
            connection.commit();
            LOG.info("created table {}: {}", table, ddl);
        }
        final String names = columns.stream().map(JdbcConfig::quote).collect(Collectors.joining(", "));
        String sql = "INSERT INTO " + JdbcConfig.quote(table) + " (" + names + ") VALUES (" +
            columns.stream().map((c) -> "?").collect(Collectors.joining(", ")) + ")";
        if (upsert)
        {
            final List<String> updated = columns.stream().filter((c) -> !keys.contains(c)).toList();
            sql += " ON CONFLICT (" + keys.stream().map(JdbcConfig::quote).collect(Collectors.joining(", ")) + ") " +
                (updated.isEmpty() ? "DO NOTHING" : "DO UPDATE SET " + updated.stream()
                    .map((c) -> JdbcConfig.quote(c) + " = EXCLUDED." + JdbcConfig.quote(c))
                    .collect(Collectors.joining(", ")));
        }
        statement = connection.prepareStatement(sql);
    }

    private boolean exists() throws SQLException
    {
        final DatabaseMetaData meta = connection.getMetaData();
        try (ResultSet tables = meta.getTables(null, null, table, null))
        {
            return tables.next();
        }
    }

    private static String sqlType(final Object value)
    {
        if (value instanceof Integer || value instanceof Long || value instanceof Short)
        {
            return "BIGINT";
        }
        if (value instanceof Number)
        {
            return value instanceof java.math.BigInteger ? "NUMERIC" : "DOUBLE PRECISION";
        }
        return value instanceof Boolean ? "BOOLEAN" : "TEXT";
    }

    private void rollbackAndClose()
    {
        try
        {
            if (null != connection)
            {
                connection.rollback();
                connection.close();
            }
        }
        catch (final SQLException ignore)
        {
            // the connection is broken; a new one is opened for the retry
        }
        connection = null;
        statement = null;
    }

    public void stop()
    {
        rollbackAndClose();
    }
}

package io.sluice.connect.jdbc;

import io.sluice.connect.RetriableException;
import io.sluice.connect.SourceRecord;
import io.sluice.connect.SourceTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One table's poller. Its source partition is {@code {"table": name}}; its offset the last row's incrementing value
 * and/or timestamp (epoch ms), so a restart resumes after the last row stored. Rows are read in the order of those
 * columns, at most {@code batch.max.rows} a poll. Values: numbers, strings and booleans as they are, timestamps and
 * dates as their ISO text, anything else as its string. A failed query is a {@link RetriableException}: the
 * connection is opened again next poll.
 * <p>
 * With timestamps, a row committed late with a timestamp older than one already read is missed, as in Kafka's JDBC
 * source; {@code timestamp+incrementing} narrows that to rows of the same timestamp.
 */
public final class JdbcSourceTask extends SourceTask
{
    private static final Logger LOG = LoggerFactory.getLogger(JdbcSourceTask.class);

    private Map<String, Object> values;
    private String table;
    private String topic;
    private boolean incrementing;
    private boolean timestamp;
    private String idColumn;
    private String timeColumn;
    private long pollIntervalMs;
    private int batchMaxRows;
    private Map<String, ?> partition;
    private long lastId = Long.MIN_VALUE;
    private long lastTime = Long.MIN_VALUE;
    private Connection connection;
    private PreparedStatement query;

    public void start(final Map<String, String> config)
    {
        values = JdbcSourceConnector.CONFIG.parse(config);
        table = (String)values.get(JdbcSourceConnector.TABLE);
        topic = (String)values.get(JdbcSourceConnector.TOPIC);
        final String mode = (String)values.get(JdbcSourceConnector.MODE);
        incrementing = mode.contains("incrementing");
        timestamp = mode.startsWith("timestamp");
        idColumn = (String)values.get(JdbcSourceConnector.INCREMENTING_COLUMN);
        timeColumn = (String)values.get(JdbcSourceConnector.TIMESTAMP_COLUMN);
        pollIntervalMs = (Long)values.get(JdbcSourceConnector.POLL_INTERVAL_MS);
        batchMaxRows = (Integer)values.get(JdbcSourceConnector.BATCH_MAX_ROWS);
        partition = Map.of("table", table);
        final Map<String, Object> stored = context.offset(partition);
        if (null != stored)
        {
            lastId = null == stored.get("incrementing") ? Long.MIN_VALUE : ((Number)stored.get("incrementing")).longValue();
            lastTime = null == stored.get("timestamp") ? Long.MIN_VALUE : ((Number)stored.get("timestamp")).longValue();
            LOG.info("{}: resuming after {}", table, stored);
        }
    }

    private String sql()
    {
        final String id = JdbcConfig.quote(idColumn);
        final String time = JdbcConfig.quote(timeColumn);
        final String from = "SELECT * FROM " + JdbcConfig.quote(table) + " WHERE ";
        if (incrementing && timestamp)
        {
            return from + time + " > ? OR (" + time + " = ? AND " + id + " > ?) ORDER BY " + time + ", " + id +
                " LIMIT " + batchMaxRows;
        }
        return incrementing ? from + id + " > ? ORDER BY " + id + " LIMIT " + batchMaxRows :
            from + time + " > ? ORDER BY " + time + " LIMIT " + batchMaxRows;
    }

    public List<SourceRecord> poll() throws InterruptedException
    {
        final List<SourceRecord> records = new ArrayList<>();
        try
        {
            if (null == connection)
            {
                connection = JdbcConfig.connect(values);
                query = connection.prepareStatement(sql());
            }
            if (incrementing && timestamp)
            {
                query.setTimestamp(1, new Timestamp(lastTime == Long.MIN_VALUE ? 0 : lastTime));
                query.setTimestamp(2, new Timestamp(lastTime == Long.MIN_VALUE ? 0 : lastTime));
                query.setLong(3, lastId);
            }
            else if (incrementing)
            {
                query.setLong(1, lastId);
            }
            else
            {
                query.setTimestamp(1, new Timestamp(lastTime == Long.MIN_VALUE ? 0 : lastTime));
            }
            try (ResultSet rows = query.executeQuery())
            {
                final ResultSetMetaData meta = rows.getMetaData();
                while (rows.next())
                {
                    final Map<String, Object> row = new LinkedHashMap<>();
                    for (int c = 1; c <= meta.getColumnCount(); c++)
                    {
                        row.put(meta.getColumnLabel(c), value(rows.getObject(c)));
                    }
                    final Map<String, Object> offset = new LinkedHashMap<>();
                    if (incrementing)
                    {
                        lastId = rows.getLong(idColumn);
                        offset.put("incrementing", lastId);
                    }
                    if (timestamp)
                    {
                        lastTime = rows.getTimestamp(timeColumn).getTime();
                        offset.put("timestamp", lastTime);
                    }
                    records.add(new SourceRecord(partition, offset, topic, null, null, row, null));
                }
            }
        }
        catch (final SQLException ex)
        {
            close();
            throw new RetriableException("polling " + table + " failed: " + ex.getMessage(), ex);
        }
        if (records.isEmpty())
        {
            Thread.sleep(pollIntervalMs);
        }
        return records;
    }

    private static Object value(final Object value)
    {
        if (null == value || value instanceof Number || value instanceof String || value instanceof Boolean)
        {
            return value;
        }
        if (value instanceof Timestamp time)
        {
            return time.toInstant().toString();
        }
        return value.toString();
    }

    private void close()
    {
        try
        {
            if (null != connection)
            {
                connection.close();
            }
        }
        catch (final SQLException ignore)
        {
            // a broken connection: nothing more to release
        }
        connection = null;
        query = null;
    }

    public void stop()
    {
        close();
    }
}

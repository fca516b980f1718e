package io.sluice.connect;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A sink for tests that keeps every record it is given.
 */
public final class CollectingSinkConnector extends SingleTaskConnector implements SinkConnector
{
    /** Every record put, in order. */
    public static final List<SinkRecord> RECORDS = new CopyOnWriteArrayList<>();

    public ConfigDef config()
    {
        return new ConfigDef();
    }

    public Class<? extends Task> taskClass()
    {
        return CollectingTask.class;
    }

    /** The task. */
    public static final class CollectingTask extends SinkTask
    {
        public void start(final Map<String, String> config)
        {
        }

        public void put(final Collection<SinkRecord> records)
        {
            RECORDS.addAll(records);
        }

        public void flush()
        {
        }

        public void stop()
        {
        }
    }
}

package io.sluice.connect;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A sink for tests: keeps values by offset (so a retried batch writes nothing twice), and fails the first put
 * half way through its batch with a {@link RetriableException}.
 */
public final class FlakySinkConnector extends SingleTaskConnector implements SinkConnector
{
    /** What the sink holds: offset to value. */
    public static final Map<Long, String> STORED = new ConcurrentHashMap<>();
    /** Calls to put. */
    public static final AtomicInteger PUTS = new AtomicInteger();
    /** Puts that failed. */
    public static final AtomicInteger FAILURES = new AtomicInteger();

    public ConfigDef config()
    {
        return new ConfigDef();
    }

    public Class<? extends Task> taskClass()
    {
        return FlakySinkTask.class;
    }

    /** The task. */
    public static final class FlakySinkTask extends SinkTask
    {
        public void start(final Map<String, String> config)
        {
        }

        public void put(final Collection<SinkRecord> records)
        {
            PUTS.incrementAndGet();
            int i = 0;
            for (final SinkRecord record : records)
            {
                if (0 == FAILURES.get() && i++ == records.size() / 2)
                {
                    FAILURES.incrementAndGet();
                    throw new RetriableException("the store went away half way through the batch");
                }
                STORED.put(record.offset(), (String)record.value());
            }
        }

        public void flush()
        {
        }

        public void stop()
        {
        }
    }
}

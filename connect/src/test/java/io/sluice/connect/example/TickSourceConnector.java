package io.sluice.connect.example;

import io.sluice.connect.ConfigDef;
import io.sluice.connect.SingleTaskConnector;
import io.sluice.connect.SourceConnector;
import io.sluice.connect.SourceRecord;
import io.sluice.connect.SourceTask;
import io.sluice.connect.Task;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The example of the connect README: writes "tick N" to a topic, {@code count} times, resuming after the last tick
 * stored. The README shows it; {@code StandaloneRunnerTest} runs it.
 */
public final class TickSourceConnector extends SingleTaskConnector implements SourceConnector
{
    static final ConfigDef CONFIG = new ConfigDef()
        .define("topic", ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, "where the ticks go")
        .define("count", ConfigDef.Type.LONG, 10L, (v) -> (Long)v >= 0, "at least 0", "how many ticks");

    public ConfigDef config()
    {
        return CONFIG;
    }

    public Class<? extends Task> taskClass()
    {
        return TickTask.class;
    }

    /** Emits the ticks. */
    public static final class TickTask extends SourceTask
    {
        private static final Map<String, String> PARTITION = Map.of("ticker", "main");
        private String topic;
        private long count;
        private long next;

        public void start(final Map<String, String> config)
        {
            final Map<String, Object> values = CONFIG.parse(config);
            topic = (String)values.get("topic");
            count = (Long)values.get("count");
            final Map<String, Object> stored = context.offset(PARTITION);
            next = null == stored ? 0 : ((Number)stored.get("next")).longValue();
        }

        public List<SourceRecord> poll() throws InterruptedException
        {
            final List<SourceRecord> records = new ArrayList<>();
            while (next < count && records.size() < 100)
            {
                records.add(new SourceRecord(PARTITION, Map.of("next", next + 1), topic, null, null,
                    "tick " + next, null));
                next++;
            }
            if (records.isEmpty())
            {
                Thread.sleep(100); // nothing left: wait a little, as poll may
            }
            return records;
        }

        public void stop()
        {
        }
    }
}

package io.sluice.engine;

import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Configuration of one partition log, immutable. Keys follow Kafka's topic configuration where one exists.
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>segment.bytes</td><td>256 MiB</td><td>segment size, preallocated; 64 KiB to 1 GiB</td></tr>
 *   <tr><td>segment.ms</td><td>7 days</td><td>roll the active segment once it is this old</td></tr>
 *   <tr><td>segment.index.bytes</td><td>10 MiB</td><td>largest size of a segment's offset index (time index: 3/2); no
 *   larger than segment.bytes can fill at index.interval.bytes</td></tr>
 *   <tr><td>index.interval.bytes</td><td>4096</td><td>bytes between sparse index entries</td></tr>
 *   <tr><td>max.message.bytes</td><td>1 MiB</td><td>largest batch accepted (a log never takes more than segment.bytes)</td></tr>
 *   <tr><td>flush.policy</td><td>none</td><td>none, interval or always ({@link FlushPolicy})</td></tr>
 *   <tr><td>flush.interval.ms</td><td>1000</td><td>period of forced writes under the interval policy</td></tr>
 *   <tr><td>retention.ms</td><td>7 days</td><td>delete sealed segments whose newest record is older; -1: never</td></tr>
 *   <tr><td>retention.bytes</td><td>-1</td><td>delete the oldest sealed segments while the log is larger; -1: no limit</td></tr>
 *   <tr><td>pretouch.bytes</td><td>8 MiB</td><td>how far ahead of the writer pages are touched; 0: off</td></tr>
 *   <tr><td>cleanup.policy</td><td>delete</td><td>delete (retention), compact (keep each key's latest record),
 *   or compact,delete (both)</td></tr>
 *   <tr><td>min.cleanable.dirty.ratio</td><td>0.5</td><td>share of sealed bytes not yet compacted that starts a
 *   cleaning pass</td></tr>
 *   <tr><td>delete.retention.ms</td><td>1 day</td><td>how long a compacted tombstone (null value) stays</td></tr>
 * </table>
 */
public final class LogConfig
{
    /** Key of the segment size. */
    public static final String SEGMENT_BYTES = "segment.bytes";
    /** Key of the segment age. */
    public static final String SEGMENT_MS = "segment.ms";
    /** Key of the offset index size. */
    public static final String SEGMENT_INDEX_BYTES = "segment.index.bytes";
    /** Key of the index interval. */
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    /** Key of the largest batch. */
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    /** Key of the flush policy. */
    public static final String FLUSH_POLICY = "flush.policy";
    /** Key of the flush interval. */
    public static final String FLUSH_INTERVAL_MS = "flush.interval.ms";
    /** Key of the retention time. */
    public static final String RETENTION_MS = "retention.ms";
    /** Key of the retention size. */
    public static final String RETENTION_BYTES = "retention.bytes";
    /** Key of the pretouch window. */
    public static final String PRETOUCH_BYTES = "pretouch.bytes";
    /** Key of the cleanup policy: {@code delete}, {@code compact} or {@code compact,delete}. */
    public static final String CLEANUP_POLICY = "cleanup.policy";
    /** Key of the dirty ratio that starts a cleaning pass of a compacted log. */
    public static final String MIN_CLEANABLE_DIRTY_RATIO = "min.cleanable.dirty.ratio";
    /** Key of how long a compacted log keeps a tombstone. */
    public static final String DELETE_RETENTION_MS = "delete.retention.ms";

    static final int MIN_SEGMENT_BYTES = 64 * 1024;
    static final int MAX_SEGMENT_BYTES = 1 << 30;
    private static final long DAY_MS = 24L * 60 * 60 * 1000;

    private static final Map<String, String> DEFAULTS = new TreeMap<>(Map.ofEntries(
        Map.entry(SEGMENT_BYTES, String.valueOf(256 * 1024 * 1024)),
        Map.entry(SEGMENT_MS, String.valueOf(7 * DAY_MS)),
        Map.entry(SEGMENT_INDEX_BYTES, String.valueOf(10 * 1024 * 1024)),
        Map.entry(INDEX_INTERVAL_BYTES, "4096"),
        Map.entry(MAX_MESSAGE_BYTES, String.valueOf(1024 * 1024)),
        Map.entry(FLUSH_POLICY, "none"),
        Map.entry(FLUSH_INTERVAL_MS, "1000"),
        Map.entry(RETENTION_MS, String.valueOf(7 * DAY_MS)),
        Map.entry(RETENTION_BYTES, "-1"),
        Map.entry(PRETOUCH_BYTES, String.valueOf(8 * 1024 * 1024)),
        Map.entry(CLEANUP_POLICY, "delete"),
        Map.entry(MIN_CLEANABLE_DIRTY_RATIO, "0.5"),
        Map.entry(DELETE_RETENTION_MS, String.valueOf(DAY_MS))));

    private final Map<String, String> values;
    private final int segmentBytes;
    private final long segmentMs;
    private final int segmentIndexBytes;
    private final int indexIntervalBytes;
    private final int maxMessageBytes;
    private final FlushPolicy flushPolicy;
    private final long flushIntervalMs;
    private final long retentionMs;
    private final long retentionBytes;
    private final int pretouchBytes;
    private final boolean compact;
    private final boolean delete;
    private final double minCleanableDirtyRatio;
    private final long deleteRetentionMs;

    private LogConfig(final Map<String, String> values)
    {
        this.values = values;
        segmentBytes = (int)longValue(SEGMENT_BYTES, MIN_SEGMENT_BYTES, MAX_SEGMENT_BYTES);
        segmentMs = longValue(SEGMENT_MS, 1, Long.MAX_VALUE);
        segmentIndexBytes = (int)longValue(SEGMENT_INDEX_BYTES, 1024, Integer.MAX_VALUE);
        indexIntervalBytes = (int)longValue(INDEX_INTERVAL_BYTES, 0, Integer.MAX_VALUE);
        maxMessageBytes = (int)longValue(MAX_MESSAGE_BYTES, 1, MAX_SEGMENT_BYTES);
        flushPolicy = FlushPolicy.parse(values.get(FLUSH_POLICY));
        flushIntervalMs = longValue(FLUSH_INTERVAL_MS, 1, Long.MAX_VALUE);
        retentionMs = longValue(RETENTION_MS, -1, Long.MAX_VALUE);
        retentionBytes = longValue(RETENTION_BYTES, -1, Long.MAX_VALUE);
        pretouchBytes = (int)longValue(PRETOUCH_BYTES, 0, MAX_SEGMENT_BYTES);
        final String policy = values.get(CLEANUP_POLICY).replace(" ", "");
        final boolean both = "compact,delete".equals(policy) || "delete,compact".equals(policy);
        if (!both && !"compact".equals(policy) && !"delete".equals(policy))
        {
            throw new LogConfigException(
                CLEANUP_POLICY, values.get(CLEANUP_POLICY), "expected delete, compact or compact,delete");
        }
        compact = both || "compact".equals(policy);
        delete = both || "delete".equals(policy);
        minCleanableDirtyRatio = doubleValue(MIN_CLEANABLE_DIRTY_RATIO);
        deleteRetentionMs = longValue(DELETE_RETENTION_MS, 0, Long.MAX_VALUE);
    }

    /**
     * The default configuration.
     *
     * @return a config with every default.
     */
    public static LogConfig defaults()
    {
        return new LogConfig(new TreeMap<>(DEFAULTS));
    }

    /**
     * This configuration with some keys overridden.
     *
     * @param overrides key to value; unknown keys are refused.
     * @return a new config.
     * @throws LogConfigException naming the first bad key or value.
     */
    public LogConfig with(final Map<String, String> overrides)
    {
        final TreeMap<String, String> merged = new TreeMap<>(values);
        for (final Map.Entry<String, String> entry : overrides.entrySet())
        {
            if (!DEFAULTS.containsKey(entry.getKey()))
            {
                throw new LogConfigException(entry.getKey(), entry.getValue(), "unknown key; known: " + DEFAULTS.keySet());
            }
            merged.put(entry.getKey(), entry.getValue().trim());
        }
        return new LogConfig(merged);
    }

    /**
     * This configuration with one key overridden.
     *
     * @param key   to set.
     * @param value to give it.
     * @return a new config.
     */
    public LogConfig with(final String key, final Object value)
    {
        return with(Map.of(key, String.valueOf(value)));
    }

    /**
     * This configuration with the keys of {@code properties} overridden.
     *
     * @param properties key to value.
     * @return a new config.
     */
    public LogConfig with(final Properties properties)
    {
        final TreeMap<String, String> overrides = new TreeMap<>();
        properties.stringPropertyNames().forEach((key) -> overrides.put(key, properties.getProperty(key)));
        return with(overrides);
    }

    /**
     * Every key and its value, defaults included.
     *
     * @return an unmodifiable sorted map.
     */
    public Map<String, String> values()
    {
        return java.util.Collections.unmodifiableMap(values);
    }

    /** @return segment size in bytes. */
    public int segmentBytes()
    {
        return segmentBytes;
    }

    /** @return segment age at which the active segment rolls, ms. */
    public long segmentMs()
    {
        return segmentMs;
    }

    /** @return offset index size in bytes. */
    public int segmentIndexBytes()
    {
        return segmentIndexBytes;
    }

    /** @return bytes between sparse index entries. */
    public int indexIntervalBytes()
    {
        return indexIntervalBytes;
    }

    /** @return largest batch accepted, bytes. */
    public int maxMessageBytes()
    {
        return maxMessageBytes;
    }

    /** @return the flush policy. */
    public FlushPolicy flushPolicy()
    {
        return flushPolicy;
    }

    /** @return flush period under the interval policy, ms. */
    public long flushIntervalMs()
    {
        return flushIntervalMs;
    }

    /** @return retention time, ms, or -1 for none. */
    public long retentionMs()
    {
        return retentionMs;
    }

    /** @return retention size, bytes, or -1 for none. */
    public long retentionBytes()
    {
        return retentionBytes;
    }

    /** @return pretouch window, bytes; 0 when off. */
    public int pretouchBytes()
    {
        return pretouchBytes;
    }

    /** @return true if the log keeps each key's latest record (cleanup.policy compact or compact,delete). */
    public boolean compact()
    {
        return compact;
    }

    /** @return true if retention deletes old segments (cleanup.policy delete or compact,delete). */
    public boolean delete()
    {
        return delete;
    }

    /** @return the share of sealed bytes not yet compacted that starts a cleaning pass, 0 to 1. */
    public double minCleanableDirtyRatio()
    {
        return minCleanableDirtyRatio;
    }

    /** @return how long a compacted log keeps a tombstone, ms. */
    public long deleteRetentionMs()
    {
        return deleteRetentionMs;
    }

    private double doubleValue(final String key)
    {
        final String value = values.get(key);
        final double parsed;
        try
        {
            parsed = Double.parseDouble(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new LogConfigException(key, value, "expected a number from 0 to 1");
        }
        if (!(parsed >= 0 && parsed <= 1))
        {
            throw new LogConfigException(key, value, "expected a number from 0 to 1");
        }
        return parsed;
    }

    private long longValue(final String key, final long min, final long max)
    {
        final String value = values.get(key);
        final long parsed;
        try
        {
            parsed = Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new LogConfigException(key, value, "expected a whole number");
        }
        if (parsed < min || parsed > max)
        {
            throw new LogConfigException(key, value, "expected " + min + " to " + max);
        }
        return parsed;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "LogConfig" + values;
    }
}

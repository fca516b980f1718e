package io.sluice.streams;

/**
 * The event time of a source record. The default is the record's own timestamp.
 */
@FunctionalInterface
public interface TimestampExtractor
{
    /**
     * @param topic           the record's topic.
     * @param key             deserialized.
     * @param value           deserialized.
     * @param recordTimestamp the timestamp the record carries.
     * @return its event time, epoch milliseconds; negative drops the record (logged and counted as skipped).
     */
    long extract(String topic, Object key, Object value, long recordTimestamp);

    /**
     * @return the extractor taking the record's timestamp.
     */
    static TimestampExtractor recordTimestamp()
    {
        return (topic, key, value, recordTimestamp) -> recordTimestamp;
    }
}

package io.sluice.streams;

import io.sluice.client.Serializer;

import java.time.Duration;
import java.util.List;

/**
 * Pipes records into a {@link TopologyTestDriver}: each is processed, with everything it causes (repartitioned
 * records included), before the call returns. Records without a timestamp get the topic's current time, which
 * starts at 0 and moves only by {@link #advanceTime}.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public final class TestInputTopic<K, V>
{
    private final TopologyTestDriver driver;
    private final String topic;
    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private long time;

    TestInputTopic(final TopologyTestDriver driver, final String topic, final Serializer<K> keySerializer,
        final Serializer<V> valueSerializer)
    {
        this.driver = driver;
        this.topic = topic;
        this.keySerializer = keySerializer;
        this.valueSerializer = valueSerializer;
    }

    /**
     * Pipe a record at the topic's current time.
     */
    public void pipeInput(final K key, final V value)
    {
        pipeInput(key, value, time);
    }

    /**
     * Pipe a record with a timestamp (epoch milliseconds); the topic's time does not move.
     */
    public void pipeInput(final K key, final V value, final long timestamp)
    {
        driver.pipe(topic, keySerializer.serialize(topic, key), valueSerializer.serialize(topic, value), timestamp);
    }

    /**
     * Pipe records in order at the topic's current time.
     */
    public void pipeKeyValueList(final List<KeyValue<K, V>> records)
    {
        for (final KeyValue<K, V> record : records)
        {
            pipeInput(record.key(), record.value());
        }
    }

    /**
     * Move the topic's current time.
     */
    public void advanceTime(final Duration duration)
    {
        if (duration.isNegative())
        {
            throw new IllegalArgumentException("time only moves forward: " + duration);
        }
        time += duration.toMillis();
    }
}

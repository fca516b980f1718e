package io.sluice.streams;

import io.sluice.client.Deserializer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Reads what a {@link TopologyTestDriver}'s topology wrote to a topic, in order; each record is read once.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public final class TestOutputTopic<K, V>
{
    private final TopologyTestDriver driver;
    private final String topic;
    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;

    TestOutputTopic(final TopologyTestDriver driver, final String topic, final Deserializer<K> keyDeserializer,
        final Deserializer<V> valueDeserializer)
    {
        this.driver = driver;
        this.topic = topic;
        this.keyDeserializer = keyDeserializer;
        this.valueDeserializer = valueDeserializer;
    }

    /**
     * @return the next record.
     * @throws NoSuchElementException if there is none.
     */
    public TestRecord<K, V> readRecord()
    {
        final TopologyTestDriver.Output output = driver.poll(topic);
        if (null == output)
        {
            throw new NoSuchElementException("no record waits in " + topic);
        }
        return new TestRecord<>(keyDeserializer.deserialize(topic, output.key()),
            valueDeserializer.deserialize(topic, output.value()), output.timestamp());
    }

    /**
     * @return the next record's key and value.
     */
    public KeyValue<K, V> readKeyValue()
    {
        return readRecord().keyValue();
    }

    /**
     * @return the next record's value.
     */
    public V readValue()
    {
        return readRecord().value();
    }

    /**
     * @return every waiting record, in order.
     */
    public List<TestRecord<K, V>> readRecordsToList()
    {
        final List<TestRecord<K, V>> records = new ArrayList<>();
        while (!isEmpty())
        {
            records.add(readRecord());
        }
        return records;
    }

    /**
     * @return every waiting record's key and value, in order.
     */
    public List<KeyValue<K, V>> readKeyValuesToList()
    {
        final List<KeyValue<K, V>> records = new ArrayList<>();
        while (!isEmpty())
        {
            records.add(readKeyValue());
        }
        return records;
    }

    /**
     * @return the last value of each key among the waiting records (a table's final state; a null value removes
     * the key).
     */
    public Map<K, V> readKeyValuesToMap()
    {
        final Map<K, V> table = new LinkedHashMap<>();
        for (final KeyValue<K, V> record : readKeyValuesToList())
        {
            if (null == record.value())
            {
                table.remove(record.key());
            }
            else
            {
                table.put(record.key(), record.value());
            }
        }
        return table;
    }

    public boolean isEmpty()
    {
        return 0 == queueSize();
    }

    /**
     * @return records waiting to be read.
     */
    public int queueSize()
    {
        return driver.queueSize(topic);
    }
}

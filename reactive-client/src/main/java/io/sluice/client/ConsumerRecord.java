package io.sluice.client;

/**
 * A record received by a {@link SluiceConsumer}, with the means to acknowledge it. Two records are equal when they
 * are the same record of the log (topic, partition and offset), whichever subscription received them.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public interface ConsumerRecord<K, V>
{
    /**
     * @return the topic.
     */
    String topic();

    /**
     * @return the partition.
     */
    int partition();

    /**
     * @return the offset in the partition.
     */
    long offset();

    /**
     * @return the record's timestamp, epoch milliseconds.
     */
    long timestamp();

    /**
     * @return the key, or {@code null}.
     */
    K key();

    /**
     * @return the value, or {@code null}.
     */
    V value();

    /**
     * Mark this record processed. Commits go out in offset order and never past a record that was emitted and not
     * acknowledged, whatever order records are acknowledged in. Thread-safe; a second call does nothing.
     */
    void acknowledge();

    /**
     * @return the record's headers, in order; empty for none.
     */
    default java.util.List<Header> headers()
    {
        return java.util.List.of();
    }

    /**
     * @return the partition as a {@link TopicPartition}.
     */
    default TopicPartition topicPartition()
    {
        return new TopicPartition(topic(), partition());
    }
}

package io.sluice.transport;

/**
 * A partition named by its topic's name, as consumer groups name partitions (a topic's id changes when a broker
 * restarts; its name does not).
 *
 * @param topic     name.
 * @param partition number.
 */
public record PartitionRef(String topic, int partition) implements Comparable<PartitionRef>
{
    /**
     * @param topic     name, not null.
     * @param partition number.
     */
    public PartitionRef
    {
        if (null == topic)
        {
            throw new NullPointerException("topic");
        }
    }

    /**
     * Topic name first, then partition number.
     *
     * @param other partition.
     * @return order.
     */
    public int compareTo(final PartitionRef other)
    {
        final int byTopic = topic.compareTo(other.topic);
        return 0 != byTopic ? byTopic : Integer.compare(partition, other.partition);
    }

    /**
     * @return {@code topic-partition}, as Kafka prints partitions.
     */
    public String toString()
    {
        return topic + "-" + partition;
    }
}

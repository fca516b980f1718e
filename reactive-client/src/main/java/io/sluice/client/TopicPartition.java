package io.sluice.client;

import java.util.Objects;

/**
 * A partition of a topic.
 *
 * @param topic     name.
 * @param partition number, from 0.
 */
public record TopicPartition(String topic, int partition)
{
    /**
     * @param topic     name.
     * @param partition number, from 0.
     */
    public TopicPartition
    {
        Objects.requireNonNull(topic, "topic");
        if (partition < 0)
        {
            throw new IllegalArgumentException("partition must not be negative: " + partition);
        }
    }

    public String toString()
    {
        return topic + "-" + partition;
    }
}

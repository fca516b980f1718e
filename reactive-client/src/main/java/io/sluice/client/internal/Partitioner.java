package io.sluice.client.internal;

import io.sluice.client.Partitioning;
import org.agrona.collections.Hashing;
import org.agrona.collections.Object2IntHashMap;

import java.util.Arrays;

/**
 * Picks the partition of a record: the one it names, else the one its key hashes to, else by the producer's
 * {@link Partitioning}. The key hash is Agrona's {@link Hashing#hash(int)} over {@link Arrays#hashCode(byte[])}:
 * stable across processes and versions, but not Kafka's murmur2, so a key lands on another partition than a Kafka
 * producer would put it.
 * <p>
 * Used on the client's I/O thread only.
 */
final class Partitioner
{
    private final Partitioning partitioning;
    private final Object2IntHashMap<String> next = new Object2IntHashMap<>(-1);

    Partitioner(final Partitioning partitioning)
    {
        this.partitioning = partitioning;
    }

    static int partitionForKey(final byte[] key, final int partitions)
    {
        return (Hashing.hash(Arrays.hashCode(key)) & Integer.MAX_VALUE) % partitions;
    }

    /**
     * @param topic      of the record.
     * @param key        serialized, or {@code null}.
     * @param partitions of the topic.
     * @return the partition.
     */
    int partition(final String topic, final byte[] key, final int partitions)
    {
        if (null != key)
        {
            return partitionForKey(key, partitions);
        }
        int partition = next.getValue(topic);
        if (partition < 0 || partition >= partitions)
        {
            partition = 0;
            next.put(topic, 0);
        }
        if (partitioning == Partitioning.ROUND_ROBIN)
        {
            next.put(topic, (partition + 1) % partitions);
        }
        return partition;
    }

    /**
     * A request to {@code topic} was sent: a sticky producer moves to the next partition.
     *
     * @param topic      sent to.
     * @param partitions of the topic.
     */
    void onRequestSent(final String topic, final int partitions)
    {
        if (partitioning == Partitioning.STICKY)
        {
            final int partition = next.getValue(topic);
            next.put(topic, partition < 0 ? 0 : (partition + 1) % partitions);
        }
    }
}

package io.sluice.client.internal;

import org.agrona.collections.Long2LongHashMap;

import java.security.SecureRandom;

/**
 * An idempotent producer's id and its next sequence number per partition, shared by the producer's sends. The id is
 * a random 63-bit number chosen here, not allocated by the broker: the broker only needs ids that do not collide,
 * and two random ids collide with a probability of about 2<sup>-63</sup>. The epoch starts at 0 and is bumped, with
 * every sequence back to 0, when the broker refuses one of the producer's batches: the refused batch left a gap in
 * its partition's sequence that the broker would hold against every later batch, and a new epoch starts the
 * partitions over (as Kafka's producer bumps its epoch). Used on the client's I/O thread only.
 */
final class ProducerIdentity
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private final long producerId = RANDOM.nextLong() & Long.MAX_VALUE;
    private final Long2LongHashMap nextSequences = new Long2LongHashMap(0);
    private short epoch;

    long producerId()
    {
        return producerId;
    }

    short epoch()
    {
        return epoch;
    }

    /**
     * A batch of this producer was refused: start a new epoch with every sequence at 0.
     */
    void bumpEpoch()
    {
        epoch = epoch == Short.MAX_VALUE ? 0 : (short)(epoch + 1);
        nextSequences.clear();
    }

    /**
     * @param topicId   of the partition.
     * @param partition number.
     * @return the sequence of the next record sent to it.
     */
    int nextSequence(final int topicId, final int partition)
    {
        return (int)nextSequences.get(key(topicId, partition));
    }

    /**
     * A batch of {@code count} records went out to the partition.
     *
     * @param topicId   of the partition.
     * @param partition number.
     * @param count     records in the batch.
     */
    void advance(final int topicId, final int partition, final int count)
    {
        final long key = key(topicId, partition);
        final long next = nextSequences.get(key) + count;
        nextSequences.put(key, next > Integer.MAX_VALUE ? next - Integer.MAX_VALUE - 1 : next);
    }

    private static long key(final int topicId, final int partition)
    {
        return ((long)topicId << 32) | (partition & 0xFFFF_FFFFL);
    }
}

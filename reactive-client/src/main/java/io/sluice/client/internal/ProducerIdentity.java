package io.sluice.client.internal;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

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
    /** By topic name, not id: a broker gives topics new ids when it restarts, and sequences must carry over. */
    private final Map<String, int[]> nextSequences = new HashMap<>();
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
     * @param topic     of the partition.
     * @param partition number.
     * @return the sequence of the next record sent to it.
     */
    int nextSequence(final String topic, final int partition)
    {
        final int[] sequences = nextSequences.get(topic);
        return null == sequences || partition >= sequences.length ? 0 : sequences[partition];
    }

    /**
     * A batch of {@code count} records went out to the partition.
     *
     * @param topic     of the partition.
     * @param partition number.
     * @param count     records in the batch.
     */
    void advance(final String topic, final int partition, final int count)
    {
        int[] sequences = nextSequences.get(topic);
        if (null == sequences || partition >= sequences.length)
        {
            sequences = null == sequences ? new int[partition + 1] : Arrays.copyOf(sequences, partition + 1);
            nextSequences.put(topic, sequences);
        }
        final long next = (long)sequences[partition] + count;
        sequences[partition] = (int)(next > Integer.MAX_VALUE ? next - Integer.MAX_VALUE - 1 : next);
    }
}

package io.sluice.engine;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * What a partition knows of its idempotent producers, to drop the duplicates their retries send: for each producer
 * id, its epoch, the last sequence appended, and the sequence range and base offset of its last
 * {@value #BATCHES_KEPT} batches (Kafka keeps five too, the most requests a producer has in flight with
 * idempotence).
 * <p>
 * Rules for a batch with a producer id (the batch header's producer id, epoch and base sequence; its last sequence
 * is the base plus the record count less one, wrapping past {@link Integer#MAX_VALUE} to 0 as Kafka's do):
 * <ul>
 *   <li>a producer not known here (new, or whose batches were all removed by retention before a restart), or a
 *   newer epoch: appended, whatever its sequence;</li>
 *   <li>the same sequence range as one of the kept batches: a duplicate; not appended, and answered with the base
 *   offset the original got;</li>
 *   <li>the sequence after the last one: appended;</li>
 *   <li>anything else, or an older epoch: refused ({@link PartitionLog#OUT_OF_ORDER_SEQUENCE}).</li>
 * </ul>
 * Rebuilt when a log opens from the batch headers its recovery scan reads anyway. Owned by the partition's writer
 * thread; allocation-free except for a producer's first batch. Entries are never expired (Kafka expires them after
 * {@code producer.id.expiration.ms}).
 */
final class ProducerStates
{
    /** Batches remembered per producer. */
    static final int BATCHES_KEPT = 5;
    /** {@link #check}: append the batch. */
    static final long APPEND = -1;
    /** {@link #check}: refuse the batch: a gap, a reordering or a stale epoch. */
    static final long OUT_OF_ORDER = -2;

    private final Long2ObjectHashMap<Producer> producers = new Long2ObjectHashMap<>();

    /**
     * @param producerId    of the batch, at least 0.
     * @param producerEpoch of the batch.
     * @param baseSequence  of the batch.
     * @param recordCount   of the batch.
     * @return {@link #APPEND}, {@link #OUT_OF_ORDER}, or the base offset of the batch this one duplicates.
     */
    long check(final long producerId, final short producerEpoch, final int baseSequence, final int recordCount)
    {
        final Producer producer = producers.get(producerId);
        if (null == producer || producerEpoch > producer.epoch)
        {
            return APPEND;
        }
        if (producerEpoch < producer.epoch || baseSequence < 0)
        {
            return OUT_OF_ORDER;
        }
        final int lastSequence = lastSequence(baseSequence, recordCount);
        for (int i = 0; i < producer.count; i++)
        {
            if (producer.firstSequences[i] == baseSequence && producer.lastSequences[i] == lastSequence)
            {
                return producer.baseOffsets[i];
            }
        }
        return baseSequence == next(producer.lastSequence) ? APPEND : OUT_OF_ORDER;
    }

    /**
     * A batch of an idempotent producer was appended (or found by recovery).
     *
     * @param producerId    of the batch.
     * @param producerEpoch of the batch.
     * @param baseSequence  of the batch.
     * @param recordCount   of the batch.
     * @param baseOffset    it got.
     */
    void record(
        final long producerId,
        final short producerEpoch,
        final int baseSequence,
        final int recordCount,
        final long baseOffset)
    {
        Producer producer = producers.get(producerId);
        if (null == producer)
        {
            producer = new Producer();
            producers.put(producerId, producer);
        }
        if (producerEpoch != producer.epoch)
        {
            producer.epoch = producerEpoch;
            producer.count = 0;
            producer.next = 0;
        }
        final int lastSequence = lastSequence(baseSequence, recordCount);
        producer.firstSequences[producer.next] = baseSequence;
        producer.lastSequences[producer.next] = lastSequence;
        producer.baseOffsets[producer.next] = baseOffset;
        producer.next = (producer.next + 1) % BATCHES_KEPT;
        producer.count = Math.min(producer.count + 1, BATCHES_KEPT);
        producer.lastSequence = lastSequence;
    }

    /**
     * Forget every producer, before a rebuild from the log.
     */
    void clear()
    {
        producers.clear();
    }

    /**
     * @return producers known.
     */
    int size()
    {
        return producers.size();
    }

    static int lastSequence(final int baseSequence, final int recordCount)
    {
        final long last = (long)baseSequence + recordCount - 1;
        return (int)(last > Integer.MAX_VALUE ? last - Integer.MAX_VALUE - 1 : last);
    }

    static int next(final int sequence)
    {
        return sequence == Integer.MAX_VALUE ? 0 : sequence + 1;
    }

    private static final class Producer
    {
        final int[] firstSequences = new int[BATCHES_KEPT];
        final int[] lastSequences = new int[BATCHES_KEPT];
        final long[] baseOffsets = new long[BATCHES_KEPT];
        short epoch = Short.MIN_VALUE;
        int count;
        int next;
        int lastSequence;
    }
}

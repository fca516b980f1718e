package io.sluice.perf.e2e;

import org.agrona.DirectBuffer;

/**
 * Sends records to the topic of an {@link E2eTarget} and reports their acknowledgements.
 * <p>
 * Threads: {@link #send}, {@link #poll}, {@link #flush} and {@link #close} are called from one thread, the
 * harness's sender. {@link AckListener} may be called on that thread (from {@link #poll} or {@link #flush}) or on one
 * thread of the client's own (Kafka's I/O thread); the harness accepts both.
 * <p>
 * Allocation: the interface needs none per record (the harness reuses one buffer and one listener), so an
 * implementation can send without allocating.
 */
public interface E2eProducer extends AutoCloseable
{
    /**
     * Send one record without blocking for its acknowledgement. The bytes are only valid during the call: copy or
     * encode them before returning.
     *
     * @param buffer   holding the record's value.
     * @param offset   of the value in {@code buffer}.
     * @param length   of the value.
     * @param sequence passed back to {@link AckListener}; 0, 1, 2, ... in send order.
     * @return true if the record was taken; false if the producer cannot take it now (back-pressure): the harness
     * polls and offers the same record again, and the time this takes is charged to the record.
     */
    boolean send(DirectBuffer buffer, int offset, int length, long sequence);

    /**
     * Do the producer's pending work on the caller's thread, acknowledgements included, for clients that need it.
     *
     * @return the amount of work done, 0 if none, so the caller can idle.
     */
    int poll();

    /**
     * Whether acknowledgements reach the {@link AckListener} only from {@link #poll()} (Sluice's and Aeron's
     * clients, which have no thread of their own). The harness's sender then keeps polling, yielding and never
     * parking, while a record it sent awaits its acknowledgement, so that an acknowledgement is taken when it
     * arrives rather than when a park ends (a park overshoots by the kernel's timer slack, 50 us or more).
     *
     * @return true if only {@link #poll()} delivers acknowledgements; false (the default) if the client delivers
     * them on its own thread or within {@link #send}.
     */
    default boolean acksArriveInPoll()
    {
        return false;
    }

    /**
     * Send anything batched now and wait until every record taken so far has been acknowledged or has failed.
     *
     * @param timeoutNs the longest to wait.
     * @return true if no record is outstanding.
     * @throws InterruptedException if interrupted while waiting.
     */
    boolean flush(long timeoutNs) throws InterruptedException;

    /**
     * Release the producer. Records still outstanding may be dropped.
     */
    void close();

    /**
     * The outcome of each record sent. Exactly one call per record taken by {@link #send}.
     */
    interface AckListener
    {
        /**
         * The record was acknowledged at the producer's {@code acks} level.
         *
         * @param sequence of the record.
         */
        void onAck(long sequence);

        /**
         * The record failed for good.
         *
         * @param sequence of the record.
         * @param error    why.
         */
        void onError(long sequence, Throwable error);
    }
}

package io.sluice.perf.e2e;

import org.agrona.DirectBuffer;

/**
 * Receives the records of the topic of an {@link E2eTarget}, from the position {@link E2eTarget#newConsumer()}
 * describes.
 * <p>
 * Threads: created and closed by the harness thread, polled by one consumer thread in between (the harness starts
 * that thread after creating the consumer and closes the consumer after the thread has ended).
 */
public interface E2eConsumer extends AutoCloseable
{
    /**
     * Hand the records available now to {@code handler}, in order per partition. May wait briefly (milliseconds at
     * most) for records to arrive, as a fetch does; need not.
     *
     * @param handler called once per record, on the calling thread.
     * @return the number of records handled; 0 if none, so the caller can idle.
     */
    int poll(RecordHandler handler);

    /**
     * Release the consumer.
     */
    void close();

    /**
     * Takes one record's value. The bytes are only valid during the call.
     */
    @FunctionalInterface
    interface RecordHandler
    {
        /**
         * One record.
         *
         * @param buffer holding the value.
         * @param offset of the value in {@code buffer}.
         * @param length of the value.
         */
        void onRecord(DirectBuffer buffer, int offset, int length);
    }
}
